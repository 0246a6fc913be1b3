// The host's loop of a run on "cuda" (Simulation::Impl::run_device), against a device engine whose
// steps are scripted (tests/fixtures/scripted_engine.cpp): chunks end where a schedule changes
// I_app, which is applied on the host between a population's copy to the host and its upload; the
// recorders see every step in order; a chunk cut short is resumed where it stopped, with the same
// output; a divergence stops the run after its step's recorders, with the report and file saying
// so. No GPU is needed.
#include <dlfcn.h>
#include <doctest/doctest.h>

#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "engine/batch.hpp"
#include "engine/simulation.hpp"
#include "experiment/loader.hpp"
#include "registry/registry.hpp"
#include "support.hpp"

using ganglion::test::InProcessRun;
using ganglion::test::run_in_process;

namespace {

const std::string kEngine = std::string(GANGLION_TEST_PLUGIN_DIR) + "/scripted_engine.so";

// The scripted engine as this process's device engine while it lives, with the given settings
// (GANGLION_SCRIPTED_DIVERGE, GANGLION_SCRIPTED_SHORT; empty: unset).
struct ScriptedEngine {
  ScriptedEngine(const std::string &diverge = "", const std::string &most = "") {
    setenv("GANGLION_CUDA_ENGINE", kEngine.c_str(), 1);
    set("GANGLION_SCRIPTED_DIVERGE", diverge);
    set("GANGLION_SCRIPTED_SHORT", most);
  }
  ~ScriptedEngine() {
    for (const char *v : {"GANGLION_CUDA_ENGINE", "GANGLION_SCRIPTED_DIVERGE",
                          "GANGLION_SCRIPTED_SHORT", "GANGLION_SCRIPTED_ROWS"})
      unsetenv(v);
  }
  static void set(const char *name, const std::string &value) {
    if (value.empty())
      unsetenv(name);
    else
      setenv(name, value.c_str(), 1);
  }
  // What the host asked of the engine, a line a call.
  static std::vector<std::string> calls() {
    void *library = dlopen(kEngine.c_str(), RTLD_NOW | RTLD_NOLOAD);
    REQUIRE(library != nullptr);
    using Log = const std::vector<std::string> *(*)();
    const auto log = reinterpret_cast<Log>(dlsym(library, "scripted_engine_log"));
    REQUIRE(bool(log));
    std::vector<std::string> c = *log();
    dlclose(library); // (the reference NOLOAD took)
    return c;
  }
};

// Three neurons of the fixture neuron that has only CUDA hooks, on "cuda", 300 steps, I_app 0 at
// first (its value from the start, not a change) and changing at steps 100 and 250, their spikes
// recorded.
std::string config() {
  return R"({
  "simulation": {"dt": "0.1 ms", "duration": "30 ms", "seed": 1, "backend": "cuda"},
  "plugins": [")" +
         std::string(GANGLION_TEST_PLUGIN_DIR) + R"(/cuda_only_neuron.so"],
  "populations": {"N": {"model": "gg_test_cuda_only", "size": 3,
                        "I_app": {"schedule": [["0 ms", 0], ["10 ms", 1.5], ["25 ms", 0]]}}},
  "recorders": [{"type": "spikes", "populations": ["N"]}]
})";
}

// Each step s's one spike, of neuron s % 3, recorded in order: `steps` of them.
void check_spikes(const InProcessRun &r, uint64_t steps) {
  const auto &train = r.spikes.at("N");
  REQUIRE(train.ids.size() == steps);
  for (uint64_t s = 0; s < steps; ++s) {
    CHECK(train.ids[s] == s % 3);
    if (s > 0) CHECK(train.times[s] > train.times[s - 1]);
  }
  CHECK(r.report.populations.at(0).spikes == steps);
}

bool built_with_cuda_runtime() {
  return ganglion::cuda_runtime_major() != 0;
}

// Where the build has no CUDA runtime, the fixture's CUDA companion is refused: a test that runs
// on "cuda" says so and passes.
#define NEEDS_CUDA_RUNTIME()                                                                       \
  do {                                                                                             \
    if (!built_with_cuda_runtime()) {                                                              \
      MESSAGE("built without CUDA: the fixture's CUDA companion is refused, nothing runs on "      \
              "cuda");                                                                             \
      return;                                                                                      \
    }                                                                                              \
  } while (false)

} // namespace

