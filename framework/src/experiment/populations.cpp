// The "populations" section: each population's model and size, its params and init, its applied
// current I_app, its opt-out of Dale's law and its backend.
#include <cctype>
#include <cmath>

#include "experiment/loader_internal.hpp"
#include "experiment/units.hpp"

namespace ganglion::loading {

namespace {

bool is_identifier(const std::string &s) {
  if (s.empty() || !(std::isalpha(static_cast<unsigned char>(s[0])) || s[0] == '_')) return false;
  for (char c : s)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_')) return false;
  return true;
}

} // namespace

Elements neuron_elements(const PopulationSpec &pop, const std::string &role) {
  return Elements{pop.size,
                  (role.empty() ? "population " : "the " + role + "population ") + pop.name +
                      " has " + std::to_string(pop.size) + (pop.size == 1 ? " neuron" : " neurons"),
                  role + "neuron"};
}

void Loader::load_populations(const Json &doc, Json &resolved) {
  const std::string example = "\"populations\": {\"E\": {\"model\": \"lif\", \"size\": 100}}";
  const Json *pops = member(doc, "populations");
  if (!pops) fail("", "no \"populations\": an experiment needs at least one, e.g. " + example);
  require_object(*pops, "/populations", "{\"E\": {\"model\": \"lif\", \"size\": 100}}");
  if (pops->empty())
    fail("/populations", "no populations: an experiment needs at least one, e.g. " + example);

  Json out = Json::object();
  uint64_t next_gid = 0;
  for (const auto &item : pops->items()) {
    const std::string &name = item.key();
    PopulationSpec spec = population_head(name, item.value(), child("/populations", name));
    spec.first_gid = next_gid;
    next_gid += spec.size;
    out[name] = load_population(spec, item.value());
    ex_.populations.push_back(std::move(spec));
  }
  resolved["populations"] = std::move(out);
}

// A population's name, keys, model and size.
PopulationSpec Loader::population_head(const std::string &name, const Json &p,
                                       const std::string &pointer) const {
  if (!is_identifier(name))
    fail(pointer, "'" + clipped(name) +
                      "' is not a valid population name: use letters, digits and '_', "
                      "not starting with a digit");
  require_object(p, pointer, "{\"model\": \"lif\", \"size\": 100}");
  check_keys(p, pointer, {"model", "size", "params", "init", "I_app", "dale", "backend"});

  PopulationSpec spec;
  spec.name = name;
  spec.pointer = pointer;
  const Json *model = member(p, "model");
  if (!model) fail(pointer, "no \"model\": name the neuron plugin, e.g. \"model\": \"lif\"");
  spec.plugin = find_plugin(get_string(*model, child(pointer, "model")), GG_KIND_NEURON,
                            child(pointer, "model"), "neuron model");
  const Json *size = member(p, "size");
  if (!size) fail(pointer, "no \"size\": give the number of neurons, e.g. \"size\": 100");
  spec.size = get_count(*size, child(pointer, "size"), "a positive number of neurons");
  // Spike lists hold 32-bit indices (plugin_abi.h).
  if (spec.size == 0 || spec.size > UINT32_MAX)
    fail(child(pointer, "size"), "the size must be between 1 and " + std::to_string(UINT32_MAX) +
                                     ", got " + std::to_string(spec.size));
  return spec;
}

// The rest of a population, after population_head; returns its resolved form.
Json Loader::load_population(PopulationSpec &spec, const Json &p) {
  const std::string &pointer = spec.pointer;
  Json r = Json::object();
  r["model"] = spec.plugin->name;
  r["size"] = spec.size;
  Elements elements = neuron_elements(spec, "");
  spec.values = field_values(*spec.plugin, p, pointer, r, elements, &spec.schedules);
  load_i_app(spec, p, elements, r);

  bool dale = true;
  if (const Json *d = member(p, "dale")) dale = get_bool(*d, child(pointer, "dale"));
  spec.dale = dale && dale_;
  r["dale"] = dale;

  spec.backend = item_backend(p, pointer, *spec.plugin);
  r["backend"] = backend_name(spec.backend);
  // (the device's spike logs keep a spike's step in 32 bits)
  if (spec.backend == GG_BACKEND_CUDA && ex_.simulation.n_steps >= (uint64_t(1) << 32))
    fail("/simulation/duration",
         std::to_string(ex_.simulation.n_steps) + " steps of " +
             format_value(ex_.simulation.dt, "ms") + ", but population '" + spec.name +
             "' runs on \"cuda\", which takes at most 4294967295 steps a run; run it in parts "
             "(a shorter duration each), or on \"cpu\"");
  run_validate(*spec.plugin, spec.values, pointer, spec.schedules);
  return r;
}

// I_app, in the neuron's input unit; a source (no input unit) takes none.
void Loader::load_i_app(PopulationSpec &spec, const Json &p, const Elements &elements,
                        Json &r) const {
  const char *input_unit = spec.plugin->desc->input_unit;
  std::string ip = child(spec.pointer, "I_app");
  const Json *i_app = member(p, "I_app");
  if (i_app && !input_unit)
    fail(ip, "population " + spec.name + " (" + spec.plugin->name + ") " +
                 (spec.plugin->desc->flags & GG_DESC_SOURCE
                      ? "is a source and takes no input"
                      : "takes no input (its plugin declares no input unit)") +
                 ", so it has no I_app; remove \"I_app\"");
  if (!input_unit) return;
  const gg_field field{"I_app",  input_unit, GG_ROLE_PARAM, GG_TYPE_F64,      0, -HUGE_VAL,
                       HUGE_VAL, 0,          nullptr,       "applied current"};
  spec.i_app = make_spec(ValueSpec::Kind::Constant, 0);
  if (i_app) spec.i_app = value_spec(*i_app, field, ip, elements, &spec.i_app_changes);
  bool scheduled = i_app && i_app->is_object() && i_app->contains("schedule");
  r["I_app"] = scheduled ? schedule_json(spec.i_app, spec.i_app_changes, field)
                         : spec_json(spec.i_app, field);
}

int Loader::population_index(const Json &j, const std::string &pointer) const {
  std::string name = get_string(j, pointer);
  std::vector<std::string> names;
  for (size_t k = 0; k < ex_.populations.size(); ++k) {
    if (ex_.populations[k].name == name) return int(k);
    names.push_back(ex_.populations[k].name);
  }
  fail(pointer, "unknown population '" + clipped(name) + "'" + did_you_mean(name, names) +
                    "; populations: " + join_list(names));
}

} // namespace ganglion::loading
