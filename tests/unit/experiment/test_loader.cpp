// The experiment loader: what a valid file becomes, and the message of each kind of mistake
// (file, JSON pointer, what is wrong, the fix). Plugins are hand-made descriptors in a registry.
#include <doctest/doctest.h>

#include <cmath>
#include <deque>
#include <functional>
#include <string>
#include <vector>

#include "engine/backend.hpp"
#include "engine/device_engine.hpp"
#include "experiment/loader.hpp"
#include "experiment/units.hpp"
#include "ganglion/plugin.hpp"
#include "support.hpp"

using namespace ganglion;

namespace {

struct FakeLif {
  static constexpr const char *name = "fake_lif";
  static constexpr gg_kind kind = GG_KIND_NEURON;
  static constexpr const char *doc = "a neuron for loader tests";
  enum Field { tau_m, V_th, V_re, method, V, x, count };
  static constexpr gg_field fields[] = {
      ganglion::param("tau_m", "ms", 10, 0, ganglion::inf, "membrane time constant",
                      GG_MIN_EXCLUSIVE),
      ganglion::param("V_th", "mV", -50, -ganglion::inf, ganglion::inf, "threshold"),
      ganglion::param("V_re", "mV", -65, -ganglion::inf, ganglion::inf, "reset"),
      ganglion::choice("method", "exact|euler", 0, "integration scheme"),
      ganglion::state("V", "mV", -65, -1000, 1000, "membrane potential", GG_BOUND_CHECKED),
      ganglion::trace("x", "1", "an internal trace")};
  static void step(const gg_view &) {}
  static std::string validate(const double *v) {
    if (v[V_re] < v[V_th]) return "";
    return "V_re (" + format_value(v[V_re], "mV") + ") must be below V_th (" +
           format_value(v[V_th], "mV") + ")";
  }
};

struct FakePoisson {
  static constexpr const char *name = "fake_poisson";
  static constexpr gg_kind kind = GG_KIND_NEURON;
  static constexpr const char *doc = "a spike source";
  static constexpr bool source = true;
  enum Field { rate, count };
  static constexpr gg_field fields[] = {
      ganglion::param("rate", "Hz", 1, 0, ganglion::inf, "firing rate")};
  static void step(const gg_view &) {}
};

struct FakeExp {
  static constexpr const char *name = "fake_exp";
  static constexpr gg_kind kind = GG_KIND_SYNAPSE;
  static constexpr const char *doc = "an exponential current";
  static constexpr const char *weight_unit = "mV";
  enum Field { tau, I, count };
  static constexpr gg_field fields[] = {
      ganglion::param("tau", "ms", 5, 0, ganglion::inf, "decay", GG_MIN_EXCLUSIVE),
      ganglion::state("I", "mV/ms", 0, -ganglion::inf, ganglion::inf, "current")};
  static void step(const gg_view &) {}
  static void current(const gg_view &) {}
};

struct FakeSpikes {
  static constexpr const char *name = "spikes";
  static constexpr gg_kind kind = GG_KIND_RECORDER;
  static constexpr const char *doc = "records spikes";
  enum Field { flush, count };
  static constexpr gg_field fields[] = {ganglion::param("flush", "1", 0, 0, 1, "flush often")};
  static void step(const gg_view &) {}
};

struct FakeState {
  static constexpr const char *name = "state";
  static constexpr gg_kind kind = GG_KIND_RECORDER;
  static constexpr const char *doc = "records state variables";
  enum Field { scale, count };
  static constexpr gg_field fields[] = {
      ganglion::param("scale", "1", 1, 0, ganglion::inf, "a factor", GG_MIN_EXCLUSIVE)};
  static void step(const gg_view &) {}
};

struct FakeRates {
  static constexpr const char *name = "rates";
  static constexpr gg_kind kind = GG_KIND_RECORDER;
  static constexpr const char *doc = "binned rates";
  enum Field { bin, count };
  static constexpr gg_field fields[] = {
      ganglion::param("bin", "ms", 10, 0, ganglion::inf, "bin width", GG_MIN_EXCLUSIVE)};
  static void step(const gg_view &) {}
};

// A source whose spike times are a GG_TYPE_SEQUENCE parameter.
struct FakeTimes {
  static constexpr const char *name = "fake_times";
  static constexpr gg_kind kind = GG_KIND_NEURON;
  static constexpr const char *doc = "given spike trains";
  static constexpr bool source = true;
  enum Field { times, count };
  static constexpr gg_field fields[] = {gg_field{"times", "ms", GG_ROLE_PARAM, GG_TYPE_SEQUENCE, 0,
                                                 0, ganglion::inf, 0, nullptr, "spike times"}};
  static void step(const gg_view &) {}
};

struct FakeRate {
  static constexpr const char *name = "fake_rate";
  static constexpr gg_kind kind = GG_KIND_NEURON;
  static constexpr const char *doc = "a rate unit";
  static constexpr bool rate = true;
  static constexpr const char *input_unit = "Hz";
  enum Field { tau, r, count };
  static constexpr gg_field fields[] = {
      ganglion::param("tau", "ms", 10, 0, ganglion::inf, "time constant", GG_MIN_EXCLUSIVE),
      ganglion::state("r", "Hz", 0, 0, ganglion::inf, "rate")};
  static void step(const gg_view &) {}
};

struct FakeRateSyn {
  static constexpr const char *name = "fake_rate_syn";
  static constexpr gg_kind kind = GG_KIND_SYNAPSE;
  static constexpr const char *doc = "carries W r";
  static constexpr bool rate = true;
  static constexpr const char *weight_unit = "1";
  enum Field { count };
  static void step(const gg_view &) {}
  static void current(const gg_view &) {}
};

// A synapse offering NEST's convention; fake_bad_nest forgets its peak_weight_unit.
struct FakeNest {
  static constexpr const char *name = "fake_nest";
  static constexpr gg_kind kind = GG_KIND_SYNAPSE;
  static constexpr const char *doc = "NEST-style exponential current";
  static constexpr const char *weight_unit = "mV";
  static constexpr const char *peak_weight_unit = "mV/ms";
  enum Field { tau, convention, count };
  static constexpr gg_field fields[] = {
      ganglion::param("tau", "ms", 5, 0, ganglion::inf, "decay", GG_MIN_EXCLUSIVE),
      ganglion::choice("convention", "integral|peak", 0, "what the weight means")};
  static void step(const gg_view &) {}
  static void current(const gg_view &) {}
};

struct FakeBadNest {
  static constexpr const char *name = "fake_bad_nest";
  static constexpr gg_kind kind = GG_KIND_SYNAPSE;
  static constexpr const char *doc = "NEST-style, without its peak unit";
  static constexpr const char *weight_unit = "mV";
  enum Field { convention, count };
  static constexpr gg_field fields[] = {
      ganglion::choice("convention", "integral|peak", 1, "what the weight means")};
  static void step(const gg_view &) {}
  static void current(const gg_view &) {}
};

// Plasticity rules: fake_istdp acts on fake_exp only; fake_stdp (acts_on NULL) on any synapse
// that carries spikes; gpu_stdp is fake_stdp with a CUDA implementation only.
struct FakeIstdp {
  static constexpr const char *name = "fake_istdp";
  static constexpr gg_kind kind = GG_KIND_PLASTICITY;
  static constexpr const char *doc = "inhibitory STDP for loader tests";
  static constexpr const char *acts_on = "fake_exp";
  enum Field { eta, rho, w_min, w_max, z, x_pre, y, count };
  static constexpr gg_field fields[] = {
      ganglion::param("eta", "1", 1e-3, 0, ganglion::inf, "learning rate"),
      ganglion::param("rho", "Hz", 5, 0, ganglion::inf, "target rate"),
      ganglion::param("w_min", "mV", 0, -ganglion::inf, ganglion::inf, "lowest weight"),
      ganglion::param("w_max", "mV", 10, -ganglion::inf, ganglion::inf, "highest weight"),
      ganglion::state("z", "1", 0, 0, ganglion::inf, "a postsynaptic variable"),
      ganglion::pre_trace("x_pre", "1", "presynaptic trace"),
      ganglion::trace("y", "1", "postsynaptic trace")};
  static void step(const gg_view &) {}
  static std::string validate(const double *v) {
    if (v[w_min] < v[w_max]) return "";
    return "w_min (" + format_value(v[w_min], "mV") + ") must be below w_max (" +
           format_value(v[w_max], "mV") + ")";
  }
};

struct FakeStdp {
  static constexpr const char *name = "fake_stdp";
  static constexpr gg_kind kind = GG_KIND_PLASTICITY;
  static constexpr const char *doc = "pair STDP on any spiking synapse";
  enum Field { A, x, count };
  static constexpr gg_field fields[] = {
      ganglion::param("A", "1", 0.01, 0, ganglion::inf, "amplitude"),
      ganglion::pre_trace("x", "1", "presynaptic trace")};
  static void step(const gg_view &) {}
};

// A recorder of projections (their weights).
struct FakeWeights {
  static constexpr const char *name = "weights";
  static constexpr gg_kind kind = GG_KIND_RECORDER;
  static constexpr const char *doc = "records weights";
  static constexpr bool records_projection = true;
  enum Field { digits, count };
  static constexpr gg_field fields[] = {
      ganglion::param("digits", "1", 6, 1, 17, "significant digits")};
  static void step(const gg_view &) {}
};

template <class P> const gg_descriptor *descriptor_of() {
  return &ganglion::detail::Tables<P>::descriptor;
}

// CUDA hooks, as though a companion library were open: the loader only asks whether there are.
gg_status no_cuda_step(const gg_cuda_view *, gg_error *) {
  return GG_OK;
}
const gg_cuda_hooks kCudaHooks{
    sizeof(gg_cuda_hooks), GG_ABI_MAJOR, GG_ABI_MINOR, 13000, 0u, nullptr, nullptr,
    &no_cuda_step,         nullptr,      nullptr,      -1,    -1, nullptr, nullptr};

// A copy of P's descriptor named `name`, without its CPU hooks where `cpu` is false.
template <class P> const gg_descriptor *renamed(const char *name, bool cpu) {
  static std::deque<gg_descriptor> kept; // addresses that stay valid
  gg_descriptor &copy = kept.emplace_back(*descriptor_of<P>());
  copy.name = name;
  if (!cpu) copy.cpu = nullptr;
  return &copy;
}

PluginRegistry &registry() {
  static PluginRegistry r = [] {
    PluginRegistry reg;
    auto add = [&](const gg_descriptor *d, bool cuda = false) {
      LoadedPlugin p;
      p.name = d->name;
      p.path = std::string("/fake/libganglion_") + d->name + ".so";
      p.desc = d;
      p.cuda = cuda ? &kCudaHooks : nullptr;
      reg.add(p);
    };
    add(descriptor_of<FakeLif>());
    add(descriptor_of<FakePoisson>());
    add(descriptor_of<FakeExp>());
    add(descriptor_of<FakeSpikes>());
    add(descriptor_of<FakeState>());
    add(descriptor_of<FakeRates>());
    add(renamed<FakeLif>("gpu_lif", false), true); // a CUDA implementation only
    add(renamed<FakeLif>("dual_lif", true), true); // both
    add(descriptor_of<FakeTimes>());
    add(descriptor_of<FakeRate>());
    add(descriptor_of<FakeRateSyn>());
    add(descriptor_of<FakeNest>());
    add(descriptor_of<FakeBadNest>());
    add(descriptor_of<FakeIstdp>());
    add(descriptor_of<FakeStdp>());
    add(renamed<FakeStdp>("gpu_stdp", false), true);
    add(descriptor_of<FakeWeights>());
    return reg;
  }();
  return r;
}

const std::string base = R"json({
  "ganglion": 1,
  "description": "loader test",
  "simulation": {"dt": "0.1 ms", "duration": "100 ms", "seed": 7},
  "populations": {
    "E": {"model": "fake_lif", "size": 80, "params": {"tau_m": "15 ms"},
          "init": {"V": {"uniform": ["-70 mV", "-60 mV"]}}},
    "I": {"model": "fake_lif", "size": 20},
    "X": {"model": "fake_poisson", "size": 50, "params": {"rate": "10 Hz"}}
  },
  "projections": [
    {"pre": "E", "post": "I", "synapse": "fake_exp", "params": {"tau": "8 ms"},
     "connect": {"rule": "fixed_probability", "p": 0.1},
     "weight": {"value": 25, "scale": "1/sqrt(N)"}},
    {"pre": "X", "post": "E", "synapse": "fake_exp",
     "connect": {"rule": "fixed_indegree", "indegree": 10},
     "weight": "0.5 mV", "delay": "1.5 ms"}
  ],
  "recorders": [
    {"type": "spikes"},
    {"type": "state", "population": "E", "variables": ["V"], "neurons": [0, 1], "every": "1 ms"}
  ],
  "output": "out.h5"
})json";

Experiment load(const std::vector<std::string> &overrides = {}, const std::string &text = base) {
  return load_experiment_text(text, "x.json", "", overrides, registry());
}

std::string error_of(const std::vector<std::string> &overrides, const std::string &text = base) {
  try {
    load(overrides, text);
  } catch (const ConfigError &e) {
    return e.what();
  }
  FAIL("no ConfigError for the overrides " << doctest::toString(overrides.size()));
  return "";
}

} // namespace

