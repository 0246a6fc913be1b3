// Bad input through the `ganglion` command, one class per TEST_CASE: each small experiment written
// into a TempDir is broken in one way, and the run must exit 1 (bad input) with a message that
// says where (file:line:column, JSON pointer, plugin file, output folder) and how to fix it, and
// leave no output file (neither x.h5 nor x.h5.part). A run that diverges must exit 3, name the
// population, the neuron and the time, and commit what it recorded up to then with a "status"
// attribute that says so.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "engine/device_engine.hpp"
#include "ganglion/plugin_abi.h"
#include "support.hpp"

namespace fs = std::filesystem;
using namespace ganglion::test;

namespace {

// A small valid experiment: one lif population that fires, its spikes recorded into `output`.
// Each test breaks one thing in it (see `replaced`).
std::string base_config(const std::string &output) {
  return R"({
  "ganglion": 1,
  "simulation": {"dt": "0.1 ms", "duration": "20 ms", "seed": 3, "threads": 1},
  "populations": {
    "E": {"model": "lif", "size": 10, "params": {"tau_m": "10 ms", "I_e": "2 mV/ms"}}
  },
  "recorders": [{"type": "spikes", "populations": ["E"]}],
  "output": ")" +
         output + R"("
}
)";
}

// `text` with its one occurrence of `from` replaced by `to` (a test whose edit does not apply
// would test nothing, so a missing or repeated `from` stops it).
std::string replaced(const std::string &text, const std::string &from, const std::string &to) {
  const auto at = text.find(from);
  REQUIRE_MESSAGE(at != std::string::npos, "'" << from << "' is not in the config");
  REQUIRE_MESSAGE(text.find(from, at + 1) == std::string::npos, "'" << from << "' is ambiguous");
  return text.substr(0, at) + to + text.substr(at + from.size());
}

bool contains(const std::string &text, const std::string &part) {
  return text.find(part) != std::string::npos;
}

std::string shell_quoted(const std::string &s) {
  return "'" + s + "'";
}

std::string test_plugin(const std::string &file) {
  return std::string(GANGLION_TEST_PLUGIN_DIR) + "/" + file;
}

// One experiment in its own folder: exp.json, writing x.h5 beside it.
struct Case {
  TempDir dir;
  std::string config = dir / "exp.json";
  std::string output = dir / "x.h5";

  CliResult run(const std::string &text, const std::string &extra_args = "") {
    write_file(config, text);
    return run_cli("run " + shell_quoted(config) + (extra_args.empty() ? "" : " " + extra_args));
  }

  // The base experiment with the plugin library `lib` (which must exist) in its "plugins".
  CliResult run_with_plugin(const std::string &lib) {
    REQUIRE(fs::exists(lib));
    return run(replaced(base_config(output), R"(  "populations": {)",
                        R"(  "plugins": [")" + lib + R"("],
  "populations": {)"));
  }

  // Exit 1, one message on stderr, nothing run (no summary) and no output file of any kind.
  void expect_bad_input(const CliResult &r, const std::string &file = "") const {
    const std::string out = file.empty() ? output : file;
    INFO("stderr: " << r.err);
    CHECK(r.exit_code == 1);
    CHECK(r.err.rfind("ganglion: ", 0) == 0);
    CHECK(r.out.empty());
    CHECK_FALSE(fs::exists(out));
    CHECK_FALSE(fs::exists(out + ".part"));
  }
};

} // namespace

TEST_CASE("bad input: the base experiment of these tests is valid, runs and writes its output") {
  Case c;
  const CliResult r = c.run(base_config(c.output));
  INFO("stderr: " << r.err);
  CHECK(r.exit_code == 0);
  CHECK(fs::exists(c.output));
  CHECK_FALSE(fs::exists(c.output + ".part"));
  CHECK(read_h5_string_attribute(c.output, "/", "status") == "complete");
}

TEST_CASE("bad input: malformed JSON is reported at its line and column") {
  Case c;
  // A trailing comma before '}' on the populations line.
  const std::string text = replaced(base_config(c.output), R"("I_e": "2 mV/ms"}}
)",
                                    R"("I_e": "2 mV/ms"}},}
)");
  const std::size_t brace = text.find(",}") + 1; // the character the parser cannot accept
  const std::size_t line =
      1 + std::size_t(std::count(text.begin(), text.begin() + long(brace), '\n'));
  const std::size_t column = brace - (text.rfind('\n', brace) + 1) + 1;
  REQUIRE(line == 5);

