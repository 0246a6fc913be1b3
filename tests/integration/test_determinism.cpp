// Determinism of a whole run: a small balanced E-I network (eif neurons, exp_current synapses,
// Poisson input, the reference j's of docs/science.md with 1/sqrt(N) scaling) gives bit-identical
// spike trains (times and ids) with 1 and with 2 threads for the same seed, and different trains
// for a different seed. Every random draw is keyed by (seed, stream, global id, step), and each
// neuron's input is summed in a fixed (file) order, so the thread count must not matter. With 2
// threads or more and spike recorders only, the kernel delivers by target range from step 128 on
// (owner mode): the same trains, and a divergence there is reported as with one thread.
#include <doctest/doctest.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <initializer_list>
#include <string>
#include <thread>
#include <vector>

#include "support.hpp"

using namespace ganglion::test;

namespace {

// N_e = 400, N_i = 100, N_x = 100, p = 0.1; N = 500 (the populations that receive input).
const char *const small_balanced = R"json({
  "simulation": {"dt": "0.1 ms", "duration": "200 ms", "seed": 1, "threads": 1},
  "populations": {
    "E": {"model": "eif", "size": 400, "init": {"V": {"uniform": ["-75 mV", "-55 mV"]}}},
    "I": {"model": "eif", "size": 100, "init": {"V": {"uniform": ["-75 mV", "-55 mV"]}}},
    "X": {"model": "poisson", "size": 100, "params": {"rate": "10 Hz"}}
  },
  "projections": [
    {"pre": "E", "post": "E", "synapse": "exp_current", "params": {"tau": "8 ms", "scheme": "euler"},
     "connect": {"rule": "fixed_probability", "p": 0.1}, "weight": {"value": 25, "scale": "1/sqrt(N)"}},
    {"pre": "E", "post": "I", "synapse": "exp_current", "params": {"tau": "8 ms", "scheme": "euler"},
     "connect": {"rule": "fixed_probability", "p": 0.1}, "weight": {"value": 112.5, "scale": "1/sqrt(N)"}},
    {"pre": "I", "post": "E", "synapse": "exp_current", "params": {"tau": "4 ms", "scheme": "euler"},
     "connect": {"rule": "fixed_probability", "p": 0.1}, "weight": {"value": -150, "scale": "1/sqrt(N)"}},
    {"pre": "I", "post": "I", "synapse": "exp_current", "params": {"tau": "4 ms", "scheme": "euler"},
     "connect": {"rule": "fixed_probability", "p": 0.1}, "weight": {"value": -250, "scale": "1/sqrt(N)"}},
    {"pre": "X", "post": "E", "synapse": "exp_current", "params": {"tau": "10 ms", "scheme": "euler"},
     "connect": {"rule": "fixed_probability", "p": 0.1}, "weight": {"value": 180, "scale": "1/sqrt(N)"}},
    {"pre": "X", "post": "I", "synapse": "exp_current", "params": {"tau": "10 ms", "scheme": "euler"},
     "connect": {"rule": "fixed_probability", "p": 0.1}, "weight": {"value": 135, "scale": "1/sqrt(N)"}}
  ],
  "recorders": [{"type": "spikes", "populations": ["E", "I", "X"]}]
})json";

} // namespace