TEST_CASE("device loop: chunks end at the schedules' steps, which the host applies between them") {
  NEEDS_CUDA_RUNTIME();
  const ScriptedEngine engine;
  const InProcessRun r = run_in_process(config());
  const std::vector<std::string> calls = ScriptedEngine::calls();
  std::string all;
  for (const auto &c : calls)
    all += c + "; ";
  INFO(all);
  CHECK(calls == std::vector<std::string>{"open", "build", "run 0 100", "before 0",
                                          "after 0 I_app 1.500000", "run 100 150", "before 0",
                                          "after 0 I_app 0.000000", "run 250 50", "finish"});
  check_spikes(r, 300);
  CHECK(r.report.steps_done == 300);
  CHECK_FALSE(r.report.diverged);
  CHECK(r.report.device == std::vector<std::string>{"scripted"});
}

TEST_CASE("device loop: a chunk cut short is resumed where it stopped, with the same output") {
  NEEDS_CUDA_RUNTIME();
  const ScriptedEngine engine("", "40");
  const InProcessRun r = run_in_process(config());
  const std::vector<std::string> calls = ScriptedEngine::calls();
  std::vector<std::string> runs;
  for (const auto &c : calls)
    if (c.rfind("run ", 0) == 0) runs.push_back(c);
  CHECK(runs == std::vector<std::string>{"run 0 40", "run 40 40", "run 80 20", "run 100 40",
                                         "run 140 40", "run 180 40", "run 220 30", "run 250 40",
                                         "run 290 10"});
  check_spikes(r, 300);
}

TEST_CASE("device loop: a divergence stops the run after its step's recorders, and says so") {
  NEEDS_CUDA_RUNTIME();
  const ScriptedEngine engine("150");
  const InProcessRun r = run_in_process(config());
  CHECK(r.report.diverged);
  CHECK(r.report.divergence == "scripted divergence at step 150");
  CHECK(r.report.steps_done == 151);
  CHECK(r.report.simulated_ms == doctest::Approx(15.1));
  check_spikes(r, 151);
  CHECK(ScriptedEngine::calls().back() == "finish");
}

namespace {

// A (3 neurons) on cuda, its neuron s % 3 spiking in step s (scripted), drives B (2 lif neurons
// on the CPU) through exp_current with the given delay (JSON, or "" for one step). The same spikes
// from a spike_times source on the CPU, each in the middle of its step, must give B the same
// spikes, bit for bit: the exchange puts A's spikes into the host's history before the CPU's
// deliveries read them. Returns the calls the host made of the engine.
std::vector<std::string> check_mixed(const std::string &delay, const std::string &a_extra = "") {
  const std::string rest = R"(
    "B": {"model": "lif", "size": 2}},
  "projections": [{"pre": "A", "post": "B", "synapse": "exp_current",
                   "connect": {"rule": "all_to_all"}, "weight": 3)" +
                           (delay.empty() ? "" : ", \"delay\": " + delay) + R"(}],
  "recorders": [{"type": "spikes", "populations": ["A", "B"]}]
})";
  const std::string head = R"({
  "simulation": {"dt": "0.1 ms", "duration": "30 ms", "seed": 1},
  "plugins": [")" + std::string(GANGLION_TEST_PLUGIN_DIR) +
                           R"(/cuda_only_neuron.so"],
  "populations": {)";
  std::string times = "[";
  for (int i = 0; i < 3; ++i) {
    times += i ? ", [" : "[";
    for (int s = i; s < 300; s += 3)
      times += (s > i ? ", " : "") + std::to_string(s * 0.1 + 0.05);
    times += "]";
  }
  times += "]";
  const InProcessRun cpu =
      run_in_process(head + R"("A": {"model": "spike_times", "size": 3, "params": {"times": )" +
                     times + "}}," + rest);
  const ScriptedEngine engine;
  const InProcessRun mixed =
      run_in_process(head + R"("A": {"model": "gg_test_cuda_only", "size": 3, "backend": "cuda")" +
                     a_extra + "}," + rest);
  CHECK(mixed.spikes.at("A").ids == cpu.spikes.at("A").ids);
  CHECK(mixed.spikes.at("A").times == cpu.spikes.at("A").times);
  REQUIRE(cpu.spikes.at("B").ids.size() > 10); // (A drives B to fire)
  CHECK(mixed.spikes.at("B").ids == cpu.spikes.at("B").ids);
  CHECK(mixed.spikes.at("B").times == cpu.spikes.at("B").times);
  CHECK(mixed.report.steps_done == 300);
  return ScriptedEngine::calls();
}

} // namespace