  const CliResult r = c.run(text);
  c.expect_bad_input(r);
  CHECK(contains(r.err, c.config + ":" + std::to_string(line) + ":" + std::to_string(column) +
                            ": malformed JSON: "));
  CHECK(contains(r.err, "unexpected '}'"));
  CHECK(contains(r.err, "expected string literal")); // what would have been right there
}

TEST_CASE("bad input: an unknown key is named at its JSON pointer with a did-you-mean") {
  Case c;
  SUBCASE("a parameter name with swapped letters") {
    const CliResult r = c.run(replaced(base_config(c.output), R"("tau_m")", R"("tua_m")"));
    c.expect_bad_input(r);
    CHECK(contains(r.err, c.config + ": /populations/E/params/tua_m: 'lif' has no parameter "
                                     "'tua_m' (did you mean 'tau_m'?)"));
    CHECK(contains(r.err, "its parameters: tau_m, E_L, V_th, V_re, tau_ref, I_e, scheme"));
  }
  SUBCASE("a misspelt top-level section") {
    const CliResult r = c.run(replaced(base_config(c.output), R"("simulation")", R"("simulaton")"));
    c.expect_bad_input(r);
    CHECK(contains(r.err, c.config + ": unknown key 'simulaton' (did you mean 'simulation'?)"));
    CHECK(contains(r.err, "known keys: ganglion, description, simulation, plugins"));
  }
}

TEST_CASE("bad input: an unknown plugin model is named with a did-you-mean and where to add one") {
  Case c;
  const CliResult r = c.run(replaced(base_config(c.output), R"("lif")", R"("lfi")"));
  c.expect_bad_input(r);
  CHECK(contains(r.err, c.config + ": /populations/E/model: unknown neuron model 'lfi' (did you "
                                   "mean 'lif'?)"));
  // Neurons only, not synapses or recorders.
  CHECK(contains(r.err, "known: eif, hh, lif, poisson, poisson_generator, rate, spike_times"));
  CHECK(contains(r.err, "under \"plugins\" in the experiment"));
  CHECK(contains(r.err, "GANGLION_PLUGIN_PATH"));
}

TEST_CASE("bad input: a value out of its field's range is named with the range") {
  Case c;
  const CliResult r = c.run(replaced(base_config(c.output), R"("10 ms")", R"("-5 ms")"));
  c.expect_bad_input(r);
  CHECK(contains(r.err,
                 c.config + ": /populations/E/params/tau_m: -5 ms is out of range (0, inf) ms"));
}

TEST_CASE("bad input: a value with a unit of the wrong dimension is refused with both dimensions") {
  Case c;
  const CliResult r = c.run(replaced(base_config(c.output), R"("10 ms")", R"("15 mV")"));
  c.expect_bad_input(r);
  CHECK(contains(r.err, c.config + ": /populations/E/params/tau_m: \"15 mV\" has the wrong "
                                   "dimension: tau_m is in ms (a time), but mV is a voltage"));
}