TEST_CASE("determinism: the same seed gives identical spike trains with 1 and 2 threads, another "
          "seed differs") {
  const InProcessRun one = run_in_process(small_balanced, {"simulation.threads=1"});
  const InProcessRun two = run_in_process(small_balanced, {"simulation.threads=2"});
  const InProcessRun other =
      run_in_process(small_balanced, {"simulation.threads=1", "simulation.seed=2"});
  const InProcessRun three = run_in_process(small_balanced, {"simulation.threads=3"});
  CHECK(one.report.threads == 1);
  CHECK(two.report.threads == 2);
  // 2000 steps: one thread never uses owner mode, 2 and 3 threads from step 128 on.
  CHECK(one.report.owner_from == UINT64_MAX);
  CHECK(two.report.owner_from == 128);
  CHECK(three.report.owner_from == 128);
  CHECK_FALSE(one.report.diverged);
  for (const char *pop : {"E", "I", "X"}) {
    CAPTURE(pop);
    REQUIRE(one.spikes.count(pop) == 1);
    REQUIRE(two.spikes.count(pop) == 1);
    REQUIRE(other.spikes.count(pop) == 1);
    const SpikeTrain &a = one.spikes.at(pop), &b = two.spikes.at(pop), &c = other.spikes.at(pop);
    const SpikeTrain &d = three.spikes.at(pop);
    CHECK(a.times == d.times);
    CHECK(a.ids == d.ids);
    // Not vacuous: the network is active (at 5-15 Hz, E expects ~400 spikes in 200 ms; the
    // 100 inputs at 10 Hz ~200).
    CHECK(a.times.size() >= 50);
    // Exact equality: same draws, same sums in the same order, so bit-identical doubles.
    CHECK(a.times == b.times);
    CHECK(a.ids == b.ids);
    CHECK((a.times != c.times || a.ids != c.ids));
  }
}

TEST_CASE("determinism: a state recorder keeps 2 threads out of owner mode, with the same spikes") {
  // A state recorder reads V and the synapses after each step's deliveries, which owner mode would
  // already have stepped further.
  std::string with_state = small_balanced;
  const std::string recorders = R"("recorders": [)";
  with_state.insert(
      with_state.find(recorders) + recorders.size(),
      R"({"type": "state", "population": "E", "variables": ["V"], "every": "1 ms"}, )");
  const InProcessRun one = run_in_process(with_state, {"simulation.threads=1"});
  const InProcessRun two = run_in_process(with_state, {"simulation.threads=2"});
  CHECK(two.report.owner_from == UINT64_MAX);
  REQUIRE(one.spikes.count("E") == 1);
  REQUIRE(two.spikes.count("E") == 1);
  CHECK(one.spikes.at("E").times.size() >= 50);
  CHECK(one.spikes.at("E").times == two.spikes.at("E").times);
  CHECK(one.spikes.at("E").ids == two.spikes.at("E").ids);
}

TEST_CASE("determinism: a divergence in owner mode stops the run at the same step, with the same "
          "words, as with one thread") {
  // One spike at 50 ms (step 500, in owner mode) through a huge inhibitory weight onto every
  // neuron of E throws V far below -1000 mV, its range (a crossing of V_th would reset it).
  const std::string config = R"json({
    "simulation": {"dt": "0.1 ms", "duration": "100 ms", "seed": 1},
    "populations": {
      "S": {"model": "spike_times", "size": 1, "params": {"times": ["50 ms"]}},
      "E": {"model": "lif", "size": 3000, "params": {"I_e": "2 mV/ms"},
            "init": {"V": {"uniform": ["-65 mV", "-51 mV"]}}}
    },
    "projections": [
      {"pre": "S", "post": "E", "synapse": "exp_current", "params": {"tau": "5 ms"},
       "connect": {"rule": "all_to_all"}, "weight": -1e7},
      {"pre": "E", "post": "E", "synapse": "exp_current", "params": {"tau": "5 ms"},
       "connect": {"rule": "fixed_probability", "p": 0.01}, "weight": 0.1}
    ],
    "recorders": [{"type": "spikes", "populations": ["E"]}]
  })json";
  const InProcessRun one = run_in_process(config, {"simulation.threads=1"});
  const InProcessRun two = run_in_process(config, {"simulation.threads=2"});
  CHECK(two.report.owner_from == 128);
  REQUIRE(one.report.diverged);
  REQUIRE(two.report.diverged);
  CHECK(one.report.divergence == two.report.divergence);
  CHECK(one.report.steps_done == two.report.steps_done);
  // The spike arrives in the step after 50 ms: the run stops there, not at its end.
  CHECK(one.report.steps_done > 500);
  CHECK(one.report.steps_done < 520);
  CHECK(one.report.divergence.find("'E'") != std::string::npos);
  REQUIRE(one.spikes.count("E") == 1);
  CHECK(one.spikes.at("E").times.size() >= 100);
  CHECK(one.spikes.at("E").times == two.spikes.at("E").times);
}

