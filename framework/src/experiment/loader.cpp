// Experiment JSON -> validated Experiment (see loader.hpp). The Loader walks the document once,
// in the order a reader would: simulation, plugins, populations, projections, recorders; it fills
// the Experiment and, beside it, the resolved document with every default written out.
#include "experiment/loader.hpp"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <climits>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <tuple>

#include "experiment/units.hpp"

namespace ganglion {

namespace {

using Json = nlohmann::ordered_json;

// Relative tolerance for "a whole number of steps": absorbs the rounding of decimal times
// (0.3 ms / 0.1 ms = 2.9999999999999996) without accepting a real fraction of a step.
constexpr double step_tolerance = 1e-9;

std::string child(const std::string &pointer, const std::string &key) {
  std::string escaped;
  for (char c : key) {
    if (c == '~')
      escaped += "~0";
    else if (c == '/')
      escaped += "~1";
    else
      escaped += c;
  }
  return pointer + "/" + escaped;
}

std::string child(const std::string &pointer, size_t index) {
  return pointer + "/" + std::to_string(index);
}

// A value as it appears in a message: its JSON text, shortened when long.
std::string shown(const Json &j) {
  std::string text = j.dump();
  return text.size() > 60 ? text.substr(0, 57) + "..." : text;
}

// Shows a time rounded to 12 digits, for suggestions (3 * 0.1 ms is "0.3 ms", not
// "0.30000000000000004 ms").
std::string rounded_ms(double v) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.12g", v);
  return std::string(buffer) + " ms";
}

bool is_identifier(const std::string &s) {
  if (s.empty() || !(std::isalpha(static_cast<unsigned char>(s[0])) || s[0] == '_')) return false;
  for (char c : s)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_')) return false;
  return true;
}

const char *kind_name(int kind) {
  switch (kind) {
  case GG_KIND_NEURON: return "neuron";
  case GG_KIND_SYNAPSE: return "synapse";
  case GG_KIND_PLASTICITY: return "plasticity";
  case GG_KIND_RECORDER: return "recorder";
  default: return "unknown-kind";
  }
}

const char *backend_name(int backend) {
  return backend == GG_BACKEND_CUDA ? "cuda" : "cpu";
}

bool is_dimensionless(const std::string &unit) {
  return unit.empty() || unit == "1";
}

std::vector<std::string> split_choices(const char *choices) {
  std::vector<std::string> words;
  if (!choices) return words;
  std::string word;
  for (const char *c = choices; *c; ++c) {
    if (*c == '|') {
      words.push_back(word);
      word.clear();
    } else {
      word += *c;
    }
  }
  words.push_back(word);
  return words;
}

// A constant in the resolved document: "15 ms", or a bare number for dimensionless fields (and a
// string for infinities, which JSON numbers cannot hold).
Json value_json(double v, const std::string &unit) {
  if (is_dimensionless(unit) && std::isfinite(v)) return v;
  return format_value(v, unit);
}

class Loader {
public:
  Loader(std::string origin, std::string base_dir, PluginRegistry &registry)
      : origin_(std::move(origin)), base_dir_(std::move(base_dir)), registry_(registry) {}

  Experiment load(const Json &doc);

private:
  std::string origin_;
  std::string base_dir_;
  PluginRegistry &registry_;
  Experiment ex_;
  bool dale_ = true; // the simulation's "dale": false turns Dale's law off for every population

  // ---------------------------------------------------------------- messages and basic types

  std::string where(const std::string &pointer) const {
    return pointer.empty() ? origin_ : origin_ + ": " + pointer;
  }

  [[noreturn]] void fail(const std::string &pointer, const std::string &message) const {
    throw ConfigError(where(pointer) + ": " + message);
  }

  void require_object(const Json &j, const std::string &pointer, const std::string &example) const {
    if (!j.is_object()) fail(pointer, "expected an object like " + example + ", got " + shown(j));
  }

  void check_keys(const Json &j, const std::string &pointer,
                  const std::vector<std::string> &known) const {
    for (const auto &item : j.items()) {
      const std::string &key = item.key();
      if (std::find(known.begin(), known.end(), key) == known.end())
        fail(pointer, "unknown key '" + key + "'" + did_you_mean(key, known) +
                          "; known keys: " + join_list(known));
    }
  }

  static const Json *member(const Json &j, const char *key) {
    auto it = j.find(key);
    return it == j.end() ? nullptr : &*it;
  }

  std::string get_string(const Json &j, const std::string &pointer) const {
    if (!j.is_string()) fail(pointer, "expected a string, got " + shown(j));
    return j.get<std::string>();
  }

  bool get_bool(const Json &j, const std::string &pointer) const {
    if (!j.is_boolean()) fail(pointer, "expected true or false, got " + shown(j));
    return j.get<bool>();
  }

  // A non-negative integer; a float is accepted where it is whole (1e4, or 16000.0 from a tool).
  uint64_t get_count(const Json &j, const std::string &pointer, const char *what) const {
    if (j.is_number_unsigned()) return j.get<uint64_t>();
    if (j.is_number_integer() && j.get<int64_t>() >= 0) return uint64_t(j.get<int64_t>());
    if (j.is_number_float()) {
      double v = j.get<double>();
      if (v >= 0 && v < 1.8e19 && std::floor(v) == v) return uint64_t(v);
    }
    fail(pointer, std::string("expected ") + what + ", got " + shown(j));
  }

  int get_backend(const Json &j, const std::string &pointer) const {
    std::string b = get_string(j, pointer);
    if (b == "cpu") return GG_BACKEND_CPU;
    if (b == "cuda") return GG_BACKEND_CUDA;
    fail(pointer, "unknown backend '" + b + "'; use \"cpu\" or \"cuda\"");
  }

  double get_time(const Json &j, const std::string &pointer) const {
    double t = convert_value(j, "ms", where(pointer));
    if (!std::isfinite(t)) fail(pointer, "a time must be finite, got " + shown(j));
    return t;
  }

  // A time as whole steps of dt: at least one step, and whole within step_tolerance.
  uint64_t whole_steps(double t, const std::string &pointer) const {
    double dt = ex_.simulation.dt;
    if (t < dt * (1 - step_tolerance))
      fail(pointer, format_value(t, "ms") +
                        " is shorter than one step (dt = " + format_value(dt, "ms") + ")");
    return steps_of(t, pointer);
  }

  // A time >= 0 as whole steps of dt (zero included), whole within step_tolerance.
  uint64_t steps_of(double t, const std::string &pointer) const {
    double dt = ex_.simulation.dt;
    double ratio = t / dt;
    if (!(ratio < 1e15)) // beyond this, steps of dt are no longer exact in a double
      fail(pointer, format_value(t, "ms") + " is too many steps of dt = " + format_value(dt, "ms"));
    auto steps = static_cast<uint64_t>(std::llround(ratio));
    if (std::abs(double(steps) * dt - t) > step_tolerance * t) {
      double below = std::floor(ratio);
      fail(pointer, format_value(t, "ms") +
                        " is not a whole number of steps of dt = " + format_value(dt, "ms") +
                        "; use " + rounded_ms(below * dt) + " or " + rounded_ms((below + 1) * dt));
    }
    return steps;
  }

  // ---------------------------------------------------------------- plugins

  const LoadedPlugin *find_plugin(const std::string &name, int kind, const std::string &pointer,
                                  const std::string &noun) const {
    std::vector<std::string> of_kind;
    for (const auto &p : registry_.all())
      if (p.desc && p.desc->kind == kind) of_kind.push_back(p.name);
    const LoadedPlugin *plugin = registry_.find(name);
    if (!plugin)
      fail(pointer, "unknown " + noun + " '" + name + "'" + did_you_mean(name, of_kind) +
                        "; known: " + join_list(of_kind) +
                        ". For a plugin of your own, list its library (or its folder) under "
                        "\"plugins\" in the experiment, or put its folder on GANGLION_PLUGIN_PATH");
    if (plugin->desc->kind != kind)
      fail(pointer, "'" + name + "' is a " + kind_name(plugin->desc->kind) + " plugin, not a " +
                        noun + "; " + noun + "s: " + join_list(of_kind));
    return plugin;
  }

  // `pointer` is the "backend" key where the config gave one; otherwise the item's own pointer,
  // and the message says the backend came from the simulation's default.
  void check_backend(const LoadedPlugin &plugin, int backend, const std::string &pointer,
                     bool inherited) const {
    const gg_hooks *hooks = backend == GG_BACKEND_CUDA ? plugin.desc->cuda : plugin.desc->cpu;
    if (hooks) return;
    std::vector<std::string> available;
    if (plugin.desc->cpu) available.push_back("cpu");
    if (plugin.desc->cuda) available.push_back("cuda");
    std::string message =
        "plugin '" + plugin.name + "' (" + plugin.path + "): no '" + backend_name(backend) +
        "' implementation (available: " + (available.empty() ? "none" : join_list(available)) + ")";
    if (inherited && !available.empty())
      message += "; the simulation's backend is '" + std::string(backend_name(backend)) +
                 "': set \"backend\": \"" + available.front() + "\" here";
    fail(pointer, message);
  }