TEST_CASE("loader: a valid experiment resolves to populations, projections and recorders") {
  Experiment ex = load();
  CHECK(ex.source == "x.json");
  CHECK(ex.simulation.dt == 0.1);
  CHECK(ex.simulation.duration == 100);
  CHECK(ex.simulation.n_steps == 1000);
  CHECK(ex.simulation.seed == 7);
  CHECK(ex.simulation.threads == 0);
  CHECK(ex.simulation.backend == GG_BACKEND_CPU);
  CHECK(ex.output == "out.h5");

  REQUIRE(ex.populations.size() == 3);
  const auto &e = ex.populations[0];
  CHECK(e.name == "E"); // the file's order, not alphabetical
  CHECK(ex.populations[1].name == "I");
  CHECK(ex.populations[2].name == "X");
  CHECK(e.pointer == "/populations/E");
  CHECK(e.plugin->name == "fake_lif");
  CHECK(e.first_gid == 0);
  CHECK(ex.populations[1].first_gid == 80);
  CHECK(ex.populations[2].first_gid == 100);
  CHECK(e.receives_input);
  CHECK(ex.populations[1].receives_input);
  CHECK_FALSE(ex.populations[2].receives_input);
  REQUIRE(e.values.size() == FakeLif::count);
  CHECK(e.values[FakeLif::tau_m].kind == ValueSpec::Kind::Constant);
  CHECK(e.values[FakeLif::tau_m].a == 15);
  CHECK(e.values[FakeLif::V_th].a == -50); // the default
  CHECK(e.values[FakeLif::method].a == 0);
  CHECK(e.values[FakeLif::V].kind == ValueSpec::Kind::Uniform);
  CHECK(e.values[FakeLif::V].a == -70);
  CHECK(e.values[FakeLif::V].b == -60);
  CHECK(ex.populations[2].values[FakePoisson::rate].a == 10);

  REQUIRE(ex.projections.size() == 2);
  const auto &ei = ex.projections[0];
  CHECK(ei.name == "E->I");
  CHECK(ei.pointer == "/projections/0");
  CHECK(ei.pre == 0);
  CHECK(ei.post == 1);
  CHECK(ei.synapse->name == "fake_exp");
  CHECK(ei.values[FakeExp::tau].a == 8);
  CHECK(ei.rule == ConnectRule::FixedProbability);
  CHECK(ei.p == 0.1);
  // 1/sqrt(N) with N = E + I, the populations that receive input (the source X is not counted).
  CHECK(ei.weight_scale == doctest::Approx(0.1));
  CHECK(ei.weight == doctest::Approx(2.5));
  CHECK(ei.delay == 0.1); // default: one step
  CHECK(ei.delay_steps == 1);
  CHECK(ei.stream == 1);
  const auto &xe = ex.projections[1];
  CHECK(xe.rule == ConnectRule::FixedIndegree);
  CHECK(xe.indegree == 10);
  CHECK(xe.allow_multapses);
  CHECK(xe.weight == 0.5);
  CHECK(xe.weight_scale == 1);
  CHECK(xe.delay == 1.5);
  CHECK(xe.delay_steps == 15);
  CHECK(xe.stream == 2);

  // "spikes" with no populations records all three; "state" one.
  REQUIRE(ex.recorders.size() == 4);
  CHECK(ex.recorders[0].population == 0);
  CHECK(ex.recorders[2].population == 2);
  CHECK(ex.recorders[2].pointer == "/recorders/0");
  const auto &state = ex.recorders[3];
  CHECK(state.plugin->name == "state");
  CHECK(state.population == 0);
  CHECK(state.variables == std::vector<uint32_t>{FakeLif::V});
  CHECK(state.variable_names == std::vector<std::string>{"V"});
  CHECK(state.neurons == std::vector<uint32_t>{0, 1});
  CHECK(state.every == 10);
  CHECK(state.values[FakeState::scale].a == 1);
}

TEST_CASE("loader: the resolved experiment has every default and loads to the same experiment") {
  Experiment ex = load();
  const auto &r = ex.resolved;
  CHECK(r["simulation"]["dt"] == "0.1 ms");
  CHECK(r["simulation"]["duration"] == "100 ms");
  CHECK(r["simulation"]["threads"] == 0);
  CHECK(r["simulation"]["backend"] == "cpu");
  CHECK(r["populations"].begin().key() == "E");
  CHECK(r["populations"]["E"]["params"]["tau_m"] == "15 ms");
  CHECK(r["populations"]["I"]["params"]["tau_m"] == "10 ms");
  CHECK(r["populations"]["I"]["params"]["method"] == "exact");
  CHECK(r["populations"]["I"]["init"]["V"] == "-65 mV");
  CHECK(r["populations"]["E"]["init"]["V"]["uniform"][1] == "-60 mV");
  CHECK(r["populations"]["E"]["backend"] == "cpu");
  CHECK_FALSE(r["populations"]["E"]["init"].contains("x")); // traces are not settable
  CHECK(r["projections"][0]["name"] == "E->I");
  CHECK(r["projections"][0]["delay"] == "0.1 ms");
  CHECK(r["projections"][0]["weight"]["N"] == 100);
  CHECK(r["projections"][0]["connect"]["autapses"] == true);
  CHECK(r["projections"][1]["weight"]["value"] == "0.5 mV");
  CHECK(r["recorders"][0]["populations"] == nlohmann::ordered_json::array({"E", "I", "X"}));
  CHECK(r["recorders"][1]["every"] == "1 ms");

  Experiment again = load({}, r.dump());
  CHECK(again.resolved == r);
  CHECK(again.simulation.n_steps == ex.simulation.n_steps);
  CHECK(again.projections[0].weight == ex.projections[0].weight);
  CHECK(again.populations[0].values[FakeLif::V].b == ex.populations[0].values[FakeLif::V].b);
}

TEST_CASE("loader: --set overrides change the document before it is validated") {
  Experiment ex =
      load({"populations.E.size=160", "simulation.dt=0.05 ms", "projections.1.connect.indegree=20",
            "populations.I.params.method=euler", "simulation.backend=cpu"});
  CHECK(ex.populations[0].size == 160);
  CHECK(ex.populations[1].first_gid == 160);
  CHECK(ex.simulation.dt == 0.05);
  CHECK(ex.simulation.n_steps == 2000);
  CHECK(ex.projections[1].indegree == 20);
  CHECK(ex.projections[1].delay_steps == 30);
  CHECK(ex.populations[1].values[FakeLif::method].a == 1);
  CHECK(ex.resolved["populations"]["E"]["size"] == 160);
}