TEST_CASE("bad input: a library in \"plugins\" that is not a ganglion plugin is refused") {
  Case c;
  SUBCASE("a shared library without the entry symbol") {
    const std::string lib = test_plugin("no_entry_point.so");
    const CliResult r = c.run_with_plugin(lib);
    c.expect_bad_input(r);
    CHECK(contains(r.err, c.config + ": /plugins/0: " + lib +
                              ": not a ganglion plugin: it does "
                              "not export '" GG_ENTRY_SYMBOL "'"));
    CHECK(contains(r.err, "build it with ganglion_add_plugin()"));
  }
  SUBCASE("a text file named x.so, given relative to the config's folder") {
    write_file(c.dir / "x.so", "not a library\n");
    const CliResult r = c.run(replaced(base_config(c.output), R"(  "populations": {)",
                                       R"(  "plugins": ["x.so"],
  "populations": {)"));
    c.expect_bad_input(r);
    const std::string lib = fs::absolute(c.dir.path / "x.so").lexically_normal().string();
    CHECK(contains(r.err,
                   c.config + ": /plugins/0: " + lib + ": cannot be loaded as a shared library"));
    CHECK(contains(r.err, "is it a plugin built for this machine?"));
  }
}

TEST_CASE(
    "bad input: a plugin in \"plugins\" built for another ABI is refused with both versions") {
  Case c;
  const std::string kernel = std::to_string(GG_ABI_MAJOR) + "." + std::to_string(GG_ABI_MINOR);
  SUBCASE("a newer major") {
    const std::string lib = test_plugin("abi_major_newer.so");
    const CliResult r = c.run_with_plugin(lib);
    c.expect_bad_input(r);
    CHECK(contains(r.err, c.config + ": /plugins/0: " + lib + ": built for plugin ABI " +
                              std::to_string(GG_ABI_MAJOR + 1) + "." +
                              std::to_string(GG_ABI_MINOR) + ", but this ganglion speaks ABI " +
                              kernel));
    CHECK(contains(r.err, "rebuild the plugin against this ganglion's SDK"));
  }
  SUBCASE("a newer minor") {
    const std::string lib = test_plugin("abi_minor_newer.so");
    const CliResult r = c.run_with_plugin(lib);
    c.expect_bad_input(r);
    CHECK(contains(r.err, c.config + ": /plugins/0: " + lib + ": built for plugin ABI " +
                              std::to_string(GG_ABI_MAJOR) + "." +
                              std::to_string(GG_ABI_MINOR + 1) + ", newer than this ganglion's " +
                              kernel));
    CHECK(contains(r.err, "upgrade ganglion"));
  }
}

TEST_CASE("bad input: a plugin with only CUDA hooks is refused at validate, with the fix, and "
          "nothing runs") {
  const ganglion::test::CpuOnlyEngine cpu_only; // (as built without CUDA: its messages)
  Case c;
  const std::string lib = test_plugin("cuda_only_neuron.so");
  const std::string with_plugin =
      replaced(base_config(c.output), R"(  "populations": {)", R"(  "plugins": [")" + lib + R"("],
  "populations": {)");
  const std::string on_cpu = replaced(
      with_plugin, R"("model": "lif", "size": 10, "params": {"tau_m": "10 ms", "I_e": "2 mV/ms"}})",
      R"("model": "gg_test_cuda_only", "size": 10})");
  const std::string where = c.config + ": /populations/E";
  const std::string plugin = "plugin 'gg_test_cuda_only' (" + lib + "): ";
  SUBCASE("on the simulation's default backend, the CPU") {
    const CliResult r = c.run(on_cpu);
    c.expect_bad_input(r);
    CHECK(r.err == "ganglion: " + where + ": " + plugin +
                       "no 'cpu' implementation (available: cuda); this ganglion's engine runs "
                       "cpu only: use a model with a 'cpu' implementation\n");
    // `validate` says the same: the check is the loader's, before anything is built.
    const CliResult v = run_cli("validate " + shell_quoted(c.config));
    CHECK(v.exit_code == 1);
    CHECK(v.err == r.err);
  }
  SUBCASE("on \"backend\": \"cuda\", which this build does not run") {
    const CliResult r =
        c.run(replaced(on_cpu, R"("size": 10})", R"("size": 10, "backend": "cuda"})"));
    c.expect_bad_input(r);
    CHECK(r.err == "ganglion: " + where + "/backend: " + plugin +
                       "backend 'cuda' is not built into this ganglion (its engine runs: cpu); the "
                       "plugin has no other implementation: use a model with a 'cpu' "
                       "implementation\n");
  }
}

TEST_CASE("bad input: a run on \"cuda\" without a usable GPU is refused with the reason and the "
          "fix, and nothing is written") {
  if (ganglion::device_engine_path().empty()) {
    MESSAGE("built without CUDA: no device engine (the loader refuses \"cuda\", tested above)");
    return;
  }
  Case c;
  const std::string config =
      replaced(base_config(c.output), R"("seed": 3)", R"("seed": 3, "backend": "cuda")");
  const CliResult r = c.run(config);
  if (r.exit_code == 0) { // a GPU is here: the run took place on it
    MESSAGE("a GPU is present: the run on cuda succeeded");
    CHECK(fs::exists(c.output));
    return;
  }
  c.expect_bad_input(r);
  CHECK(r.err.rfind("ganglion: \"backend\": \"cuda\": ", 0) == 0);
  CHECK(contains(r.err, "run on a machine with an NVIDIA GPU of compute capability 9.0 or newer "
                        "(H100, H200), or set \"backend\": \"cpu\"\n"));
  // `validate` accepts it: whether a GPU is there is known only when a run opens it.
  const CliResult v = run_cli("validate " + shell_quoted(c.config));
  CHECK(v.exit_code == 0);
  CHECK(contains(v.out, "of GPU memory"));
}

TEST_CASE("bad input: an output folder that does not exist is refused before anything runs") {
  Case c;
  const std::string folder = c.dir / "missing";
  const std::string output = folder + "/x.h5";
  const CliResult r = c.run(replaced(base_config(c.output), c.output, output));
  c.expect_bad_input(r, output);
  CHECK(contains(r.err, "output folder '" + folder + "' does not exist: create it (mkdir -p " +
                            folder + ") or choose another path with -o"));
  CHECK_FALSE(fs::exists(folder)); // nothing was created on the way
}

TEST_CASE("bad input: an output path that cannot be written is refused before anything runs") {
  Case c;
  SUBCASE("a folder where nothing can be created (/proc), given with -o") {
    // Tests run as root, so permission bits would not stop the write; /proc refuses new files.
    const std::string output = "/proc/ganglion-test-x.h5";
    const CliResult r = c.run(base_config(c.output), "-o " + shell_quoted(output));
    c.expect_bad_input(r, output);
    CHECK(contains(r.err, "output folder '/proc' is not writable (creating a file there failed: "));
    CHECK(contains(r.err, "choose another path with -o or make the folder writable"));
    CHECK_FALSE(
        fs::exists(c.output)); // -o replaced the config's output: that is not written either
  }
  SUBCASE("an output path that is an existing folder") {
    const std::string folder = c.dir / "results";
    fs::create_directory(folder);
    const CliResult r = c.run(base_config(c.output), "-o " + shell_quoted(folder));
    INFO("stderr: " << r.err);
    CHECK(r.exit_code == 1);
    CHECK(contains(r.err, "output path '" + folder +
                              "' is a folder: name a file inside it, e.g. -o " + folder +
                              "/run.h5"));
    CHECK(fs::is_empty(folder));
    CHECK_FALSE(fs::exists(folder + ".part"));
    CHECK_FALSE(fs::exists(c.output));
  }
}

namespace {

// The divergence experiment: F (lif, strong positive drive) fires regularly and is recorded; E
// (lif, strong negative drive) sinks towards E_L + tau_m I_e = -1065 mV and leaves V's bound of
// -1000 mV after a few tens of ms. No projections, so both are exactly computable.
std::string diverging_config(const std::string &output) {
  return R"({
  "simulation": {"dt": "0.1 ms", "duration": "50 ms", "seed": 3, "threads": 2},
  "populations": {
    "F": {"model": "lif", "size": 4, "params": {"I_e": "20 mV/ms"}},
    "E": {"model": "lif", "size": 3, "params": {"I_e": "-100 mV/ms"}}
  },
  "recorders": [{"type": "spikes", "populations": ["F", "E"]},
                {"type": "state", "population": "F", "variables": ["V"], "every": "0.1 ms"}],
  "output": ")" +
         output + R"("
}
)";
}

constexpr double dt = 0.1, tau_m = 10, E_L = -65, V_th = -50, V_re = -65, tau_ref = 2;

// lif's exact scheme as plugins/neuron/lif computes it (V <- c_V V + c_0, c_V = e^(-dt/tau_m),
// c_0 = v_inf (1 - c_V)), step by step from V = E_L with constant drive I_e: the times (ms, end
// of step) of the spikes of the first `steps` steps.
std::vector<double> lif_spike_times(double I_e, uint64_t steps) {
  const double decay = std::exp(-dt / tau_m), v_inf = E_L + tau_m * I_e;
  const double c_0 = v_inf * -std::expm1(-dt / tau_m);
  double V = E_L, ref = 0;
  std::vector<double> times;
  for (uint64_t s = 0; s < steps; ++s) {
    if (ref > 0) {
      ref -= 1;
      V = V_re;
      continue;
    }
    V = V * decay + c_0;
    if (V >= V_th) {
      times.push_back(double(s + 1) * dt);
      V = V_re;
      ref = std::round(tau_ref / dt);
    }
  }
  return times;
}

// The number of the step (1-based) after which V, sinking from E_L under drive I_e, is below
// `bound`.
uint64_t steps_to_leave(double I_e, double bound) {
  const double decay = std::exp(-dt / tau_m), v_inf = E_L + tau_m * I_e;
  const double c_0 = v_inf * -std::expm1(-dt / tau_m);
  double V = E_L;
  uint64_t s = 0;
  while (V >= bound) {
    V = V * decay + c_0;
    ++s;
  }
  return s;
}

// The number after `key` in `text` ("at t = " -> 27.4); NaN when absent.
double number_after(const std::string &text, const std::string &key) {
  const auto at = text.find(key);
  if (at == std::string::npos) return std::nan("");
  return std::strtod(text.c_str() + at + key.size(), nullptr);
}

} // namespace

TEST_CASE("bad input: a diverging run exits 3, names population, neuron and time, and commits "
          "what it recorded") {
  Case c;
  const CliResult r = c.run(diverging_config(c.output));
  INFO("stderr: " << r.err);
  CHECK(r.exit_code == 3);

  // The place: population, model, neuron, time; the value and the bound; and the fix.
  const uint64_t k = steps_to_leave(-100, -1000); // E's neurons are identical: neuron 0 is first
  const double t_div = double(k) * dt;
  CHECK(contains(r.err, "ganglion: population 'E' (lif) diverged at t = "));
  CHECK(number_after(r.err, "diverged at t = ") == doctest::Approx(t_div).epsilon(1e-12));
  CHECK(contains(r.err, " ms: neuron 0 has V = "));
  const double v = number_after(r.err, "neuron 0 has V = ");
  CHECK(v < -1000);
  CHECK(v > -1065);
  CHECK(contains(r.err, "mV, outside [-1000, 1000] mV; reduce dt, the weights or the drive "
                        "(/populations/E)"));
  CHECK(contains(r.err, "what was recorded up to then is in " + c.output));

  // The file is committed (no .part), and says how the run ended.
  REQUIRE(fs::exists(c.output));
  CHECK_FALSE(fs::exists(c.output + ".part"));
  const std::string status = read_h5_string_attribute(c.output, "/", "status");
  CHECK(status.rfind("diverged: ", 0) == 0);
  CHECK(contains(status, "population 'E' (lif) diverged at t = "));

  // F's spikes up to the divergence are there, exactly as the model makes them.
  const std::vector<double> times = read_h5_f64(c.output, "/spikes/F/timestamps");
  const std::vector<uint64_t> ids = read_h5_u64(c.output, "/spikes/F/node_ids");
  const std::vector<double> one = lif_spike_times(20, k - 1); // the steps before the diverging one
  REQUIRE(lif_spike_times(20, k).size() == one.size()); // (F does not fire in the diverging step)
  REQUIRE(one.size() >= 5);
  REQUIRE(times.size() == 4 * one.size()); // 4 identical neurons
  REQUIRE(ids.size() == times.size());
  for (std::size_t s = 0; s < times.size(); ++s) {
    CAPTURE(s);
    CHECK(times[s] == doctest::Approx(one[s / 4]).epsilon(1e-12));
    CHECK(ids[s] == s % 4); // ascending within a step
    CHECK(times[s] <= t_div);
  }
  CHECK(read_h5_f64(c.output, "/spikes/E/timestamps").empty()); // E never fired
}

TEST_CASE("bad input: the diverging step is recorded the same with 1 and with 2 threads") {
  // 2048 lif neurons in two slices; neuron 5 (first slice) leaves V's bound, the others fire. The
  // diverging step is recorded: every slice must have stepped in it, whatever the thread count
  // (one thread once stopped at the failing slice, leaving the second slice a step behind).
  std::string i_e = "[";
  for (int i = 0; i < 2048; ++i)
    i_e += std::string(i ? ", " : "") + (i == 5 ? "\"-100 mV/ms\"" : "\"2 mV/ms\"");
  i_e += "]";
  std::vector<std::vector<double>> traces;
  for (const char *threads : {"1", "2"}) {
    Case c;
    const CliResult r = c.run(R"({"simulation": {"dt": "0.1 ms", "duration": "100 ms", "seed": 3,
        "threads": )" + std::string(threads) + R"(},
      "populations": {"E": {"model": "lif", "size": 2048, "params": {"I_e": )" + i_e + R"(}}},
      "recorders": [{"type": "state", "population": "E", "variables": ["V"],
                     "neurons": [5, 2040], "every": "0.1 ms"}],
      "output": ")" + c.output + R"("})");
    INFO("threads " << threads << ", stderr: " << r.err);
    REQUIRE(r.exit_code == 3);
    traces.push_back(read_h5_f64(c.output, "/report/E/V/data"));
  }
  REQUIRE(traces[0].size() == traces[1].size());
  REQUIRE(traces[0].size() >= 4);
  CHECK(traces[0] == traces[1]);
  CHECK(traces[0].back() != traces[0][traces[0].size() - 3]); // neuron 2040 moved in that step
}

