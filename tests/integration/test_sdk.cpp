// The SDK end to end: install the built tree, build a plugin out of tree against that installation
// with find_package(ganglion), then load it into `ganglion` through GANGLION_PLUGIN_PATH and run
// it. The template (sdk/template, the `qif` neuron) must fire at its closed-form rate, and where
// CUDA is found its CUDA companion is built and offered as its 'cuda' backend; lif's own
// source built so under another name (tests/out_of_tree, `lif_twin`) must take the built-ins'
// fast path: the same spikes as lif, its synaptic channels computed in its step.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <string>
#include <sys/wait.h>
#include <vector>

#include "support.hpp"

using namespace ganglion::test;

namespace {

#ifdef GANGLION_CMAKE_COMMAND
const std::string cmake_command = GANGLION_CMAKE_COMMAND;
#else
const std::string cmake_command = "cmake"; // the one on PATH, as a developer would run it
#endif

std::string quoted(const std::string &s) {
  return "'" + s + "'";
}

// Runs a shell command with stdout and stderr in `log`; returns the exit code (-1: no exit).
int run_logged(const std::string &command, const std::string &log) {
  const int status = std::system((command + " >" + quoted(log) + " 2>&1").c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string tail_of(const std::string &path, std::size_t chars = 6000) {
  std::string text;
  try {
    text = read_file(path);
  } catch (...) {
    return "(no log at " + path + ")";
  }
  return text.size() > chars ? "..." + text.substr(text.size() - chars) : text;
}

// Where a test installs the build tree and builds an out-of-tree project `name` against it: a
// folder of the build tree, kept from run to run, so that a later run of the suite recompiles
// only what changed (a plugin on the fast path takes seconds to compile: every case of
// with_params and with_channels, for three instruction sets). Each run still installs the
// current tree and builds against it; `cmake --install` leaves files that are up to date alone.
std::string kept_folder(const std::string &name) {
  return std::string(GANGLION_BINARY_DIR) + "/tests/out_of_tree/" + name;
}

// Installs the build tree (already built when tests run) into `prefix`: kernel, command,
// headers, package. The logs go into `tmp`.
void install_build_tree(const TempDir &tmp, const std::string &prefix) {
  const std::string log = tmp / "install.log";
  const int installed = run_logged(cmake_command + " --install " + quoted(GANGLION_BINARY_DIR) +
                                       " --prefix " + quoted(prefix),
                                   log);
  if (installed != 0) MESSAGE("cmake --install failed:\n" << tail_of(log));
  REQUIRE(installed == 0);
  REQUIRE(std::filesystem::exists(prefix + "/include/ganglion/plugin.hpp"));
}

// Configures and builds the CMake project in `project` (a folder of the source tree) into `build`
// against the installation at `prefix` alone (CMAKE_PREFIX_PATH), the way a plugin author would:
// nothing of ganglion's build tree is visible to it.
void build_against(const TempDir &tmp, const std::string &project, const std::string &prefix,
                   const std::string &build) {
  const std::string configure_log = tmp / "configure.log", build_log = tmp / "build.log";
  const int configured = run_logged(cmake_command + " -S " + quoted(source_path(project)) + " -B " +
                                        quoted(build) + " -DCMAKE_PREFIX_PATH=" + quoted(prefix),
                                    configure_log);
  if (configured != 0) MESSAGE("configuring " << project << " failed:\n" << tail_of(configure_log));
  REQUIRE(configured == 0);
  const int built = run_logged(cmake_command + " --build " + quoted(build), build_log);
  if (built != 0) MESSAGE("building " << project << " failed:\n" << tail_of(build_log));
  REQUIRE(built == 0);
}

} // namespace

TEST_CASE("sdk: the template plugin builds against the installed SDK, loads and fires at the "
          "closed-form rate") {
  TempDir tmp;
  const std::string prefix = kept_folder("qif") + "/prefix", build = kept_folder("qif") + "/build";

  // (a) Install the build tree; (b) build the template against the installation.
  install_build_tree(tmp, prefix);
  build_against(tmp, "sdk/template", prefix, build);
  REQUIRE(std::filesystem::exists(build + "/libganglion_qif.so"));

  const std::string env = "GANGLION_PLUGIN_PATH=" + quoted(build);

  // (c) The kernel finds the plugin and lists its fields.
  {
    const CliResult described = run_cli("describe qif", env);
    INFO("ganglion describe qif: exit " << described.exit_code << "\nstdout:\n"
                                        << described.out << "\nstderr:\n"
                                        << described.err);
    CHECK(described.exit_code == 0);
    for (const char *field :
         {"tau_m", "E_L", "V_c", "V_peak", "V_reset", "tau_ref", "I_e", "V", "refractory_until"})
      CHECK_MESSAGE(described.out.find(field) != std::string::npos, "field " << field);
      // Where nvcc is found (ganglion_enable_cuda, as ganglion's own build with CUDA finds it; a
      // build of ganglion without CUDA may still find it for the template) its CUDA step is built
      // and named.
#ifdef GANGLION_HAVE_CUDA
    CHECK(std::filesystem::exists(build + "/libganglion_qif_cuda.so"));
#endif
    if (std::filesystem::exists(build + "/libganglion_qif_cuda.so"))
      CHECK(described.out.find("backends: cpu, cuda (libganglion_qif_cuda.so)") !=
            std::string::npos);
    else
      CHECK(described.out.find("backends: cpu\n") != std::string::npos);
  }

  // (d) Twenty identical neurons under a constant bias, no projections, for 1 s.
  const double tau_m = 10, E_L = -65, V_c = -50, V_peak = 20, V_reset = -65; // ms and mV
  const double I_e = 1.5;                                                    // mV/ms
  const double dt = 0.1, duration = 1000;                                    // ms
  const int size = 20;
  const std::string config = write_file(tmp / "qif.json", R"({
  "simulation": {"dt": "0.1 ms", "duration": "1 s", "seed": 1},
  "populations": {
    "Q": {"model": "qif", "size": 20,
          "params": {"tau_m": "10 ms", "E_L": "-65 mV", "V_c": "-50 mV", "V_peak": "20 mV",
                     "V_reset": "-65 mV", "I_e": 1.5},
          "init": {"V": "-65 mV"}}
  },
  "recorders": [{"type": "spikes", "populations": ["Q"]}],
  "output": "qif.h5"
})");
  const std::string output = tmp / "qif.h5";
  const CliResult ran = run_cli("run " + quoted(config) + " -o " + quoted(output), env);
  INFO("ganglion run: exit " << ran.exit_code << "\nstdout:\n"
                             << ran.out << "\nstderr:\n"
                             << ran.err);
  REQUIRE(ran.exit_code == 0);
  REQUIRE(std::filesystem::exists(output));

  const std::vector<double> timestamps = read_h5_f64(output, "/spikes/Q/timestamps");
  const std::vector<uint64_t> node_ids = read_h5_u64(output, "/spikes/Q/node_ids");
  REQUIRE(!timestamps.empty());
  REQUIRE(node_ids.size() == timestamps.size());

  // The closed form (see qif.cpp): u = V - V_m obeys tau_m du/dt = u^2/D + c, a tangent, so
  // T = tau_m sqrt(D/c) [atan(u_peak/sqrt(cD)) - atan(u_reset/sqrt(cD))] = 22.27 ms here.
  const double D = V_c - E_L, V_m = (E_L + V_c) / 2, c = tau_m * I_e - D / 4, s = std::sqrt(c * D);
  const double T =
      tau_m * std::sqrt(D / c) * (std::atan((V_peak - V_m) / s) - std::atan((V_reset - V_m) / s));

  // Tolerance: +-2% on the period. Forward Euler's error in the period is first order in dt and,
  // with the spike taken at the first step at or past V_peak (up to one dt late), makes the
  // simulated period 22.50 ms at dt = 0.1 ms, 1.05% above T (0.1% at dt = 0.01 ms); 2% is about
  // twice that, and far tighter than any error in the model (a wrong sign or a missing tau_m
  // changes the period by tens of percent). Starting at V_reset, neuron k spikes at T_e, 2 T_e, ...
  // so its count is floor(duration / T_e) with T_e within that band: 44 here (45 is allowed).
  const double tolerance = 0.02;
  const auto count_lo = static_cast<std::size_t>(std::floor(duration / (T * (1 + tolerance))));
  const auto count_hi = static_cast<std::size_t>(std::floor(duration / (T * (1 - tolerance))));
  INFO("closed-form period T = " << T << " ms, dt = " << dt << " ms, spikes per neuron in ["
                                 << count_lo << ", " << count_hi << "]");

  std::map<uint64_t, std::vector<double>> by_neuron;
  for (std::size_t k = 0; k < timestamps.size(); ++k)
    by_neuron[node_ids[k]].push_back(timestamps[k]);
  CHECK(by_neuron.size() == static_cast<std::size_t>(size));
  CHECK(timestamps.size() >= count_lo * size);
  CHECK(timestamps.size() <= count_hi * size);
  for (auto &[id, times] : by_neuron) {
    INFO("node " << id << ": " << times.size() << " spikes");
    CHECK(times.size() >= count_lo);
    CHECK(times.size() <= count_hi);
    if (times.size() < 2) continue;
    // The mean interval does not depend on whether a spike is stamped at the start or the end of
    // its step, so it checks the period itself.
    std::sort(times.begin(), times.end());
    const double mean_isi = (times.back() - times.front()) / double(times.size() - 1);
    CHECK(mean_isi == doctest::Approx(T).epsilon(tolerance));
  }
}

// A small recurrent network of one neuron model: E and I driven by Poisson X, exp_current synapses
// everywhere (each population takes three projections, as many channels as a step may fuse).
const char *const kTwinNetwork = R"({
  "simulation": {"dt": "0.1 ms", "duration": "200 ms", "seed": 7, "threads": 1},
  "populations": {
    "E": {"model": "MODEL", "size": 240, "params": {"tau_m": "20 ms", "tau_ref": "2 ms"},
          "init": {"V": {"uniform": ["-65 mV", "-50 mV"]}}},
    "I": {"model": "MODEL", "size": 60, "params": {"tau_m": "10 ms", "tau_ref": "1 ms"},
          "init": {"V": {"uniform": ["-65 mV", "-50 mV"]}}},
    "X": {"model": "poisson", "size": 100, "params": {"rate": "20 Hz"}}
  },
  "projections": [
    {"pre": "E", "post": "E", "synapse": "exp_current", "params": {"tau": "5 ms"},
     "connect": {"rule": "fixed_indegree", "indegree": 24}, "weight": {"value": 0.5}},
    {"pre": "E", "post": "I", "synapse": "exp_current", "params": {"tau": "5 ms"},
     "connect": {"rule": "fixed_indegree", "indegree": 24}, "weight": {"value": 1}},
    {"pre": "I", "post": "E", "synapse": "exp_current", "params": {"tau": "10 ms"},
     "connect": {"rule": "fixed_indegree", "indegree": 6}, "weight": {"value": -2}},
    {"pre": "I", "post": "I", "synapse": "exp_current", "params": {"tau": "10 ms"},
     "connect": {"rule": "fixed_indegree", "indegree": 6}, "weight": {"value": -2}},
    {"pre": "X", "post": "E", "synapse": "exp_current", "params": {"tau": "5 ms"},
     "connect": {"rule": "fixed_indegree", "indegree": 20}, "weight": {"value": 2}},
    {"pre": "X", "post": "I", "synapse": "exp_current", "params": {"tau": "5 ms"},
     "connect": {"rule": "fixed_indegree", "indegree": 20}, "weight": {"value": 2}}
  ],
  "recorders": [{"type": "spikes", "populations": ["E", "I"]}]
})";