TEST_CASE("loader: apply_override parses values and refuses paths that do not exist") {
  nlohmann::json doc = {{"populations", {{"E", {{"size", 1}}}}}, {"recorders", {{{"type", "s"}}}}};
  apply_override(doc, "populations.E.size=16000");
  CHECK(doc["populations"]["E"]["size"] == 16000);
  apply_override(doc, "populations.E.init.V=-60"); // a missing "init" (or "params") is made
  CHECK(doc["populations"]["E"]["init"]["V"] == -60);
  apply_override(doc, "populations.E.params={\"tau_m\": \"15 ms\"}");
  CHECK(doc["populations"]["E"]["params"]["tau_m"] == "15 ms");
  apply_override(doc, "populations.E.params.tau_m=20 ms"); // not JSON: a string
  CHECK(doc["populations"]["E"]["params"]["tau_m"] == "20 ms");
  apply_override(doc, "recorders.0.type=rates");
  CHECK(doc["recorders"][0]["type"] == "rates");
  apply_override(doc, "populations.E.backend=cuda");
  CHECK(doc["populations"]["E"]["backend"] == "cuda");

  auto error = [&](const std::string &assignment) {
    try {
      apply_override(doc, assignment);
    } catch (const ConfigError &e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  CHECK(error("populations.F.params.tau_m=1") ==
        "--set populations.F.params.tau_m=1: 'populations' has no key 'F' (its keys: E); to add "
        "a whole object, set it as JSON, e.g. --set populations.F='{...}'");
  CHECK(error("populatons.E.size=1")
            .find("the experiment has no key 'populatons' (did you mean "
                  "'populations'?) (its keys: populations, recorders)") != std::string::npos);
  CHECK(error("recorders.3.type=x") ==
        "--set recorders.3.type=x: 'recorders' is a list of 1 items; '3' is not one of its "
        "indices (0 to 0)");
  CHECK(error("populations.E.size.x=1") ==
        "--set populations.E.size.x=1: 'populations.E.size' is number 16000, which has no 'x' "
        "inside");
  CHECK(error("populations.E.size") ==
        "--set populations.E.size: expected PATH=VALUE, e.g. --set populations.E.size=16000");
}

TEST_CASE("loader: unknown keys name the object, suggest a spelling and list the known keys") {
  CHECK(error_of({"populations.E.szie=5"}) ==
        "x.json: /populations/E: unknown key 'szie' (did you mean 'size'?); known keys: model, "
        "size, params, init, I_app, dale, backend");
  CHECK(error_of({"simulation.step=1"}) ==
        "x.json: /simulation: unknown key 'step'; known keys: dt, duration, seed, threads, "
        "backend, delivery, dale");
  CHECK(error_of({"projections.0.connect.autapse=false"}) ==
        "x.json: /projections/0/connect: unknown key 'autapse' (did you mean 'autapses'?); known "
        "keys: rule, p, autapses");
  CHECK(error_of({"outptu=1"}).rfind("x.json: unknown key 'outptu' (did you mean 'output'?)", 0) ==
        0);
}

TEST_CASE("loader: parameter values are converted, range-checked and type-checked") {
  CHECK(error_of({"populations.E.params.tau_m=-5 ms"}) ==
        "x.json: /populations/E/params/tau_m: -5 ms is out of range (0, inf) ms");
  CHECK(error_of({"populations.E.params.tau_m=0"}) ==
        "x.json: /populations/E/params/tau_m: 0 ms is out of range (0, inf) ms");
  CHECK(error_of({"populations.E.params.tau_m=15 mV"}) ==
        "x.json: /populations/E/params/tau_m: \"15 mV\" has the wrong dimension: tau_m is in ms (a "
        "time), but mV is a voltage");
  CHECK(error_of({"populations.E.init.V={\"uniform\": [\"-70 mV\", \"2000 mV\"]}"}) ==
        "x.json: /populations/E/init/V/uniform/1: 2000 mV is out of range [-1000, 1000] mV");
  CHECK(error_of({"populations.E.init.V={\"uniform\": [\"-50 mV\", \"-60 mV\"]}"}) ==
        "x.json: /populations/E/init/V/uniform: the low end -50 mV is above the high end -60 mV");
  CHECK(error_of({"populations.E.params.tau_m=true"}) ==
        "x.json: /populations/E/params/tau_m: expected a value like \"2.5 ms\", a list of one "
        "value per neuron, or one of {\"uniform\": [lo, hi]}, {\"normal\": [mean, std]}, "
        "{\"lognormal\": [mean, std]} or {\"schedule\": [[t, value], ...]}, got true");
  CHECK(error_of({"populations.E.params.tau_m={\"uniform\": [1]}"}) ==
        "x.json: /populations/E/params/tau_m/uniform: expected two values, like [\"-75 mV\", "
        "\"-55 mV\"], got [1]");
  CHECK(error_of({"populations.E.params.tau_m={\"gauss\": [1, 2]}"}) ==
        "x.json: /populations/E/params/tau_m: unknown distribution 'gauss'; use one of: uniform, "
        "normal, lognormal, schedule");

  Experiment ex = load({"populations.E.params.tau_m={\"uniform\": [\"10 ms\", \"0.02 s\"]}"});
  CHECK(ex.populations[0].values[FakeLif::tau_m].kind == ValueSpec::Kind::Uniform);
  CHECK(ex.populations[0].values[FakeLif::tau_m].b == 20);
}

TEST_CASE("loader: normal and lognormal draws, for initial values and parameters") {
  Experiment ex = load({"populations.E.init.V={\"normal\": [\"-65 mV\", \"5 mV\"]}"});
  CHECK(ex.populations[0].values[FakeLif::V].kind == ValueSpec::Kind::Normal);
  CHECK(ex.populations[0].values[FakeLif::V].a == -65);
  CHECK(ex.populations[0].values[FakeLif::V].b == 5);
  CHECK(ex.resolved["populations"]["E"]["init"]["V"]["normal"][1] == "5 mV");
  CHECK(error_of({"populations.E.init.V={\"normal\": [\"-65 mV\", \"-1 mV\"]}"}) ==
        "x.json: /populations/E/init/V/normal/1: the standard deviation must be >= 0 and finite, "
        "got -1 mV");

  // A parameter may be drawn too; only the mean is range-checked (the engine draws again where a
  // value falls out of range).
  ex = load({"populations.E.params.tau_m={\"normal\": [\"15 ms\", \"20 ms\"]}",
             "populations.I.params.tau_m={\"lognormal\": [\"0.02 s\", \"4 ms\"]}"});
  const ValueSpec &normal = ex.populations[0].values[FakeLif::tau_m];
  CHECK(normal.kind == ValueSpec::Kind::Normal);
  CHECK(normal.a == 15);
  CHECK(normal.b == 20);
  const ValueSpec &lognormal = ex.populations[1].values[FakeLif::tau_m];
  CHECK(lognormal.kind == ValueSpec::Kind::LogNormal);
  CHECK(lognormal.a == 20);
  CHECK(lognormal.b == 4);
  CHECK(ex.resolved["populations"]["I"]["params"]["tau_m"] ==
        nlohmann::ordered_json::parse(R"({"lognormal": ["20 ms", "4 ms"]})"));
  CHECK(error_of({"populations.E.params.tau_m={\"normal\": [-1, 1]}"}) ==
        "x.json: /populations/E/params/tau_m/normal/0: -1 ms is out of range (0, inf) ms");
  CHECK(error_of({"populations.E.params.V_th={\"lognormal\": [\"-50 mV\", \"1 mV\"]}"}) ==
        "x.json: /populations/E/params/V_th/lognormal/0: the mean of a lognormal (of the value "
        "itself) must be > 0, got -50 mV");
  CHECK(error_of({"populations.E.params.tau_m={\"lognormal\": [10, \"inf ms\"]}"}) ==
        "x.json: /populations/E/params/tau_m/lognormal/1: the standard deviation must be >= 0 and "
        "finite, got inf ms");
  CHECK(load({"populations.E.init.V={\"lognormal\": [5, 1]}"})
            .populations[0]
            .values[FakeLif::V]
            .kind == ValueSpec::Kind::LogNormal);
  // The validate hook sees the mean.
  CHECK(error_of({"populations.I.params.V_re={\"normal\": [\"-40 mV\", \"1 mV\"]}"}) ==
        "x.json: /populations/I: V_re (-40 mV) must be below V_th (-50 mV)");
}

TEST_CASE("loader: params and init hold the fields of their role") {
  CHECK(error_of({"populations.E.params.V=-60"}) ==
        "x.json: /populations/E/params/V: V is a state variable of 'fake_lif'; set its initial "
        "value in \"init\", not \"params\"");
  CHECK(error_of({"populations.E.init.tau_m=5"}) ==
        "x.json: /populations/E/init/tau_m: tau_m is a parameter of 'fake_lif'; put it in "
        "\"params\", not \"init\"");
  CHECK(error_of({"populations.E.init.x=1"}) ==
        "x.json: /populations/E/init/x: x is an internal variable of 'fake_lif' that the model "
        "computes itself; it cannot be set");
  CHECK(error_of({"populations.E.params.tau=5"}) ==
        "x.json: /populations/E/params/tau: 'fake_lif' has no parameter 'tau' (did you mean "
        "'tau_m'?); its parameters: tau_m, V_th, V_re, method");
}

TEST_CASE("loader: a choice takes one of its words") {
  CHECK(error_of({"populations.E.params.method=rk4"}) ==
        "x.json: /populations/E/params/method: unknown choice 'rk4' for method; choose one of: "
        "exact, euler");
  CHECK(error_of({"populations.E.params.method=1"}) ==
        "x.json: /populations/E/params/method: method takes one of the words exact, euler, got 1");
}

TEST_CASE("loader: the plugin's validate hook sees the values and its message is reported") {
  CHECK(error_of({"populations.I.params.V_re=-40 mV"}) ==
        "x.json: /populations/I: V_re (-40 mV) must be below V_th (-50 mV)");
  // A uniform is checked at its low end.
  CHECK(load({"populations.I.params.V_re={\"uniform\": [\"-60 mV\", \"-55 mV\"]}"})
            .populations[1]
            .values[FakeLif::V_re]
            .a == -60);
}

TEST_CASE("loader: models must be neuron plugins that exist") {
  std::string unknown = error_of({"populations.E.model=fake_lfi"});
  CHECK(unknown.rfind(
            "x.json: /populations/E/model: unknown neuron model 'fake_lfi' (did you "
            "mean 'fake_lif'?); known: fake_lif, fake_poisson, gpu_lif, dual_lif, fake_times, fake_rate.",
            0) == 0);
  CHECK(unknown.find("GANGLION_PLUGIN_PATH") != std::string::npos);
  CHECK(unknown.find("\"plugins\"") != std::string::npos);
  CHECK(error_of({"populations.E.model=fake_exp"}) ==
        "x.json: /populations/E/model: 'fake_exp' is a synapse plugin, not a neuron model; neuron "
        "models: fake_lif, fake_poisson, gpu_lif, dual_lif, fake_times, fake_rate");
  CHECK(error_of({"populations.E.size=0"}) ==
        "x.json: /populations/E/size: the size must be between 1 and 4294967295, got 0");
  CHECK(error_of({"populations.E.size=-3"}) ==
        "x.json: /populations/E/size: expected a positive number of neurons, got -3");
  CHECK(error_of({"populations.E.size=2.5"}) ==
        "x.json: /populations/E/size: expected a positive number of neurons, got 2.5");
  CHECK(error_of({}, R"({"populations": {"E-1": {"model": "fake_lif", "size": 1}}})") ==
        "x.json: /populations/E-1: 'E-1' is not a valid population name: use letters, digits and "
        "'_', not starting with a digit");
  CHECK(error_of({}, R"({"simulation": {}})").rfind("x.json: no \"populations\"", 0) == 0);
}

TEST_CASE("loader: an item runs where its plugin has hooks and this build's engine runs them") {
  const ganglion::test::CpuOnlyEngine cpu_only; // (as built without CUDA)
  CHECK(error_of({"populations.E.backend=cuda"}) ==
        "x.json: /populations/E/backend: plugin 'fake_lif' (/fake/libganglion_fake_lif.so): no "
        "'cuda' implementation (available: cpu); set \"backend\": \"cpu\"");
  CHECK(error_of({"populations.E.backend=gpu"}) ==
        "x.json: /populations/E/backend: unknown backend 'gpu'; use \"cpu\" or \"cuda\"");
  // This build's engine runs the CPU only (engine/backend.hpp): a plugin with only CUDA hooks
  // cannot run anywhere, and asking for "cuda" is refused whatever the plugin has.
  REQUIRE(ganglion::engine_backends() == std::vector<std::string>{"cpu"});
  CHECK(error_of({"populations.I.model=gpu_lif"}) ==
        "x.json: /populations/I: plugin 'gpu_lif' (/fake/libganglion_gpu_lif.so): no 'cpu' "
        "implementation (available: cuda); this ganglion's engine runs cpu only: use a model "
        "with a 'cpu' implementation");
  CHECK(error_of({"populations.I.model=gpu_lif", "populations.I.backend=cuda"}) ==
        "x.json: /populations/I/backend: plugin 'gpu_lif' (/fake/libganglion_gpu_lif.so): "
        "backend 'cuda' is not built into this ganglion (its engine runs: cpu); the plugin has no "
        "other implementation: use a model with a 'cpu' implementation");
  CHECK(error_of({"populations.I.model=dual_lif", "populations.I.backend=cuda"}) ==
        "x.json: /populations/I/backend: plugin 'dual_lif' (/fake/libganglion_dual_lif.so): "
        "backend 'cuda' is not built into this ganglion (its engine runs: cpu); set \"backend\": "
        "\"cpu\"");
  CHECK(error_of({"simulation.backend=cuda"}) ==
        "x.json: /simulation/backend: backend 'cuda' is not built into this ganglion (its engine "
        "runs: cpu); set \"backend\": \"cpu\"");
  Experiment ex = load({"populations.I.model=dual_lif", "populations.I.backend=cpu"});
  CHECK(ex.populations[1].backend == GG_BACKEND_CPU);
  CHECK(ex.populations[0].backend == GG_BACKEND_CPU);
}

TEST_CASE("loader: with the device engine a network may run on both backends, a projection with "
          "its postsynaptic population") {
  if (ganglion::device_engine_path().empty()) {
    MESSAGE("built without CUDA: no device engine, no cuda to split a network with");
    return;
  }
  // I on cuda, E on the CPU: the projections onto I run with it, and so need their synapse's
  // CUDA implementation, which the fake exponential synapse lacks.
  CHECK(error_of({"populations.I.model=dual_lif", "populations.I.backend=cuda"}) ==
        "x.json: /projections/0: plugin 'fake_exp' (/fake/libganglion_fake_exp.so): no 'cuda' "
        "implementation (available: cpu); its postsynaptic population 'I' runs on 'cuda', and a "
        "projection runs with it: use a synapse with a 'cuda' implementation, or set population "
        "'I' to \"cpu\"");
  // A plugin with only CUDA hooks now runs, on cuda.
  CHECK(error_of({"populations.I.model=gpu_lif"}) ==
        "x.json: /populations/I: plugin 'gpu_lif' (/fake/libganglion_gpu_lif.so): no 'cpu' "
        "implementation (available: cuda); the simulation's backend is 'cpu': set \"backend\": "
        "\"cuda\" here");
}

TEST_CASE("loader: the GPU's delivery order is atomic unless \"ordered\" is asked for") {
  CHECK_FALSE(load({"simulation.seed=5"}).simulation.ordered_delivery); // (the default)
  CHECK(load({"simulation.delivery=ordered"}).simulation.ordered_delivery);
  CHECK_FALSE(load({"simulation.delivery=atomic"}).simulation.ordered_delivery);
  CHECK(error_of({"simulation.delivery=fast"}) ==
        "x.json: /simulation/delivery: unknown delivery 'fast'; use \"atomic\" (the default: a "
        "GPU adds arrivals in any order) or \"ordered\" (in the CPU's order, giving its bits)");
}

TEST_CASE("loader: a projection runs with its postsynaptic population, and says so where it "
          "names another backend") {
  CHECK(error_of({"projections.0.backend=cuda"}) ==
        "x.json: /projections/0/backend: \"cuda\" but its postsynaptic population 'I' runs on "
        "\"cpu\"; a projection runs with its postsynaptic population: remove \"backend\" here, "
        "or set population 'I' to \"cuda\"");
  Experiment ex = load({"projections.1.backend=cpu"}); // its post's: allowed, and inherited
  CHECK(ex.projections[1].backend == GG_BACKEND_CPU);
  CHECK(ex.projections[0].backend == GG_BACKEND_CPU);
}

TEST_CASE("loader: simulation times must be positive whole numbers of steps") {
  CHECK(error_of({"simulation.dt=-0.1 ms"}) ==
        "x.json: /simulation/dt: dt must be positive, got -0.1 ms");
  CHECK(error_of({"simulation.duration=100.05 ms"}) ==
        "x.json: /simulation/duration: 100.05 ms is not a whole number of steps of dt = 0.1 ms; "
        "use 100 ms or 100.1 ms");
  CHECK(error_of({"simulation.duration=1e300 s"}) ==
        "x.json: /simulation/duration: 1e+303 ms is too many steps of dt = 0.1 ms");
  CHECK(error_of({"simulation.seed=-1"}) ==
        "x.json: /simulation/seed: expected a non-negative integer seed, got -1");
  Experiment ex = load({"simulation.duration=1 s", "simulation.dt=0.01 ms"});
  CHECK(ex.simulation.n_steps == 100000);
  Experiment defaults = load({}, R"({"populations": {"E": {"model": "fake_lif", "size": 3}}})");
  CHECK(defaults.simulation.dt == 0.1);
  CHECK(defaults.simulation.n_steps == 10000);
  CHECK(defaults.simulation.seed == 1);
  CHECK(defaults.output == "");
  CHECK(error_of({}, R"({"ganglion": 2, "populations": {}})") ==
        "x.json: /ganglion: this ganglion reads experiment format 1, and this file says 2");
}

TEST_CASE("loader: projections connect existing populations with sound rules") {
  CHECK(error_of({"projections.0.pre=EE"}) ==
        "x.json: /projections/0/pre: unknown population 'EE' (did you mean 'E'?); populations: E, "
        "I, X");
  CHECK(error_of({"projections.0.post=X"}) ==
        "x.json: /projections/0/post: population X (fake_poisson) is a spike source and takes no "
        "input; make it the 'pre' of the projection");
  CHECK(error_of({"projections.0.synapse=fake_lif"}) ==
        "x.json: /projections/0/synapse: 'fake_lif' is a neuron plugin, not a synapse; synapses: "
        "fake_exp, fake_rate_syn, fake_nest, fake_bad_nest");
  CHECK(error_of({"projections.0.connect.p=1.5"}) ==
        "x.json: /projections/0/connect/p: 1.5 is out of range [0, 1]");
  CHECK(error_of({"projections.1.connect.indegree=60", "projections.1.connect.multapses=false"}) ==
        "x.json: /projections/1/connect/indegree: an in-degree of 60 without multapses needs 60 "
        "distinct presynaptic neurons, but 'X' offers 50; lower it or set \"multapses\": true");
  CHECK(error_of({"projections.0.connect={\"rule\": \"one_to_one\"}"}) ==
        "x.json: /projections/0/connect: one_to_one needs populations of equal size, but 'E' has "
        "80 neurons and 'I' has 20");
  CHECK(error_of({"projections.0.connect={\"rule\": \"all_to_al\"}"}) ==
        "x.json: /projections/0/connect/rule: unknown rule 'all_to_al' (did you mean "
        "'all_to_all'?); rules: fixed_probability, fixed_indegree, fixed_outdegree, "
        "fixed_total_number, all_to_all, one_to_one");
  Experiment ex = load({"projections.0.connect={\"rule\": \"all_to_all\", \"autapses\": false}",
                        "projections.0.name=EI"});
  CHECK(ex.projections[0].rule == ConnectRule::AllToAll);
  CHECK_FALSE(ex.projections[0].allow_autapses);
  CHECK(ex.projections[0].name == "EI");
}

TEST_CASE("loader: weights are in the synapse's unit and scaled by 1/sqrt(N) or 1/sqrt(K)") {
  CHECK(load({"projections.0.weight={\"value\": 25, \"scale\": \"1/sqrt(N)\", \"N\": 10000}"})
            .projections[0]
            .weight == doctest::Approx(0.25));
  // K = p * N_pre = 0.1 * 80.
  Experiment k = load({"projections.0.weight={\"value\": \"2 mV\", \"scale\": \"1/sqrt(K)\"}"});
  CHECK(k.projections[0].weight_scale == doctest::Approx(1 / std::sqrt(8.0)));
  CHECK(k.projections[0].weight == doctest::Approx(2 / std::sqrt(8.0)));
  CHECK(load({"projections.1.weight={\"value\": 3, \"scale\": \"1/sqrt(K)\"}"})
            .projections[1]
            .weight == doctest::Approx(3 / std::sqrt(10.0)));
  CHECK(error_of({"projections.0.weight=0.5 ms"}) ==
        "x.json: /projections/0/weight: \"0.5 ms\" has the wrong dimension: the weight is in mV (a "
        "voltage), but ms is a time");
  CHECK(error_of({"projections.0.weight.scale=1/N"}) ==
        "x.json: /projections/0/weight/scale: unknown scale '1/N'; use one of: none, 1/sqrt(N), "
        "1/sqrt(K)");
  CHECK(error_of({"projections.1.weight={\"value\": 3, \"N\": 4}"}) ==
        "x.json: /projections/1/weight/N: \"N\" is only used with \"scale\": \"1/sqrt(N)\"");
}

TEST_CASE("loader: delays are whole numbers of steps, at least one") {
  CHECK(error_of({"projections.1.delay=0.05 ms"}) ==
        "x.json: /projections/1/delay: 0.05 ms is shorter than one step (dt = 0.1 ms)");
  CHECK(error_of({"projections.1.delay=0.15 ms"}) ==
        "x.json: /projections/1/delay: 0.15 ms is not a whole number of steps of dt = 0.1 ms; use "
        "0.1 ms or 0.2 ms");
  CHECK(load({"projections.1.delay=0.3 ms"}).projections[1].delay_steps == 3);
}

TEST_CASE("loader: recorders record existing variables and neurons") {
  CHECK(error_of({"recorders.1.variables=[\"VV\"]"}) ==
        "x.json: /recorders/1/variables/0: population E (fake_lif) has no variable 'VV' (did you "
        "mean 'V'?); it has: V, x");
  CHECK(error_of({"recorders.1.variables=[\"tau_m\"]"}) ==
        "x.json: /recorders/1/variables/0: tau_m is a parameter of fake_lif, constant during the "
        "run; variables to record: V, x");
  CHECK(error_of({"recorders.1.neurons=[0, 80]"}) ==
        "x.json: /recorders/1/neurons/1: neuron 80 does not exist: population E has 80 neurons (0 "
        "to 79)");
  CHECK(error_of({"recorders.1.every=0.25 ms"}) ==
        "x.json: /recorders/1/every: 0.25 ms is not a whole number of steps of dt = 0.1 ms; use "
        "0.2 ms or 0.3 ms");
  CHECK(error_of({"recorders.1.populations=[\"I\"]"}) ==
        "x.json: /recorders/1: give either \"population\" or \"populations\", not both");
  CHECK(
      error_of({"recorders.0.type=spike"})
          .rfind(
              "x.json: /recorders/0/type: unknown recorder type 'spike' (did you mean 'spikes'?); "
              "known: spikes, state, rates, weights.",
              0) == 0);

  Experiment ex = load({"recorders.0={\"type\": \"rates\", \"populations\": [\"I\", \"E\"], "
                        "\"params\": {\"bin\": \"20 ms\"}}"});
  REQUIRE(ex.recorders.size() == 3);
  CHECK(ex.recorders[0].population == 1); // the listed order
  CHECK(ex.recorders[1].population == 0);
  CHECK(ex.recorders[0].values[FakeRates::bin].a == 20);
  CHECK(ex.resolved["recorders"][0]["params"]["bin"] == "20 ms");
  CHECK(error_of({"recorders.0={\"type\": \"rates\", \"params\": {\"bin\": \"-1 ms\"}}"}) ==
        "x.json: /recorders/0/params/bin: -1 ms is out of range (0, inf) ms");
  CHECK(error_of({"recorders.0={\"type\": \"rates\", \"params\": {\"bn\": \"1 ms\"}}"}) ==
        "x.json: /recorders/0/params/bn: 'rates' has no parameter 'bn' (did you mean 'bin'?); its "
        "parameters: bin");
}

TEST_CASE("loader: malformed JSON reports the line and column") {
  std::string e = error_of({}, "{\n  \"populations\": {},\n  oops\n}");
  CHECK(e.rfind("x.json:3:3: malformed JSON: syntax error while parsing object key", 0) == 0);
  CHECK(error_of({}, "").rfind("x.json:1:1: malformed JSON: ", 0) == 0);
  CHECK(error_of({}, "[1, 2]") ==
        "x.json: an experiment is a JSON object, {\"simulation\": ..., \"populations\": ...}, got "
        "[1,2]");
}

TEST_CASE("loader: files, relative plugin paths and unreadable files") {
  ganglion::test::TempDir dir;
  std::string path = ganglion::test::write_file(dir / "exp.json", base);
  Experiment ex = load_experiment(path, {"populations.I.size=30"}, registry());
  CHECK(ex.source == path);
  CHECK(ex.populations[1].size == 30);

  std::string with_plugin = R"({"plugins": ["missing/libganglion_nothing.so"],
                                "populations": {"E": {"model": "fake_lif", "size": 3}}})";
  std::string plugin_path = ganglion::test::write_file(dir / "plugin.json", with_plugin);
  try {
    load_experiment(plugin_path, {}, registry());
    FAIL("a missing plugin library loaded");
  } catch (const ConfigError &e) {
    std::string message = e.what();
    // Relative to the experiment's folder, not the working directory.
    CHECK(message.rfind(plugin_path + ": /plugins/0: " + (dir / "missing/libganglion_nothing.so") +
                            ": no such file or folder",
                        0) == 0);
  }

  try {
    load_experiment(dir / "absent.json", {}, registry());
    FAIL("a missing file loaded");
  } catch (const ConfigError &e) {
    CHECK(std::string(e.what()).rfind(dir / "absent.json" + ": cannot read the experiment file",
                                      0) == 0);
  }
}