TEST_CASE("bad input: after a divergence the state report's mapping/time describes its rows") {
  Case c;
  const CliResult r = c.run(diverging_config(c.output));
  REQUIRE(r.exit_code == 3);
  REQUIRE(fs::exists(c.output));
  const std::vector<double> time = read_h5_f64(c.output, "/report/F/V/mapping/time");
  REQUIRE(time.size() == 3);
  const std::vector<double> data = read_h5_f64(c.output, "/report/F/V/data"); // rows x 4 neurons
  REQUIRE(data.size() % 4 == 0);
  const std::size_t rows = data.size() / 4;
  // [first sample, end, interval] with an exclusive end (SONATA): (end - first) / interval rows.
  CHECK(time[0] == doctest::Approx(dt));
  CHECK(time[2] == doctest::Approx(dt));
  CHECK(double(rows) == doctest::Approx((time[1] - time[0]) / time[2]));
  // Every row is a state the bound check let pass: V of F stays below threshold after each step.
  CHECK(std::all_of(data.begin(), data.end(), [](double v) { return v < V_th; }));
}

TEST_CASE("bad input: parameters that make a model meaningless are refused with the place and fix") {
  Case c;
  SUBCASE("a reset above threshold") {
    const CliResult r = c.run(replaced(base_config(c.output), R"("tau_m": "10 ms")",
                                       R"("tau_m": "10 ms", "V_re": "-40 mV")"));
    c.expect_bad_input(r);
    CHECK(contains(r.err, c.config + ": /populations/E: V_re (-40.000000 mV) must be below V_th"));
    CHECK(contains(r.err, "lower V_re or raise V_th"));
  }
  SUBCASE("a reset above threshold in one neuron of a per-neuron list") {
    // Element 0 is fine (the loader checks it); the kernel checks every neuron before running.
    const CliResult r = c.run(replaced(base_config(c.output), R"("tau_m": "10 ms")",
                                       R"("tau_m": "10 ms", "V_re": ["-65 mV", "-40 mV", "-65 mV", "-65 mV", "-65 mV",
                                                                   "-65 mV", "-65 mV", "-65 mV", "-65 mV", "-65 mV"])"));
    c.expect_bad_input(r);
    CHECK(contains(r.err, "/populations/E: neuron 1: V_re (-40.000000 mV) must be below V_th"));
    CHECK(contains(r.err, "lower V_re or raise V_th"));
  }
  SUBCASE("a reset above threshold in one neuron from a scheduled change on") {
    const CliResult r = c.run(replaced(
        base_config(c.output), R"("tau_m": "10 ms")",
        R"("tau_m": "10 ms", "V_re": {"schedule": [["0 ms", "-65 mV"], ["10 ms", ["-65 mV", "-65 mV",
           "-65 mV", "-40 mV", "-65 mV", "-65 mV", "-65 mV", "-65 mV", "-65 mV", "-65 mV"]]]})"));
    c.expect_bad_input(r);
    CHECK(contains(r.err, "/populations/E (from t = 10 ms, with the schedules' values): neuron 3: "
                          "V_re (-40.000000 mV) must be below V_th"));
  }
  SUBCASE("a negative time constant") {
    const CliResult r = c.run(replaced(base_config(c.output), R"("10 ms")", R"("-10 ms")"));
    c.expect_bad_input(r);
    CHECK(contains(r.err, c.config + ": /populations/E/params/tau_m: -10 ms is out of range"));
  }
  SUBCASE("a rate function that does not exist") {
    const std::string rate = R"({"simulation": {"duration": "10 ms"},
      "populations": {"R": {"model": "rate", "size": 2, "params": {"function": "softplus"}}},
      "output": ")" + c.output + R"("})";
    const CliResult q = c.run(rate);
    c.expect_bad_input(q);
    CHECK(contains(q.err, c.config + ": /populations/R/params/function: "));
    CHECK(contains(q.err, "relu, threshold_linear, sigmoid, tanh, power"));
  }
  SUBCASE("a conductance below zero") {
    const std::string text = R"({"simulation": {"duration": "10 ms"},
      "populations": {"X": {"model": "poisson", "size": 5}, "E": {"model": "lif", "size": 5}},
      "projections": [{"pre": "X", "post": "E", "synapse": "exp_conductance",
                       "connect": {"rule": "all_to_all"}, "weight": -0.5}],
      "output": ")" + c.output + R"("})";
    const CliResult r = c.run(text);
    c.expect_bad_input(r);
    CHECK(contains(r.err, "projection 'X->E'"));
    CHECK(contains(r.err, "conductances are >= 0"));
    CHECK(contains(r.err, "E_syn below rest"));
  }
}