namespace {

// small_balanced with inhibitory STDP on I->E (learning from 50 ms, a large eta so that weights
// move within the run) and its weights recorded every 10 ms, 30 synapses followed one by one.
std::string with_istdp(const std::string &i_to_e_p) {
  std::string config = small_balanced;
  const std::string ie = R"j("weight": {"value": -150, "scale": "1/sqrt(N)"})j";
  const std::size_t at = config.find(ie);
  REQUIRE(at != std::string::npos);
  config.insert(at + ie.size(), R"j(, "plasticity": {"rule": "istdp", "params": {"eta": "20 ms",
      "tau": "20 ms", "r0": "10 Hz"}, "active": [["50 ms", "200 ms"]]})j");
  const std::string ie_p =
      R"j("pre": "I", "post": "E", "synapse": "exp_current", "params": {"tau": "4 ms", "scheme": "euler"},
     "connect": {"rule": "fixed_probability", "p": 0.1})j";
  const std::size_t p_at = config.find(ie_p);
  REQUIRE(p_at != std::string::npos);
  config.replace(p_at + ie_p.size() - 4, 3, i_to_e_p);
  const std::string recorders = R"j("recorders": [)j";
  config.insert(config.find(recorders) + recorders.size(),
                R"j({"type": "weights", "projection": "I->E", "every": "10 ms",
                    "synapses": {"first": 30}}, )j");
  return config;
}

// Every dataset of a weights recorder, the same bits in both files; and the weights moved.
void same_weights(const std::string &a, const std::string &b, const std::string &proj = "I->E") {
  for (const char *d : {"/synapses/data", "/mean", "/std"}) {
    const std::string path = "/weights/" + proj + d;
    CAPTURE(path);
    const std::vector<double> x = read_h5_f64(a, path), y = read_h5_f64(b, path);
    REQUIRE(x.size() >= 20);
    CHECK(x == y);
  }
  const std::vector<double> mean = read_h5_f64(a, "/weights/" + proj + "/mean");
  CHECK(mean.front() != mean.back());
}

// small_balanced's populations three times as large (E three slices of neurons, so that the
// threads' runs cut its rows), on `threads` threads.
std::vector<std::string> larger_on(const char *threads) {
  return {"populations.E.size=2400", "populations.I.size=600", "populations.X.size=600",
          std::string("simulation.threads=") + threads};
}

// The spike trains of `pops` in runs `b` and `c` are `a`'s, which are not empty.
void same_spikes(const InProcessRun &a, const InProcessRun &b, const InProcessRun &c,
                 std::initializer_list<const char *> pops) {
  for (const char *pop : pops) {
    CAPTURE(pop);
    const SpikeTrain &x = a.spikes.at(pop);
    CHECK(x.times.size() >= 50);
    CHECK(x.times == b.spikes.at(pop).times);
    CHECK(x.ids == b.spikes.at(pop).ids);
    CHECK(x.times == c.spikes.at(pop).times);
    CHECK(x.ids == c.spikes.at(pop).ids);
  }
}

} // namespace