  // The values a validate hook sees for element 0: a constant as given, a list's first value, a
  // uniform's low end, a normal's or lognormal's mean; a sequence field shows its default.
  std::vector<double> element_zero(const gg_descriptor &d,
                                   const std::vector<ValueSpec> &values) const {
    std::vector<double> element;
    for (size_t k = 0; k < values.size(); ++k)
      element.push_back(element_value(values[k], d.fields[k]));
    return element;
  }

  static double element_value(const ValueSpec &v, const gg_field &f) {
    if (v.kind == ValueSpec::Kind::Sequences) return f.default_value;
    if (v.kind == ValueSpec::Kind::List && !v.list.empty()) return v.list[0];
    return v.a;
  }

  void validate_element(const LoadedPlugin &plugin, const std::vector<double> &element,
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
  void run_validate(const LoadedPlugin &plugin, const std::vector<ValueSpec> &values,
                    const std::string &pointer,
                    const std::vector<FieldSchedule> &schedules = {}) const {
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
          if (c.step == step)
            element[s.field] = element_value(c.value, plugin.desc->fields[s.field]);
      validate_element(plugin, element, pointer,
                       "from t = " + rounded_ms(double(step) * ex_.simulation.dt) +
                           " (after the schedules' changes): ");
    }
  }

  // ---------------------------------------------------------------- field values
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
  // sequence for all.

  // How many elements a field has, for the lists: "population E has 80 neurons".
  struct Elements {
    uint64_t n = 0;  // 0: a list of per-element values is not accepted (recorders)
    std::string has; // "population E has 80 neurons"
    std::string per; // "neuron"
  };

  static ValueSpec make_spec(ValueSpec::Kind kind, double a, double b = 0) {
    ValueSpec v;
    v.kind = kind;
    v.a = a;
    v.b = b;
    return v;
  }

