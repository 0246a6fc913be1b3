// The experiment loader: what a valid file becomes, and the message of each kind of mistake
// (file, JSON pointer, what is wrong, the fix). Plugins are hand-made descriptors in a registry.
#include <doctest/doctest.h>

#include <cmath>
#include <string>
#include <vector>

#include "ganglion/plugin.hpp"
#include "graph/loader.hpp"
#include "graph/units.hpp"
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

template <class P> const gg_descriptor *descriptor_of() {
  return &ganglion::detail::Tables<P>::descriptor;
}

// A neuron with a CUDA implementation only: the fake_lif tables with the hooks moved over.
const gg_descriptor *cuda_only() {
  static gg_descriptor d = [] {
    gg_descriptor copy = *descriptor_of<FakeLif>();
    copy.name = "gpu_lif";
    copy.cuda = copy.cpu;
    copy.cpu = nullptr;
    return copy;
  }();
  return &d;
}

PluginRegistry &registry() {
  static PluginRegistry r = [] {
    PluginRegistry reg;
    auto add = [&](const gg_descriptor *d) {
      reg.add(LoadedPlugin{d->name, std::string("/fake/libganglion_") + d->name + ".so", d, {}});
    };
    add(descriptor_of<FakeLif>());
    add(descriptor_of<FakePoisson>());
    add(descriptor_of<FakeExp>());
    add(descriptor_of<FakeSpikes>());
    add(descriptor_of<FakeState>());
    add(descriptor_of<FakeRates>());
    add(cuda_only());
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
        "size, params, init, backend");
  CHECK(error_of({"simulation.step=1"}) ==
        "x.json: /simulation: unknown key 'step'; known keys: dt, duration, seed, threads, "
        "backend");
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
  CHECK(error_of({"populations.E.params.tau_m=[1, 2]"}) ==
        "x.json: /populations/E/params/tau_m: expected a value like \"2.5 ms\" or {\"uniform\": "
        "[lo, hi]}, got [1,2]");
  CHECK(error_of({"populations.E.params.tau_m={\"uniform\": [1]}"}) ==
        "x.json: /populations/E/params/tau_m/uniform: expected two values, like [\"-75 mV\", "
        "\"-55 mV\"], got [1]");
  CHECK(error_of({"populations.E.params.tau_m={\"gauss\": [1, 2]}"}) ==
        "x.json: /populations/E/params/tau_m: unknown distribution 'gauss'; use one of: uniform");

  Experiment ex = load({"populations.E.params.tau_m={\"uniform\": [\"10 ms\", \"0.02 s\"]}"});
  CHECK(ex.populations[0].values[FakeLif::tau_m].kind == ValueSpec::Kind::Uniform);
  CHECK(ex.populations[0].values[FakeLif::tau_m].b == 20);
}

TEST_CASE("loader: normal distributions are for initial values only") {
  Experiment ex = load({"populations.E.init.V={\"normal\": [\"-65 mV\", \"5 mV\"]}"});
  CHECK(ex.populations[0].values[FakeLif::V].kind == ValueSpec::Kind::Normal);
  CHECK(ex.populations[0].values[FakeLif::V].a == -65);
  CHECK(ex.populations[0].values[FakeLif::V].b == 5);
  CHECK(ex.resolved["populations"]["E"]["init"]["V"]["normal"][1] == "5 mV");
  CHECK(error_of({"populations.E.params.tau_m={\"normal\": [10, 1]}"}) ==
        "x.json: /populations/E/params/tau_m/normal: a normal distribution is only for initial "
        "values (in \"init\"); give a parameter a constant or {\"uniform\": [lo, hi]}");
  CHECK(error_of({"populations.E.init.V={\"normal\": [\"-65 mV\", \"-1 mV\"]}"}) ==
        "x.json: /populations/E/init/V/normal/1: the standard deviation must be >= 0 and finite, "
        "got -1 mV");
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
  CHECK(unknown.rfind("x.json: /populations/E/model: unknown neuron model 'fake_lfi' (did you "
                      "mean 'fake_lif'?); known: fake_lif, fake_poisson, gpu_lif.",
                      0) == 0);
  CHECK(unknown.find("GANGLION_PLUGIN_PATH") != std::string::npos);
  CHECK(unknown.find("\"plugins\"") != std::string::npos);
  CHECK(error_of({"populations.E.model=fake_exp"}) ==
        "x.json: /populations/E/model: 'fake_exp' is a synapse plugin, not a neuron model; neuron "
        "models: fake_lif, fake_poisson, gpu_lif");
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

TEST_CASE("loader: backends need the plugin's implementation") {
  CHECK(error_of({"populations.E.backend=cuda"}) ==
        "x.json: /populations/E/backend: plugin 'fake_lif' (/fake/libganglion_fake_lif.so): no "
        "'cuda' implementation (available: cpu)");
  CHECK(error_of({"populations.E.backend=gpu"}) ==
        "x.json: /populations/E/backend: unknown backend 'gpu'; use \"cpu\" or \"cuda\"");
  CHECK(error_of({"populations.I.model=gpu_lif"}) ==
        "x.json: /populations/I: plugin 'gpu_lif' (/fake/libganglion_gpu_lif.so): no 'cpu' "
        "implementation (available: cuda); the simulation's backend is 'cpu': set \"backend\": "
        "\"cuda\" here");
  Experiment ex = load({"populations.I.model=gpu_lif", "populations.I.backend=cuda"});
  CHECK(ex.populations[1].backend == GG_BACKEND_CUDA);
  CHECK(ex.populations[0].backend == GG_BACKEND_CPU);
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
        "fake_exp");
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
        "'all_to_all'?); rules: fixed_probability, fixed_indegree, all_to_all, one_to_one");
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
              "known: spikes, state, rates.",
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
