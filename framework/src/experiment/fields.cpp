// A plugin's fields on one item (a population, a synapse, a plasticity rule, a recorder): its
// "params" and "init" sections checked against the descriptor, every field given a value (its
// default where unset), and the plugin's validate hook run on the result.
#include <algorithm>

#include "experiment/loader_internal.hpp"

namespace ganglion::loading {

namespace {

// The value a validate hook sees for element 0: a constant as given, a list's first value, a
// uniform's low end, a normal's or lognormal's mean; a sequence field shows its default.
double element_value(const ValueSpec &v, const gg_field &f) {
  if (v.kind == ValueSpec::Kind::Sequences) return f.default_value;
  if (v.kind == ValueSpec::Kind::List && !v.list.empty()) return v.list[0];
  return v.a;
}

std::vector<double> element_zero(const gg_descriptor &d, const std::vector<ValueSpec> &values) {
  std::vector<double> element;
  for (size_t k = 0; k < values.size(); ++k)
    element.push_back(element_value(values[k], d.fields[k]));
  return element;
}

// The value of a field nobody set: its default, or one empty sequence for all.
ValueSpec default_spec(const gg_field &f) {
  ValueSpec v = make_spec(ValueSpec::Kind::Constant, f.default_value);
  if (f.type == GG_TYPE_SEQUENCE) {
    v.kind = ValueSpec::Kind::Sequences;
    v.a = 0;
    v.sequences.assign(1, {});
  }
  return v;
}

} // namespace

// Checks that each key of `section` ("params" or "init") names a field of the right role.
void Loader::check_section(const Json &section, const std::string &pointer,
                           const LoadedPlugin &plugin, bool is_init) const {
  const gg_descriptor *d = plugin.desc;
  std::vector<std::string> wanted, all;
  for (uint32_t k = 0; k < d->n_fields; ++k) {
    all.push_back(d->fields[k].name);
    if (d->fields[k].role == (is_init ? GG_ROLE_STATE : GG_ROLE_PARAM))
      wanted.push_back(d->fields[k].name);
  }
  for (const auto &item : section.items()) {
    const std::string &key = item.key();
    std::string at = child(pointer, key);
    const gg_field *field = nullptr;
    for (uint32_t k = 0; k < d->n_fields; ++k)
      if (key == d->fields[k].name) field = &d->fields[k];
    if (!field)
      fail(at, std::string("'") + plugin.name + "' has no " +
                   (is_init ? "state variable" : "parameter") + " '" + clipped(key) + "'" +
                   did_you_mean(key, all) + "; its " +
                   (is_init ? "state variables" : "parameters") + ": " + join_list(wanted));
    if (field->role == GG_ROLE_STATE && !is_init)
      fail(at, key + " is a state variable of '" + plugin.name +
                   "'; set its initial value in \"init\", not \"params\"");
    if (field->role == GG_ROLE_PARAM && is_init)
      fail(at,
           key + " is a parameter of '" + plugin.name + "'; put it in \"params\", not \"init\"");
    if (field->role == GG_ROLE_TRACE)
      fail(at, key + " is an internal variable of '" + plugin.name +
                   "' that the model computes itself; it cannot be set");
    if (field->role == GG_ROLE_PRE_TRACE)
      fail(at, key + " is a presynaptic trace of '" + plugin.name +
                   "' that the rule computes itself; it cannot be set");
    if (field->role == GG_ROLE_PER_SYNAPSE)
      fail(at, key + " is a per-synapse value of '" + plugin.name + "'; it cannot be set here");
  }
}

// One ValueSpec per descriptor field, from "params" (parameters) and "init" (state), defaults
// for the rest; writes the filled-in sections into `resolved`. `schedules`: where parameters
// may follow a schedule (populations), nullptr elsewhere.
std::vector<ValueSpec> Loader::field_values(const LoadedPlugin &plugin, const Json &item,
                                            const std::string &pointer, Json &resolved,
                                            const Elements &elements,
                                            std::vector<FieldSchedule> *schedules) const {
  const gg_descriptor *d = plugin.desc;
  const Json *params = member(item, "params");
  const Json *init = member(item, "init");
  std::string params_pointer = child(pointer, "params"), init_pointer = child(pointer, "init");
  if (params) {
    require_object(*params, params_pointer, "{\"tau_m\": \"15 ms\"}");
    check_section(*params, params_pointer, plugin, false);
  }
  if (init) {
    require_object(*init, init_pointer, "{\"V\": {\"uniform\": [\"-75 mV\", \"-55 mV\"]}}");
    check_section(*init, init_pointer, plugin, true);
  }
  std::vector<ValueSpec> values;
  Json resolved_params = Json::object(), resolved_init = Json::object();
  for (uint32_t k = 0; k < d->n_fields; ++k) {
    const gg_field &f = d->fields[k];
    ValueSpec v = default_spec(f);
    bool settable = f.role == GG_ROLE_PARAM || f.role == GG_ROLE_STATE;
    const Json *section = f.role == GG_ROLE_PARAM ? params : init;
    const std::string &section_pointer = f.role == GG_ROLE_PARAM ? params_pointer : init_pointer;
    FieldSchedule schedule;
    schedule.field = k;
    bool may_schedule = schedules && f.role == GG_ROLE_PARAM;
    bool given = settable && section && section->contains(f.name);
    if (given)
      v = value_spec(section->at(f.name), f, child(section_pointer, f.name), elements,
                     may_schedule ? &schedule.changes : nullptr);
    bool scheduled = may_schedule && given && section->at(f.name).is_object() &&
                     section->at(f.name).contains("schedule");
    if (f.role == GG_ROLE_PARAM)
      resolved_params[f.name] = scheduled ? schedule_json(v, schedule.changes, f) : spec_json(v, f);
    if (f.role == GG_ROLE_STATE) resolved_init[f.name] = spec_json(v, f);
    values.push_back(std::move(v));
    if (scheduled && !schedule.changes.empty()) schedules->push_back(std::move(schedule));
  }
  if (!resolved_params.empty()) resolved["params"] = std::move(resolved_params);
  if (!resolved_init.empty()) resolved["init"] = std::move(resolved_init);
  return values;
}

void Loader::validate_element(const LoadedPlugin &plugin, const std::vector<double> &element,
                              const std::string &pointer, const std::string &prefix) const {
  char buffer[1024] = {0};
  gg_error err{buffer, sizeof buffer};
  if (plugin.desc->validate(element.data(), &err) != GG_OK)
    fail(pointer, prefix + (buffer[0] ? std::string(buffer)
                                      : "plugin '" + plugin.name +
                                            "' rejected these values (no reason given)"));
}

// Runs the plugin's validate hook on element 0, and again at each step where a schedule changes
// a parameter (with the values in force from then on).
void Loader::run_validate(const LoadedPlugin &plugin, const std::vector<ValueSpec> &values,
                          const std::string &pointer,
                          const std::vector<FieldSchedule> &schedules) const {
  if (!plugin.desc->validate) return;
  std::vector<double> element = element_zero(*plugin.desc, values);
  validate_element(plugin, element, pointer, "");
  std::vector<uint64_t> steps;
  for (const auto &s : schedules)
    for (const auto &c : s.changes)
      steps.push_back(c.step);
  std::sort(steps.begin(), steps.end());
  steps.erase(std::unique(steps.begin(), steps.end()), steps.end());
  for (uint64_t step : steps) {
    for (const auto &s : schedules)
      for (const auto &c : s.changes)
        if (c.step == step) element[s.field] = element_value(c.value, plugin.desc->fields[s.field]);
    validate_element(plugin, element, pointer,
                     "from t = " + rounded_ms(double(step) * ex_.simulation.dt) +
                         " (after the schedules' changes): ");
  }
}

} // namespace ganglion::loading