namespace {

// The base experiment changed by `edit` (for changes --set cannot make, such as a new projection).
std::string edited(const std::function<void(nlohmann::ordered_json &)> &edit) {
  auto doc = nlohmann::ordered_json::parse(base);
  edit(doc);
  return doc.dump();
}

std::string with_projection(const std::string &projection) {
  return edited([&](nlohmann::ordered_json &doc) {
    doc["projections"].push_back(nlohmann::ordered_json::parse(projection));
  });
}

// A JSON list of n values: first, then `rest` repeated.
std::string json_list(size_t n, const std::string &first, const std::string &rest) {
  std::string out = "[" + first;
  for (size_t k = 1; k < n; ++k)
    out += ", " + rest;
  return out + "]";
}

} // namespace

TEST_CASE("loader: per-neuron lists give one value per element") {
  std::string list = "[";
  for (int k = 0; k < 80; ++k)
    list += (k ? ", " : "") + std::to_string(10 + k);
  list += "]";
  Experiment ex = load({"populations.E.params.tau_m=" + list,
                        "populations.I.params.V_th=" + json_list(20, "\"-0.05 V\"", "\"-52 mV\""),
                        "populations.I.init.V=" + json_list(20, "-70", "\"-60 mV\"")});
  const ValueSpec &tau = ex.populations[0].values[FakeLif::tau_m];
  CHECK(tau.kind == ValueSpec::Kind::List);
  REQUIRE(tau.list.size() == 80);
  CHECK(tau.list[0] == 10);
  CHECK(tau.list[79] == 89);
  CHECK(tau.a == 10); // element 0
  const ValueSpec &th = ex.populations[1].values[FakeLif::V_th];
  CHECK(th.kind == ValueSpec::Kind::List);
  CHECK(th.list[0] == -50); // units per element
  CHECK(th.list[1] == -52);
  CHECK(ex.populations[1].values[FakeLif::V].list[19] == -60);
  CHECK(ex.resolved["populations"]["I"]["params"]["V_th"][0] == "-50 mV");
  CHECK(ex.resolved["populations"]["E"]["params"]["tau_m"][79] == "89 ms");

  CHECK(error_of({"populations.E.params.tau_m=[1, 2]"}) ==
        "x.json: /populations/E/params/tau_m: a list of 2 values, but population E has 80 "
        "neurons: give one value per neuron, or one value for all");
  CHECK(error_of({"populations.I.params.tau_m=" + json_list(20, "1", "1").replace(7, 1, "-1")}) ==
        "x.json: /populations/I/params/tau_m/2: -1 ms is out of range (0, inf) ms");
  CHECK(error_of({"populations.I.params.tau_m=" + json_list(20, "{\"uniform\": [1, 2]}", "1")}) ==
        "x.json: /populations/I/params/tau_m/0: expected a value like \"2.5 ms\", got "
        "{\"uniform\":[1,2]}");
  // A synapse's fields have one value per postsynaptic neuron.
  CHECK(load({"projections.0.params.tau=" + json_list(20, "3", "4")})
            .projections[0]
            .values[FakeExp::tau]
            .list[1] == 4);
  CHECK(error_of({"projections.0.params.tau=" + json_list(80, "3", "4")}) ==
        "x.json: /projections/0/params/tau: a list of 80 values, but the postsynaptic population I "
        "has 20 neurons: give one value per postsynaptic neuron, or one value for all");
  // A recorder spans populations: one value.
  CHECK(error_of({"recorders.0={\"type\": \"rates\", \"params\": {\"bin\": [1, 2]}}"}) ==
        "x.json: /recorders/0/params/bin: bin takes one value here, not a list of per-element "
        "values; got [1,2]");
  // The validate hook sees element 0.
  CHECK(error_of({"populations.I.params.V_re=" + json_list(20, "-40", "-60")}) ==
        "x.json: /populations/I: V_re (-40 mV) must be below V_th (-50 mV)");
  CHECK(load({"populations.I.params.V_re=" + json_list(20, "-60", "-40")})
            .populations[1]
            .values[FakeLif::V_re]
            .list[1] == -40);
}

TEST_CASE("loader: sequence fields take one list for all or one list per element") {
  const std::string s = "populations.S={\"model\": \"fake_times\", \"size\": 3, \"params\": "
                        "{\"times\": ";
  Experiment ex = load({s + "[\"1 ms\", 5, \"0.009 s\"]}}"});
  const ValueSpec &one = ex.populations[3].values[FakeTimes::times];
  CHECK(one.kind == ValueSpec::Kind::Sequences);
  REQUIRE(one.sequences.size() == 1);
  CHECK(one.sequences[0] == std::vector<double>{1, 5, 9});
  CHECK(ex.resolved["populations"]["S"]["params"]["times"] ==
        nlohmann::ordered_json::parse(R"(["1 ms", "5 ms", "9 ms"])"));
  CHECK_FALSE(ex.resolved["populations"]["S"].contains("I_app")); // a source takes no input

  ex = load({s + "[[1], [2, 2, 3], []]}}"});
  const ValueSpec &each = ex.populations[3].values[FakeTimes::times];
  REQUIRE(each.sequences.size() == 3);
  CHECK(each.sequences[1] == std::vector<double>{2, 2, 3});
  CHECK(each.sequences[2].empty());
  CHECK(ex.resolved["populations"]["S"]["params"]["times"][2] == nlohmann::ordered_json::array());

  // Unset: one empty sequence for all.
  ex = load({"populations.S={\"model\": \"fake_times\", \"size\": 3}"});
  CHECK(ex.populations[3].values[FakeTimes::times].kind == ValueSpec::Kind::Sequences);
  CHECK(ex.populations[3].values[FakeTimes::times].sequences ==
        std::vector<std::vector<double>>{{}});

  CHECK(error_of({s + "[1, 5, 3]}}"}) ==
        "x.json: /populations/S/params/times/2: the values of times must be sorted in ascending "
        "order, but item 2 (3 ms) is below item 1 (5 ms)");
  CHECK(error_of({s + "[[1], [2, 1], []]}}"}) ==
        "x.json: /populations/S/params/times/1/1: the values of times must be sorted in ascending "
        "order, but item 1 (1 ms) is below item 0 (2 ms)");
  CHECK(error_of({s + "[[1], [2]]}}"}) ==
        "x.json: /populations/S/params/times: a list of 2 sequences, but population S has 3 "
        "neurons: give one sequence per neuron, or one flat list for all");
  CHECK(error_of({s + "[[1], 2, [3]]}}"}) ==
        "x.json: /populations/S/params/times/1: expected a list like [\"2.5 ms\", ...] (one "
        "sequence per neuron), got 2");
  CHECK(error_of({s + "[1, [2]]}}"}) ==
        "x.json: /populations/S/params/times/1: expected a value like \"2.5 ms\", got [2] (a "
        "list of lists gives one sequence per element: then every item is a list)");
  CHECK(error_of({s + "[\"-1 ms\"]}}"}) ==
        "x.json: /populations/S/params/times/0: -1 ms is out of range [0, inf) ms");
  CHECK(error_of({s + "[\"1 mV\"]}}"}) ==
        "x.json: /populations/S/params/times/0: \"1 mV\" has the wrong dimension: times is in ms "
        "(a time), but mV is a voltage");
  // No other forms.
  std::string not_a_list = "x.json: /populations/S/params/times: times takes a list of values, "
                           "one list for every element like [\"2.5 ms\", ...], or one list per "
                           "element like [[\"2.5 ms\"], [], ...]; got ";
  CHECK(error_of({s + "5}}"}) == not_a_list + "5");
  CHECK(error_of({s + "{\"uniform\": [1, 2]}}}"}) == not_a_list + "{\"uniform\":[1,2]}");
  CHECK(error_of({s + "{\"schedule\": [[0, [1]]]}}}"}) == not_a_list + "{\"schedule\":[[0,[1]]]}");
}

TEST_CASE("loader: parameter schedules give a value at t = 0 and changes at later steps") {
  Experiment ex = load({"populations.X.params.rate={\"schedule\": [[\"0 ms\", \"5 Hz\"], [\"20 "
                        "ms\", \"0.02 kHz\"], [\"50 ms\", " +
                        json_list(50, "1", "\"2 Hz\"") + "]]}"});
  const PopulationSpec &x = ex.populations[2];
  CHECK(x.values[FakePoisson::rate].kind == ValueSpec::Kind::Constant);
  CHECK(x.values[FakePoisson::rate].a == 5);
  REQUIRE(x.schedules.size() == 1);
  CHECK(x.schedules[0].field == FakePoisson::rate);
  REQUIRE(x.schedules[0].changes.size() == 2);
  CHECK(x.schedules[0].changes[0].step == 200);
  CHECK(x.schedules[0].changes[0].value.kind == ValueSpec::Kind::Constant);
  CHECK(x.schedules[0].changes[0].value.a == 20);
  CHECK(x.schedules[0].changes[1].step == 500);
  CHECK(x.schedules[0].changes[1].value.kind == ValueSpec::Kind::List);
  CHECK(x.schedules[0].changes[1].value.list[49] == 2);
  CHECK(ex.resolved["populations"]["X"]["params"]["rate"]["schedule"][1] ==
        nlohmann::ordered_json::parse(R"(["20 ms", "20 Hz"])"));
  CHECK(ex.populations[0].schedules.empty());

  // No entry at 0: the default until the first change, written out in the resolved document.
  ex = load({"populations.X.params.rate={\"schedule\": [[\"0.3 ms\", 3]]}"});
  CHECK(ex.populations[2].values[FakePoisson::rate].a == 1);
  CHECK(ex.populations[2].schedules[0].changes[0].step == 3);
  CHECK(ex.resolved["populations"]["X"]["params"]["rate"] ==
        nlohmann::ordered_json::parse(R"({"schedule": [["0 ms", "1 Hz"], ["0.3 ms", "3 Hz"]]})"));
  // Only an entry at 0: a value, no changes.
  ex = load({"populations.X.params.rate={\"schedule\": [[0, 3]]}"});
  CHECK(ex.populations[2].values[FakePoisson::rate].a == 3);
  CHECK(ex.populations[2].schedules.empty());

  const std::string rate = "populations.X.params.rate={\"schedule\": ";
  const std::string at = "x.json: /populations/X/params/rate/schedule";
  CHECK(error_of({rate + "[[\"25.05 ms\", 1]]}"}) ==
        at + "/0/0: 25.05 ms is not a whole number of steps of dt = 0.1 ms; use 25 ms or 25.1 ms");
  CHECK(error_of({rate + "[[\"20 ms\", 1], [\"10 ms\", 2]]}"}) ==
        at + "/1/0: the times of a schedule must be strictly ascending: 10 ms does not come after "
             "20 ms (entry 0)");
  CHECK(error_of({rate + "[[\"20 ms\", 1], [\"20 ms\", 2]]}"}) ==
        at + "/1/0: the times of a schedule must be strictly ascending: 20 ms does not come after "
             "20 ms (entry 0)");
  CHECK(error_of({rate + "[[\"100 ms\", 1]]}"}) ==
        at + "/0/0: 100 ms is at or after the end of the run (duration = 100 ms); a change must "
             "come before it: remove it or lengthen the run");
  CHECK(error_of({rate + "[[\"-5 ms\", 1]]}"}) ==
        at + "/0/0: a time in a schedule must be >= 0, got -5 ms");
  CHECK(error_of({rate + "[[\"10 ms\", \"-5 Hz\"]]}"}) ==
        at + "/0/1: -5 Hz is out of range [0, inf) Hz");
  CHECK(error_of({rate + "[[\"10 ms\", {\"uniform\": [1, 2]}]]}"}) ==
        at + "/0/1: a value in a schedule is a constant like \"2.5 Hz\" or a list of one value "
             "per neuron, got {\"uniform\":[1,2]}");
  CHECK(error_of({rate + "[[\"10 ms\", [1, 2]]]}"}) ==
        at + "/0/1: a list of 2 values, but population X has 50 neurons: give one value per "
             "neuron, or one value for all");
  CHECK(error_of({rate + "[]}"}) ==
        at + ": expected a list of [time, value] pairs, like [[\"0 ms\", \"2.5 Hz\"], [\"200 ms\", "
             "\"2.5 Hz\"]], got []");
  CHECK(error_of({rate + "[[\"10 ms\"]]}"}) ==
        at + "/0: expected a [time, value] pair, like [\"200 ms\", \"2.5 Hz\"], got [\"10 ms\"]");
  CHECK(error_of({rate + "[[\"10 mV\", 1]]}"}) ==
        at + "/0/0: \"10 mV\" has the wrong dimension: 0 is in ms (a time), but mV is a voltage");

  // Schedules are for a population's parameters.
  CHECK(error_of({"populations.E.init.V={\"schedule\": [[0, -60]]}"}) ==
        "x.json: /populations/E/init/V/schedule: an initial value cannot follow a schedule; "
        "schedules are for a population's parameters (in \"params\") and its \"I_app\"");
  CHECK(error_of({"projections.0.params.tau={\"schedule\": [[0, 1]]}"}) ==
        "x.json: /projections/0/params/tau/schedule: schedules are for a population's parameters "
        "and its \"I_app\"; give one value here");
  // The validate hook sees the values in force after each change.
  CHECK(error_of({"populations.I.params.V_re={\"schedule\": [[\"0 ms\", \"-60 mV\"], [\"30 ms\", "
                  "\"-40 mV\"]]}"}) ==
        "x.json: /populations/I: from t = 30 ms (after the schedules' changes): V_re (-40 mV) must "
        "be below V_th (-50 mV)");
  CHECK(load({"populations.I.params.V_re={\"schedule\": [[0, -60], [\"30 ms\", -55]]}",
              "populations.I.params.V_th={\"schedule\": [[\"30 ms\", -50]]}"})
            .populations[1]
            .schedules.size() == 2);
}