TEST_CASE("device loop: a network on both backends exchanges the spikes that cross in every step") {
  NEEDS_CUDA_RUNTIME();
  // A delay of one step: spikes are delivered in the step they are emitted (a window of one).
  CHECK(check_mixed("") == std::vector<std::string>{"open", "build", "finish"});
}

TEST_CASE("device loop: a network on both backends exchanges once per shortest crossing delay") {
  NEEDS_CUDA_RUNTIME();
  // A delay of 2 ms (20 steps): windows of 20 steps, each side taking them alone, the spikes of a
  // window exchanged before its last step's deliveries; still the CPU's bits.
  std::vector<std::string> expected{"open", "build"};
  for (int first = 0; first < 300; first += 20)
    expected.push_back("window " + std::to_string(first) + " " + std::to_string(first + 19));
  expected.push_back("finish");
  CHECK(check_mixed("\"2 ms\"") == expected);
}

TEST_CASE("device loop: a mixed network's windows end where a schedule changes a parameter") {
  NEEDS_CUDA_RUNTIME();
  // A's I_app changes at 10.5 ms (step 105): the window that would span it ends before it, the
  // change is applied between windows, and the next windows run from there.
  const std::vector<std::string> calls =
      check_mixed("\"2 ms\"", R"(, "I_app": {"schedule": [["0 ms", 0], ["10.5 ms", 1]]})");
  std::vector<std::string> expected{"open", "build"};
  for (int first = 0; first < 100; first += 20)
    expected.push_back("window " + std::to_string(first) + " " + std::to_string(first + 19));
  expected.insert(expected.end(), {"window 100 104", "before 0", "after 0 I_app 1.000000"});
  for (int first = 105; first < 300; first += 20)
    expected.push_back("window " + std::to_string(first) + " " +
                       std::to_string(std::min(first + 19, 299)));
  expected.push_back("finish");
  CHECK(calls == expected);
}

namespace {

// istdp on the GPU on 3 fixture neurons for 30 ms, its projection's weights recorded every 7 ms
// (70 steps) by `recorder` (a plugin name, whose own plugin library `library` adds where given):
// the engine's chunks ("run FIRST TAKEN[ then NEXT]").
std::vector<std::string> plastic_chunks(const std::string &recorder, const std::string &library) {
  const ScriptedEngine engine;
  const std::string dir = GANGLION_TEST_PLUGIN_DIR;
  const InProcessRun r = run_in_process(R"({
  "simulation": {"dt": "0.1 ms", "duration": "30 ms", "seed": 1, "backend": "cuda"},
  "plugins": [")" + dir + R"(/cuda_only_neuron.so")" +
                                        (library.empty() ? ""
                                                         : ", \"" + dir + "/" + library + "\"") +
                                        R"(],
  "populations": {"N": {"model": "gg_test_cuda_only", "size": 3}},
  "projections": [{"pre": "N", "post": "N", "synapse": "exp_current",
                   "connect": {"rule": "all_to_all"}, "weight": {"value": -0.5},
                   "plasticity": {"rule": "istdp"}}],
  "recorders": [{"type": "spikes", "populations": ["N"]},
                {"type": ")" + recorder +
                                        R"(", "projection": "N->N", "every": "7 ms"}]
})");
  check_spikes(r, 300);
  std::vector<std::string> runs;
  for (const auto &c : ScriptedEngine::calls())
    if (c.rfind("run ", 0) == 0) runs.push_back(c);
  return runs;
}

} // namespace

TEST_CASE("device loop: chunks end where a host recorder reads a plastic projection's weights") {
  NEEDS_CUDA_RUNTIME();
  // The fixture recorder has CPU hooks alone: it reads the copy of the weights the engine makes
  // at a chunk's end, so a chunk ends after every sample's step (the run's 30 ms end the last
  // one), and none starts ahead of the copy.
  CHECK(
      plastic_chunks("gg_test_host_weights", "host_weight_recorder.so") ==
      std::vector<std::string>{"run 0 70", "run 70 70", "run 140 70", "run 210 70", "run 280 20"});
}