TEST_CASE("determinism: with inhibitory STDP and STDP, owner mode on 2 and 3 threads gives the "
          "same spikes and weights as one thread") {
  // istdp cuts by target range (GG_DESC_SPLIT_RULE): each thread runs the rule on its own
  // neurons' synapses after delivering onto them; the weights recorder reads weights only. E is
  // three slices of neurons, so that the threads' runs cut it. stdp acts on E->E too: two rules,
  // each with its presynaptic traces advanced first.
  std::string config = with_istdp("0.1");
  const std::string ee = R"j("weight": {"value": 25, "scale": "1/sqrt(N)"})j";
  config.insert(config.find(ee) + ee.size(),
                R"j(, "plasticity": {"rule": "stdp", "params": {"A_plus": 0.02, "A_minus": 0.021},
                    "active": [["50 ms", "200 ms"]]})j");
  const std::string recorders = R"j("recorders": [)j";
  config.insert(config.find(recorders) + recorders.size(),
                R"j({"type": "weights", "projection": "E->E", "every": "10 ms",
                    "synapses": {"first": 30}}, )j");
  TempDir dir;
  const InProcessRun one = run_in_process_to(config, dir / "1.h5", larger_on("1"));
  const InProcessRun two = run_in_process_to(config, dir / "2.h5", larger_on("2"));
  const InProcessRun three = run_in_process_to(config, dir / "3.h5", larger_on("3"));
  CHECK(two.report.owner_from == 128);
  CHECK(three.report.owner_from == 128);
  same_spikes(one, two, three, {"E", "I"});
  for (const char *proj : {"I->E", "E->E"}) {
    CAPTURE(proj);
    same_weights(dir / "1.h5", dir / "2.h5", proj);
    same_weights(dir / "1.h5", dir / "3.h5", proj);
  }
}

TEST_CASE("determinism: with inhibitory STDP and a state recorder, 2 threads split the plastic "
          "projection and its rule by target range, with the same spikes and weights") {
  // Out of owner mode (the state recorder), a plastic projection whose rule cuts by target is
  // delivered in one part per thread, each with its rule's part (rows of 50 on average here).
  std::string config = with_istdp("0.5");
  const std::string j_ie = R"j("value": -150)j"; // a fifth of it: five times the synapses
  config.replace(config.find(j_ie), j_ie.size(), R"j("value": -30)j");
  const std::string recorders = R"j("recorders": [)j";
  config.insert(config.find(recorders) + recorders.size(),
                R"j({"type": "state", "population": "E", "variables": ["V"], "every": "1 ms"}, )j");
  TempDir dir;
  const InProcessRun one = run_in_process_to(config, dir / "1.h5", {"simulation.threads=1"});
  const InProcessRun two = run_in_process_to(config, dir / "2.h5", {"simulation.threads=2"});
  CHECK(two.report.owner_from == UINT64_MAX);
  REQUIRE(two.report.projections.size() == 6);
  CHECK(two.report.projections[2].name == "I->E");
  CHECK(two.report.projections[2].parts == 2);
  CHECK(one.report.projections[2].parts == 1);
  CHECK(one.spikes.at("E").times.size() >= 50);
  CHECK(one.spikes.at("E").times == two.spikes.at("E").times);
  CHECK(one.spikes.at("E").ids == two.spikes.at("E").ids);
  same_weights(dir / "1.h5", dir / "2.h5");
  CHECK(read_h5_f64(dir / "1.h5", "/report/E/V/data") ==
        read_h5_f64(dir / "2.h5", "/report/E/V/data"));
}

namespace {

// with_istdp's network with tests/fixtures/rule_test.c's rule on I->E in place of istdp.
std::string with_test_rule(const std::string &library, const std::string &name,
                           const std::string &fail_at) {
  std::string config = with_istdp("0.5");
  const std::string istdp = R"j({"rule": "istdp", "params": {"eta": "20 ms",
      "tau": "20 ms", "r0": "10 Hz"})j";
  const std::size_t at = config.find(istdp);
  REQUIRE(at != std::string::npos);
  config.replace(at, istdp.size(),
                 R"j({"rule": ")j" + name + R"j(", "params": {"eta": 0.02, "fail_at": )j" +
                     fail_at + "}");
  const std::string j_ie = R"j("value": -150)j";
  config.replace(config.find(j_ie), j_ie.size(), R"j("value": -30)j");
  const std::string lib = std::string(GANGLION_TEST_PLUGIN_DIR) + "/" + library;
  REQUIRE(std::filesystem::exists(lib));
  config.insert(config.find('{') + 1, R"j("plugins": [")j" + lib + R"j("], )j");
  return config;
}

} // namespace