  void check_range(double v, const gg_field &f, const std::string &pointer) const {
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

  double constant(const Json &j, const gg_field &f, const std::string &pointer) const {
    double v = convert_value(j, f.unit ? f.unit : "1", where(pointer), f.name);
    check_range(v, f, pointer);
    return v;
  }

  // The pair of a {"uniform": [lo, hi]}, {"normal": [mean, std]} or {"lognormal": [mean, std]}.
  std::pair<double, double> pair_of(const Json &j, const std::string &unit, const std::string &name,
                                    const std::string &pointer, const char *example) const {
    if (!j.is_array() || j.size() != 2)
      fail(pointer, std::string("expected two values, like ") + example + ", got " + shown(j));
    return {convert_value(j[0], unit, where(child(pointer, 0)), name),
            convert_value(j[1], unit, where(child(pointer, 1)), name)};
  }

  void check_std(double sd, const std::string &unit, const std::string &pointer) const {
    if (!(sd >= 0) || !std::isfinite(sd))
      fail(pointer,
           "the standard deviation must be >= 0 and finite, got " + format_value(sd, unit));
  }

  // An example value of a field for messages: 0.5, or "2.5 ms".
  static std::string example_of(const std::string &unit) {
    return is_dimensionless(unit) ? "0.5" : "\"2.5 " + unit + "\"";
  }

  // Per-element values [v0, v1, ...]: one per element, each range-checked.
  ValueSpec list_spec(const Json &j, const gg_field &f, const std::string &pointer,
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
  std::vector<double> sequence(const Json &j, const gg_field &f, const std::string &pointer) const {
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

  ValueSpec sequences_spec(const Json &j, const gg_field &f, const std::string &pointer,
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
  uint64_t schedule_step(const Json &j, const std::string &pointer) const {
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
  ValueSpec schedule_spec(const Json &args, const gg_field &f, const std::string &pointer,
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
        fail(ep,
             "expected a [time, value] pair, like [\"200 ms\", " + ex + "], got " + shown(entry));
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

  // One field's value (see above). `changes`: where a schedule is accepted (nullptr elsewhere).
  ValueSpec value_spec(const Json &j, const gg_field &f, const std::string &pointer,
                       const Elements &elements, std::vector<Change> *changes = nullptr) const {
    std::string unit = f.unit ? f.unit : "1";
    if (f.type == GG_TYPE_CHOICE) {
      auto words = split_choices(f.choices);
      if (!j.is_string())
        fail(pointer, std::string(f.name) + " takes one of the words " + join_list(words) +
                          ", got " + shown(j));
      std::string word = j.get<std::string>();
      for (size_t k = 0; k < words.size(); ++k)
        if (words[k] == word) return make_spec(ValueSpec::Kind::Constant, double(k));
      fail(pointer, "unknown choice '" + word + "' for " + f.name + did_you_mean(word, words) +
                        "; choose one of: " + join_list(words));
    }
    if (f.type == GG_TYPE_SEQUENCE) return sequences_spec(j, f, pointer, elements);
    bool is_state = f.role == GG_ROLE_STATE;
    std::vector<std::string> forms = {"uniform", "normal", "lognormal"};
    if (changes) forms.push_back("schedule");
    if (j.is_object()) {
      if (j.size() != 1)
        fail(pointer, "expected one of " + forms_text(forms) + ", got " + shown(j));
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
        fail(args_pointer,
             is_state ? "an initial value cannot follow a schedule; schedules are for a "
                        "population's parameters (in \"params\") and its \"I_app\""
                      : "schedules are for a population's parameters and its \"I_app\"; give "
                        "one value here");
      if (form == "schedule") return schedule_spec(args, f, args_pointer, elements, *changes);
      fail(pointer, "unknown distribution '" + form + "'" + did_you_mean(form, forms) +
                        "; use one of: " + join_list(forms));
    }
    if (j.is_array()) return list_spec(j, f, pointer, elements);
    if (!j.is_number() && !j.is_string())
      fail(pointer, "expected a value like " + example_of(unit) + ", a list of one value per " +
                        (elements.n ? elements.per : "element") + ", or one of " +
                        forms_text(forms) + ", got " + shown(j));
    return make_spec(ValueSpec::Kind::Constant, constant(j, f, pointer));
  }

  // {"uniform": [lo, hi]}, {"normal": [mean, std]}, ... for messages.
  static std::string forms_text(const std::vector<std::string> &forms) {
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

  Json spec_json(const ValueSpec &v, const gg_field &f) const {
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
  Json schedule_json(const ValueSpec &initial, const std::vector<Change> &changes,
                     const gg_field &f) const {
    Json entries = Json::array();
    entries.push_back(Json::array({"0 ms", spec_json(initial, f)}));
    for (const auto &c : changes)
      entries.push_back(
          Json::array({rounded_ms(double(c.step) * ex_.simulation.dt), spec_json(c.value, f)}));
    return Json{{"schedule", std::move(entries)}};
  }

  // Checks that each key of `section` ("params" or "init") names a field of the right role.
  void check_section(const Json &section, const std::string &pointer, const LoadedPlugin &plugin,
                     bool is_init) const {
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
                     (is_init ? "state variable" : "parameter") + " '" + key + "'" +
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
  std::vector<ValueSpec> field_values(const LoadedPlugin &plugin, const Json &item,
                                      const std::string &pointer, Json &resolved,
                                      const Elements &elements,
                                      std::vector<FieldSchedule> *schedules = nullptr) const {
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
      ValueSpec v = make_spec(ValueSpec::Kind::Constant, f.default_value);
      if (f.type == GG_TYPE_SEQUENCE) { // unset: one empty sequence for all
        v.kind = ValueSpec::Kind::Sequences;
        v.a = 0;
        v.sequences.assign(1, {});
      }
      bool settable = f.role == GG_ROLE_PARAM || f.role == GG_ROLE_STATE;
      const Json *section = f.role == GG_ROLE_PARAM ? params : init;
      const std::string &section_pointer = f.role == GG_ROLE_PARAM ? params_pointer : init_pointer;
      FieldSchedule schedule;
      schedule.field = k;
      bool may_schedule = schedules && f.role == GG_ROLE_PARAM;
      if (settable && section && section->contains(f.name))
        v = value_spec(section->at(f.name), f, child(section_pointer, f.name), elements,
                       may_schedule ? &schedule.changes : nullptr);
      bool scheduled = may_schedule && section && section->contains(f.name) &&
                       section->at(f.name).is_object() && section->at(f.name).contains("schedule");
      if (f.role == GG_ROLE_PARAM)
        resolved_params[f.name] =
            scheduled ? schedule_json(v, schedule.changes, f) : spec_json(v, f);
      if (f.role == GG_ROLE_STATE) resolved_init[f.name] = spec_json(v, f);
      values.push_back(std::move(v));
      if (scheduled && !schedule.changes.empty()) schedules->push_back(std::move(schedule));
    }
    if (!resolved_params.empty()) resolved["params"] = std::move(resolved_params);
    if (!resolved_init.empty()) resolved["init"] = std::move(resolved_init);
    return values;
  }
  // ---------------------------------------------------------------- sections

  void load_simulation(const Json &doc, Json &resolved);
  void load_plugins(const Json &doc, Json &resolved);
  void load_populations(const Json &doc, Json &resolved);
  void load_projections(const Json &doc, Json &resolved);
  void load_recorders(const Json &doc, Json &resolved);
  void load_plasticity(const Json &j, ProjectionSpec &spec, Json &r);
  std::vector<std::pair<uint64_t, uint64_t>> active_phases(const Json &j,
                                                           const std::string &pointer) const;
  void load_projection_recorder(const Json &j, const std::string &pointer,
                                const LoadedPlugin &plugin, Json &r);
  void check_dale() const;

  // A time for messages about phases: "500 ms", or "12 s" in runs of a second or longer.
  std::string time_text(uint64_t step) const {
    double ms = double(step) * ex_.simulation.dt;
    if (ex_.simulation.duration < 1000) return rounded_ms(ms);
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, "%.12g s", ms / 1000);
    return buffer;
  }

  int population_index(const Json &j, const std::string &pointer) const {
    std::string name = get_string(j, pointer);
    std::vector<std::string> names;
    for (size_t k = 0; k < ex_.populations.size(); ++k) {
      if (ex_.populations[k].name == name) return int(k);
      names.push_back(ex_.populations[k].name);
    }
    fail(pointer, "unknown population '" + name + "'" + did_you_mean(name, names) +
                      "; populations: " + join_list(names));
  }

  int item_backend(const Json &item, const std::string &pointer, const LoadedPlugin &plugin,
                   Json &resolved) const {
    const Json *b = member(item, "backend");
    int backend = b ? get_backend(*b, child(pointer, "backend")) : ex_.simulation.backend;
    check_backend(plugin, backend, b ? child(pointer, "backend") : pointer, !b);
    resolved["backend"] = backend_name(backend);
    return backend;
  }
};

Experiment Loader::load(const Json &doc) {
  ex_.source = origin_;
  if (!doc.is_object())
    fail("", "an experiment is a JSON object, {\"simulation\": ..., \"populations\": ...}, got " +
                 shown(doc));
  check_keys(doc, "",
             {"ganglion", "description", "simulation", "plugins", "populations", "projections",
              "recorders", "output"});
  Json resolved = Json::object();
  if (const Json *version = member(doc, "ganglion")) {
    if (!(version->is_number_integer() || version->is_number_unsigned()) ||
        version->get<int64_t>() != 1)
      fail("/ganglion",
           "this ganglion reads experiment format 1, and this file says " + shown(*version));
  }
  resolved["ganglion"] = 1;
  if (const Json *description = member(doc, "description"))
    resolved["description"] = get_string(*description, "/description");

  load_simulation(doc, resolved);
  load_plugins(doc, resolved);
  load_populations(doc, resolved);
  load_projections(doc, resolved);
  check_dale();
  load_recorders(doc, resolved);

  const Json *output = member(doc, "output");
  if (output && !output->is_null()) ex_.output = get_string(*output, "/output");
  resolved["output"] = ex_.output;
  ex_.resolved = std::move(resolved);
  return std::move(ex_);
}

void Loader::load_simulation(const Json &doc, Json &resolved) {
  static const Json empty = Json::object();
  const std::string pointer = "/simulation";
  const Json *sim = member(doc, "simulation");
  if (!sim) sim = &empty;
  require_object(*sim, pointer, "{\"dt\": \"0.1 ms\", \"duration\": \"1 s\"}");
  check_keys(*sim, pointer, {"dt", "duration", "seed", "threads", "backend", "dale"});
  SimulationSpec &s = ex_.simulation;

  s.dt = 0.1;
  if (const Json *dt = member(*sim, "dt")) s.dt = get_time(*dt, child(pointer, "dt"));
  if (!(s.dt > 0))
    fail(child(pointer, "dt"), "dt must be positive, got " + format_value(s.dt, "ms"));

  s.duration = 1000;
  std::string duration_pointer = child(pointer, "duration");
  if (const Json *d = member(*sim, "duration")) s.duration = get_time(*d, duration_pointer);
  if (!(s.duration > 0))
    fail(duration_pointer, "the duration must be positive, got " + format_value(s.duration, "ms"));
  s.n_steps = whole_steps(s.duration, duration_pointer);

  s.seed = 1;
  if (const Json *seed = member(*sim, "seed"))
    s.seed = get_count(*seed, child(pointer, "seed"), "a non-negative integer seed");
  s.threads = 0;
  if (const Json *threads = member(*sim, "threads")) {
    uint64_t n = get_count(*threads, child(pointer, "threads"),
                           "a non-negative number of threads (0: all cores)");
    if (n > UINT_MAX) fail(child(pointer, "threads"), "too many threads: " + std::to_string(n));
    s.threads = unsigned(n);
  }
  s.backend = GG_BACKEND_CPU;
  if (const Json *backend = member(*sim, "backend"))
    s.backend = get_backend(*backend, child(pointer, "backend"));
  dale_ = true;
  if (const Json *dale = member(*sim, "dale")) dale_ = get_bool(*dale, child(pointer, "dale"));

  resolved["simulation"] = Json{{"dt", format_value(s.dt, "ms")},
                                {"duration", format_value(s.duration, "ms")},
                                {"seed", s.seed},
                                {"threads", s.threads},
                                {"backend", backend_name(s.backend)},
                                {"dale", dale_}};
}

void Loader::load_plugins(const Json &doc, Json &resolved) {
  const Json *plugins = member(doc, "plugins");
  Json list = Json::array();
  if (plugins) {
    if (!plugins->is_array())
      fail("/plugins", "expected a list of plugin libraries or folders, like "
                       "[\"build/libmy_neuron.so\"], got " +
                           shown(*plugins));
    for (size_t k = 0; k < plugins->size(); ++k) {
      std::string pointer = child("/plugins", k);
      std::filesystem::path path = get_string((*plugins)[k], pointer);
      if (path.is_relative() && !base_dir_.empty()) path = std::filesystem::path(base_dir_) / path;
      path = std::filesystem::absolute(path).lexically_normal();
      try {
        registry_.add_path(path.string());
      } catch (const PluginError &e) {
        fail(pointer, e.what());
      } catch (const std::exception &e) {
        fail(pointer, "cannot load " + path.string() + ": " + e.what());
      }
      // Absolute, so the resolved experiment in an output file names the library that ran.
      list.push_back(path.string());
    }
  }
  resolved["plugins"] = std::move(list);
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
    const Json &p = item.value();
    std::string pointer = child("/populations", name);
    if (!is_identifier(name))
      fail(pointer, "'" + name +
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
    spec.first_gid = next_gid;
    next_gid += spec.size;

    Json r = Json::object();
    r["model"] = spec.plugin->name;
    r["size"] = spec.size;
    Elements elements{spec.size,
                      "population " + name + " has " + std::to_string(spec.size) +
                          (spec.size == 1 ? " neuron" : " neurons"),
                      "neuron"};
    spec.values = field_values(*spec.plugin, p, pointer, r, elements, &spec.schedules);

    // I_app, in the neuron's input unit; a source (no input unit) takes none.
    const char *input_unit = spec.plugin->desc->input_unit;
    std::string ip = child(pointer, "I_app");
    const Json *i_app = member(p, "I_app");
    if (i_app && !input_unit)
      fail(ip, "population " + name + " (" + spec.plugin->name + ") " +
                   (spec.plugin->desc->flags & GG_DESC_SOURCE
                        ? "is a source and takes no input"
                        : "takes no input (its plugin declares no input unit)") +
                   ", so it has no I_app; remove \"I_app\"");
    if (input_unit) {
      const gg_field field{"I_app",  input_unit, GG_ROLE_PARAM, GG_TYPE_F64,      0, -HUGE_VAL,
                           HUGE_VAL, 0,          nullptr,       "applied current"};
      spec.i_app = make_spec(ValueSpec::Kind::Constant, 0);
      if (i_app) spec.i_app = value_spec(*i_app, field, ip, elements, &spec.i_app_changes);
      bool scheduled = i_app && i_app->is_object() && i_app->contains("schedule");
      r["I_app"] = scheduled ? schedule_json(spec.i_app, spec.i_app_changes, field)
                             : spec_json(spec.i_app, field);
    }
    bool dale = true;
    if (const Json *d = member(p, "dale")) dale = get_bool(*d, child(pointer, "dale"));
    spec.dale = dale && dale_;
    r["dale"] = dale;

    spec.backend = item_backend(p, pointer, *spec.plugin, r);
    run_validate(*spec.plugin, spec.values, pointer, spec.schedules);
    out[name] = std::move(r);
    ex_.populations.push_back(std::move(spec));
  }
  resolved["populations"] = std::move(out);
}

void Loader::load_projections(const Json &doc, Json &resolved) {
  const Json *projections = member(doc, "projections");
  Json out = Json::array();
  if (!projections) {
    resolved["projections"] = std::move(out);
    return;
  }
  if (!projections->is_array())
    fail("/projections", "expected a list of projections, like [{\"pre\": \"E\", \"post\": \"I\", "
                         "...}], got " +
                             shown(*projections));

  // First every pre and post, so that "1/sqrt(N)" knows which populations receive input.
  for (size_t k = 0; k < projections->size(); ++k) {
    const Json &j = (*projections)[k];
    std::string pointer = child("/projections", k);
    require_object(j, pointer,
                   "{\"pre\": \"E\", \"post\": \"I\", \"synapse\": \"exp_current\", ...}");
    check_keys(j, pointer,
               {"name", "pre", "post", "synapse", "params", "init", "connect", "weight", "delay",
                "backend", "plasticity"});
    ProjectionSpec spec;
    spec.pointer = pointer;
    for (const char *end : {"pre", "post"})
      if (!member(j, end))
        fail(pointer, std::string("no \"") + end + "\": name the " +
                          (std::string(end) == "pre" ? "presynaptic" : "postsynaptic") +
                          " population");
    spec.pre = population_index(j["pre"], child(pointer, "pre"));
    spec.post = population_index(j["post"], child(pointer, "post"));
    PopulationSpec &post = ex_.populations[size_t(spec.post)];
    if (post.plugin->desc->flags & GG_DESC_SOURCE)
      fail(child(pointer, "post"), "population " + post.name + " (" + post.plugin->name +
                                       ") is a spike source and takes no input; make it the "
                                       "'pre' of the projection");
    post.receives_input = true;
    ex_.projections.push_back(std::move(spec));
  }
  uint64_t recurrent_n = 0;
  for (const auto &p : ex_.populations)
    if (p.receives_input) recurrent_n += p.size;

  for (size_t k = 0; k < projections->size(); ++k) {
    const Json &j = (*projections)[k];
    ProjectionSpec &spec = ex_.projections[k];
    const std::string &pointer = spec.pointer;
    const PopulationSpec &pre = ex_.populations[size_t(spec.pre)];
    const PopulationSpec &post = ex_.populations[size_t(spec.post)];
    spec.stream = k + 1;
    // Names label output (/inputs/<pop>/<name>) and reports, so they are unique and free of '/':
    // a given name must be; a default "PRE->POST" that repeats gets " #2", " #3", ...
    const auto taken = [&](const std::string &n) {
      for (size_t e = 0; e < k; ++e)
        if (ex_.projections[e].name == n) return true;
      return false;
    };
    if (const Json *name = member(j, "name")) {
      spec.name = get_string(*name, child(pointer, "name"));
      if (spec.name.empty() || spec.name.find('/') != std::string::npos)
        fail(child(pointer, "name"), "'" + spec.name + "' cannot name a projection: use a "
                                     "non-empty name without '/'");
      if (taken(spec.name))
        fail(child(pointer, "name"), "another projection is already named '" + spec.name +
                                         "': give each projection a name of its own");
    } else {
      spec.name = pre.name + "->" + post.name;
      for (int copy = 2; taken(spec.name); ++copy)
        spec.name = pre.name + "->" + post.name + " #" + std::to_string(copy);
    }

    Json r = Json::object();
    r["name"] = spec.name;
    r["pre"] = pre.name;
    r["post"] = post.name;
    const Json *synapse = member(j, "synapse");
    if (!synapse)
      fail(pointer, "no \"synapse\": name the synapse plugin, e.g. \"synapse\": \"exp_current\"");
    spec.synapse = find_plugin(get_string(*synapse, child(pointer, "synapse")), GG_KIND_SYNAPSE,
                               child(pointer, "synapse"), "synapse");
    r["synapse"] = spec.synapse->name;
    const gg_descriptor *sd = spec.synapse->desc;

    // Rate units send rates through rate synapses (W r); spiking neurons, spikes.
    bool pre_rate = (pre.plugin->desc->flags & GG_DESC_RATE) != 0;
    bool synapse_rate = (sd->flags & GG_DESC_RATE) != 0;
    if (pre_rate != synapse_rate) {
      std::vector<std::string> fitting;
      for (const auto &p : registry_.all())
        if (p.desc && p.desc->kind == GG_KIND_SYNAPSE &&
            ((p.desc->flags & GG_DESC_RATE) != 0) == pre_rate)
          fitting.push_back(p.name);
      std::string usual = pre_rate ? "rate_linear" : "exp_current";
      std::string pick =
          fitting.empty() || std::find(fitting.begin(), fitting.end(), usual) != fitting.end()
              ? usual
              : fitting.front();
      if (pre_rate)
        fail(child(pointer, "synapse"),
             "population " + pre.name + " (" + pre.plugin->name +
                 ") is a rate unit: it sends rates, not spikes, and '" + spec.synapse->name +
                 "' is a spiking synapse; use a rate synapse such as '" + pick + "'");
      fail(child(pointer, "synapse"),
           "'" + spec.synapse->name +
               "' is a rate synapse (it carries W r) and needs a rate unit "
               "as its 'pre', but population " +
               pre.name + " (" + pre.plugin->name +
               ") emits spikes; use a spiking synapse such as '" + pick + "'");
    }

    Elements elements{post.size,
                      "the postsynaptic population " + post.name + " has " +
                          std::to_string(post.size) + (post.size == 1 ? " neuron" : " neurons"),
                      "postsynaptic neuron"};
    spec.values = field_values(*spec.synapse, j, pointer, r, elements);
    run_validate(*spec.synapse, spec.values, pointer);

    // NEST's convention: a "convention" choice set to "peak" makes the weight the jump itself,
    // in the plugin's peak_weight_unit.
    std::string unit = sd->weight_unit ? sd->weight_unit : "1";
    for (uint32_t f = 0; f < sd->n_fields; ++f) {
      const gg_field &field = sd->fields[f];
      if (field.type != GG_TYPE_CHOICE || std::string(field.name) != "convention") continue;
      auto words = split_choices(field.choices);
      size_t index = size_t(spec.values[f].a);
      if (index >= words.size() || words[index] != "peak") continue;
      spec.peak_convention = true;
      if (!sd->peak_weight_unit) {
        const Json *params = member(j, "params");
        bool given = params && params->is_object() && params->contains("convention");
        std::vector<std::string> others;
        for (const auto &w : words)
          if (w != "peak") others.push_back(w);
        fail(given ? child(child(pointer, "params"), "convention") : pointer,
             "plugin '" + spec.synapse->name + "' (" + spec.synapse->path +
                 ") offers \"convention\": \"peak\" but declares no peak_weight_unit, so the "
                 "weight's unit is unknown; this is a bug in the plugin (set peak_weight_unit in "
                 "its descriptor)" +
                 (others.empty() ? std::string()
                                 : "; meanwhile use \"convention\": \"" + others.front() + "\""));
      }
      unit = sd->peak_weight_unit;
    }

    // connect
    std::string cp = child(pointer, "connect");
    const Json *connect = member(j, "connect");
    if (!connect)
      fail(pointer, "no \"connect\": say how to connect, e.g. \"connect\": {\"rule\": "
                    "\"fixed_probability\", \"p\": 0.1}");
    require_object(*connect, cp, "{\"rule\": \"fixed_probability\", \"p\": 0.1}");
    const std::vector<std::string> rules = {"fixed_probability", "fixed_indegree",
                                            "fixed_outdegree",   "fixed_total_number",
                                            "all_to_all",        "one_to_one"};
    const Json *rule_json = member(*connect, "rule");
    if (!rule_json) fail(cp, "no \"rule\"; rules: " + join_list(rules));
    std::string rule = get_string(*rule_json, child(cp, "rule"));
    Json rc = Json::object();
    rc["rule"] = rule;
    bool same = spec.pre == spec.post;
    auto autapses = [&] {
      if (const Json *a = member(*connect, "autapses"))
        spec.allow_autapses = get_bool(*a, child(cp, "autapses"));
      rc["autapses"] = spec.allow_autapses;
    };
    auto multapses = [&] {
      if (const Json *m = member(*connect, "multapses"))
        spec.allow_multapses = get_bool(*m, child(cp, "multapses"));
      rc["multapses"] = spec.allow_multapses;
    };
    // A count of a rule ("indegree": 100), written to the resolved document.
    auto count = [&](const char *key, const std::string &example) {
      const Json *c = member(*connect, key);
      if (!c) fail(cp, std::string("no \"") + key + "\": " + example);
      uint64_t n = get_count(*c, child(cp, key), "a non-negative integer");
      rc[key] = n;
      return n;
    };
    // Without multapses, `wanted` synapses need as many distinct candidates (`noun`, offered by
    // `owner`); even with multapses, a positive count needs one (a one-neuron population
    // connected to itself without autapses has none).
    auto check_possible = [&](const char *key, uint64_t wanted, uint64_t candidates,
                              const std::string &what, const std::string &noun,
                              const std::string &owner) {
      if (wanted == 0) return;
      if (!spec.allow_multapses && wanted > candidates)
        fail(child(cp, key), what + " without multapses needs " + std::to_string(wanted) +
                                 " distinct " + noun + ", but " + owner + " offers " +
                                 std::to_string(candidates) +
                                 "; lower it or set \"multapses\": true");
      if (candidates == 0)
        fail(child(cp, key), what + " needs " + noun + " to choose from, but " + owner +
                                 " offers none (autapses are off); lower it to 0 or set "
                                 "\"autapses\": true");
    };
    double expected_k = 0;
    if (rule == "fixed_probability") {
      check_keys(*connect, cp, {"rule", "p", "autapses"});
      spec.rule = ConnectRule::FixedProbability;
      const Json *p = member(*connect, "p");
      if (!p) fail(cp, "no \"p\": give the connection probability, e.g. \"p\": 0.1");
      spec.p = convert_value(*p, "1", where(child(cp, "p")));
      if (!(spec.p >= 0 && spec.p <= 1))
        fail(child(cp, "p"), format_number(spec.p) + " is out of range [0, 1]");
      rc["p"] = spec.p;
      autapses();
      expected_k = spec.p * double(pre.size);
    } else if (rule == "fixed_indegree") {
      check_keys(*connect, cp, {"rule", "indegree", "multapses", "autapses"});
      spec.rule = ConnectRule::FixedIndegree;
      spec.indegree = count("indegree", "give the inputs per neuron, e.g. \"indegree\": 100");
      multapses();
      autapses();
      uint64_t candidates = pre.size - (same && !spec.allow_autapses ? 1 : 0);
      check_possible("indegree", spec.indegree, candidates,
                     "an in-degree of " + std::to_string(spec.indegree), "presynaptic neurons",
                     "'" + pre.name + "'");
      expected_k = double(spec.indegree);
    } else if (rule == "fixed_outdegree") {
      check_keys(*connect, cp, {"rule", "outdegree", "multapses", "autapses"});
      spec.rule = ConnectRule::FixedOutdegree;
      spec.outdegree = count("outdegree", "give the targets per neuron, e.g. \"outdegree\": 100");
      multapses();
      autapses();
      uint64_t candidates = post.size - (same && !spec.allow_autapses ? 1 : 0);
      check_possible("outdegree", spec.outdegree, candidates,
                     "an out-degree of " + std::to_string(spec.outdegree), "postsynaptic neurons",
                     "'" + post.name + "'");
      expected_k = double(spec.outdegree) * double(pre.size) / double(post.size);
    } else if (rule == "fixed_total_number") {
      check_keys(*connect, cp, {"rule", "total", "multapses", "autapses"});
      spec.rule = ConnectRule::FixedTotalNumber;
      spec.total = count("total", "give the number of synapses, e.g. \"total\": 10000");
      multapses();
      autapses();
      uint64_t candidates = pre.size * post.size - (same && !spec.allow_autapses ? pre.size : 0);
      check_possible("total", spec.total, candidates,
                     "a total of " + std::to_string(spec.total) + " synapses", "(pre, post) pairs",
                     pre.name + "->" + post.name);
      expected_k = double(spec.total) / double(post.size);
    } else if (rule == "all_to_all") {
      check_keys(*connect, cp, {"rule", "autapses"});
      spec.rule = ConnectRule::AllToAll;
      autapses();
      expected_k = double(pre.size);
    } else if (rule == "one_to_one") {
      check_keys(*connect, cp, {"rule"});
      spec.rule = ConnectRule::OneToOne;
      if (pre.size != post.size)
        fail(cp, "one_to_one needs populations of equal size, but '" + pre.name + "' has " +
                     std::to_string(pre.size) + " neurons and '" + post.name + "' has " +
                     std::to_string(post.size));
      expected_k = 1;
    } else {
      fail(child(cp, "rule"), "unknown rule '" + rule + "'" + did_you_mean(rule, rules) +
                                  "; rules: " + join_list(rules));
    }
    r["connect"] = std::move(rc);

    // weight: a constant, {"value": v}, or a distribution {"normal" | "uniform" | "lognormal":
    // [a, b]}, each with an optional "scale" that multiplies all its parameters. A projection
    // keeps one sign: the mean's (a lognormal with a negative mean draws magnitudes of mean |mean|
    // and makes them negative).
    std::string wp = child(pointer, "weight");
    const Json *weight = member(j, "weight");
    if (!weight)
      fail(pointer, "no \"weight\": give one, e.g. \"weight\": 0.5 or \"weight\": {\"value\": 25, "
                    "\"scale\": \"1/sqrt(N)\"}");
    std::string form = "value";
    double wa = 0, wb = 0;
    std::string scale = "none";
    double n = double(recurrent_n);
    if (weight->is_object()) {
      const std::vector<std::string> forms = {"value", "normal", "uniform", "lognormal"};
      check_keys(*weight, wp, {"value", "normal", "uniform", "lognormal", "scale", "N"});
      std::vector<std::string> given;
      for (const auto &f : forms)
        if (weight->contains(f)) given.push_back(f);
      if (given.empty())
        fail(wp, "no \"value\": give the unscaled weight, e.g. {\"value\": 25, \"scale\": "
                 "\"1/sqrt(N)\"}, or a distribution: {\"normal\": [mean, std]}, {\"uniform\": "
                 "[lo, hi]} or {\"lognormal\": [mean, std]}");
      if (given.size() > 1)
        fail(wp, "give one of \"value\", \"normal\", \"uniform\" or \"lognormal\", not both '" +
                     given[0] + "' and '" + given[1] + "'");
      form = given[0];
      std::string fp = child(wp, form);
      if (form == "value") {
        wa = convert_value(weight->at(form), unit, where(fp), "the weight");
        if (!std::isfinite(wa)) fail(fp, "the weight must be finite");
      } else {
        std::tie(wa, wb) =
            pair_of(weight->at(form), unit, "the weight", fp,
                    form == "uniform" ? "[\"0.5 mV\", \"1.5 mV\"]" : "[\"1 mV\", \"0.2 mV\"]");
        if (!std::isfinite(wa)) fail(child(fp, 0), "the weight must be finite");
        if (!std::isfinite(wb))
          fail(child(fp, 1), form == "uniform" ? "the weight must be finite"
                                               : "the standard deviation must be finite");
      }
      if (form == "uniform") {
        if (wa > wb)
          fail(fp, "the low end " + format_value(wa, unit) + " is above the high end " +
                       format_value(wb, unit));
        if (wa < 0 && wb > 0)
          fail(fp, "the ends " + format_value(wa, unit) + " and " + format_value(wb, unit) +
                       " have different signs, but a projection keeps one sign: use [" +
                       format_value(0, unit) + ", " + format_value(wb, unit) + "] or [" +
                       format_value(wa, unit) + ", " + format_value(0, unit) +
                       "], or two projections");
      } else if (form == "normal" || form == "lognormal") {
        check_std(wb, unit, child(fp, 1));
        if (form == "lognormal" && wa == 0)
          fail(child(fp, 0),
               "the mean of a lognormal weight must not be 0: the magnitudes are drawn with mean "
               "|mean| and the given standard deviation, and the mean's sign is the weight's "
               "(negative: inhibitory)");
        if (form == "normal" && wa == 0 && wb > 0)
          fail(child(fp, 0), "the mean of a normal weight must not be 0: its sign is the "
                             "projection's sign (draws of the other sign are drawn again)");
      }
      if (const Json *s = member(*weight, "scale")) scale = get_string(*s, child(wp, "scale"));
      const std::vector<std::string> scales = {"none", "1/sqrt(N)", "1/sqrt(K)"};
      if (std::find(scales.begin(), scales.end(), scale) == scales.end())
        fail(child(wp, "scale"), "unknown scale '" + scale + "'" + did_you_mean(scale, scales) +
                                     "; use one of: " + join_list(scales));
      if (const Json *given_n = member(*weight, "N")) {
        if (scale != "1/sqrt(N)")
          fail(child(wp, "N"), "\"N\" is only used with \"scale\": \"1/sqrt(N)\"");
        n = convert_value(*given_n, "1", where(child(wp, "N")));
        if (!(n > 0) || !std::isfinite(n))
          fail(child(wp, "N"), "N must be positive, got " + format_number(n));
      }
      if (scale == "1/sqrt(N)") {
        spec.weight_scale = 1 / std::sqrt(n);
      } else if (scale == "1/sqrt(K)") {
        if (!(expected_k > 0))
          fail(child(wp, "scale"), "1/sqrt(K) needs an expected in-degree K > 0, and this "
                                   "projection's is " +
                                       format_number(expected_k));
        spec.weight_scale = 1 / std::sqrt(expected_k);
      }
    } else {
      wa = convert_value(*weight, unit, where(wp), "the weight");
      if (!std::isfinite(wa)) fail(wp, "the weight must be finite");
    }
    double s = spec.weight_scale;
    if (form == "value") {
      spec.weight = wa * s;
      spec.weight_dist = make_spec(ValueSpec::Kind::Constant, spec.weight);
    } else {
      auto kind = form == "uniform"  ? ValueSpec::Kind::Uniform
                  : form == "normal" ? ValueSpec::Kind::Normal
                                     : ValueSpec::Kind::LogNormal;
      spec.weight_dist = make_spec(kind, wa * s, wb * s);
      spec.weight = form == "uniform" ? (wa * s + wb * s) / 2 : wa * s;
    }
    Json rw = Json::object();
    if (form == "value")
      rw["value"] = value_json(wa, unit);
    else
      rw[form] = Json::array({value_json(wa, unit), value_json(wb, unit)});
    rw["scale"] = scale;
    // The N used, written out, so the resolved experiment scales the same if populations change.
    if (scale == "1/sqrt(N)") rw["N"] = n;
    r["weight"] = std::move(rw);

    // delay: a constant (a whole number of steps, at least one), or per synapse
    // {"uniform": [lo, hi]} / {"normal": [mean, std]} in ms. A drawn delay is rounded to whole
    // steps per synapse; a draw below one step (the lower end may be below dt, and a normal has
    // no lower end) is raised to one step by the engine. `delay` is then the mean, and
    // delay_steps = max(1, round(mean / dt)).
    std::string dp = child(pointer, "delay");
    double dt = ex_.simulation.dt;
    spec.delay = dt;
    const Json *delay = member(j, "delay");
    if (delay && delay->is_object()) {
      const std::vector<std::string> forms = {"uniform", "normal"};
      if (delay->size() != 1)
        fail(dp, "expected a delay like \"1.5 ms\", {\"uniform\": [lo, hi]} or {\"normal\": "
                 "[mean, std]}, got " +
                     shown(*delay));
      std::string dform = delay->begin().key();
      std::string fp = child(dp, dform);
      if (dform != "uniform" && dform != "normal")
        fail(dp, "unknown distribution '" + dform + "'" + did_you_mean(dform, forms) +
                     "; use one of: " + join_list(forms));
      auto [da, db] =
          pair_of(delay->begin().value(), "ms", "the delay", fp,
                  dform == "uniform" ? "[\"1 ms\", \"3 ms\"]" : "[\"2 ms\", \"0.5 ms\"]");
      double longest = da;
      if (dform == "uniform") {
        if (!(da >= 0))
          fail(child(fp, 0), "a delay cannot be negative, got " + format_value(da, "ms"));
        if (da > db)
          fail(fp, "the low end " + format_value(da, "ms") + " is above the high end " +
                       format_value(db, "ms"));
        if (!std::isfinite(db)) fail(child(fp, 1), "the delay must be finite");
        spec.delay = (da + db) / 2;
        longest = db;
      } else {
        if (!(da > 0) || !std::isfinite(da))
          fail(child(fp, 0),
               "the mean delay must be positive and finite, got " + format_value(da, "ms"));
        check_std(db, "ms", child(fp, 1));
        spec.delay = da;
      }
      if (!(longest / dt < 1e15))
        fail(fp,
             format_value(longest, "ms") + " is too many steps of dt = " + format_value(dt, "ms"));
      spec.delay_dist = make_spec(
          dform == "uniform" ? ValueSpec::Kind::Uniform : ValueSpec::Kind::Normal, da, db);
      spec.delay_steps = std::max<uint64_t>(1, uint64_t(std::llround(spec.delay / dt)));
      r["delay"] = Json{{dform, Json::array({format_value(da, "ms"), format_value(db, "ms")})}};
    } else {
      if (delay) spec.delay = get_time(*delay, dp);
      spec.delay_steps = whole_steps(spec.delay, dp);
      spec.delay_dist = make_spec(ValueSpec::Kind::Constant, spec.delay);
      r["delay"] = format_value(spec.delay, "ms");
    }

    spec.backend = item_backend(j, pointer, *spec.synapse, r);
    load_plasticity(j, spec, r);
    out.push_back(std::move(r));
  }
  resolved["projections"] = std::move(out);
}

// "plasticity": {"rule": "istdp", "params": {...}, "init": {...}, "active": [[t0, t1], ...]}:
// a GG_KIND_PLASTICITY plugin that acts on this projection's synapse model, its fields set like a
// synapse's (one value per postsynaptic neuron; GG_ROLE_PRE_TRACE fields are not settable), and
// the phases in which it learns (none, or "active": null: the whole run, written out). A
// "plasticity": null is no rule (so that --set can turn one off).
void Loader::load_plasticity(const Json &j, ProjectionSpec &spec, Json &r) {
  const Json *plasticity = member(j, "plasticity");
  if (!plasticity || plasticity->is_null()) return;
  const std::string pointer = child(spec.pointer, "plasticity");
  require_object(*plasticity, pointer,
                 "{\"rule\": \"istdp\", \"params\": {...}, \"active\": [[\"0 s\", \"10 s\"]]}");
  check_keys(*plasticity, pointer, {"rule", "params", "init", "active"});
  const Json *rule = member(*plasticity, "rule");
  if (!rule) fail(pointer, "no \"rule\": name the plasticity plugin, e.g. \"rule\": \"istdp\"");
  PlasticitySpec p;
  p.pointer = pointer;
  p.plugin = find_plugin(get_string(*rule, child(pointer, "rule")), GG_KIND_PLASTICITY,
                         child(pointer, "rule"), "plasticity rule");
  const gg_descriptor *d = p.plugin->desc;

  // The rule must act on this synapse model: one of its acts_on words, or (acts_on NULL) any
  // synapse that carries spikes.
  const std::string &synapse = spec.synapse->name;
  bool synapse_rate = (spec.synapse->desc->flags & GG_DESC_RATE) != 0;
  auto acts_on = [&](const gg_descriptor &rule_desc) {
    if (!rule_desc.acts_on) return !synapse_rate;
    auto words = split_choices(rule_desc.acts_on);
    return std::find(words.begin(), words.end(), synapse) != words.end();
  };
  if (!acts_on(*d)) {
    std::vector<std::string> fitting;
    for (const auto &plugin : registry_.all())
      if (plugin.desc && plugin.desc->kind == GG_KIND_PLASTICITY && acts_on(*plugin.desc))
        fitting.push_back(plugin.name);
    std::string what = d->acts_on ? std::string(d->acts_on) : "synapses that carry spikes";
    std::string of = synapse_rate ? "the rate synapse '" + synapse + "'" : "'" + synapse + "'";
    fail(pointer, "'" + p.plugin->name + "' acts on " + what + ", not on " + of +
                      "; give the projection a synapse it acts on" +
                      (d->acts_on ? " (" + join_list(split_choices(d->acts_on)) + ")" : "") +
                      ", or use a rule that acts on '" + synapse + "' (" +
                      (fitting.empty() ? "none is loaded" : join_list(fitting)) + ")");
  }

  Json rp = Json::object();
  rp["rule"] = p.plugin->name;
  const PopulationSpec &post = ex_.populations[size_t(spec.post)];
  Elements elements{post.size,
                    "the postsynaptic population " + post.name + " has " +
                        std::to_string(post.size) + (post.size == 1 ? " neuron" : " neurons"),
                    "postsynaptic neuron"};
  p.values = field_values(*p.plugin, *plasticity, pointer, rp, elements);
  run_validate(*p.plugin, p.values, pointer);

  // The projection's backend runs the rule too.
  const Json *b = member(j, "backend");
  check_backend(*p.plugin, spec.backend, b ? child(spec.pointer, "backend") : spec.pointer, !b);

  const Json *active = member(*plasticity, "active");
  if (active && !active->is_null()) {
    p.active = active_phases(*active, child(pointer, "active"));
  } else {
    p.active = {{0, ex_.simulation.n_steps}}; // the whole run, written out below
  }
  Json phases = Json::array();
  for (const auto &[start, stop] : p.active)
    phases.push_back(Json::array({rounded_ms(double(start) * ex_.simulation.dt),
                                  rounded_ms(double(stop) * ex_.simulation.dt)}));
  rp["active"] = std::move(phases);
  r["plasticity"] = std::move(rp);
  spec.plasticity.push_back(std::move(p));
}

// "active": [[start, stop], ...]: phases [start, stop) in whole steps, within [0, duration],
// start < stop, ascending and not overlapping (touching is fine: [0 s, 10 s) then [10 s, 20 s)).
std::vector<std::pair<uint64_t, uint64_t>> Loader::active_phases(const Json &j,
                                                                 const std::string &pointer) const {
  const std::string example = "[[\"0 s\", \"10 s\"], [\"20 s\", \"30 s\"]]";
  if (!j.is_array())
    fail(pointer, "expected a list of [start, stop] phases, like " + example + ", got " + shown(j));
  if (j.empty())
    fail(pointer, "an empty list of phases would never learn; remove \"active\" to learn during "
                  "the whole run, or give phases like " +
                      example);
  std::vector<std::pair<uint64_t, uint64_t>> phases;
  auto text = [&](const std::pair<uint64_t, uint64_t> &phase) {
    std::string s = "[";
    s += time_text(phase.first);
    s += ", ";
    s += time_text(phase.second);
    return s + ")";
  };
  for (size_t k = 0; k < j.size(); ++k) {
    const Json &entry = j[k];
    std::string ep = child(pointer, k);
    if (!entry.is_array() || entry.size() != 2)
      fail(ep, "expected a [start, stop] pair, like [\"0 s\", \"10 s\"] (learning from start up "
               "to, not including, stop), got " +
                   shown(entry));
    uint64_t ends[2];
    for (size_t e = 0; e < 2; ++e) {
      std::string tp = child(ep, e);
      double t = get_time(entry[e], tp);
      if (t < 0)
        fail(tp, "a phase cannot " + std::string(e == 0 ? "start" : "stop") + " before 0 ms, got " +
                     format_value(t, "ms"));
      ends[e] = steps_of(t, tp);
      if (ends[e] > ex_.simulation.n_steps)
        fail(tp, format_value(t, "ms") + " is after the end of the run (duration = " +
                     format_value(ex_.simulation.duration, "ms") + "); " +
                     (e == 0 ? "start" : "stop") + " the phase by " +
                     time_text(ex_.simulation.n_steps) + ", or lengthen the run");
    }
    std::pair<uint64_t, uint64_t> phase{ends[0], ends[1]};
    if (phase.first >= phase.second)
      fail(ep, "the phase " + text(phase) + " is empty: its start must come before its stop");
    for (size_t e = 0; e < phases.size(); ++e) {
      const auto &other = phases[e];
      if (phase.first < other.second && other.first < phase.second)
        fail(ep, text(phase) + " overlaps " + text(other) + " (item " + std::to_string(e) +
                     "): phases must not overlap; " +
                     (e + 1 == phases.size() && phase.first >= other.first
                          ? "start the second at " + time_text(other.second) + " or later"
                          : "change or remove one of them"));
    }
    if (!phases.empty() && phase.first < phases.back().first)
      fail(ep, text(phase) + " comes before " + text(phases.back()) + " (item " +
                   std::to_string(k - 1) + "): list the phases in ascending order of time");
    phases.push_back(phase);
  }
  return phases;
}

// Dale's law: the outgoing projections of a population (with "dale" on, and the simulation's too)
// have mean weights of one sign; a zero weight goes with either. Signs are compared within one
// synapse model: a conductance weight is a magnitude (the sign of its effect comes from E_syn),
// so it says nothing against a current weight of the other sign.
void Loader::check_dale() const {
  auto unit_of = [](const ProjectionSpec &p) {
    const gg_descriptor *d = p.synapse->desc;
    const char *unit = p.peak_convention ? d->peak_weight_unit : d->weight_unit;
    return std::string(unit ? unit : "1");
  };
  for (size_t k = 0; k < ex_.populations.size(); ++k) {
    const PopulationSpec &pop = ex_.populations[k];
    if (!pop.dale) continue;
    for (const auto &a : ex_.projections)
      for (const auto &b : ex_.projections) {
        if (a.pre != int(k) || b.pre != int(k) || a.synapse != b.synapse) continue;
        if (!(a.stream < b.stream && a.weight * b.weight < 0)) continue;
        fail(pop.pointer,
             "Dale's law: population " + pop.name + "'s outgoing weights must share one sign, but " +
                 a.pointer + " (" + a.name + ") has " + format_value(a.weight, unit_of(a)) +
                 " and " + b.pointer + " (" + b.name + ") has " + format_value(b.weight, unit_of(b)) +
                 "; fix the sign, or set \"dale\": false on population " + pop.name +
                 " to allow it");
      }
  }
}

void Loader::load_recorders(const Json &doc, Json &resolved) {
  const Json *recorders = member(doc, "recorders");
  Json out = Json::array();
  if (recorders && !recorders->is_array())
    fail("/recorders",
         "expected a list of recorders, like [{\"type\": \"spikes\"}], got " + shown(*recorders));
  for (size_t k = 0; recorders && k < recorders->size(); ++k) {
    const Json &j = (*recorders)[k];
    std::string pointer = child("/recorders", k);
    require_object(j, pointer, "{\"type\": \"spikes\", \"populations\": [\"E\"]}");
    check_keys(j, pointer,
               {"type", "population", "populations", "variables", "neurons", "projection",
                "projections", "synapses", "every", "params"});
    const Json *type = member(j, "type");
    if (!type) fail(pointer, "no \"type\": name the recorder plugin, e.g. \"type\": \"spikes\"");
    const LoadedPlugin *plugin =
        find_plugin(get_string(*type, child(pointer, "type")), GG_KIND_RECORDER,
                    child(pointer, "type"), "recorder type");
    Json r = Json::object();
    r["type"] = plugin->name;
    if (plugin->desc->flags & GG_DESC_PROJECTION) {
      load_projection_recorder(j, pointer, *plugin, r);
      out.push_back(std::move(r));
      continue;
    }
    for (const char *key : {"projection", "projections", "synapses"})
      if (member(j, key)) {
        std::vector<std::string> of_projections;
        for (const auto &p : registry_.all())
          if (p.desc && p.desc->kind == GG_KIND_RECORDER && (p.desc->flags & GG_DESC_PROJECTION))
            of_projections.push_back(p.name);
        fail(child(pointer, key),
             "'" + plugin->name + "' records populations, not projections: name them with " +
                 "\"population\" or \"populations\" (and choose neurons with \"neurons\"), or " +
                 "use a recorder of projections (" +
                 (of_projections.empty() ? "none is loaded" : join_list(of_projections)) + ")");
      }

    // Which populations, as (index, pointer of the name for messages).
    std::vector<std::pair<int, std::string>> targets;
    const Json *one = member(j, "population");
    const Json *many = member(j, "populations");
    if (one && many) fail(pointer, "give either \"population\" or \"populations\", not both");
    if (one) {
      targets.emplace_back(population_index(*one, child(pointer, "population")),
                           child(pointer, "population"));
    } else if (many) {
      std::string mp = child(pointer, "populations");
      if (!many->is_array() || many->empty())
        fail(mp, "expected a non-empty list of population names, got " + shown(*many));
      for (size_t m = 0; m < many->size(); ++m)
        targets.emplace_back(population_index((*many)[m], child(mp, m)), child(mp, m));
    } else {
      for (size_t m = 0; m < ex_.populations.size(); ++m)
        targets.emplace_back(int(m), pointer);
    }
    Json names = Json::array();
    for (const auto &t : targets)
      names.push_back(ex_.populations[size_t(t.first)].name);
    r["populations"] = std::move(names);

    uint64_t every = 1;
    std::string ep = child(pointer, "every");
    if (const Json *e = member(j, "every")) every = whole_steps(get_time(*e, ep), ep);

    // Recorder fields: parameters only; a recorder has no initial state to set.
    std::vector<ValueSpec> values = field_values(*plugin, j, pointer, r, Elements{});
    run_validate(*plugin, values, pointer);

    const Json *variables = member(j, "variables");
    const Json *neurons = member(j, "neurons");
    std::string vp = child(pointer, "variables"), np = child(pointer, "neurons");
    if (variables && !variables->is_array())
      fail(vp, "expected a list of variable names, like [\"V\"], got " + shown(*variables));
    if (neurons && !neurons->is_array())
      fail(np, "expected a list of neuron indices, like [0, 1, 2], got " + shown(*neurons));

    for (const auto &[index, target_pointer] : targets) {
      const PopulationSpec &pop = ex_.populations[size_t(index)];
      const gg_descriptor *d = pop.plugin->desc;
      RecorderSpec spec;
      spec.pointer = pointer;
      spec.plugin = plugin;
      spec.population = index;
      spec.every = every;
      spec.values = values;
      std::vector<std::string> recordable;
      for (uint32_t f = 0; f < d->n_fields; ++f)
        if (d->fields[f].role == GG_ROLE_STATE || d->fields[f].role == GG_ROLE_TRACE)
          recordable.push_back(d->fields[f].name);
      for (size_t v = 0; variables && v < variables->size(); ++v) {
        std::string name = get_string((*variables)[v], child(vp, v));
        uint32_t found = d->n_fields;
        for (uint32_t f = 0; f < d->n_fields; ++f)
          if (name == d->fields[f].name) found = f;
        if (found == d->n_fields)
          fail(child(vp, v),
               "population " + pop.name + " (" + pop.plugin->name + ") has no variable '" + name +
                   "'" + did_you_mean(name, recordable) + "; it has: " + join_list(recordable));
        int role = d->fields[found].role;
        if (role != GG_ROLE_STATE && role != GG_ROLE_TRACE)
          fail(child(vp, v),
               name + " is a parameter of " + pop.plugin->name +
                   ", constant during the run; variables to record: " + join_list(recordable));
        spec.variables.push_back(found);
        spec.variable_names.push_back(name);
      }
      for (size_t n = 0; neurons && n < neurons->size(); ++n) {
        uint64_t i = get_count((*neurons)[n], child(np, n), "a neuron index (0, 1, ...)");
        if (i >= pop.size)
          fail(child(np, n), "neuron " + std::to_string(i) + " does not exist: population " +
                                 pop.name + " has " + std::to_string(pop.size) + " neurons (0 to " +
                                 std::to_string(pop.size - 1) + ")");
        spec.neurons.push_back(uint32_t(i));
      }
      ex_.recorders.push_back(std::move(spec));
    }
    if (variables) r["variables"] = *variables;
    if (neurons) r["neurons"] = *neurons;
    r["every"] = format_value(double(every) * ex_.simulation.dt, "ms");
    out.push_back(std::move(r));
  }
  resolved["recorders"] = std::move(out);
}

// A recorder of projections (GG_DESC_PROJECTION): "projection": "I->E" or "projections": [...]
// (names as resolved; neither: every projection), one RecorderSpec each, with "synapses": the
// indices of the synapses to follow, [0, 5, 9] or {"first": 10} (0 to 9); none: no synapse one by
// one (the statistics cover all of them). The loader does not know how many synapses a projection
// has; the engine checks the indices.
void Loader::load_projection_recorder(const Json &j, const std::string &pointer,
                                      const LoadedPlugin &plugin, Json &r) {
  std::vector<std::string> names;
  for (const auto &p : ex_.projections)
    names.push_back(p.name);
  for (const char *key : {"population", "populations", "variables", "neurons"})
    if (member(j, key))
      fail(child(pointer, key),
           "'" + plugin.name + "' records projections, not populations: name them with " +
               "\"projection\": \"" + (names.empty() ? "E->I" : names.front()) +
               "\" or \"projections\": [...], and choose synapses with \"synapses\": [0, 5, 9] "
               "or {\"first\": 10}");
  auto projection_index = [&](const Json &name_json, const std::string &at) {
    std::string name = get_string(name_json, at);
    for (size_t k = 0; k < names.size(); ++k)
      if (names[k] == name) return int(k);
    fail(at,
         "unknown projection '" + name + "'" + did_you_mean(name, names) +
             "; projections: " + join_list(names) +
             " (a projection is named by its \"name\", or \"PRE->POST\" by default, \"PRE->POST "
             "#2\" for a second one)");
  };
  std::vector<int> targets;
  const Json *one = member(j, "projection");
  const Json *many = member(j, "projections");
  if (one && many) fail(pointer, "give either \"projection\" or \"projections\", not both");
  if (one) {
    targets.push_back(projection_index(*one, child(pointer, "projection")));
  } else if (many) {
    std::string mp = child(pointer, "projections");
    if (!many->is_array() || many->empty())
      fail(mp,
           "expected a non-empty list of projection names, like [\"E->I\"], got " + shown(*many));
    for (size_t m = 0; m < many->size(); ++m)
      targets.push_back(projection_index((*many)[m], child(mp, m)));
  } else {
    if (ex_.projections.empty())
      fail(pointer, "'" + plugin.name +
                        "' records projections, and this experiment has none; "
                        "add a projection or remove this recorder");
    for (size_t m = 0; m < ex_.projections.size(); ++m)
      targets.push_back(int(m));
  }
  Json resolved_names = Json::array();
  for (int t : targets)
    resolved_names.push_back(names[size_t(t)]);
  r["projections"] = std::move(resolved_names);

  // "synapses": [i, ...] (distinct non-negative indices, in the order given) or {"first": n}.
  std::vector<uint64_t> synapses;
  const Json *sj = member(j, "synapses");
  std::string sp = child(pointer, "synapses");
  if (sj && sj->is_object()) {
    check_keys(*sj, sp, {"first"});
    const Json *first = member(*sj, "first");
    if (!first) fail(sp, "expected {\"first\": 10} (synapses 0 to 9), got " + shown(*sj));
    uint64_t n = get_count(*first, child(sp, "first"), "a positive number of synapses");
    if (n == 0)
      fail(child(sp, "first"), "{\"first\": 0} follows no synapse; give a positive count, or "
                               "remove \"synapses\" to record only the statistics of all of them");
    constexpr uint64_t most = 10000000; // each index is kept, 8 bytes apiece
    if (n > most)
      fail(child(sp, "first"),
           "{\"first\": " + std::to_string(n) +
               "} is more synapses than can be followed one by one (at most " +
               std::to_string(most) +
               "); remove \"synapses\" to record only the statistics of all of them");
    synapses.resize(n);
    for (uint64_t i = 0; i < n; ++i)
      synapses[i] = i;
    r["synapses"] = Json{{"first", n}};
  } else if (sj) {
    if (!sj->is_array())
      fail(sp, "expected a list of synapse indices like [0, 5, 9], or {\"first\": 10}, got " +
                   shown(*sj));
    if (sj->empty())
      fail(sp, "an empty list follows no synapse; remove \"synapses\" to record only the "
               "statistics of all of them, or "
               "list indices like [0, 5, 9]");
    for (size_t k = 0; k < sj->size(); ++k) {
      uint64_t i = get_count((*sj)[k], child(sp, k), "a synapse index (0, 1, ...)");
      auto seen = std::find(synapses.begin(), synapses.end(), i);
      if (seen != synapses.end())
        fail(child(sp, k), "synapse " + std::to_string(i) + " is already listed (item " +
                               std::to_string(seen - synapses.begin()) + "); list each once");
      synapses.push_back(i);
    }
    Json list = Json::array();
    for (uint64_t i : synapses)
      list.push_back(i);
    r["synapses"] = std::move(list);
  }

  uint64_t every = 1;
  std::string ep = child(pointer, "every");
  if (const Json *e = member(j, "every")) every = whole_steps(get_time(*e, ep), ep);
  std::vector<ValueSpec> values = field_values(plugin, j, pointer, r, Elements{});
  run_validate(plugin, values, pointer);
  r["every"] = format_value(double(every) * ex_.simulation.dt, "ms");

  for (int t : targets) {
    RecorderSpec spec;
    spec.pointer = pointer;
    spec.plugin = &plugin;
    spec.projection = t;
    spec.population = ex_.projections[size_t(t)].post; // the engine sizes the fields by it
    spec.synapses = synapses;
    spec.every = every;
    spec.values = values;
    ex_.recorders.push_back(std::move(spec));
  }
}

// ------------------------------------------------------------------ parsing and overrides

Json parse_document(const std::string &text, const std::string &origin) {
  try {
    return Json::parse(text);
  } catch (const Json::parse_error &e) {
    // e.byte counts the characters read, the offending one included (1-based).
    size_t at = std::min<size_t>(e.byte > 0 ? e.byte - 1 : 0, text.size());
    size_t line = 1, line_start = 0;
    for (size_t k = 0; k < at; ++k)
      if (text[k] == '\n') {
        ++line;
        line_start = k + 1;
      }
    std::string what = e.what();
    // Drop nlohmann's "[json.exception.parse_error.101] parse error at line 1, column 2: ".
    auto start = what.find("parse error");
    auto colon = start == std::string::npos ? std::string::npos : what.find(": ", start);
    if (colon != std::string::npos) what = what.substr(colon + 2);
    throw ConfigError(origin + ":" + std::to_string(line) + ":" +
                      std::to_string(at - line_start + 1) + ": malformed JSON: " + what);
  }
}

template <class J> void apply_override_impl(J &doc, const std::string &assignment) {
  const std::string place = "--set " + assignment;
  auto eq = assignment.find('=');
  if (eq == std::string::npos || eq == 0)
    throw ConfigError(place + ": expected PATH=VALUE, e.g. --set populations.E.size=16000");
  std::string path = assignment.substr(0, eq), text = assignment.substr(eq + 1);

  std::vector<std::string> parts;
  std::string part;
  for (char c : path + ".") {
    if (c != '.') {
      part += c;
      continue;
    }
    if (part.empty())
      throw ConfigError(place + ": '" + path + "' has an empty component; write a.b.c");
    parts.push_back(part);
    part.clear();
  }

  J value;
  try {
    value = J::parse(text);
  } catch (const typename J::parse_error &) {
    value = text; // "15 ms", "cuda": a plain word is a string
  }

  auto is_index = [](const std::string &s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
      return std::isdigit(static_cast<unsigned char>(c)) != 0;
    });
  };
  J *at = &doc;
  std::string walked;
  for (size_t k = 0; k < parts.size(); ++k) {
    const std::string &key = parts[k];
    bool last = k + 1 == parts.size();
    std::string here = walked.empty() ? "the experiment" : "'" + walked + "'";
    if (at->is_object()) {
      // A missing "params", "init" or "simulation" is made empty: they are optional sections,
      // and a name wrongly put inside one is still caught when the document is validated.
      if (!at->contains(key) && !last && (key == "params" || key == "init" || key == "simulation"))
        (*at)[key] = J::object();
      if (!at->contains(key) && !last) {
        std::vector<std::string> keys;
        for (const auto &item : at->items())
          keys.push_back(item.key());
        throw ConfigError(place + ": " + here + " has no key '" + key + "'" +
                          did_you_mean(key, keys) + " (its keys: " + join_list(keys) +
                          "); to add a whole object, set it as JSON, e.g. --set " +
                          (walked.empty() ? "" : walked + ".") + key + "='{...}'");
      }
      at = &(*at)[key];
    } else if (at->is_array()) {
      if (!is_index(key) || key.size() > 9 || std::stoull(key) >= at->size())
        throw ConfigError(place + ": " + here + " is a list of " + std::to_string(at->size()) +
                          " items; '" + key + "' is not one of its indices" +
                          (at->empty() ? "" : " (0 to " + std::to_string(at->size() - 1) + ")"));
      at = &(*at)[std::stoull(key)];
    } else {
      throw ConfigError(place + ": " + here + " is " + std::string(at->type_name()) + " " +
                        at->dump() + ", which has no '" + key + "' inside");
    }
    walked += (walked.empty() ? "" : ".") + key;
  }
  *at = std::move(value);
}

} // namespace

void apply_override(nlohmann::json &doc, const std::string &assignment) {
  apply_override_impl(doc, assignment);
}

void apply_override(nlohmann::ordered_json &doc, const std::string &assignment) {
  apply_override_impl(doc, assignment);
}

Experiment load_experiment_text(const std::string &text, const std::string &origin,
                                const std::string &base_dir,
                                const std::vector<std::string> &overrides,
                                PluginRegistry &registry) {
  Json doc = parse_document(text, origin);
  for (const auto &assignment : overrides)
    apply_override(doc, assignment);
  return Loader(origin, base_dir, registry).load(doc);
}

Experiment load_experiment(const std::string &path, const std::vector<std::string> &overrides,
                           PluginRegistry &registry) {
  std::ifstream file(path, std::ios::binary);
  if (!file)
    throw ConfigError(path + ": cannot read the experiment file (" + std::strerror(errno) + ")");
  std::stringstream text;
  text << file.rdbuf();
  std::string base_dir = std::filesystem::path(path).parent_path().string();
  return load_experiment_text(text.str(), path, base_dir, overrides, registry);
}

} // namespace ganglion