TEST_CASE("loader: I_app is in the neuron's input unit, constant, per neuron, drawn or scheduled") {
  Experiment ex = load({"populations.E.I_app=1.5 mV/ms", "populations.I.I_app=0.002 mV/us"});
  CHECK(ex.populations[0].i_app.kind == ValueSpec::Kind::Constant);
  CHECK(ex.populations[0].i_app.a == 1.5);
  CHECK(ex.populations[1].i_app.a == doctest::Approx(2));
  CHECK(ex.populations[0].i_app_changes.empty());
  CHECK(ex.resolved["populations"]["E"]["I_app"] == "1.5 mV/ms");
  // Default: 0; a source has none.
  ex = load();
  CHECK(ex.populations[1].i_app.kind == ValueSpec::Kind::Constant);
  CHECK(ex.populations[1].i_app.a == 0);
  CHECK(ex.resolved["populations"]["I"]["I_app"] == "0 mV/ms");
  CHECK_FALSE(ex.resolved["populations"]["X"].contains("I_app"));

  ex = load({"populations.I.I_app=" + json_list(20, "1", "2"),
             "populations.E.I_app={\"uniform\": [0, \"2 mV/ms\"]}"});
  CHECK(ex.populations[1].i_app.kind == ValueSpec::Kind::List);
  CHECK(ex.populations[1].i_app.list[19] == 2);
  CHECK(ex.populations[0].i_app.kind == ValueSpec::Kind::Uniform);
  CHECK(ex.populations[0].i_app.b == 2);
  ex = load({"populations.E.I_app={\"normal\": [1, 0.5]}"});
  CHECK(ex.populations[0].i_app.kind == ValueSpec::Kind::Normal);

  ex = load({"populations.E.I_app={\"schedule\": [[\"0 ms\", 0], [\"50 ms\", \"1.5 mV/ms\"], "
             "[\"80 ms\", " +
             json_list(80, "1", "0") + "]]}"});
  const PopulationSpec &e = ex.populations[0];
  CHECK(e.i_app.a == 0);
  REQUIRE(e.i_app_changes.size() == 2);
  CHECK(e.i_app_changes[0].step == 500);
  CHECK(e.i_app_changes[0].value.a == 1.5);
  CHECK(e.i_app_changes[1].step == 800);
  CHECK(e.i_app_changes[1].value.kind == ValueSpec::Kind::List);
  CHECK(ex.resolved["populations"]["E"]["I_app"]["schedule"][1] ==
        nlohmann::ordered_json::parse(R"(["50 ms", "1.5 mV/ms"])"));

  CHECK(error_of({"populations.E.I_app=1.5 mV"}) ==
        "x.json: /populations/E/I_app: \"1.5 mV\" has the wrong dimension: I_app is in mV/ms (a "
        "voltage per time), but mV is a voltage");
  CHECK(error_of({"populations.E.I_app=[1, 2]"}) ==
        "x.json: /populations/E/I_app: a list of 2 values, but population E has 80 neurons: give "
        "one value per neuron, or one value for all");
  CHECK(error_of({"populations.E.I_app={\"schedule\": [[\"100 ms\", 1]]}"}) ==
        "x.json: /populations/E/I_app/schedule/0/0: 100 ms is at or after the end of the run "
        "(duration = 100 ms); a change must come before it: remove it or lengthen the run");
  CHECK(error_of({"populations.X.I_app=1"}) ==
        "x.json: /populations/X/I_app: population X (fake_poisson) is a source and takes no "
        "input, so it has no I_app; remove \"I_app\"");
  // A rate unit's input unit.
  ex = load({"populations.R={\"model\": \"fake_rate\", \"size\": 4, \"I_app\": \"3 Hz\"}"});
  CHECK(ex.populations[3].i_app.a == 3);
}

TEST_CASE("loader: fixed_outdegree and fixed_total_number") {
  Experiment ex = load({"projections.0.connect={\"rule\": \"fixed_outdegree\", \"outdegree\": 5}",
                        "projections.0.weight={\"value\": 2, \"scale\": \"1/sqrt(K)\"}",
                        "projections.1.connect={\"rule\": \"fixed_total_number\", \"total\": 400, "
                        "\"multapses\": false, \"autapses\": false}"});
  const ProjectionSpec &out = ex.projections[0];
  CHECK(out.rule == ConnectRule::FixedOutdegree);
  CHECK(out.outdegree == 5);
  CHECK(out.allow_multapses);
  CHECK(out.allow_autapses);
  // K = outdegree * N_pre / N_post = 5 * 80 / 20.
  CHECK(out.weight == doctest::Approx(2 / std::sqrt(20.0)));
  CHECK(ex.resolved["projections"][0]["connect"] ==
        nlohmann::ordered_json::parse(
            R"({"rule": "fixed_outdegree", "outdegree": 5, "multapses": true, "autapses": true})"));
  const ProjectionSpec &total = ex.projections[1];
  CHECK(total.rule == ConnectRule::FixedTotalNumber);
  CHECK(total.total == 400);
  CHECK_FALSE(total.allow_multapses);
  CHECK_FALSE(total.allow_autapses);
  CHECK(ex.resolved["projections"][1]["connect"]["total"] == 400);

  CHECK(error_of({"projections.0.connect={\"rule\": \"fixed_outdegree\", \"outdegree\": 30, "
                  "\"multapses\": false}"}) ==
        "x.json: /projections/0/connect/outdegree: an out-degree of 30 without multapses needs 30 "
        "distinct postsynaptic neurons, but 'I' offers 20; lower it or set \"multapses\": true");
  CHECK(load({"projections.0.connect={\"rule\": \"fixed_outdegree\", \"outdegree\": 20, "
              "\"multapses\": false}"})
            .projections[0]
            .outdegree == 20);
  // Onto its own population without autapses: one fewer candidate.
  CHECK(error_of({"projections.0.post=E",
                  "projections.0.connect={\"rule\": \"fixed_outdegree\", "
                  "\"outdegree\": 80, \"multapses\": false, \"autapses\": false}"}) ==
        "x.json: /projections/0/connect/outdegree: an out-degree of 80 without multapses needs 80 "
        "distinct postsynaptic neurons, but 'E' offers 79; lower it or set \"multapses\": true");
  CHECK(error_of({"projections.0.connect={\"rule\": \"fixed_total_number\", \"total\": 1601, "
                  "\"multapses\": false}"}) ==
        "x.json: /projections/0/connect/total: a total of 1601 synapses without multapses needs "
        "1601 distinct (pre, post) pairs, but E->I offers 1600; lower it or set \"multapses\": "
        "true");
  CHECK(load({"projections.0.connect={\"rule\": \"fixed_total_number\", \"total\": 1600, "
              "\"multapses\": false}"})
            .projections[0]
            .total == 1600);
  CHECK(error_of({"projections.0.post=E",
                  "projections.0.connect={\"rule\": "
                  "\"fixed_total_number\", \"total\": 6321, \"multapses\": false, \"autapses\": "
                  "false}"}) ==
        "x.json: /projections/0/connect/total: a total of 6321 synapses without multapses needs "
        "6321 distinct (pre, post) pairs, but E->E offers 6320; lower it or set \"multapses\": "
        "true");
  // One neuron onto itself without autapses has no candidate at all, multapses or not.
  CHECK(error_of({"populations.I.size=1", "projections.0.pre=I",
                  "projections.0.connect={\"rule\": \"fixed_indegree\", \"indegree\": 2, "
                  "\"autapses\": false}"}) ==
        "x.json: /projections/0/connect/indegree: an in-degree of 2 needs presynaptic neurons to "
        "choose from, but 'I' offers none (autapses are off); lower it to 0 or set \"autapses\": "
        "true");
  CHECK(error_of({"projections.0.connect={\"rule\": \"fixed_outdegree\"}"}) ==
        "x.json: /projections/0/connect: no \"outdegree\": give the targets per neuron, e.g. "
        "\"outdegree\": 100");
  CHECK(error_of({"projections.0.connect={\"rule\": \"fixed_total_number\", \"N\": 5}"}) ==
        "x.json: /projections/0/connect: unknown key 'N'; known keys: rule, total, multapses, "
        "autapses");
  CHECK(error_of({"projections.0.connect={\"rule\": \"fixed_total_number\", \"total\": -5}"}) ==
        "x.json: /projections/0/connect/total: expected a non-negative integer, got -5");
}

TEST_CASE("loader: weights drawn from normal, uniform and lognormal distributions") {
  Experiment ex = load({"projections.0.weight={\"normal\": [\"1 mV\", \"0.2 mV\"], \"scale\": "
                        "\"1/sqrt(N)\", \"N\": 100}",
                        "projections.1.weight={\"uniform\": [0.5, 1.5]}"});
  const ProjectionSpec &normal = ex.projections[0];
  CHECK(normal.weight_dist.kind == ValueSpec::Kind::Normal);
  CHECK(normal.weight_dist.a == doctest::Approx(0.1)); // the scale multiplies both
  CHECK(normal.weight_dist.b == doctest::Approx(0.02));
  CHECK(normal.weight == doctest::Approx(0.1));
  CHECK(normal.weight_scale == doctest::Approx(0.1));
  CHECK(ex.resolved["projections"][0]["weight"] ==
        nlohmann::ordered_json::parse(
            R"j({"normal": ["1 mV", "0.2 mV"], "scale": "1/sqrt(N)", "N": 100})j"));
  const ProjectionSpec &uniform = ex.projections[1];
  CHECK(uniform.weight_dist.kind == ValueSpec::Kind::Uniform);
  CHECK(uniform.weight_dist.a == 0.5);
  CHECK(uniform.weight_dist.b == 1.5);
  CHECK(uniform.weight == 1); // the mean
  CHECK(ex.resolved["projections"][1]["weight"] ==
        nlohmann::ordered_json::parse(R"({"uniform": ["0.5 mV", "1.5 mV"], "scale": "none"})"));

  // A lognormal of the magnitude; a negative mean makes the weights negative (inhibitory).
  ex = load({"projections.1.weight={\"lognormal\": [\"-2 mV\", \"0.5 mV\"], \"scale\": "
             "\"1/sqrt(K)\"}"});
  const ProjectionSpec &lognormal = ex.projections[1];
  CHECK(lognormal.weight_dist.kind == ValueSpec::Kind::LogNormal);
  CHECK(lognormal.weight_dist.a == doctest::Approx(-2 / std::sqrt(10.0)));
  CHECK(lognormal.weight_dist.b == doctest::Approx(0.5 / std::sqrt(10.0)));
  CHECK(lognormal.weight == doctest::Approx(-2 / std::sqrt(10.0)));
  // A constant weight is a Constant distribution.
  ex = load();
  CHECK(ex.projections[1].weight_dist.kind == ValueSpec::Kind::Constant);
  CHECK(ex.projections[1].weight_dist.a == 0.5);
  CHECK(ex.projections[0].weight_dist.a == doctest::Approx(2.5));

  const std::string w = "x.json: /projections/1/weight";
  CHECK(error_of({"projections.1.weight={\"uniform\": [-1, 1]}"}) ==
        w + "/uniform: the ends -1 mV and 1 mV have different signs, but a projection keeps one "
            "sign: use [0 mV, 1 mV] or [-1 mV, 0 mV], or two projections");
  CHECK(error_of({"projections.1.weight={\"uniform\": [2, 1]}"}) ==
        w + "/uniform: the low end 2 mV is above the high end 1 mV");
  CHECK(error_of({"projections.1.weight={\"lognormal\": [0, 1]}"}) ==
        w + "/lognormal/0: the mean of a lognormal weight must not be 0: the magnitudes are drawn "
            "with mean |mean| and the given standard deviation, and the mean's sign is the "
            "weight's (negative: inhibitory)");
  CHECK(error_of({"projections.1.weight={\"normal\": [0, 1]}"}) ==
        w + "/normal/0: the mean of a normal weight must not be 0: its sign is the projection's "
            "sign (draws of the other sign are drawn again)");
  CHECK(error_of({"projections.1.weight={\"normal\": [1, -1]}"}) ==
        w + "/normal/1: the standard deviation must be >= 0 and finite, got -1 mV");
  CHECK(error_of({"projections.1.weight={\"normal\": [1]}"}) ==
        w + "/normal: expected two values, like [\"1 mV\", \"0.2 mV\"], got [1]");
  CHECK(error_of({"projections.1.weight={\"value\": 1, \"normal\": [1, 0.1]}"}) ==
        w + ": give one of \"value\", \"normal\", \"uniform\" or \"lognormal\", not both 'value' "
            "and 'normal'");
  CHECK(error_of({"projections.1.weight={\"scale\": \"none\"}"}) ==
        w + ": no \"value\": give the unscaled weight, e.g. {\"value\": 25, \"scale\": "
            "\"1/sqrt(N)\"}, or a distribution: {\"normal\": [mean, std]}, {\"uniform\": [lo, "
            "hi]} or {\"lognormal\": [mean, std]}");
  CHECK(error_of({"projections.1.weight={\"gamma\": [1, 1]}"}) ==
        w + ": unknown key 'gamma'; known keys: value, normal, uniform, lognormal, scale, N");
}