TEST_CASE("device loop: a recorder on the device ends chunks at its samples, the next ahead") {
  NEEDS_CUDA_RUNTIME();
  // `weights` has CUDA hooks: it samples on the device after a chunk's last step, so chunks still
  // end at its samples, but nothing waits on the host: each next chunk starts ahead.
  CHECK(plastic_chunks("weights", "") ==
        std::vector<std::string>{"run 0 70 then 70", "run 70 70 then 70", "run 140 70 then 70",
                                 "run 210 70 then 20", "run 280 20"});
}

namespace {

// An experiment on "cuda" of 1 ms with the fixture neuron that has only CUDA hooks: `body` its
// populations, projections and recorders.
std::string cuda_only_network(const std::string &body) {
  return R"({
  "simulation": {"dt": "0.1 ms", "duration": "1 ms", "seed": 1, "backend": "cuda"},
  "plugins": [")" +
         std::string(GANGLION_TEST_PLUGIN_DIR) + R"(/cuda_only_neuron.so"],)" + body + "\n}";
}

} // namespace

TEST_CASE(
    "device loop: GANGLION_CONNECT says where a GPU projection's rows are drawn, or is refused") {
  NEEDS_CUDA_RUNTIME();
  const std::string json = cuda_only_network(R"(
  "populations": {"N": {"model": "gg_test_cuda_only", "size": 3}},
  "projections": [{"pre": "N", "post": "N", "synapse": "exp_current",
                   "connect": {"rule": "all_to_all"}, "weight": 1}])");
  const ScriptedEngine engine; // (it draws no rows: the host's threads do, whatever it says)
  setenv("GANGLION_CONNECT", "host", 1);
  CHECK(run_in_process(json).report.steps_done == 10);
  setenv("GANGLION_CONNECT", "gpu", 1);
  CHECK(ganglion::test::message_of<ganglion::RunError>([&] { run_in_process(json); }) ==
        "GANGLION_CONNECT=gpu: say \"device\" (the default: the rows of a projection on \"cuda\" "
        "drawn on the GPU) or \"host\" (drawn by the host's threads)");
  unsetenv("GANGLION_CONNECT");
}

TEST_CASE("device loop: a GPU projection's synapses stay on the device unless the host reads them "
          "(a rule, a recorder), and the run says how many there are") {
  NEEDS_CUDA_RUNTIME();
  // Three projections on "cuda": a static one (kept), one a weights recorder reads and one that
  // learns (their rows come to the host); the scripted engine draws the rows with the device's
  // code and logs what it was asked.
  const std::string json = cuda_only_network(R"(
  "populations": {"N": {"model": "gg_test_cuda_only", "size": 60, "dale": false}},
  "projections": [
    {"name": "kept", "pre": "N", "post": "N", "synapse": "exp_current",
     "connect": {"rule": "fixed_indegree", "indegree": 7}, "weight": 1},
    {"name": "read", "pre": "N", "post": "N", "synapse": "exp_current",
     "connect": {"rule": "fixed_probability", "p": 0.2}, "weight": 1},
    {"name": "learns", "pre": "N", "post": "N", "synapse": "exp_current",
     "connect": {"rule": "fixed_outdegree", "outdegree": 9}, "weight": -1,
     "plasticity": {"rule": "istdp", "params": {"eta": "1 ms", "tau": "20 ms", "r0": "10 Hz"}}}],
  "recorders": [{"type": "weights", "projection": "read", "every": "1 ms"}])");
  const ScriptedEngine engine;
  // The host's own threads first: the counts to hold the kept synapses' to.
  const InProcessRun host = run_in_process(json);
  ScriptedEngine::set("GANGLION_SCRIPTED_ROWS", "1");
  const InProcessRun kept = run_in_process(json);
  REQUIRE(host.report.projections.size() == 3);
  REQUIRE(kept.report.projections.size() == 3);
  const uint64_t n0 = host.report.projections[0].synapses, n1 = host.report.projections[1].synapses,
                 n2 = host.report.projections[2].synapses;
  CHECK(n0 == 60 * 7);
  CHECK(n2 == 60 * 9);
  std::vector<std::string> rows;
  for (const auto &c : ScriptedEngine::calls())
    if (c.rfind("rows ", 0) == 0) rows.push_back(c);
  CHECK(rows == std::vector<std::string>{"rows kept " + std::to_string(n0),
                                         "rows to the host " + std::to_string(n1),
                                         "rows to the host " + std::to_string(n2)});
  for (std::size_t q = 0; q < 3; ++q)
    CHECK(kept.report.projections[q].synapses == host.report.projections[q].synapses);
  CHECK(kept.report.projections[0].bytes == 0); // (none on the host)
  CHECK(kept.report.projections[1].bytes == host.report.projections[1].bytes);
}