TEST_CASE("determinism: a plasticity rule that cannot be cut by target keeps owner mode off and "
          "its projection whole, with the same spikes and weights") {
  // rule_whole.so lacks GG_DESC_SPLIT_RULE: its projection (rows of 200, which split_delivery
  // would otherwise cut) is delivered whole and the rule run whole after it.
  const std::string config = with_test_rule("rule_whole.so", "gg_test_rule_whole", "-1");
  TempDir dir;
  const InProcessRun one = run_in_process_to(config, dir / "1.h5", {"simulation.threads=1"});
  const InProcessRun two = run_in_process_to(config, dir / "2.h5", {"simulation.threads=2"});
  CHECK(two.report.owner_from == UINT64_MAX);
  REQUIRE(two.report.projections.size() == 6);
  CHECK(two.report.projections[2].parts == 1);
  CHECK(one.spikes.at("E").times.size() >= 50);
  CHECK(one.spikes.at("E").times == two.spikes.at("E").times);
  CHECK(one.spikes.at("E").ids == two.spikes.at("E").ids);
  same_weights(dir / "1.h5", dir / "2.h5");
  // The same rule by parts (rule_split.so) splits the projection, in owner mode from step 128.
  const InProcessRun split =
      run_in_process_to(with_test_rule("rule_split.so", "gg_test_rule_split", "-1"), dir / "s.h5",
                        {"simulation.threads=2"});
  CHECK(split.report.owner_from == 128);
  CHECK(split.spikes.at("E").times == one.spikes.at("E").times);
  same_weights(dir / "1.h5", dir / "s.h5");
}

TEST_CASE("determinism: a plasticity rule failing by parts in owner mode stops the run with the "
          "words it gives whole") {
  for (const char *fail_at : {"1000", "40"}) { // in owner mode, and before it (split delivery)
    CAPTURE(fail_at);
    const std::string whole = with_test_rule("rule_whole.so", "gg_test_rule_whole", fail_at);
    const std::string split = with_test_rule("rule_split.so", "gg_test_rule_split", fail_at);
    const std::string words = std::string("failing on purpose in step ") + fail_at;
    CHECK_THROWS_WITH_AS(run_in_process(whole, {"simulation.threads=1"}),
                         doctest::Contains(words.c_str()), ganglion::RunError);
    for (const char *threads :
         {"simulation.threads=1", "simulation.threads=2", "simulation.threads=3"}) {
      CAPTURE(threads);
      CHECK_THROWS_WITH_AS(run_in_process(split, {threads}), doctest::Contains(words.c_str()),
                           ganglion::RunError);
      CHECK_THROWS_WITH_AS(run_in_process(split, {threads}),
                           doctest::Contains("plasticity of projection 'I->E': step failed: "),
                           ganglion::RunError);
    }
  }
}

TEST_CASE("determinism: owner mode cut again at every check (each inner bound moved by a slice) "
          "gives the same spikes and weights as one thread") {
  // GANGLION_TEST_RECUT makes every check of the threads' loads (at 256 and 1024 steps in owner
  // mode) cut the runs again, down a slice and then up, whatever the times: a new cut searches
  // only the row bounds whose target bound moved and keeps the others (and those of projections
  // onto a population whose bounds did not move). E is three slices, so its rows are cut inside.
  const std::string config = with_istdp("0.1");
  TempDir dir;
  const InProcessRun one = run_in_process_to(config, dir / "1.h5", larger_on("1"));
  REQUIRE(setenv("GANGLION_TEST_RECUT", "1", 1) == 0);
  struct Unset {
    ~Unset() { unsetenv("GANGLION_TEST_RECUT"); }
  } unset;
  const InProcessRun two = run_in_process_to(config, dir / "2.h5", larger_on("2"));
  const InProcessRun three = run_in_process_to(config, dir / "3.h5", larger_on("3"));
  CHECK(one.report.owner_cuts == 0);
  for (const InProcessRun *r : {&two, &three}) {
    CHECK(r->report.owner_from == 128);
    CHECK(r->report.owner_cuts == 3); // on entering owner mode, then at 256 and 1024 steps in it
  }
  same_spikes(one, two, three, {"E", "I", "X"});
  same_weights(dir / "1.h5", dir / "2.h5");
  same_weights(dir / "1.h5", dir / "3.h5");
}

