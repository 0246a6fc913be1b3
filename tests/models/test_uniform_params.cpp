// Uniform parameters (ABI 1.1, gg_view::uniform): lif and eif take a vectorised path with the
// parameters loaded once where every neuron has the same value, and a per-element path where they
// differ. The two must give the same bits for the same neuron, and a schedule that makes a
// parameter differ between neurons must move a population to the per-element path.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "support.hpp"

using namespace ganglion::test;

namespace {

// V of every neuron after every step, by population: rows are steps, columns neurons.
std::vector<double> traces(const std::string &file, const std::string &pop) {
  return read_h5_f64(file, "/report/" + pop + "/V/data");
}

// Two populations of four identical neurons except for I_e: U has one I_e (the uniform path), A
// alternates it (the per-element path), so A's neurons 0 and 2 are U's neurons.
std::string pair_config(const std::string &model, const std::string &params) {
  const std::string common = "\"tau_ref\": \"2 ms\"" + params;
  return R"({"ganglion": 1, "simulation": {"dt": "0.1 ms", "duration": "300 ms", "seed": 3},
    "populations": {
      "U": {"model": ")" +
         model + R"(", "size": 4, "init": {"V": "-70 mV"},
            "params": {"I_e": "2 mV/ms", )" +
         common + R"(}},
      "A": {"model": ")" +
         model + R"(", "size": 4, "init": {"V": "-70 mV"},
            "params": {"I_e": ["2 mV/ms", "1.5 mV/ms", "2 mV/ms", "1.5 mV/ms"], )" +
         common + R"(}}},
    "projections": [],
    "recorders": [
      {"type": "state", "population": "U", "variables": ["V"], "every": "0.1 ms"},
      {"type": "state", "population": "A", "variables": ["V"], "every": "0.1 ms"},
      {"type": "spikes", "population": "U"}]})";
}

void check_same_path_results(const std::string &model, const std::string &params) {
  TempDir dir;
  const std::string file = dir / "out.h5";
  const InProcessRun run = run_in_process_to(pair_config(model, params), file);
  const std::vector<double> u = traces(file, "U"), a = traces(file, "A");
  REQUIRE(u.size() == a.size());
  REQUIRE(u.size() == 4 * 3000);
  // Neurons fire (the reset and refractory paths ran), and the two paths agree bit for bit.
  CHECK(run.spikes.at("U").times.size() > 4 * 10);
  uint64_t differ = 0;
  for (std::size_t k = 0; k < u.size(); k += 4) {
    differ += u[k] != a[k];         // neuron 0 of each
    differ += u[k + 2] != a[k + 2]; // neuron 2 of each
  }
  CHECK(differ == 0);
  // And A's other neurons are different neurons (I_e 1.5): the test compares something.
  bool other = false;
  for (std::size_t k = 0; k < u.size(); k += 4)
    other |= a[k + 1] != a[k];
  CHECK(other);
}

} // namespace

TEST_CASE("uniform parameters: lif (exact) gives the same bits on both paths") {
  check_same_path_results("lif", "");
}

TEST_CASE("uniform parameters: lif (euler) gives the same bits on both paths") {
  check_same_path_results("lif", ", \"scheme\": \"euler\"");
}

TEST_CASE("uniform parameters: eif gives the same bits on both paths") {
  check_same_path_results("eif", "");
}

TEST_CASE("uniform parameters: a schedule that makes I_e differ moves to the per-element path") {
  // S: one I_e until 150 ms, then per-neuron values. T: per-neuron values throughout, equal to S's
  // for neurons 0 to 2 at all times. Were S still taken as uniform after the change, its neuron 1
  // would get neuron 0's new I_e (1.5) instead of its own (2).
  const std::string json = R"({"ganglion": 1,
    "simulation": {"dt": "0.1 ms", "duration": "300 ms", "seed": 3},
    "populations": {
      "S": {"model": "lif", "size": 4, "init": {"V": "-70 mV"},
            "params": {"I_e": {"schedule": [["0 ms", "2 mV/ms"],
                                             ["150 ms", ["1.5 mV/ms", "2 mV/ms", "1.5 mV/ms", "2 mV/ms"]]]}}},
      "T": {"model": "lif", "size": 4, "init": {"V": "-70 mV"},
            "params": {"I_e": {"schedule": [["0 ms", ["2 mV/ms", "2 mV/ms", "2 mV/ms", "1 mV/ms"]],
                                             ["150 ms", ["1.5 mV/ms", "2 mV/ms", "1.5 mV/ms", "2 mV/ms"]]]}}}},
    "projections": [],
    "recorders": [
      {"type": "state", "population": "S", "variables": ["V"], "every": "0.1 ms"},
      {"type": "state", "population": "T", "variables": ["V"], "every": "0.1 ms"}]})";
  TempDir dir;
  const std::string file = dir / "out.h5";
  run_in_process_to(json, file);
  const std::vector<double> s = traces(file, "S"), t = traces(file, "T");
  REQUIRE(s.size() == t.size());
  REQUIRE(s.size() == 4 * 3000);
  uint64_t differ = 0;
  for (std::size_t k = 0; k < s.size(); k += 4)
    for (std::size_t j = 0; j < 3; ++j)
      differ += s[k + j] != t[k + j];
  CHECK(differ == 0);
  // After the change neurons 0 and 1 of S differ (1.5 against 2): the schedule took effect.
  CHECK(s[4 * 2999] != s[4 * 2999 + 1]);
}