TEST_CASE("device loop: a batch's GPU projection is drawn member by member and joined on the "
          "device, each member's synapses its own in the report") {
  NEEDS_CUDA_RUNTIME();
  // Two members (seeds 1 and 2) of a network with a static projection on "cuda": the scripted
  // engine draws each member's rows with the device's code, keeps them, then joins them; the
  // report gives each member the synapses of its run alone.
  const std::string json = cuda_only_network(R"(
  "populations": {"N": {"model": "gg_test_cuda_only", "size": 40}},
  "projections": [{"pre": "N", "post": "N", "synapse": "exp_current",
                   "connect": {"rule": "fixed_probability", "p": 0.3}, "weight": 1}])");
  const ScriptedEngine engine;
  ScriptedEngine::set("GANGLION_SCRIPTED_ROWS", "1");
  uint64_t alone[2];
  for (int s = 0; s < 2; ++s)
    alone[s] = run_in_process(json, {"simulation.seed=" + std::to_string(s + 1)})
                   .report.projections.at(0)
                   .synapses;
  CHECK(alone[0] != alone[1]);
  ganglion::PluginRegistry registry = ganglion::PluginRegistry::discover();
  std::vector<ganglion::Experiment> members;
  for (int s = 1; s <= 2; ++s)
    members.push_back(ganglion::load_experiment_text(
        json, "<test>", "", {"simulation.seed=" + std::to_string(s)}, registry));
  const ganglion::Experiment merged = ganglion::merge_members(std::move(members));
  ganglion::Simulation sim(merged, std::vector<ganglion::Recording *>{nullptr, nullptr});
  const ganglion::RunReport report = sim.run();
  std::vector<std::string> rows; // (the log is this run's engine's)
  for (const std::string &c : ScriptedEngine::calls())
    if (c.rfind("rows ", 0) == 0 || c.rfind("join ", 0) == 0) rows.push_back(c);
  CHECK(rows == std::vector<std::string>{"rows kept " + std::to_string(alone[0]),
                                         "rows kept " + std::to_string(alone[1]),
                                         "join " + std::to_string(alone[0] + alone[1])});
  REQUIRE(report.members.size() == 2);
  for (int m = 0; m < 2; ++m)
    CHECK(report.members[std::size_t(m)].projections.at(0).synapses == alone[m]);
  CHECK(report.projections.at(0).bytes == 0); // (none on the host)
}

TEST_CASE("device loop: the device runs the next chunk while the host replays one, unless the host "
          "acts between them (a change, the end, a stop)") {
  NEEDS_CUDA_RUNTIME();
  // 250 ms (2500 steps) with an I_app change at 120 ms (step 1200): chunks of up to 1024 steps,
  // each started while the one before is replayed where no change, and not the run's end,
  // comes between them. (The scripted engine refuses a call other than the chunk started ahead.)
  const std::string json = cuda_only_network(R"(
  "populations": {"N": {"model": "gg_test_cuda_only", "size": 3,
                        "I_app": {"schedule": [["0 ms", 0], ["120 ms", 1]]}}},
  "recorders": [{"type": "spikes", "populations": ["N"]}])");
  const ScriptedEngine engine;
  const InProcessRun r = run_in_process(json, {"simulation.duration=250 ms"});
  std::vector<std::string> runs;
  for (const auto &c : ScriptedEngine::calls())
    if (c.rfind("run ", 0) == 0) runs.push_back(c);
  CHECK(runs == std::vector<std::string>{"run 0 1024 then 176", "run 1024 176",
                                         "run 1200 1024 then 276", "run 2224 276"});
  check_spikes(r, 2500);
  // A chunk cut short starts nothing ahead: the host asks again from where it stopped.
  const ScriptedEngine short_chunks("", "1000");
  run_in_process(json, {"simulation.duration=250 ms"});
  runs.clear();
  for (const auto &c : ScriptedEngine::calls())
    if (c.rfind("run ", 0) == 0) runs.push_back(c);
  CHECK(runs ==
        std::vector<std::string>{"run 0 1000", "run 1000 200", "run 1200 1000", "run 2200 300"});
}