TEST_CASE("determinism: threads 0 (auto) switching between one thread and all gives the same "
          "spikes and weights as one thread") {
  // GANGLION_TEST_CALIBRATE: windows of 4 steps timed on one thread and on all, from step 8 and
  // again every 64 steps, so that the run switches often: in owner mode (with istdp and a
  // weights recorder), and out of it (a state recorder), whatever it chooses.
  if (std::thread::hardware_concurrency() < 2) {
    MESSAGE("skipped: one hardware thread, so threads 0 is one thread and nothing is timed");
    return;
  }
  REQUIRE(setenv("GANGLION_TEST_CALIBRATE", "1", 1) == 0);
  struct Unset {
    ~Unset() { unsetenv("GANGLION_TEST_CALIBRATE"); }
  } unset;
  std::string with_state = with_istdp("0.1");
  const std::string recorders = R"("recorders": [)";
  with_state.insert(
      with_state.find(recorders) + recorders.size(),
      R"({"type": "state", "population": "E", "variables": ["V"], "every": "1 ms"}, )");
  for (const std::string &config : {with_istdp("0.1"), with_state}) {
    TempDir dir;
    const InProcessRun one = run_in_process_to(config, dir / "1.h5", larger_on("1"));
    const InProcessRun two = run_in_process_to(config, dir / "2.h5", larger_on("2"));
    const InProcessRun auto_ = run_in_process_to(config, dir / "0.h5", larger_on("0"));
    CHECK(auto_.report.auto_threads);
    CHECK_FALSE(two.report.auto_threads); // a number of threads asked for is kept
    CHECK(two.report.serial_steps == 0);
    // 2000 steps: a calibration (32 steps) from step 8, the next 64 steps after the last's start,
    // or 256 where one way was 25 % faster: at least 8.
    CHECK(auto_.report.calibrations >= (auto_.report.steps_done - 32 - 8) / 256 + 1);
    // Each calibration runs one window on one thread at least (four unless one way is 1.5 times
    // faster after the first two windows).
    CHECK(auto_.report.serial_steps >= 4 * auto_.report.calibrations);
    same_spikes(one, two, auto_, {"E", "I", "X"});
    same_weights(dir / "1.h5", dir / "0.h5");
  }
}

TEST_CASE("determinism: the run summary says what threads 0 (auto) chose and why") {
  if (std::thread::hardware_concurrency() < 2) {
    MESSAGE("skipped: one hardware thread, so threads 0 is one thread and nothing is timed");
    return;
  }
  TempDir dir;
  const std::string config = write_file(dir / "small.json", small_balanced);
  // 2000 steps: one calibration, from step 400 (owner mode from 128, its first new cut at 384).
  const CliResult r = run_cli("run " + config + " -t 0 -o " + (dir / "out.h5"));
  REQUIRE(r.exit_code == 0);
  CAPTURE(r.out);
  const std::size_t at = r.out.find("  threads 0 (auto) chose ");
  REQUIRE(at != std::string::npos);
  const std::string line = r.out.substr(at, r.out.find('\n', at) - at);
  CHECK(line.find(" ms on 1 thread and ") != std::string::npos);
  CHECK(line.find("(timed 1 time); ") != std::string::npos);
  CHECK(line.find(" % of the steps ran on 1 thread") != std::string::npos);
}