TEST_CASE("loader: delays drawn per synapse") {
  Experiment ex = load({"projections.0.delay={\"uniform\": [\"0.05 ms\", \"2 ms\"]}",
                        "projections.1.delay={\"normal\": [\"1.5 ms\", \"0.5 ms\"]}"});
  const ProjectionSpec &uniform = ex.projections[0];
  CHECK(uniform.delay_dist.kind == ValueSpec::Kind::Uniform);
  CHECK(uniform.delay_dist.a == 0.05); // below one step: the engine raises such draws to one step
  CHECK(uniform.delay_dist.b == 2);
  CHECK(uniform.delay == doctest::Approx(1.025)); // the mean
  CHECK(uniform.delay_steps == 10);
  CHECK(ex.resolved["projections"][0]["delay"] ==
        nlohmann::ordered_json::parse(R"({"uniform": ["0.05 ms", "2 ms"]})"));
  const ProjectionSpec &normal = ex.projections[1];
  CHECK(normal.delay_dist.kind == ValueSpec::Kind::Normal);
  CHECK(normal.delay == 1.5);
  CHECK(normal.delay_steps == 15);
  CHECK(normal.delay_dist.b == 0.5);
  // A small mean still has at least one step.
  CHECK(load({"projections.1.delay={\"normal\": [\"0.01 ms\", \"0.5 ms\"]}"})
            .projections[1]
            .delay_steps == 1);
  // "min": a normal's draws below it are drawn again (NEST's redraw); none by default.
  CHECK(normal.delay_min == -HUGE_VAL);
  ex = load({"projections.1.delay={\"normal\": [\"1.6 ms\", \"0.75 ms\"], \"min\": \"0.2 ms\"}"});
  CHECK(ex.projections[1].delay_min == 0.2);
  CHECK(ex.projections[1].delay_dist.a == 1.6);
  CHECK(ex.resolved["projections"][1]["delay"] ==
        nlohmann::ordered_json::parse(R"({"normal": ["1.6 ms", "0.75 ms"], "min": "0.2 ms"})"));
  // Constants keep their checks, and are a Constant distribution.
  ex = load();
  CHECK(ex.projections[1].delay_dist.kind == ValueSpec::Kind::Constant);
  CHECK(ex.projections[1].delay_dist.a == 1.5);

  const std::string d = "x.json: /projections/1/delay";
  CHECK(error_of({"projections.1.delay={\"uniform\": [\"-1 ms\", \"2 ms\"]}"}) ==
        d + "/uniform/0: a delay cannot be negative, got -1 ms");
  CHECK(error_of({"projections.1.delay={\"uniform\": [\"3 ms\", \"2 ms\"]}"}) ==
        d + "/uniform: the low end 3 ms is above the high end 2 ms");
  CHECK(error_of({"projections.1.delay={\"normal\": [0, 1]}"}) ==
        d + "/normal/0: the mean delay must be positive and finite, got 0 ms");
  CHECK(error_of({"projections.1.delay={\"normal\": [1, -1]}"}) ==
        d + "/normal/1: the standard deviation must be >= 0 and finite, got -1 ms");
  CHECK(error_of({"projections.1.delay={\"uniform\": [1, 2], \"min\": \"1 ms\"}"}) ==
        d + "/min: \"min\" applies to a normal delay; a uniform's low end is its smallest: raise "
            "the low end instead");
  CHECK(error_of({"projections.1.delay={\"normal\": [1, 1], \"min\": \"1 ms\"}"}) ==
        d + "/min: the smallest delay must be >= 0 and below the mean (1 ms), got 1 ms");
  CHECK(error_of({"projections.1.delay={\"normal\": [1, 1], \"min\": \"-1 ms\"}"}) ==
        d + "/min: the smallest delay must be >= 0 and below the mean (1 ms), got -1 ms");
  CHECK(error_of({"projections.1.delay={\"normal\": [1, 1], \"max\": \"3 ms\"}"}) ==
        d + ": expected a delay like \"1.5 ms\", {\"uniform\": [lo, hi]} or {\"normal\": [mean, "
            "std]} (with \"min\": a time, below which a normal is drawn again), got "
            "{\"normal\":[1,1],\"max\":\"3 ms\"}");
  CHECK(error_of({"projections.1.delay={\"gamma\": [1, 1]}"}) ==
        d + ": unknown distribution 'gamma'; use one of: uniform, normal");
  CHECK(error_of({"projections.1.delay={\"uniform\": [\"1 mV\", 2]}"}) ==
        d + "/uniform/0: \"1 mV\" has the wrong dimension: the delay is in ms (a time), but mV is "
            "a voltage");
}

TEST_CASE("loader: weights and drawn delays must fit the engine's 32-bit weights and 16-bit "
          "delays") {
  const std::string w = "x.json: /projections/1/weight";
  const std::string largest = "the largest magnitude is 3.4028234663852886e+38 mV";
  CHECK(error_of({"projections.1.weight=1e39"}) ==
        w + ": 1e+39 mV does not fit a synapse's weight, a 32-bit float: " + largest);
  CHECK(error_of({"projections.1.weight={\"uniform\": [-1e39, -1]}"}) ==
        w + "/uniform/0: -1e+39 mV does not fit a synapse's weight, a 32-bit float: " + largest);
  CHECK(error_of({"projections.1.weight={\"normal\": [1e38, 1e38]}"}) ==
        w +
            "/normal: the mean plus 8 standard deviations (9e+38 mV) does not fit a synapse's "
            "weight, a 32-bit float: " +
            largest);
  // The limit applies after the scale: 1/sqrt(N) with N = 100 lets the given value be 10 times
  // larger.
  CHECK(
      error_of({"projections.1.weight={\"value\": 1e40, \"scale\": \"1/sqrt(N)\", \"N\": 100}"}) ==
      w + "/value: 1e+40 mV does not fit a synapse's weight, a 32-bit float: the largest "
          "magnitude is 3.4028234663852886e+39 mV before the scale 1/sqrt(N)");
  CHECK(load({"projections.1.weight={\"value\": 3e39, \"scale\": \"1/sqrt(N)\", \"N\": 100}"})
            .projections[1]
            .weight == doctest::Approx(3e38));

  const std::string d = "x.json: /projections/1/delay";
  CHECK(error_of({"projections.1.delay={\"uniform\": [\"1 ms\", \"7000 ms\"]}"}) ==
        d + "/uniform/1: 7000 ms is more steps of dt = 0.1 ms than a drawn delay holds (65535): "
            "the longest is 6553.5 ms; shorten it, raise dt, or give a constant delay");
  CHECK(error_of({"projections.1.delay={\"normal\": [\"7 s\", \"1 ms\"]}"}) ==
        d + "/normal/0: a mean of 7000 ms is more steps of dt = 0.1 ms than a drawn delay holds "
            "(65535): the longest is 6553.5 ms; shorten it, raise dt, or give a constant delay");
  CHECK(load({"projections.1.delay={\"uniform\": [\"1 ms\", \"6553.5 ms\"]}"})
            .projections[1]
            .delay_dist.b == 6553.5);
}

TEST_CASE("loader: NEST's peak convention takes the weight in the peak unit") {
  std::string nest = with_projection(
      R"({"pre": "E", "post": "E", "synapse": "fake_nest", "params": {"convention": "peak"},
          "connect": {"rule": "fixed_indegree", "indegree": 5}, "weight": "2 mV/ms"})");
  Experiment ex = load({}, nest);
  const ProjectionSpec &p = ex.projections[2];
  CHECK(p.peak_convention);
  CHECK(p.weight == 2);
  CHECK(ex.resolved["projections"][2]["weight"]["value"] == "2 mV/ms");
  CHECK(error_of({"projections.2.weight=2 mV"}, nest) ==
        "x.json: /projections/2/weight: \"2 mV\" has the wrong dimension: the weight is in mV/ms "
        "(a voltage per time), but mV is a voltage");
  // The integral convention (the default here) keeps the weight unit.
  ex = load({"projections.2.params.convention=integral", "projections.2.weight=2 mV"}, nest);
  CHECK_FALSE(ex.projections[2].peak_convention);
  CHECK(ex.projections[2].weight == 2);
  CHECK_FALSE(load({"projections.0.synapse=fake_nest"}).projections[0].peak_convention);

  // A plugin offering "peak" without a peak unit is a plugin bug.
  CHECK(error_of({"projections.0.synapse=fake_bad_nest", "projections.0.params={}"}) ==
        "x.json: /projections/0: plugin 'fake_bad_nest' (/fake/libganglion_fake_bad_nest.so) "
        "offers \"convention\": \"peak\" but declares no peak_weight_unit, so the weight's unit "
        "is unknown; this is a bug in the plugin (set peak_weight_unit in its descriptor); "
        "meanwhile use \"convention\": \"integral\"");
  CHECK(error_of({"projections.0.synapse=fake_bad_nest", "projections.0.params={\"convention\": "
                                                         "\"peak\"}"})
            .rfind("x.json: /projections/0/params/convention: plugin 'fake_bad_nest'", 0) == 0);
  CHECK_FALSE(load({"projections.0.synapse=fake_bad_nest",
                    "projections.0.params={\"convention\": \"integral\"}"})
                  .projections[0]
                  .peak_convention);
}

TEST_CASE("loader: Dale's law wants one sign for a population's outgoing weights") {
  std::string mixed = with_projection(
      R"({"pre": "E", "post": "E", "synapse": "fake_exp", "weight": "-1 mV",
          "connect": {"rule": "fixed_probability", "p": 0.1}})");
  CHECK(error_of({}, mixed) ==
        "x.json: /populations/E: Dale's law: population E's outgoing weights must share one "
        "sign, but /projections/0 (E->I) has 2.5 mV and /projections/2 (E->E) has -1 mV; fix the "
        "sign, or set \"dale\": false on population E to allow it");
  // The mean decides; zero goes with either sign.
  CHECK_NOTHROW(load({"projections.2.weight=0"}, mixed));
  CHECK_NOTHROW(load({"projections.2.weight={\"normal\": [1, 3]}"}, mixed));
  CHECK(error_of({"projections.2.weight={\"uniform\": [-3, 0]}"}, mixed).find("has -1.5 mV") !=
        std::string::npos);
  // Opting out, per population or for the whole simulation.
  Experiment ex = load({"populations.E.dale=false"}, mixed);
  CHECK_FALSE(ex.populations[0].dale);
  CHECK(ex.populations[1].dale);
  CHECK(ex.resolved["populations"]["E"]["dale"] == false);
  CHECK(ex.resolved["simulation"]["dale"] == true);
  ex = load({"simulation.dale=false"}, mixed);
  CHECK_FALSE(ex.populations[0].dale);
  CHECK_FALSE(ex.populations[1].dale);
  CHECK(ex.resolved["simulation"]["dale"] == false);
  CHECK(ex.resolved["populations"]["E"]["dale"] == true); // as the file says
  CHECK(error_of({"populations.E.dale=1"}, mixed) ==
        "x.json: /populations/E/dale: expected true or false, got 1");
}

TEST_CASE("loader: rate units connect through rate synapses, and spiking neurons through others") {
  std::string rates = edited([](nlohmann::ordered_json &doc) {
    doc["populations"]["R"] = {{"model", "fake_rate"}, {"size", 10}};
    doc["projections"].push_back(nlohmann::ordered_json::parse(
        R"({"pre": "R", "post": "R", "synapse": "fake_rate_syn", "weight": -0.5,
            "connect": {"rule": "all_to_all"}})"));
  });
  Experiment ex = load({}, rates);
  CHECK(ex.projections[2].synapse->name == "fake_rate_syn");
  CHECK(ex.projections[2].weight == -0.5);
  CHECK(error_of({"projections.2.synapse=fake_exp"}, rates) ==
        "x.json: /projections/2/synapse: population R (fake_rate) is a rate unit: it sends "
        "rates, not spikes, and 'fake_exp' is a spiking synapse; use a rate synapse such as "
        "'fake_rate_syn'");
  CHECK(error_of({"projections.0.synapse=fake_rate_syn"}, rates) ==
        "x.json: /projections/0/synapse: 'fake_rate_syn' is a rate synapse (it carries W r) and "
        "needs a rate unit as its 'pre', but population E (fake_lif) emits spikes; use a spiking "
        "synapse such as 'fake_exp'");
  // Rates take no drawn delay (a fixed one is the step's, as always).
  CHECK(error_of({"projections.2.delay={\"uniform\": [\"1 ms\", \"2 ms\"]}"}, rates) ==
        "x.json: /projections/2/delay: 'fake_rate_syn' carries rates (W r) as they are in each "
        "step, so a drawn delay does not apply to it; remove \"delay\"");
  // A spiking population may drive a rate unit through a spiking synapse.
  CHECK_NOTHROW(
      load({"projections.2.pre=E", "projections.2.synapse=fake_exp", "projections.2.weight=0.5"},
           rates));
}