TEST_CASE("device loop: a stop during a replay lets the chunk running ahead finish and be "
          "recorded, then ends the run") {
  NEEDS_CUDA_RUNTIME();
  // The stop comes with the first chunk's progress, while the second runs ahead: its steps are
  // taken, so they are replayed to the recorders, and the run ends after them.
  const ScriptedEngine engine;
  ganglion::PluginRegistry registry = ganglion::PluginRegistry::discover();
  const ganglion::Experiment exp =
      ganglion::load_experiment_text(cuda_only_network(R"(
  "populations": {"N": {"model": "gg_test_cuda_only", "size": 3}})"),
                                     "<test>", "", {"simulation.duration=500 ms"}, registry);
  ganglion::Simulation sim(exp, nullptr);
  std::atomic<int> stop{0};
  const ganglion::RunReport rep = sim.run([&](double) { stop = 15; }, &stop);
  CHECK(rep.stopped_by == 15);
  CHECK(rep.steps_done == 2048);
  std::vector<std::string> runs;
  for (const auto &c : ScriptedEngine::calls())
    if (c.rfind("run ", 0) == 0 || c == "finish") runs.push_back(c);
  CHECK(runs == std::vector<std::string>{"run 0 1024 then 1024", "run 1024 1024", "finish"});
}

namespace {

// A mixed network whose host population H turns V NaN in step 57 (its element 1, global id 4),
// inside the window 40 .. 59 (N on "cuda" onto H with a delay of 2 ms: windows of 20 steps); N's
// spikes recorded. The device diverges (scripted) at `device_at`, or never.
InProcessRun host_diverges(const std::string &device_at) {
  const ScriptedEngine engine(device_at);
  const std::string dir = GANGLION_TEST_PLUGIN_DIR;
  return run_in_process(R"({
  "simulation": {"dt": "0.1 ms", "duration": "30 ms", "seed": 1},
  "plugins": [")" + dir +
                        R"(/cuda_only_neuron.so", ")" + dir + R"(/nan_neuron.so"],
  "populations": {"N": {"model": "gg_test_cuda_only", "size": 3, "backend": "cuda"},
                  "H": {"model": "gg_test_nan", "size": 2, "params": {"at": 57, "which": 4}}},
  "projections": [{"pre": "N", "post": "H", "synapse": "exp_current",
                   "connect": {"rule": "all_to_all"}, "weight": 1, "delay": "2 ms"}],
  "recorders": [{"type": "spikes", "populations": ["N"]}]
})");
}

} // namespace

TEST_CASE("device loop: a mixed window the host diverges in hands the device's steps up to it on") {
  NEEDS_CUDA_RUNTIME();
  const InProcessRun r = host_diverges("");
  CHECK(ScriptedEngine::calls() == std::vector<std::string>{"open", "build", "window 0 19",
                                                            "window 20 39", "window 40 59",
                                                            "abort 40 57", "finish"});
  CHECK(r.report.diverged);
  CHECK(r.report.divergence.find("population 'H'") != std::string::npos);
  CHECK(r.report.steps_done == 58);
  check_spikes(r, 58); // N's spikes of every step up to the diverging one, through the device
}

TEST_CASE("device loop: a divergence of the device's before the host's in a window is the one") {
  NEEDS_CUDA_RUNTIME();
  const InProcessRun r = host_diverges("50");
  CHECK(r.report.diverged);
  CHECK(r.report.divergence == "scripted divergence at step 50");
  CHECK(r.report.steps_done == 51);
  // Recorded up to the device's diverging step (the report's spike total counts the window's
  // steps the device took: the totals are the device's)
  const auto &train = r.spikes.at("N");
  REQUIRE(train.ids.size() == 51);
  for (uint64_t s = 0; s < 51; ++s)
    CHECK(train.ids[s] == s % 3);
}
