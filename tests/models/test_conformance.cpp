// Plugin conformance: every built-in plugin that PluginRegistry::discover() finds (whatever their
// number; a new built-in is covered without touching this file) must
//   - pass check_descriptor (the kernel's own ABI checks);
//   - round-trip its metadata through `ganglion describe NAME` (each field's name, unit, default);
//   - load with all defaults in a minimal experiment (neurons: a population of 10; synapses: a
//     projection between two small lif populations; recorders: on a lif population) and run it;
//   - refuse a value just outside the range of every bounded field with a ConfigError naming the
//     field's JSON pointer and "out of range";
//   - refuse an unknown word for every choice field, listing the choices.
// The set of built-ins must include at least lif, eif, poisson, exp_current, spikes, state, rates.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdio>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "experiment/errors.hpp"
#include "experiment/loader.hpp"
#include "registry/registry.hpp"
#include "support.hpp"

using namespace ganglion;
using namespace ganglion::test;
using Json = nlohmann::json;

namespace {

// The built-in plugins: those discover() loaded from the built-in folder (GANGLION_PLUGIN_PATH,
// if set in the environment, may add others; they are not this suite's business).
std::vector<const LoadedPlugin *> builtins(const PluginRegistry &registry) {
  std::vector<const LoadedPlugin *> out;
  const std::string dir = PluginRegistry::builtin_dir();
  for (const auto &p : registry.all())
    if (p.path.rfind(dir, 0) == 0) out.push_back(&p);
  return out;
}

// Where a plugin's fields live in the minimal experiment of its kind: the item's JSON pointer.
std::string item_pointer(int kind) {
  switch (kind) {
  case GG_KIND_NEURON: return "/populations/P";
  case GG_KIND_SYNAPSE: return "/projections/0";
  case GG_KIND_PLASTICITY: return "/projections/0/plasticity";
  case GG_KIND_RECORDER: return "/recorders/0";
  default: return "";
  }
}

// Two small populations joined by one projection; `model` for both, `synapse` on it.
Json two_populations(Json &doc, const char *model, const std::string &synapse) {
  doc["populations"] = {{"A", {{"model", model}, {"size", 4}}}, {"B", {{"model", model}, {"size", 3}}}};
  return {{"pre", "A"},
          {"post", "B"},
          {"synapse", synapse},
          {"connect", {{"rule", "fixed_probability"}, {"p", 0.5}}},
          {"weight", 0.1}};
}

// The smallest experiment that uses `d` with all its defaults; `fields` ({"params": {...},
// "init": {...}}) is merged into the plugin's item. Null for kinds a config cannot use yet.
Json minimal_experiment(const gg_descriptor *d, const Json &fields = Json::object()) {
  Json doc = {{"ganglion", 1},
              {"simulation", {{"dt", "0.1 ms"}, {"duration", "2 ms"}, {"seed", 3}, {"threads", 1}}}};
  Json item;
  switch (d->kind) {
  case GG_KIND_NEURON:
    item = {{"model", d->name}, {"size", 10}};
    item.update(fields);
    doc["populations"] = {{"P", item}};
    break;
  case GG_KIND_SYNAPSE:
    // A rate synapse connects rate units; every other synapse connects spiking neurons.
    item = two_populations(doc, (d->flags & GG_DESC_RATE) ? "rate" : "lif", d->name);
    item.update(fields);
    doc["projections"] = Json::array({item});
    break;
  case GG_KIND_PLASTICITY: {
    // On the first synapse model the rule acts on (exp_current where it acts on any).
    std::string synapse = d->acts_on ? d->acts_on : "exp_current";
    synapse = synapse.substr(0, synapse.find('|'));
    Json rule = {{"rule", d->name}};
    rule.update(fields);
    item = two_populations(doc, "lif", synapse);
    item["plasticity"] = rule;
    doc["projections"] = Json::array({item});
    break;
  }
  case GG_KIND_RECORDER:
    if (d->flags & GG_DESC_PROJECTION) {
      doc["projections"] = Json::array({two_populations(doc, "lif", "exp_current")});
      item = {{"type", d->name}, {"projection", "A->B"}};
    } else {
      doc["populations"] = {{"P", {{"model", "lif"}, {"size", 10}}}};
      item = {{"type", d->name}, {"population", "P"}};
    }
    item.update(fields);
    doc["recorders"] = Json::array({item});
    break;
  default: return nullptr;
  }
  return doc;
}

// The message of the ConfigError that loading `doc` throws ("" when it loads).
std::string load_error(const Json &doc) {
  PluginRegistry registry = PluginRegistry::discover();
  try {
    load_experiment_text(doc.dump(), "conformance.json", "", {}, registry);
  } catch (const ConfigError &e) {
    return e.what();
  }
  return "";
}

std::vector<std::string> tokens(const std::string &line) {
  std::istringstream in(line);
  std::vector<std::string> out;
  for (std::string t; in >> t;) out.push_back(t);
  return out;
}

std::vector<std::string> choice_words(const char *choices) {
  std::vector<std::string> out;
  std::stringstream ss(choices ? choices : "");
  for (std::string w; std::getline(ss, w, '|');) out.push_back(w);
  return out;
}

// Whether `token` shows `value`: the CLI prints defaults with 6 significant digits (and "inf"),
// so a relative 1e-5 covers its rounding and nothing coarser.
bool shows_number(const std::string &token, double value) {
  if (std::isinf(value)) return token == (value > 0 ? "inf" : "-inf");
  try {
    std::size_t used = 0;
    const double shown = std::stod(token, &used);
    return used == token.size() && std::abs(shown - value) <= 1e-5 * std::abs(value) + 1e-300;
  } catch (...) {
    return false;
  }
}

bool settable(const gg_field &f) { return f.role == GG_ROLE_PARAM || f.role == GG_ROLE_STATE; }
const char *section_of(const gg_field &f) { return f.role == GG_ROLE_PARAM ? "params" : "init"; }

} // namespace