TEST_CASE("bad input: plasticity out of range, on a synapse it cannot act on, or in overlapping phases") {
  Case c;
  const auto experiment = [&](const std::string &synapse, const std::string &models,
                              const std::string &plasticity) {
    return R"({"simulation": {"duration": "20 ms"},
      "populations": {"A": {"model": ")" + models + R"(", "size": 5},
                      "B": {"model": ")" + models + R"(", "size": 5}},
      "projections": [{"pre": "A", "post": "B", "synapse": ")" + synapse + R"(",
                       "connect": {"rule": "all_to_all"}, "weight": 0.5,
                       "plasticity": )" + plasticity + R"(}],
      "output": ")" + c.output + R"("})";
  };
  SUBCASE("a negative learning rate") {
    const CliResult r = c.run(experiment("exp_current", "lif",
                                         R"({"rule": "stdp", "params": {"A_plus": -0.1}})"));
    c.expect_bad_input(r);
    CHECK(contains(r.err, c.config + ": /projections/0/plasticity/params/A_plus: -0.1 is out of "
                                     "range"));
  }
  SUBCASE("a rule on a rate synapse") {
    const CliResult r = c.run(experiment("rate_linear", "rate", R"({"rule": "istdp"})"));
    c.expect_bad_input(r);
    CHECK(contains(r.err, c.config + ": /projections/0/plasticity: 'istdp' acts on "
                                     "exp_current|exp_conductance|delta, not on the rate synapse "
                                     "'rate_linear'"));
  }
  SUBCASE("overlapping learning phases") {
    const CliResult r = c.run(experiment(
        "exp_current", "lif", R"({"rule": "istdp", "active": [["0 ms", "10 ms"], ["5 ms", "15 ms"]]})"));
    c.expect_bad_input(r);
    CHECK(contains(r.err, c.config + ": /projections/0/plasticity/active/1: [5 ms, 15 ms) overlaps "
                                     "[0 ms, 10 ms)"));
  }
}

TEST_CASE("bad input: a NaN in a bound-checked field stops the run at its step and neuron") {
  // tests/fixtures/nan_neuron.c sets V of neuron 3 to NaN in step 25; a NaN fails every
  // comparison, so only a check written as !(min <= V <= max) catches it. The kernel scans V after
  // the step (the plugin does not check its own bounds).
  Case c;
  const std::string lib = test_plugin("nan_neuron.so");
  REQUIRE(fs::exists(lib));
  const CliResult r = c.run(R"({"ganglion": 1, "plugins": [")" + lib + R"("],
    "simulation": {"dt": "0.1 ms", "duration": "10 ms"},
    "populations": {"P": {"model": "gg_test_nan", "size": 6, "params": {"at": 25, "which": 3}}},
    "projections": [], "recorders": [], "output": ")" + c.output + R"("})");
  INFO("stderr: " << r.err);
  CHECK(r.exit_code == 3);
  CHECK(contains(r.err, "population 'P' (gg_test_nan) diverged at t = 2.6 ms: neuron 3 has V = "
                        "nan mV, outside [-1000, 1000] mV"));
}
