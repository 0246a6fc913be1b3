// One field's value, converted to the field's unit and range-checked, and its resolved form.
//
// A field's value in "params" or "init" (and a population's "I_app") is one of:
//   a constant            15 | "15 ms"
//   a uniform draw        {"uniform": [lo, hi]}       both ends range-checked
//   a normal draw         {"normal": [mean, std]}     the mean range-checked (the engine draws
//                                                     again where a value falls out of range)
//   a lognormal draw      {"lognormal": [mean, std]}  mean and std of the value itself, mean > 0
//   per-element values    [v0, v1, ...]               one per neuron, each range-checked
//   a schedule (params of populations, I_app)
//                         {"schedule": [["0 ms", v], ["200 ms", v'], ...]}  v: a constant or a
//                         per-neuron list; times whole steps, strictly ascending, in [0,
//                         duration)
// A GG_TYPE_SEQUENCE field takes a flat list (one sequence for every element) or a list of lists
// (one per element), each sorted ascending, in the field's unit; an unset one is one empty
// sequence for all. A GG_TYPE_CHOICE field takes one of its words.
#include <cmath>

#include "experiment/loader_internal.hpp"
#include "experiment/units.hpp"

namespace ganglion::loading {

namespace {

bool is_dimensionless(const std::string &unit) {
  return unit.empty() || unit == "1";
}

// An example value of a field for messages: 0.5, or "2.5 ms".
std::string example_of(const std::string &unit) {
  return is_dimensionless(unit) ? "0.5" : "\"2.5 " + unit + "\"";
}

// {"uniform": [lo, hi]}, {"normal": [mean, std]}, ... for messages.
std::string forms_text(const std::vector<std::string> &forms) {
  std::string out;
  for (size_t k = 0; k < forms.size(); ++k) {
    const std::string &form = forms[k];
    std::string args = form == "uniform"    ? "[lo, hi]"
                       : form == "schedule" ? "[[t, value], ...]"
                                            : "[mean, std]";
    out += (k == 0                  ? ""
            : k + 1 == forms.size() ? " or "
                                    : ", ") +
           ("{\"" + form + "\": " + args + "}");
  }
  return out;
}

} // namespace

ValueSpec make_spec(ValueSpec::Kind kind, double a, double b) {
  ValueSpec v;
  v.kind = kind;
  v.a = a;
  v.b = b;
  return v;
}

Json value_json(double v, const std::string &unit) {
  if (is_dimensionless(unit) && std::isfinite(v)) return v;
  return format_value(v, unit);
}

void Loader::check_range(double v, const gg_field &f, const std::string &pointer) const {
  bool min_open = (f.flags & GG_MIN_EXCLUSIVE) != 0;
  bool max_open = (f.flags & GG_MAX_EXCLUSIVE) != 0;
  bool ok = (min_open ? v > f.min : v >= f.min) && (max_open ? v < f.max : v <= f.max);
  if (ok) return;
  std::string unit = f.unit ? f.unit : "1";
  // An infinite end is shown open, as in "(0, inf)": no value reaches it.
  std::string range = std::string(min_open || std::isinf(f.min) ? "(" : "[") +
                      format_number(f.min) + ", " + format_number(f.max) +
                      (max_open || std::isinf(f.max) ? ")" : "]");
  fail(pointer, format_value(v, unit) + " is out of range " + range +
                    (is_dimensionless(unit) ? "" : " " + unit));
}

double Loader::constant(const Json &j, const gg_field &f, const std::string &pointer) const {
  double v = convert_value(j, f.unit ? f.unit : "1", where(pointer), f.name);
  check_range(v, f, pointer);
  return v;
}

// The pair of a {"uniform": [lo, hi]}, {"normal": [mean, std]} or {"lognormal": [mean, std]}.
std::pair<double, double> Loader::pair_of(const Json &j, const std::string &unit,
                                          const std::string &name, const std::string &pointer,
                                          const char *example) const {
  if (!j.is_array() || j.size() != 2)
    fail(pointer, std::string("expected two values, like ") + example + ", got " + shown(j));
  return {convert_value(j[0], unit, where(child(pointer, 0)), name),
          convert_value(j[1], unit, where(child(pointer, 1)), name)};
}

void Loader::check_std(double sd, const std::string &unit, const std::string &pointer) const {
  if (!(sd >= 0) || !std::isfinite(sd))
    fail(pointer, "the standard deviation must be >= 0 and finite, got " + format_value(sd, unit));
}

// Per-element values [v0, v1, ...]: one per element, each range-checked.
ValueSpec Loader::list_spec(const Json &j, const gg_field &f, const std::string &pointer,
                            const Elements &elements) const {
  if (elements.n == 0)
    fail(pointer, std::string(f.name) +
                      " takes one value here, not a list of per-element "
                      "values; got " +
                      shown(j));
  if (j.size() != elements.n)
    fail(pointer, "a list of " + std::to_string(j.size()) + " values, but " + elements.has +
                      ": give one value per " + elements.per + ", or one value for all");
  ValueSpec v = make_spec(ValueSpec::Kind::List, 0);
  v.list.reserve(j.size());
  for (size_t k = 0; k < j.size(); ++k) {
    if (!j[k].is_number() && !j[k].is_string())
      fail(child(pointer, k),
           "expected a value like " + example_of(f.unit ? f.unit : "1") + ", got " + shown(j[k]));
    v.list.push_back(constant(j[k], f, child(pointer, k)));
  }
  v.a = v.list.front(); // element 0, as for the other kinds
  return v;
}

// One sequence of a GG_TYPE_SEQUENCE field: values in its unit, range-checked, ascending.
std::vector<double> Loader::sequence(const Json &j, const gg_field &f,
                                     const std::string &pointer) const {
  std::vector<double> out;
  out.reserve(j.size());
  for (size_t k = 0; k < j.size(); ++k) {
    if (!j[k].is_number() && !j[k].is_string())
      fail(child(pointer, k),
           "expected a value like " + example_of(f.unit ? f.unit : "1") + ", got " + shown(j[k]) +
               " (a list of lists gives one sequence per element: then every item is a list)");
    double v = constant(j[k], f, child(pointer, k));
    if (k > 0 && v < out.back())
      fail(child(pointer, k), std::string("the values of ") + f.name +
                                  " must be sorted in ascending order, but item " +
                                  std::to_string(k) + " (" + format_value(v, f.unit) +
                                  ") is below item " + std::to_string(k - 1) + " (" +
                                  format_value(out.back(), f.unit) + ")");
    out.push_back(v);
  }
  return out;
}

ValueSpec Loader::sequences_spec(const Json &j, const gg_field &f, const std::string &pointer,
                                 const Elements &elements) const {
  std::string unit = f.unit ? f.unit : "1";
  std::string ex = example_of(unit);
  if (!j.is_array())
    fail(pointer, std::string(f.name) +
                      " takes a list of values, one list for every element "
                      "like [" +
                      ex + ", ...], or one list per element like [[" + ex + "], [], ...]; got " +
                      shown(j));
  ValueSpec v = make_spec(ValueSpec::Kind::Sequences, 0);
  if (j.empty() || !j[0].is_array()) {
    v.sequences.push_back(sequence(j, f, pointer));
    return v;
  }
  if (elements.n == 0)
    fail(pointer, std::string(f.name) + " takes one list for all here, not one per element");
  if (j.size() != elements.n)
    fail(pointer, "a list of " + std::to_string(j.size()) + " sequences, but " + elements.has +
                      ": give one sequence per " + elements.per + ", or one flat list for all");
  for (size_t k = 0; k < j.size(); ++k) {
    if (!j[k].is_array())
      fail(child(pointer, k), "expected a list like [" + ex + ", ...] (one sequence per " +
                                  elements.per + "), got " + shown(j[k]));
    v.sequences.push_back(sequence(j[k], f, child(pointer, k)));
  }
  return v;
}

// A time in a schedule: a whole number of steps in [0, duration).
uint64_t Loader::schedule_step(const Json &j, const std::string &pointer) const {
  double t = get_time(j, pointer);
  if (t < 0) fail(pointer, "a time in a schedule must be >= 0, got " + format_value(t, "ms"));
  uint64_t step = steps_of(t, pointer);
  if (step >= ex_.simulation.n_steps)
    fail(pointer, format_value(t, "ms") + " is at or after the end of the run (duration = " +
                      format_value(ex_.simulation.duration, "ms") +
                      "); a change must come before it: remove it or lengthen the run");
  return step;
}

// {"schedule": [[t, v], ...]}: returns the value at t = 0 (the field's default when the
// schedule starts later) and fills `changes` with the later entries.
ValueSpec Loader::schedule_spec(const Json &args, const gg_field &f, const std::string &pointer,
                                const Elements &elements, std::vector<Change> &changes) const {
  std::string ex = example_of(f.unit ? f.unit : "1");
  if (!args.is_array() || args.empty())
    fail(pointer, "expected a list of [time, value] pairs, like [[\"0 ms\", " + ex +
                      "], [\"200 ms\", " + ex + "]], got " + shown(args));
  ValueSpec initial = make_spec(ValueSpec::Kind::Constant, f.default_value);
  changes.clear();
  uint64_t previous = 0;
  for (size_t k = 0; k < args.size(); ++k) {
    const Json &entry = args[k];
    std::string ep = child(pointer, k);
    if (!entry.is_array() || entry.size() != 2)
      fail(ep, "expected a [time, value] pair, like [\"200 ms\", " + ex + "], got " + shown(entry));
    uint64_t step = schedule_step(entry[0], child(ep, 0));
    if (k > 0 && step <= previous)
      fail(child(ep, 0), "the times of a schedule must be strictly ascending: " +
                             rounded_ms(double(step) * ex_.simulation.dt) +
                             " does not come after " +
                             rounded_ms(double(previous) * ex_.simulation.dt) + " (entry " +
                             std::to_string(k - 1) + ")");
    previous = step;
    const Json &value = entry[1];
    std::string vp = child(ep, 1);
    ValueSpec v;
    if (value.is_array())
      v = list_spec(value, f, vp, elements);
    else if (value.is_number() || value.is_string())
      v = make_spec(ValueSpec::Kind::Constant, constant(value, f, vp));
    else
      fail(vp, "a value in a schedule is a constant like " + ex + " or a list of one value per " +
                   elements.per + ", got " + shown(value));
    if (step == 0)
      initial = std::move(v);
    else
      changes.push_back(Change{step, std::move(v)});
  }
  return initial;
}

// A GG_TYPE_CHOICE field: one of its words, kept as the word's index.
ValueSpec Loader::choice_spec(const Json &j, const gg_field &f, const std::string &pointer) const {
  auto words = split_choices(f.choices);
  if (!j.is_string())
    fail(pointer,
         std::string(f.name) + " takes one of the words " + join_list(words) + ", got " + shown(j));
  std::string word = j.get<std::string>();
  for (size_t k = 0; k < words.size(); ++k)
    if (words[k] == word) return make_spec(ValueSpec::Kind::Constant, double(k));
  fail(pointer, "unknown choice '" + clipped(word) + "' for " + f.name + did_you_mean(word, words) +
                    "; choose one of: " + join_list(words));
}

// A value given as an object: one of `forms`, {"uniform": [lo, hi]}, {"normal": [mean, std]},
// {"lognormal": [mean, std]} or (where `changes` is given) {"schedule": [[t, value], ...]}.
ValueSpec Loader::form_spec(const Json &j, const gg_field &f, const std::string &pointer,
                            const Elements &elements, std::vector<Change> *changes,
                            const std::vector<std::string> &forms) const {
  std::string unit = f.unit ? f.unit : "1";
  if (j.size() != 1) fail(pointer, "expected one of " + forms_text(forms) + ", got " + shown(j));
  const std::string &form = j.begin().key();
  const Json &args = j.begin().value();
  std::string args_pointer = child(pointer, form);
  if (form == "uniform") {
    auto [lo, hi] = pair_of(args, unit, f.name, args_pointer, "[\"-75 mV\", \"-55 mV\"]");
    if (lo > hi)
      fail(args_pointer, "the low end " + format_value(lo, unit) + " is above the high end " +
                             format_value(hi, unit));
    check_range(lo, f, child(args_pointer, 0));
    check_range(hi, f, child(args_pointer, 1));
    return make_spec(ValueSpec::Kind::Uniform, lo, hi);
  }
  if (form == "normal" || form == "lognormal") {
    bool log = form == "lognormal";
    auto [mean, sd] = pair_of(args, unit, f.name, args_pointer,
                              log ? "[\"15 ms\", \"3 ms\"]" : "[\"-65 mV\", \"5 mV\"]");
    check_std(sd, unit, child(args_pointer, 1));
    if (log && !(mean > 0))
      fail(child(args_pointer, 0), "the mean of a lognormal (of the value itself) must be > 0, "
                                   "got " +
                                       format_value(mean, unit));
    check_range(mean, f, child(args_pointer, 0));
    return make_spec(log ? ValueSpec::Kind::LogNormal : ValueSpec::Kind::Normal, mean, sd);
  }
  if (form == "schedule" && !changes)
    fail(args_pointer, f.role == GG_ROLE_STATE
                           ? "an initial value cannot follow a schedule; schedules are for a "
                             "population's parameters (in \"params\") and its \"I_app\""
                           : "schedules are for a population's parameters and its \"I_app\"; "
                             "give one value here");
  if (form == "schedule") return schedule_spec(args, f, args_pointer, elements, *changes);
  fail(pointer, "unknown distribution '" + clipped(form) + "'" + did_you_mean(form, forms) +
                    "; use one of: " + join_list(forms));
}

// One field's value (see the top of this file). `changes`: where a schedule is accepted (nullptr
// elsewhere).
ValueSpec Loader::value_spec(const Json &j, const gg_field &f, const std::string &pointer,
                             const Elements &elements, std::vector<Change> *changes) const {
  if (f.type == GG_TYPE_CHOICE) return choice_spec(j, f, pointer);
  if (f.type == GG_TYPE_SEQUENCE) return sequences_spec(j, f, pointer, elements);
  std::vector<std::string> forms = {"uniform", "normal", "lognormal"};
  if (changes) forms.push_back("schedule");
  if (j.is_object()) return form_spec(j, f, pointer, elements, changes, forms);
  if (j.is_array()) return list_spec(j, f, pointer, elements);
  if (!j.is_number() && !j.is_string())
    fail(pointer, "expected a value like " + example_of(f.unit ? f.unit : "1") +
                      ", a list of one value per " + (elements.n ? elements.per : "element") +
                      ", or one of " + forms_text(forms) + ", got " + shown(j));
  return make_spec(ValueSpec::Kind::Constant, constant(j, f, pointer));
}

Json spec_json(const ValueSpec &v, const gg_field &f) {
  std::string unit = f.unit ? f.unit : "1";
  if (f.type == GG_TYPE_CHOICE) return split_choices(f.choices).at(size_t(v.a));
  auto pair = [&](const char *form) {
    return Json{{form, Json::array({value_json(v.a, unit), value_json(v.b, unit)})}};
  };
  auto values = [&](const std::vector<double> &list) {
    Json out = Json::array();
    for (double x : list)
      out.push_back(value_json(x, unit));
    return out;
  };
  switch (v.kind) {
  case ValueSpec::Kind::Uniform: return pair("uniform");
  case ValueSpec::Kind::Normal: return pair("normal");
  case ValueSpec::Kind::LogNormal: return pair("lognormal");
  case ValueSpec::Kind::List: return values(v.list);
  case ValueSpec::Kind::Sequences: {
    if (v.sequences.size() == 1) return values(v.sequences[0]);
    Json out = Json::array();
    for (const auto &s : v.sequences)
      out.push_back(values(s));
    return out;
  }
  default: return value_json(v.a, unit);
  }
}

// {"schedule": [["0 ms", initial], [t, value], ...]}: always with its t = 0 entry.
Json Loader::schedule_json(const ValueSpec &initial, const std::vector<Change> &changes,
                           const gg_field &f) const {
  Json entries = Json::array();
  entries.push_back(Json::array({"0 ms", spec_json(initial, f)}));
  for (const auto &c : changes)
    entries.push_back(
        Json::array({rounded_ms(double(c.step) * ex_.simulation.dt), spec_json(c.value, f)}));
  return Json{{"schedule", std::move(entries)}};
}

} // namespace ganglion::loading