TEST_CASE("sdk: an out-of-tree neuron takes the built-ins' fast path: lif built against the "
          "installed SDK as lif_twin fires lif's spikes, its synaptic channels fused") {
  TempDir tmp;
  const std::string prefix = kept_folder("lif_twin") + "/prefix",
                    build = kept_folder("lif_twin") + "/build";
  install_build_tree(tmp, prefix);
  build_against(tmp, "tests/out_of_tree", prefix, build);
  REQUIRE(std::filesystem::exists(build + "/libganglion_lif_twin.so"));

  // The same network, parameters and seed, once with each model; both runs see both plugins.
  const auto run = [&](const std::string &model) {
    std::string text = kTwinNetwork;
    for (std::size_t at; (at = text.find("MODEL")) != std::string::npos;)
      text.replace(at, 5, model);
    const std::string config = write_file(tmp / (model + ".json"), text);
    const CliResult ran = run_cli("run " + quoted(config) + " -o " + quoted(tmp / (model + ".h5")),
                                  "GANGLION_PLUGIN_PATH=" + quoted(build));
    INFO("ganglion run with " << model << ": exit " << ran.exit_code << "\nstdout:\n"
                              << ran.out << "\nstderr:\n"
                              << ran.err);
    REQUIRE(ran.exit_code == 0);
    return ran;
  };
  const CliResult lif = run("lif"), twin = run("lif_twin");

  // (a) The same spikes, bit for bit.
  for (const std::string pop : {"E", "I"}) {
    INFO("population " << pop);
    const std::string times = "/spikes/" + pop + "/timestamps",
                      ids = "/spikes/" + pop + "/node_ids";
    const std::vector<double> lif_times = read_h5_f64(tmp / "lif.h5", times);
    CHECK(!lif_times.empty());
    CHECK(read_h5_f64(tmp / "lif_twin.h5", times) == lif_times);
    CHECK(read_h5_u64(tmp / "lif_twin.h5", ids) == read_h5_u64(tmp / "lif.h5", ids));
  }

  // (b) Every projection onto lif_twin was computed in its step, as onto lif: its channels were
  // handed to it and fused.
  const std::string fused =
      "\n  computed in the neuron step (channels): E->E, E->I, I->E, I->I, X->E, X->I\n";
  CHECK_MESSAGE(lif.out.find(fused) != std::string::npos, lif.out);
  CHECK_MESSAGE(twin.out.find(fused) != std::string::npos, twin.out);
}