TEST_CASE("uniform weights: delivery without weight loads gives the same spikes as with them") {
  // The same small E-I network twice. In the first, every I->E weight is the same and nothing
  // changes it, so the kernel marks the projection's weights uniform and exp_current adds one value
  // per synapse. In the second, an istdp rule sits on I->E, learning only in the last step (after
  // which no spike can change), so the weights are not marked and every synapse's weight is loaded.
  const auto config = [](bool plastic) {
    const std::string rule =
        plastic ? R"(, "plasticity": {"rule": "istdp", "params": {"eta": "1 ms", "r0": "10 Hz"},
                                        "active": [["299.9 ms", "300 ms"]]})"
                : "";
    return R"({"ganglion": 1, "simulation": {"dt": "0.1 ms", "duration": "300 ms", "seed": 5},
      "populations": {
        "E": {"model": "lif", "size": 200, "init": {"V": {"uniform": ["-65 mV", "-50 mV"]}},
              "params": {"I_e": "1.8 mV/ms", "tau_m": "20 ms"}},
        "I": {"model": "lif", "size": 50, "init": {"V": {"uniform": ["-65 mV", "-50 mV"]}},
              "params": {"I_e": "1.8 mV/ms", "tau_m": "20 ms"}}},
      "projections": [
        {"pre": "E", "post": "I", "synapse": "exp_current", "connect": {"rule": "fixed_probability", "p": 0.2},
         "weight": 0.5},
        {"pre": "I", "post": "E", "synapse": "exp_current", "connect": {"rule": "fixed_probability", "p": 0.2},
         "weight": -1.5)" +
           rule + R"(}],
      "recorders": [{"type": "spikes", "population": "E"}]})";
  };
  const InProcessRun fixed = run_in_process(config(false));
  const InProcessRun plastic = run_in_process(config(true));
  const SpikeTrain &a = fixed.spikes.at("E"), &b = plastic.spikes.at("E");
  CHECK(a.times.size() > 200); // the network fires, and I->E acts on it (checked next)
  CHECK(a.times == b.times);
  CHECK(a.ids == b.ids);
  // Without the inhibition E fires more: the projection whose delivery is compared matters.
  const std::string no_inhibition = config(false);
  const InProcessRun free_run = run_in_process(no_inhibition, {"projections.1.weight=0"});
  CHECK(free_run.spikes.at("E").times.size() > a.times.size());
}

TEST_CASE("uniform parameters: a tau_m schedule changes lif's decay too") {
  // Before 100 ms tau_m = 10 ms keeps v_inf = -55 mV below threshold: no spikes. From then on
  // tau_m = 20 ms, v_inf = -45 mV: regular firing, whose interval must be that of a neuron with
  // tau_m = 20 ms throughout (its decay exp(-dt/20 ms), not the initial exp(-dt/10 ms)).
  const auto config = [](const std::string &tau) {
    return R"({"ganglion": 1, "simulation": {"dt": "0.1 ms", "duration": "300 ms", "seed": 3},
      "populations": {"E": {"model": "lif", "size": 2, "init": {"V": "-65 mV"},
        "params": {"E_L": "-65 mV", "V_re": "-65 mV", "V_th": "-50 mV", "I_e": "1 mV/ms",
                   "tau_m": )" +
           tau + R"(}}},
      "projections": [], "recorders": [{"type": "spikes", "population": "E"}]})";
  };
  const InProcessRun scheduled =
      run_in_process(config(R"({"schedule": [["0 ms", "10 ms"], ["100 ms", "20 ms"]]})"));
  const InProcessRun fixed = run_in_process(config(R"("20 ms")"));
  const std::vector<double> &a = scheduled.spikes.at("E").times, &b = fixed.spikes.at("E").times;
  REQUIRE(a.size() >= 6);
  REQUIRE(b.size() >= 6);
  CHECK(a.front() > 100);
  const double interval_a = a[a.size() - 1] - a[a.size() - 3]; // neurons 0 and 1 fire together
  const double interval_b = b[b.size() - 1] - b[b.size() - 3];
  CHECK(interval_a == doctest::Approx(interval_b).epsilon(1e-9));
}