TEST_CASE("loader: the resolved document of every new form loads to the same experiment") {
  std::string text = edited([](nlohmann::ordered_json &doc) {
    using J = nlohmann::ordered_json;
    auto &pops = doc["populations"];
    pops["E"]["params"]["tau_m"] = J::parse(R"({"lognormal": ["15 ms", "2 ms"]})");
    pops["E"]["params"]["V_th"] = J::parse(
        R"({"schedule": [["0 ms", "-50 mV"], ["20 ms", "-52 mV"], ["40.5 ms", "-0.051 V"]]})");
    pops["E"]["I_app"] = J::parse(R"({"schedule": [["10 ms", 1.5], ["30 ms", 0]]})");
    pops["E"]["dale"] = false;
    auto per_neuron = J::array();
    for (int k = 0; k < 20; ++k)
      per_neuron.push_back(-60 - 0.25 * k);
    pops["I"]["init"]["V"] = per_neuron;
    pops["I"]["I_app"] = J::parse(R"({"normal": ["1 mV/ms", "0.25 mV/ms"]})");
    pops["X"]["params"]["rate"] = J::parse(R"({"schedule": [["50 ms", "20 Hz"]]})");
    pops["S"] =
        J::parse(R"({"model": "fake_times", "size": 2, "params": {"times": [["1 ms", 2.5], []]}})");
    pops["R"] = J::parse(R"({"model": "fake_rate", "size": 3})");
    auto &projs = doc["projections"];
    projs[0]["connect"] = J::parse(R"({"rule": "fixed_outdegree", "outdegree": 4})");
    projs[0]["weight"] = J::parse(R"j({"uniform": ["-1 mV", "-0.5 mV"], "scale": "1/sqrt(K)"})j");
    projs[0]["delay"] = J::parse(R"({"uniform": ["0.05 ms", "3 ms"]})");
    projs[1]["connect"] = J::parse(R"({"rule": "fixed_total_number", "total": 300})");
    projs[1]["weight"] = J::parse(R"j({"lognormal": [0.5, 0.1], "scale": "1/sqrt(N)"})j");
    projs[1]["delay"] = J::parse(R"({"normal": ["2 ms", "0.5 ms"]})");
    projs.push_back(J::parse(R"({"pre": "S", "post": "E", "synapse": "fake_nest",
        "params": {"convention": "peak"}, "connect": {"rule": "all_to_all"},
        "weight": {"normal": ["0.2 mV/ms", "0.01 mV/ms"]}})"));
    projs.push_back(J::parse(R"({"pre": "R", "post": "R", "synapse": "fake_rate_syn",
        "connect": {"rule": "all_to_all"}, "weight": 0.1})"));
  });
  Experiment ex = load({}, text);
  const auto &r = ex.resolved;
  CHECK(r["populations"]["E"]["I_app"]["schedule"][0] ==
        nlohmann::ordered_json::parse(R"(["0 ms", "0 mV/ms"])"));
  CHECK(r["populations"]["E"]["params"]["V_th"]["schedule"][2] ==
        nlohmann::ordered_json::parse(R"(["40.5 ms", "-51 mV"])"));
  CHECK(r["projections"][2]["weight"]["normal"][0] == "0.2 mV/ms");

  Experiment again = load({}, r.dump());
  CHECK(again.resolved == r);
  const PopulationSpec &e = again.populations[0];
  CHECK(e.values[FakeLif::tau_m].kind == ValueSpec::Kind::LogNormal);
  REQUIRE(e.schedules.size() == 1);
  CHECK(e.schedules[0].changes.size() == 2);
  CHECK(e.schedules[0].changes[1].step == 405);
  CHECK(e.schedules[0].changes[1].value.a == -51);
  CHECK(e.i_app_changes.size() == 2);
  CHECK(e.i_app_changes[0].step == 100);
  CHECK_FALSE(e.dale);
  CHECK(again.populations[1].values[FakeLif::V].list == ex.populations[1].values[FakeLif::V].list);
  CHECK(again.populations[1].i_app.kind == ValueSpec::Kind::Normal);
  CHECK(again.populations[3].values[FakeTimes::times].sequences ==
        std::vector<std::vector<double>>{{1, 2.5}, {}});
  CHECK(again.projections[0].rule == ConnectRule::FixedOutdegree);
  CHECK(again.projections[0].weight == ex.projections[0].weight);
  CHECK(again.projections[0].weight_dist.kind == ValueSpec::Kind::Uniform);
  CHECK(again.projections[0].delay_dist.a == 0.05);
  CHECK(again.projections[1].total == 300);
  CHECK(again.projections[1].weight_dist.kind == ValueSpec::Kind::LogNormal);
  CHECK(again.projections[1].weight_dist.a == ex.projections[1].weight_dist.a);
  CHECK(again.projections[1].delay_steps == 20);
  CHECK(again.projections[2].peak_convention);
  CHECK(again.projections[3].synapse->name == "fake_rate_syn");
}

TEST_CASE("loader: projection names are unique and free of '/'") {
  // A second E->I without a name is told apart; names label /inputs/<pop>/<name> in the output.
  const std::string twice = with_projection(
      R"({"pre": "E", "post": "I", "synapse": "fake_exp", "weight": "1 mV",
          "connect": {"rule": "fixed_probability", "p": 0.1}})");
  const Experiment ex = load({}, twice);
  CHECK(ex.projections[0].name == "E->I");
  CHECK(ex.projections[2].name == "E->I #2");
  CHECK(error_of({"projections.2.name=\"E->I\""}, twice) ==
        "x.json: /projections/2/name: another projection is already named 'E->I': give each "
        "projection a name of its own");
  CHECK(error_of({"projections.2.name=\"E/I\""}, twice) ==
        "x.json: /projections/2/name: 'E/I' cannot name a projection: use a non-empty name "
        "without '/'");
}

namespace {

// The base experiment with a third projection, I->E, learning with fake_istdp.
const std::string plastic = with_projection(
    R"({"pre": "I", "post": "E", "synapse": "fake_exp", "weight": "-1 mV",
        "connect": {"rule": "fixed_probability", "p": 0.2},
        "plasticity": {"rule": "fake_istdp", "params": {"eta": 0.01, "rho": "10 Hz"},
                       "init": {"z": {"uniform": [0, 1]}},
                       "active": [["0 ms", "20 ms"], ["50 ms", "100 ms"]]}})");

using Phases = std::vector<std::pair<uint64_t, uint64_t>>;

} // namespace

TEST_CASE("loader: a projection's plasticity rule, its values and its active phases") {
  Experiment ex = load({}, plastic);
  REQUIRE(ex.projections.size() == 3);
  CHECK(ex.projections[0].plasticity.empty());
  const ProjectionSpec &ie = ex.projections[2];
  CHECK(ie.name == "I->E");
  REQUIRE(ie.plasticity.size() == 1);
  const PlasticitySpec &p = ie.plasticity[0];
  CHECK(p.pointer == "/projections/2/plasticity");
  CHECK(p.plugin->name == "fake_istdp");
  REQUIRE(p.values.size() == FakeIstdp::count);
  CHECK(p.values[FakeIstdp::eta].a == 0.01);
  CHECK(p.values[FakeIstdp::rho].a == 10);
  CHECK(p.values[FakeIstdp::w_max].a == 10); // the default
  CHECK(p.values[FakeIstdp::z].kind == ValueSpec::Kind::Uniform);
  CHECK(p.values[FakeIstdp::z].b == 1);
  CHECK(p.active == Phases{{0, 200}, {500, 1000}}); // the last phase ends with the run

  const auto &r = ex.resolved["projections"][2]["plasticity"];
  CHECK(r["rule"] == "fake_istdp");
  CHECK(r["params"]["rho"] == "10 Hz");
  CHECK(r["params"]["w_min"] == "0 mV");
  CHECK_FALSE(r["params"].contains("x_pre")); // traces are not settable
  CHECK(r["init"]["z"]["uniform"][1] == 1);
  CHECK_FALSE(r["init"].contains("y"));
  CHECK(r["active"] ==
        nlohmann::ordered_json::parse(R"([["0 ms", "20 ms"], ["50 ms", "100 ms"]])"));
  Experiment again = load({}, ex.resolved.dump());
  CHECK(again.resolved == ex.resolved);
  CHECK(again.projections[2].plasticity[0].active == p.active);
  CHECK(again.projections[2].plasticity[0].values[FakeIstdp::z].kind == ValueSpec::Kind::Uniform);

  // No "active": learning during the whole run, written out; null: no rule.
  Experiment always =
      load({"projections.2.plasticity.active=null"},
           with_projection(
               R"({"pre": "I", "post": "E", "synapse": "fake_exp", "weight": "-1 mV",
          "connect": {"rule": "all_to_all"}, "plasticity": {"rule": "fake_stdp"}})"));
  CHECK(always.projections[2].plasticity[0].active == Phases{{0, 1000}});
  CHECK(always.resolved["projections"][2]["plasticity"]["active"] ==
        nlohmann::ordered_json::parse(R"([["0 ms", "100 ms"]])"));
  CHECK(load({"projections.2.plasticity=null"}, plastic).projections[2].plasticity.empty());
  CHECK_FALSE(load({"projections.2.plasticity=null"}, plastic)
                  .resolved["projections"][2]
                  .contains("plasticity"));
  // Phases may touch; one may start at 0 and end at the duration.
  CHECK(load({"projections.2.plasticity.active=[[\"0 ms\", \"20 ms\"], [\"20 ms\", \"0.1 s\"]]"},
             plastic)
            .projections[2]
            .plasticity[0]
            .active == Phases{{0, 200}, {200, 1000}});
}

TEST_CASE("loader: a plasticity rule's params take every value form, per postsynaptic neuron") {
  Experiment ex = load({"projections.2.plasticity.params.eta=" + json_list(80, "0.5", "0.25"),
                        "projections.2.plasticity.params.rho={\"lognormal\": [\"5 Hz\", \"1 Hz\"]}",
                        "projections.2.plasticity.params.w_max={\"normal\": [\"8 mV\", \"1 mV\"]}",
                        "projections.2.plasticity.init.z=" + json_list(80, "1", "2")},
                       plastic);
  const PlasticitySpec &p = ex.projections[2].plasticity[0];
  CHECK(p.values[FakeIstdp::eta].kind == ValueSpec::Kind::List);
  CHECK(p.values[FakeIstdp::eta].list.size() == 80);
  CHECK(p.values[FakeIstdp::rho].kind == ValueSpec::Kind::LogNormal);
  CHECK(p.values[FakeIstdp::w_max].kind == ValueSpec::Kind::Normal);
  CHECK(p.values[FakeIstdp::z].list[1] == 2);
  Experiment again = load({}, ex.resolved.dump());
  CHECK(again.resolved == ex.resolved);
  CHECK(again.projections[2].plasticity[0].values[FakeIstdp::eta].list ==
        p.values[FakeIstdp::eta].list);

  CHECK(error_of({"projections.2.plasticity.params.eta=" + json_list(20, "0.5", "0.5")}, plastic) ==
        "x.json: /projections/2/plasticity/params/eta: a list of 20 values, but the postsynaptic "
        "population E has 80 neurons: give one value per postsynaptic neuron, or one value for "
        "all");
  CHECK(error_of({"projections.2.plasticity.params.eta=-1"}, plastic) ==
        "x.json: /projections/2/plasticity/params/eta: -1 is out of range [0, inf)");
  CHECK(error_of({"projections.2.plasticity.params.rho=5 ms"}, plastic) ==
        "x.json: /projections/2/plasticity/params/rho: \"5 ms\" has the wrong dimension: rho is in "
        "Hz (a rate), but ms is a time");
  CHECK(
      error_of({"projections.2.plasticity.params.eta={\"schedule\": [[\"0 ms\", 1]]}"}, plastic) ==
      "x.json: /projections/2/plasticity/params/eta/schedule: schedules are for a population's "
      "parameters and its \"I_app\"; give one value here");
  CHECK(error_of({"projections.2.plasticity.params.etta=1"}, plastic) ==
        "x.json: /projections/2/plasticity/params/etta: 'fake_istdp' has no parameter 'etta' (did "
        "you mean 'eta'?); its parameters: eta, rho, w_min, w_max");
  CHECK(error_of({"projections.2.plasticity.init.x_pre=1"}, plastic) ==
        "x.json: /projections/2/plasticity/init/x_pre: x_pre is a presynaptic trace of "
        "'fake_istdp' that the rule computes itself; it cannot be set");
  CHECK(error_of({"projections.2.plasticity.params.x_pre=1"}, plastic) ==
        "x.json: /projections/2/plasticity/params/x_pre: x_pre is a presynaptic trace of "
        "'fake_istdp' that the rule computes itself; it cannot be set");
  CHECK(error_of({"projections.2.plasticity.init.y=1"}, plastic) ==
        "x.json: /projections/2/plasticity/init/y: y is an internal variable of 'fake_istdp' that "
        "the model computes itself; it cannot be set");
  CHECK(error_of({"projections.2.plasticity.init.eta=1"}, plastic) ==
        "x.json: /projections/2/plasticity/init/eta: eta is a parameter of 'fake_istdp'; put it in "
        "\"params\", not \"init\"");
  // The rule's validate hook sees element 0.
  CHECK(error_of({"projections.2.plasticity.params.w_min=20 mV"}, plastic) ==
        "x.json: /projections/2/plasticity: w_min (20 mV) must be below w_max (10 mV)");
}