TEST_SUITE("conformance") {

TEST_CASE("conformance: the built-in set includes the reference plugins") {
  PluginRegistry registry = PluginRegistry::discover();
  std::set<std::string> names;
  for (const auto *p : builtins(registry)) names.insert(p->name);
  for (const char *required : {"lif", "eif", "poisson", "exp_current", "spikes", "state", "rates"}) {
    CAPTURE(required);
    CHECK(names.count(required) == 1);
  }
}

TEST_CASE("conformance: every built-in descriptor passes check_descriptor") {
  PluginRegistry registry = PluginRegistry::discover();
  for (const auto *p : builtins(registry)) {
    CAPTURE(p->name);
    CHECK_NOTHROW(check_descriptor(p->desc, p->path));
    CHECK(p->name == std::string(p->desc->name));
  }
}

TEST_CASE("conformance: ganglion describe lists every field with its unit and default") {
  PluginRegistry registry = PluginRegistry::discover();
  for (const auto *p : builtins(registry)) {
    CAPTURE(p->name);
    const CliResult r = run_cli("describe " + p->name);
    REQUIRE(r.exit_code == 0);
    CHECK(r.out.find(p->desc->name) != std::string::npos);
    // The storage line where the synapse model lets the kernel store its synapses compactly.
    CHECK((r.out.find("storage:  compact (2 bytes a synapse") != std::string::npos) ==
          ((p->desc->flags & GG_DESC_COMPACT_CSR) != 0));
    CHECK((r.out.find("delivery: a large projection may be delivered on several threads") !=
           std::string::npos) == ((p->desc->flags & GG_DESC_SPLIT_STEP) != 0));
    // ABI 1.6: synapses that take a drive's counts (the three spiking built-ins).
    CHECK((r.out.find("counts:   takes a drive's c spikes in one step as one arrival") !=
           std::string::npos) == ((p->desc->flags & GG_DESC_COUNTS) != 0));
    if (p->desc->kind == GG_KIND_SYNAPSE)
      CHECK(((p->desc->flags & GG_DESC_COUNTS) != 0) == !(p->desc->flags & GG_DESC_RATE));
    // ABI 1.3: channels (neurons that take them, synapses that are one) and bound checks.
    CHECK((r.out.find("channels: its step computes the current of up to 3") != std::string::npos) ==
          ((p->desc->flags & GG_DESC_CHANNELS) != 0));
    CHECK((r.out.find("channel:  where its constants are one for all neurons") !=
           std::string::npos) == bool(p->desc->cpu->channel));
    CHECK((r.out.find("bounds:   its step checks its bound-checked state") != std::string::npos) ==
          ((p->desc->flags & GG_DESC_CHECKS_BOUNDS) != 0));
    // ABI 1.4: recorders that read spikes (a projection's: weights) only; rules cut by target.
    const bool projection = p->desc->flags & GG_DESC_PROJECTION;
    CHECK((r.out.find(projection ? "reads:    weights only" : "reads:    spikes only") !=
           std::string::npos) == ((p->desc->flags & GG_DESC_SPIKES_ONLY) != 0));
    if (p->name == "spikes" || p->name == "weights")
      CHECK((p->desc->flags & GG_DESC_SPIKES_ONLY) != 0);
    CHECK((r.out.find("split:    with several threads the rule may run by target range") !=
           std::string::npos) == ((p->desc->flags & GG_DESC_SPLIT_RULE) != 0));
    if (p->name == "istdp" || p->name == "stdp") CHECK((p->desc->flags & GG_DESC_SPLIT_RULE) != 0);
    std::vector<std::vector<std::string>> lines;
    std::istringstream out(r.out);
    for (std::string line; std::getline(out, line);) lines.push_back(tokens(line));
    const gg_descriptor *d = p->desc;
    for (uint32_t k = 0; k < d->n_fields; ++k) {
      const gg_field &f = d->fields[k];
      const std::string name = f.name, unit = f.unit;
      CAPTURE(name);
      // The row of this field: the first token is its name; somewhere after it its unit, and
      // its default (a choice's default is its word).
      const std::vector<std::string> *row = nullptr;
      for (const auto &t : lines)
        if (!t.empty() && t[0] == name) row = &t;
      REQUIRE(row != nullptr);
      bool has_unit = unit.empty(), has_default = false;
      const std::vector<std::string> words = choice_words(f.choices);
      const std::string default_word =
          f.type == GG_TYPE_CHOICE && f.default_value >= 0 && size_t(f.default_value) < words.size()
              ? words[size_t(f.default_value)]
              : "";
      for (std::size_t c = 1; c < row->size(); ++c) {
        has_unit |= (*row)[c] == unit;
        has_default |= f.type == GG_TYPE_CHOICE ? (*row)[c] == default_word
                                                : shows_number((*row)[c], f.default_value);
      }
      CHECK(has_unit);
      CHECK(has_default);
    }
  }
}

TEST_CASE("conformance: lif and eif take channels and check their bounds; the exponential "
          "synapses are channels") {
  PluginRegistry registry = PluginRegistry::discover();
  for (const char *name : {"lif", "eif"}) {
    CAPTURE(name);
    REQUIRE(registry.find(name) != nullptr);
    const uint32_t flags = registry.find(name)->desc->flags;
    CHECK((flags & GG_DESC_CHANNELS) != 0);
    CHECK((flags & GG_DESC_CHECKS_BOUNDS) != 0);
  }
  for (const char *name : {"exp_current", "exp_conductance"}) {
    CAPTURE(name);
    REQUIRE(registry.find(name) != nullptr);
    CHECK(bool(registry.find(name)->desc->cpu->channel));
  }
}

// The hot hooks are built for several instruction sets (GANGLION_SIMD: one clone per target), but a
// lambda inside them that GCC leaves out of line is compiled once, for the baseline (SSE2), and
// every clone calls it: the hook then runs baseline code on every CPU, without a word (istdp's
// did, and lif's once ran 3x slower so). GANGLION_INLINE prevents it; the symbol table shows it.
TEST_CASE("conformance: no built-in leaves a lambda of its step or current hook out of line") {
  PluginRegistry registry = PluginRegistry::discover();
  const auto plugins = builtins(registry);
  REQUIRE(plugins.size() >= 7);
  for (const LoadedPlugin *p : plugins) {
    CAPTURE(p->path);
    const std::string cmd = "nm -C --defined-only '" + p->path + "' 2>&1";
    FILE *pipe = popen(cmd.c_str(), "r");
    REQUIRE(pipe != nullptr);
    std::string symbols;
    char buffer[4096];
    while (std::fgets(buffer, sizeof buffer, pipe)) symbols += buffer;
    REQUIRE_MESSAGE(pclose(pipe) == 0, "nm failed: " << symbols);
    std::istringstream lines(symbols);
    for (std::string line; std::getline(lines, line);) {
      const bool outlined = line.find("::step(gg_view const&)::{lambda") != std::string::npos ||
                            line.find("::current(gg_view const&)::{lambda") != std::string::npos;
      CHECK_MESSAGE(!outlined, "out of line (add GANGLION_INLINE to the lambda): " << line);
    }
  }
}

TEST_CASE("conformance: every built-in loads and runs with all defaults") {
  PluginRegistry registry = PluginRegistry::discover();
  for (const auto *p : builtins(registry)) {
    CAPTURE(p->name);
    const Json doc = minimal_experiment(p->desc);
    if (doc.is_null()) {
      MESSAGE("no minimal experiment for the kind of '", p->name, "'; skipped");
      continue;
    }
    CHECK(load_error(doc) == "");
    // And two steps run: every hook accepts the defaults (no error, no divergence).
    InProcessRun run;
    REQUIRE_NOTHROW(run = run_in_process(doc.dump()));
    CHECK_FALSE(run.report.diverged);
    CHECK(run.report.steps_done == 20);
  }
}

TEST_CASE("conformance: a value just outside a field's range is refused at its JSON pointer") {
  PluginRegistry registry = PluginRegistry::discover();
  int checked = 0;
  for (const auto *p : builtins(registry)) {
    const gg_descriptor *d = p->desc;
    if (minimal_experiment(d).is_null()) continue;
    for (uint32_t k = 0; k < d->n_fields; ++k) {
      const gg_field &f = d->fields[k];
      if (!settable(f) || f.type != GG_TYPE_F64) continue;
      // Just outside: the bound itself when it is exclusive, else one part in 1e9 beyond it
      // (well above the double's resolution, so the JSON text cannot round it back inside).
      std::vector<double> outside;
      if (std::isfinite(f.min))
        outside.push_back(f.flags & GG_MIN_EXCLUSIVE ? f.min
                                                     : f.min - (1e-9 * std::abs(f.min) + 1e-9));
      if (std::isfinite(f.max))
        outside.push_back(f.flags & GG_MAX_EXCLUSIVE ? f.max
                                                     : f.max + (1e-9 * std::abs(f.max) + 1e-9));
      for (double v : outside) {
        CAPTURE(p->name);
        CAPTURE(f.name);
        CAPTURE(v);
        const Json doc = minimal_experiment(d, {{section_of(f), {{f.name, v}}}});
        const std::string pointer =
            item_pointer(d->kind) + "/" + section_of(f) + "/" + std::string(f.name);
        const std::string message = load_error(doc);
        CHECK(message.find(pointer) != std::string::npos);
        CHECK(message.find("out of range") != std::string::npos);
        ++checked;
      }
    }
  }
  // lif, eif, poisson, exp_current and rates all have bounded fields (tau_m, rate, tau, bin...).
  CHECK(checked >= 8);
}

TEST_CASE("conformance: an unknown word for a choice field is refused, listing the choices") {
  PluginRegistry registry = PluginRegistry::discover();
  int checked = 0;
  for (const auto *p : builtins(registry)) {
    const gg_descriptor *d = p->desc;
    if (minimal_experiment(d).is_null()) continue;
    for (uint32_t k = 0; k < d->n_fields; ++k) {
      const gg_field &f = d->fields[k];
      if (!settable(f) || f.type != GG_TYPE_CHOICE) continue;
      CAPTURE(p->name);
      CAPTURE(f.name);
      const Json doc = minimal_experiment(d, {{section_of(f), {{f.name, "no_such_word"}}}});
      const std::string message = load_error(doc);
      CHECK(message.find(item_pointer(d->kind) + "/" + section_of(f) + "/" + f.name) !=
            std::string::npos);
      CHECK(message.find("no_such_word") != std::string::npos);
      for (const auto &word : choice_words(f.choices)) {
        CAPTURE(word);
        CHECK(message.find(word) != std::string::npos);
      }
      ++checked;
    }
  }
  CHECK(checked >= 2); // lif and exp_current have a "scheme"
}

} // TEST_SUITE
