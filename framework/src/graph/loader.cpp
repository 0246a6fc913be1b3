// Experiment JSON -> validated Experiment (see loader.hpp). The Loader walks the document once,
// in the order a reader would: simulation, plugins, populations, projections, recorders; it fills
// the Experiment and, beside it, the resolved document with every default written out.
#include "graph/loader.hpp"

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

#include "graph/units.hpp"

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

  void run_validate(const LoadedPlugin &plugin, const std::vector<ValueSpec> &values,
                    const std::string &pointer) const {
    if (!plugin.desc->validate) return;
    // One representative element: constants as given, a distribution's low end (or mean).
    std::vector<double> element;
    for (const auto &v : values)
      element.push_back(v.a);
    char buffer[1024] = {0};
    gg_error err{buffer, sizeof buffer};
    if (plugin.desc->validate(element.data(), &err) != GG_OK)
      fail(pointer, buffer[0]
                        ? std::string(buffer)
                        : "plugin '" + plugin.name + "' rejected these values (no reason given)");
  }

  // ---------------------------------------------------------------- field values

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

  // The pair of a {"uniform": [lo, hi]} or {"normal": [mean, std]}.
  std::pair<double, double> pair_of(const Json &j, const gg_field &f, const std::string &pointer,
                                    const char *example) const {
    if (!j.is_array() || j.size() != 2)
      fail(pointer, std::string("expected two values, like ") + example + ", got " + shown(j));
    std::string unit = f.unit ? f.unit : "1";
    return {convert_value(j[0], unit, where(child(pointer, 0)), f.name),
            convert_value(j[1], unit, where(child(pointer, 1)), f.name)};
  }

  ValueSpec value_spec(const Json &j, const gg_field &f, const std::string &pointer) const {
    std::string unit = f.unit ? f.unit : "1";
    if (f.type == GG_TYPE_CHOICE) {
      auto words = split_choices(f.choices);
      if (!j.is_string())
        fail(pointer, std::string(f.name) + " takes one of the words " + join_list(words) +
                          ", got " + shown(j));
      std::string word = j.get<std::string>();
      for (size_t k = 0; k < words.size(); ++k)
        if (words[k] == word) return ValueSpec{ValueSpec::Kind::Constant, double(k), 0};
      fail(pointer, "unknown choice '" + word + "' for " + f.name + did_you_mean(word, words) +
                        "; choose one of: " + join_list(words));
    }
    bool is_state = f.role == GG_ROLE_STATE;
    if (j.is_object()) {
      std::vector<std::string> forms = {"uniform"};
      if (is_state) forms.push_back("normal");
      if (j.size() != 1)
        fail(pointer, "expected one distribution, like {\"uniform\": [lo, hi]}" +
                          std::string(is_state ? " or {\"normal\": [mean, std]}" : "") + ", got " +
                          shown(j));
      const std::string &form = j.begin().key();
      const Json &args = j.begin().value();
      std::string args_pointer = child(pointer, form);
      if (form == "uniform") {
        auto [lo, hi] = pair_of(args, f, args_pointer, "[\"-75 mV\", \"-55 mV\"]");
        if (lo > hi)
          fail(args_pointer, "the low end " + format_value(lo, unit) + " is above the high end " +
                                 format_value(hi, unit));
        check_range(lo, f, child(args_pointer, 0));
        check_range(hi, f, child(args_pointer, 1));
        return ValueSpec{ValueSpec::Kind::Uniform, lo, hi};
      }
      if (form == "normal" && !is_state)
        fail(args_pointer, "a normal distribution is only for initial values (in \"init\"); give "
                           "a parameter a constant or {\"uniform\": [lo, hi]}");
      if (form == "normal") {
        auto [mean, sd] = pair_of(args, f, args_pointer, "[\"-65 mV\", \"5 mV\"]");
        if (!(sd >= 0) || !std::isfinite(sd))
          fail(child(args_pointer, 1),
               "the standard deviation must be >= 0 and finite, got " + format_value(sd, unit));
        check_range(mean, f, child(args_pointer, 0));
        return ValueSpec{ValueSpec::Kind::Normal, mean, sd};
      }
      fail(pointer, "unknown distribution '" + form + "'" + did_you_mean(form, forms) +
                        "; use one of: " + join_list(forms));
    }
    if (!j.is_number() && !j.is_string())
      fail(pointer, "expected a value like " +
                        std::string(is_dimensionless(unit) ? "0.5" : "\"2.5 " + unit + "\"") +
                        " or {\"uniform\": [lo, hi]}" +
                        (is_state ? " or {\"normal\": [mean, std]}" : "") + ", got " + shown(j));
    return ValueSpec{ValueSpec::Kind::Constant, constant(j, f, pointer), 0};
  }

  Json spec_json(const ValueSpec &v, const gg_field &f) const {
    std::string unit = f.unit ? f.unit : "1";
    if (f.type == GG_TYPE_CHOICE) return split_choices(f.choices).at(size_t(v.a));
    switch (v.kind) {
    case ValueSpec::Kind::Uniform:
      return Json{{"uniform", Json::array({value_json(v.a, unit), value_json(v.b, unit)})}};
    case ValueSpec::Kind::Normal:
      return Json{{"normal", Json::array({value_json(v.a, unit), value_json(v.b, unit)})}};
    default: return value_json(v.a, unit);
    }
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
      if (field->role == GG_ROLE_PER_SYNAPSE)
        fail(at, key + " is a per-synapse value of '" + plugin.name + "'; it cannot be set here");
    }
  }

  // One ValueSpec per descriptor field, from "params" (parameters) and "init" (state), defaults
  // for the rest; writes the filled-in sections into `resolved`.
  std::vector<ValueSpec> field_values(const LoadedPlugin &plugin, const Json &item,
                                      const std::string &pointer, Json &resolved) const {
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
      ValueSpec v{ValueSpec::Kind::Constant, f.default_value, 0};
      bool settable = f.role == GG_ROLE_PARAM || f.role == GG_ROLE_STATE;
      const Json *section = f.role == GG_ROLE_PARAM ? params : init;
      const std::string &section_pointer = f.role == GG_ROLE_PARAM ? params_pointer : init_pointer;
      if (settable && section && section->contains(f.name))
        v = value_spec(section->at(f.name), f, child(section_pointer, f.name));
      values.push_back(v);
      if (f.role == GG_ROLE_PARAM) resolved_params[f.name] = spec_json(v, f);
      if (f.role == GG_ROLE_STATE) resolved_init[f.name] = spec_json(v, f);
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
  check_keys(*sim, pointer, {"dt", "duration", "seed", "threads", "backend"});
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

  resolved["simulation"] = Json{{"dt", format_value(s.dt, "ms")},
                                {"duration", format_value(s.duration, "ms")},
                                {"seed", s.seed},
                                {"threads", s.threads},
                                {"backend", backend_name(s.backend)}};
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
    check_keys(p, pointer, {"model", "size", "params", "init", "backend"});

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
    spec.values = field_values(*spec.plugin, p, pointer, r);
    spec.backend = item_backend(p, pointer, *spec.plugin, r);
    run_validate(*spec.plugin, spec.values, pointer);
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
                "backend"});
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
    spec.name = pre.name + "->" + post.name;
    if (const Json *name = member(j, "name")) spec.name = get_string(*name, child(pointer, "name"));

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
    spec.values = field_values(*spec.synapse, j, pointer, r);
    run_validate(*spec.synapse, spec.values, pointer);

    // connect
    std::string cp = child(pointer, "connect");
    const Json *connect = member(j, "connect");
    if (!connect)
      fail(pointer, "no \"connect\": say how to connect, e.g. \"connect\": {\"rule\": "
                    "\"fixed_probability\", \"p\": 0.1}");
    require_object(*connect, cp, "{\"rule\": \"fixed_probability\", \"p\": 0.1}");
    const std::vector<std::string> rules = {"fixed_probability", "fixed_indegree", "all_to_all",
                                            "one_to_one"};
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
      const Json *indegree = member(*connect, "indegree");
      if (!indegree)
        fail(cp, "no \"indegree\": give the inputs per neuron, e.g. \"indegree\": 100");
      spec.indegree = get_count(*indegree, child(cp, "indegree"), "a non-negative integer");
      rc["indegree"] = spec.indegree;
      if (const Json *m = member(*connect, "multapses"))
        spec.allow_multapses = get_bool(*m, child(cp, "multapses"));
      rc["multapses"] = spec.allow_multapses;
      autapses();
      uint64_t candidates = pre.size - (same && !spec.allow_autapses ? 1 : 0);
      if (!spec.allow_multapses && spec.indegree > candidates)
        fail(child(cp, "indegree"),
             "an in-degree of " + std::to_string(spec.indegree) + " without multapses needs " +
                 std::to_string(spec.indegree) + " distinct presynaptic neurons, but '" + pre.name +
                 "' offers " + std::to_string(candidates) +
                 "; lower it or set \"multapses\": true");
      expected_k = double(spec.indegree);
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

    // weight
    std::string wp = child(pointer, "weight");
    const Json *weight = member(j, "weight");
    if (!weight)
      fail(pointer, "no \"weight\": give one, e.g. \"weight\": 0.5 or \"weight\": {\"value\": 25, "
                    "\"scale\": \"1/sqrt(N)\"}");
    std::string unit = spec.synapse->desc->weight_unit ? spec.synapse->desc->weight_unit : "1";
    double value = 0;
    std::string scale = "none";
    double n = double(recurrent_n);
    if (weight->is_object()) {
      check_keys(*weight, wp, {"value", "scale", "N"});
      const Json *v = member(*weight, "value");
      if (!v)
        fail(wp, "no \"value\": give the unscaled weight, e.g. {\"value\": 25, \"scale\": "
                 "\"1/sqrt(N)\"}");
      value = convert_value(*v, unit, where(child(wp, "value")), "the weight");
      if (const Json *s = member(*weight, "scale")) scale = get_string(*s, child(wp, "scale"));
      const std::vector<std::string> scales = {"none", "1/sqrt(N)", "1/sqrt(K)"};
      if (std::find(scales.begin(), scales.end(), scale) == scales.end())
        fail(child(wp, "scale"), "unknown scale '" + scale + "'" + did_you_mean(scale, scales) +
                                     "; use one of: " + join_list(scales));
      if (const Json *given = member(*weight, "N")) {
        if (scale != "1/sqrt(N)")
          fail(child(wp, "N"), "\"N\" is only used with \"scale\": \"1/sqrt(N)\"");
        n = convert_value(*given, "1", where(child(wp, "N")));
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
      value = convert_value(*weight, unit, where(wp), "the weight");
    }
    if (!std::isfinite(value)) fail(wp, "the weight must be finite");
    spec.weight = value * spec.weight_scale;
    Json rw = Json{{"value", value_json(value, unit)}, {"scale", scale}};
    // The N used, written out, so the resolved experiment scales the same if populations change.
    if (scale == "1/sqrt(N)") rw["N"] = n;
    r["weight"] = std::move(rw);

    // delay
    std::string dp = child(pointer, "delay");
    spec.delay = ex_.simulation.dt;
    if (const Json *delay = member(j, "delay")) spec.delay = get_time(*delay, dp);
    spec.delay_steps = whole_steps(spec.delay, dp);
    r["delay"] = format_value(spec.delay, "ms");

    spec.backend = item_backend(j, pointer, *spec.synapse, r);
    out.push_back(std::move(r));
  }
  resolved["projections"] = std::move(out);
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
               {"type", "population", "populations", "variables", "neurons", "every", "params"});
    const Json *type = member(j, "type");
    if (!type) fail(pointer, "no \"type\": name the recorder plugin, e.g. \"type\": \"spikes\"");
    const LoadedPlugin *plugin =
        find_plugin(get_string(*type, child(pointer, "type")), GG_KIND_RECORDER,
                    child(pointer, "type"), "recorder type");
    Json r = Json::object();
    r["type"] = plugin->name;

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
    std::vector<ValueSpec> values = field_values(*plugin, j, pointer, r);
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