TEST_CASE("loader: a plasticity rule must exist, be one, and act on the projection's synapse") {
  const ganglion::test::CpuOnlyEngine cpu_only; // (as built without CUDA)
  CHECK(error_of({"projections.2.plasticity.rule=fake_istpd"}, plastic)
            .rfind("x.json: /projections/2/plasticity/rule: unknown plasticity rule 'fake_istpd' "
                   "(did you mean 'fake_istdp'?); known: fake_istdp, fake_stdp, gpu_stdp. ",
                   0) == 0);
  CHECK(error_of({"projections.2.plasticity.rule=fake_exp"}, plastic) ==
        "x.json: /projections/2/plasticity/rule: 'fake_exp' is a synapse plugin, not a plasticity "
        "rule; plasticity rules: fake_istdp, fake_stdp, gpu_stdp");
  CHECK(error_of({"projections.2.plasticity={\"params\": {}}"}, plastic) ==
        "x.json: /projections/2/plasticity: no \"rule\": name the plasticity plugin, e.g. "
        "\"rule\": \"istdp\"");
  CHECK(error_of({"projections.2.plasticity=\"fake_istdp\""}, plastic) ==
        "x.json: /projections/2/plasticity: expected an object like {\"rule\": \"istdp\", "
        "\"params\": {...}, \"active\": [[\"0 s\", \"10 s\"]]}, got \"fake_istdp\"");
  CHECK(error_of({"projections.2.plasticity.phases=[]"}, plastic) ==
        "x.json: /projections/2/plasticity: unknown key 'phases'; known keys: rule, params, init, "
        "active");

  // acts_on "fake_exp": not on fake_nest; a rule with acts_on NULL takes any spiking synapse.
  CHECK(error_of({"projections.2.synapse=fake_nest"}, plastic) ==
        "x.json: /projections/2/plasticity: 'fake_istdp' acts on fake_exp, not on 'fake_nest'; "
        "give the projection a synapse it acts on (fake_exp), or use a rule that acts on "
        "'fake_nest' (fake_stdp, gpu_stdp)");
  Experiment ex =
      load({"projections.2.synapse=fake_nest", "projections.2.plasticity.rule=fake_stdp",
            "projections.2.plasticity.params={\"A\": 0.02}", "projections.2.plasticity.init={}"},
           plastic);
  CHECK(ex.projections[2].plasticity[0].plugin->name == "fake_stdp");
  CHECK(ex.projections[2].plasticity[0].values[FakeStdp::A].a == 0.02);
  CHECK_FALSE(ex.resolved["projections"][2]["plasticity"].contains("init")); // no state to set

  std::string rates = edited([](nlohmann::ordered_json &doc) {
    doc["populations"]["R"] = {{"model", "fake_rate"}, {"size", 10}};
    doc["projections"].push_back(nlohmann::ordered_json::parse(
        R"({"pre": "R", "post": "R", "synapse": "fake_rate_syn", "weight": -0.5,
            "connect": {"rule": "all_to_all"}, "plasticity": {"rule": "fake_stdp"}})"));
  });
  CHECK(error_of({}, rates) ==
        "x.json: /projections/2/plasticity: 'fake_stdp' acts on synapses that carry spikes, not "
        "on the rate synapse 'fake_rate_syn'; give the projection a synapse it acts on, or use a "
        "rule that acts on 'fake_rate_syn' (none is loaded)");

  // The projection's backend runs the rule too.
  CHECK(error_of({"projections.2.plasticity.rule=gpu_stdp", "projections.2.plasticity.params={}",
                  "projections.2.plasticity.init={}"},
                 plastic) ==
        "x.json: /projections/2: plugin 'gpu_stdp' (/fake/libganglion_gpu_stdp.so): no 'cpu' "
        "implementation (available: cuda); this ganglion's engine runs cpu only: use a model "
        "with a 'cpu' implementation");
  CHECK(error_of({"projections.2.plasticity.rule=gpu_stdp", "projections.2.plasticity.params={}",
                  "projections.2.plasticity.init={}", "projections.2.backend=cpu"},
                 plastic) ==
        "x.json: /projections/2/backend: plugin 'gpu_stdp' (/fake/libganglion_gpu_stdp.so): no "
        "'cpu' implementation (available: cuda); this ganglion's engine runs cpu only: use a "
        "model with a 'cpu' implementation");
}

TEST_CASE("loader: active phases are whole steps within the run, ascending, not overlapping") {
  auto active = [](const std::string &phases) {
    return error_of({"projections.2.plasticity.active=" + phases}, plastic);
  };
  CHECK(active("\"always\"") ==
        "x.json: /projections/2/plasticity/active: expected a list of [start, stop] phases, like "
        "[[\"0 s\", \"10 s\"], [\"20 s\", \"30 s\"]], got \"always\"");
  CHECK(active("[]") ==
        "x.json: /projections/2/plasticity/active: an empty list of phases would never learn; "
        "remove \"active\" to learn during the whole run, or give phases like [[\"0 s\", "
        "\"10 s\"], [\"20 s\", \"30 s\"]]");
  CHECK(active("[[\"0 ms\", \"10 ms\", \"20 ms\"]]") ==
        "x.json: /projections/2/plasticity/active/0: expected a [start, stop] pair, like [\"0 s\", "
        "\"10 s\"] (learning from start up to, not including, stop), got "
        "[\"0 ms\",\"10 ms\",\"20 ms\"]");
  CHECK(
      active("[[\"-1 ms\", \"10 ms\"]]") ==
      "x.json: /projections/2/plasticity/active/0/0: a phase cannot start before 0 ms, got -1 ms");
  CHECK(active("[[\"0 ms\", \"10.05 ms\"]]") ==
        "x.json: /projections/2/plasticity/active/0/1: 10.05 ms is not a whole number of steps of "
        "dt = 0.1 ms; use 10 ms or 10.1 ms");
  CHECK(active("[[\"0 ms\", \"10 mV\"]]") ==
        "x.json: /projections/2/plasticity/active/0/1: \"10 mV\" has the wrong dimension: 1 is in "
        "ms (a time), but mV is a voltage");
  CHECK(active("[[\"50 ms\", \"150 ms\"]]") ==
        "x.json: /projections/2/plasticity/active/0/1: 150 ms is after the end of the run "
        "(duration = 100 ms); stop the phase by 100 ms, or lengthen the run");
  CHECK(active("[[\"30 ms\", \"30 ms\"]]") ==
        "x.json: /projections/2/plasticity/active/0: the phase [30 ms, 30 ms) is empty: its start "
        "must come before its stop");
  CHECK(active("[[\"40 ms\", \"30 ms\"]]") ==
        "x.json: /projections/2/plasticity/active/0: the phase [40 ms, 30 ms) is empty: its start "
        "must come before its stop");
  CHECK(active("[[\"0 ms\", \"20 ms\"], [\"10 ms\", \"30 ms\"]]") ==
        "x.json: /projections/2/plasticity/active/1: [10 ms, 30 ms) overlaps [0 ms, 20 ms) (item "
        "0): phases must not overlap; start the second at 20 ms or later");
  CHECK(active("[[\"20 ms\", \"30 ms\"], [\"0 ms\", \"20 ms\"]]") ==
        "x.json: /projections/2/plasticity/active/1: [0 ms, 20 ms) comes before [20 ms, 30 ms) "
        "(item 0): list the phases in ascending order of time");
  CHECK(active("[[\"20 ms\", \"30 ms\"], [\"10 ms\", \"25 ms\"]]") ==
        "x.json: /projections/2/plasticity/active/1: [10 ms, 25 ms) overlaps [20 ms, 30 ms) (item "
        "0): phases must not overlap; change or remove one of them");
  // In runs of a second or longer, times in messages are in seconds.
  CHECK(error_of({"simulation.duration=40 s",
                  "projections.2.plasticity.active=[[\"0 s\", \"10 s\"], [\"5 s\", \"12 s\"]]"},
                 plastic) ==
        "x.json: /projections/2/plasticity/active/1: [5 s, 12 s) overlaps [0 s, 10 s) (item 0): "
        "phases must not overlap; start the second at 10 s or later");
}

TEST_CASE("loader: recorders of projections follow chosen synapses") {
  Experiment ex =
      load({"recorders.2={\"type\": \"weights\", \"projection\": \"I->E\", "
            "\"synapses\": [0, 5, 9], \"every\": \"1 ms\", \"params\": {\"digits\": 4}}"},
           edited([](nlohmann::ordered_json &doc) {
             doc["projections"].push_back(nlohmann::ordered_json::parse(plastic)["projections"][2]);
             doc["recorders"].push_back(nlohmann::ordered_json::object());
           }));
  REQUIRE(ex.recorders.size() == 5); // spikes (3), state, weights
  const RecorderSpec &w = ex.recorders[4];
  CHECK(w.pointer == "/recorders/2");
  CHECK(w.plugin->name == "weights");
  CHECK(w.projection == 2);
  CHECK(w.population == 0); // I->E's post, E
  CHECK(w.synapses == std::vector<uint64_t>{0, 5, 9});
  CHECK(w.every == 10);
  CHECK(w.values[FakeWeights::digits].a == 4);
  CHECK(w.variables.empty());
  CHECK(ex.recorders[3].projection == -1); // population recorders
  CHECK(ex.resolved["recorders"][2] ==
        nlohmann::ordered_json::parse(R"({"type": "weights", "projections": ["I->E"],
            "synapses": [0, 5, 9], "params": {"digits": 4}, "every": "1 ms"})"));
  Experiment again = load({}, ex.resolved.dump());
  CHECK(again.resolved == ex.resolved);
  CHECK(again.recorders[4].synapses == w.synapses);

  // Several projections (one RecorderSpec each), the first n synapses; neither key: all.
  Experiment two = load({"recorders.1={\"type\": \"weights\", \"projections\": [\"X->E\", "
                         "\"E->I\"], \"synapses\": {\"first\": 3}}"});
  REQUIRE(two.recorders.size() == 5);
  CHECK(two.recorders[3].projection == 1);
  CHECK(two.recorders[3].population == 0);
  CHECK(two.recorders[4].projection == 0);
  CHECK(two.recorders[4].population == 1);
  CHECK(two.recorders[4].synapses == std::vector<uint64_t>{0, 1, 2});
  CHECK(two.recorders[4].every == 1);
  CHECK(two.resolved["recorders"][1]["synapses"] ==
        nlohmann::ordered_json::parse(R"({"first": 3})"));
  CHECK(two.resolved["recorders"][1]["params"]["digits"] == 6);
  CHECK(load({}, two.resolved.dump()).resolved == two.resolved);
  Experiment all = load({"recorders.1={\"type\": \"weights\"}"});
  REQUIRE(all.recorders.size() == 5);
  CHECK(all.recorders[3].projection == 0);
  CHECK(all.recorders[4].projection == 1);
  CHECK(all.recorders[4].synapses.empty()); // all synapses
  CHECK(all.resolved["recorders"][1]["projections"] ==
        nlohmann::ordered_json::parse(R"(["E->I", "X->E"])"));

  // A default name repeated gets " #2", and is recorded by it.
  Experiment twice = load({"recorders.1={\"type\": \"weights\", \"projection\": \"E->I #2\"}"},
                          with_projection(R"({"pre": "E", "post": "I", "synapse": "fake_exp",
                              "weight": "1 mV", "connect": {"rule": "all_to_all"}})"));
  CHECK(twice.recorders[3].projection == 2);
}

TEST_CASE("loader: recorders of projections and of populations take their own keys") {
  auto weights = [](const std::string &rest) {
    return error_of({"recorders.1={\"type\": \"weights\"" + rest + "}"});
  };
  CHECK(weights(", \"projection\": \"E-I\"") ==
        "x.json: /recorders/1/projection: unknown projection 'E-I' (did you mean 'E->I'?); "
        "projections: E->I, X->E (a projection is named by its \"name\", or \"PRE->POST\" by "
        "default, \"PRE->POST #2\" for a second one)");
  CHECK(weights(", \"projections\": [\"E->I\", \"I->X\"]")
            .rfind("x.json: /recorders/1/projections/1: unknown projection 'I->X'; projections: "
                   "E->I, X->E (",
                   0) == 0);
  CHECK(weights(", \"projections\": []") ==
        "x.json: /recorders/1/projections: expected a non-empty list of projection names, like "
        "[\"E->I\"], got []");
  CHECK(weights(", \"projection\": \"E->I\", \"projections\": [\"E->I\"]") ==
        "x.json: /recorders/1: give either \"projection\" or \"projections\", not both");
  CHECK(weights(", \"population\": \"E\"") ==
        "x.json: /recorders/1/population: 'weights' records projections, not populations: name "
        "them with \"projection\": \"E->I\" or \"projections\": [...], and choose synapses with "
        "\"synapses\": [0, 5, 9] or {\"first\": 10}");
  CHECK(weights(", \"neurons\": [0]")
            .rfind("x.json: /recorders/1/neurons: 'weights' records projections, not populations",
                   0) == 0);
  CHECK(weights(", \"variables\": [\"V\"]")
            .rfind("x.json: /recorders/1/variables: 'weights' records projections", 0) == 0);
  CHECK(error_of({"recorders.1.projection=E->I"}) ==
        "x.json: /recorders/1/projection: 'state' records populations, not projections: name "
        "them with \"population\" or \"populations\" (and choose neurons with \"neurons\"), or use "
        "a recorder of projections (weights)");
  CHECK(error_of({"recorders.0.synapses=[0]"})
            .rfind("x.json: /recorders/0/synapses: 'spikes' records populations, not projections",
                   0) == 0);

  CHECK(weights(", \"synapses\": [0, -1]") ==
        "x.json: /recorders/1/synapses/1: expected a synapse index (0, 1, ...), got -1");
  CHECK(weights(", \"synapses\": [1.5]") ==
        "x.json: /recorders/1/synapses/0: expected a synapse index (0, 1, ...), got 1.5");
  CHECK(weights(", \"synapses\": [\"3\"]") ==
        "x.json: /recorders/1/synapses/0: expected a synapse index (0, 1, ...), got \"3\"");
  CHECK(weights(", \"synapses\": [4, 2, 4]") ==
        "x.json: /recorders/1/synapses/2: synapse 4 is already listed (item 0); list each once");
  CHECK(weights(", \"synapses\": []") ==
        "x.json: /recorders/1/synapses: an empty list follows no synapse; remove \"synapses\" to "
        "record only the statistics of all of them, or list indices like [0, 5, 9]");
  CHECK(weights(", \"synapses\": 5") ==
        "x.json: /recorders/1/synapses: expected a list of synapse indices like [0, 5, 9], or "
        "{\"first\": 10}, got 5");
  CHECK(weights(", \"synapses\": {\"first\": 0}") ==
        "x.json: /recorders/1/synapses/first: {\"first\": 0} follows no synapse; give a positive "
        "count, or remove \"synapses\" to record only the statistics of all of them");
  CHECK(weights(", \"synapses\": {\"first\": 100000000}") ==
        "x.json: /recorders/1/synapses/first: {\"first\": 100000000} is more synapses than can be "
        "followed one by one (at most 10000000); remove \"synapses\" to record only the statistics "
        "of all of them");
  CHECK(weights(", \"synapses\": {\"last\": 3}") ==
        "x.json: /recorders/1/synapses: unknown key 'last'; known keys: first");
  CHECK(weights(", \"every\": \"0.25 ms\"") ==
        "x.json: /recorders/1/every: 0.25 ms is not a whole number of steps of dt = 0.1 ms; use "
        "0.2 ms or 0.3 ms");
  CHECK(weights(", \"params\": {\"digits\": 40}") ==
        "x.json: /recorders/1/params/digits: 40 is out of range [1, 17]");
  CHECK(weights(", \"params\": {\"digit\": 4}") ==
        "x.json: /recorders/1/params/digit: 'weights' has no parameter 'digit' (did you mean "
        "'digits'?); its parameters: digits");
  CHECK(error_of({"projections=[]", "recorders.1={\"type\": \"weights\"}"}) ==
        "x.json: /recorders/1: 'weights' records projections, and this experiment has none; add "
        "a projection or remove this recorder");
}
