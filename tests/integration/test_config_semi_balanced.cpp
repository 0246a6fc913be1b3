// configs/semi_balanced.json and configs/semi_balanced_active.json: E1, E2 (2000 EIF each), I (1000),
// each with its own Poisson input (X1, X2, XI, 1000 each), p = 0.1, weights j/sqrt(N), N = 5000.
// In the O(1) units of docs/science.md, W = [[0.5, 1.5, -3], [1.5, 0.5, -3], [4.5, 4.5, -5]]
// (rows and columns E1, E2, I) and X = (3.6 r_X1, 3.6 r_X2, 2.7 r_XI), r in Hz.
//
//   semi_balanced.json, r_X2 = 4 Hz: X = (36, 14.4, 27); -W^-1 X = (13.447, -8.153, 10.165) Hz has
//     a negative E2 rate; the LCP's only solution is r = (9, 0, 13.5) Hz (E1 and I balanced:
//     0.5*9 - 3*13.5 + 36 = 0, 4.5*9 - 5*13.5 + 27 = 0; E2 left with 1.5*9 - 3*13.5 + 14.4 = -12.6 < 0).
//   semi_balanced_active.json, r_X2 = 9 Hz: X = (36, 32.4, 27); -W^-1 X = (7.094, 3.494, 14.929) Hz,
//     every rate > 0, and the LCP's only solution.
// Both predictions are also asked of theory::analyze on the loaded experiment.
//
// Runs: each config as it is (N = 5000) but 600 ms, rates over (100, 600] ms (the transient from
// the uniform initial voltages is over within ~50 ms): about 1 s of wall time each on 2 cores.
//
// Claims and why they hold:
//   - semi_balanced: E2's simulated rate < 0.2 Hz (silenced: its mean input is 13 mV below rest
//     on average, only fluctuations reach threshold; measured 0.029, 0.028, 0.016 Hz for seeds
//     1-3, against >= 3.9 Hz for any active population here), E1 and I > 1 Hz;
//   - semi_balanced_active: every population > 1 Hz (nothing silenced; E2, the lowest, measured
//     3.94 ... 4.29 Hz);
//   - the active populations' rates are within 300/sqrt(N) = 4.24 Hz (Euclidean distance) of the
//     prediction. The finite-N gap: configs/balanced_scaling.json measured gap * sqrt(N) ~ 100 Hz
//     for the two-population reference network; these networks have larger, W-dependent
//     constants, measured with 1 s runs at N = 5000, 10000, 20000 (sizes 2:2:1, each X = N/5):
//     semi_balanced gaps 3.45, 2.24, 1.69 Hz (gap * sqrt(N) = 244, 224, 239), active 2.25, 1.42,
//     1.12 Hz (159, 142, 158): the gap does shrink like 1/sqrt(N). With these 600 ms runs, seeds
//     1-3 gave 3.22, 2.79, 3.33 Hz (semi_balanced) and 2.01, 1.64, 2.08 Hz (active), under the
//     bound 300/sqrt(N) (three times balanced_scaling's constant) by 0.9 Hz or more. The seed is
//     fixed (1), so the test is deterministic;
//   - semi_balanced: E1 and I sit below their limits (9, 13.5), as the finite balanced network
//     does in balanced_scaling (seeds 1-3: by 1.3 ... 1.8 and 2.5 ... 2.8 Hz).
#include <doctest/doctest.h>

#include <cmath>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "analysis/spike_stats.hpp"
#include "experiment/loader.hpp"
#include "registry/registry.hpp"
#include "support.hpp"
#include "theory/theory.hpp"

using namespace ganglion::test;
namespace theory = ganglion::theory;

namespace {

constexpr double duration = 600, from = 100;
const double sqrt_n = std::sqrt(5000.0);
const double tolerance = 300 / sqrt_n; // Hz, Euclidean over the active populations

struct Result {
  std::vector<double> rate; // E1, E2, I
  theory::Report theory;
};

Result run(const std::string &config) {
  const std::string text = read_file(source_path("configs/" + config));
  const nlohmann::json doc = nlohmann::json::parse(text);
  REQUIRE(doc.at("populations").at("E1").at("size") == 2000);
  REQUIRE(doc.at("populations").at("E2").at("size") == 2000);
  REQUIRE(doc.at("populations").at("I").at("size") == 1000);
  const std::vector<std::string> overrides = {"simulation.duration=600 ms", "simulation.seed=1"};
  Result r;
  {
    ganglion::PluginRegistry registry = ganglion::PluginRegistry::discover();
    const ganglion::Experiment exp =
        ganglion::load_experiment_text(text, config, "", overrides, registry);
    r.theory = theory::analyze(exp);
  }
  const InProcessRun sim = run_in_process(text, overrides);
  REQUIRE_FALSE(sim.report.diverged);
  for (const std::string name : {"E1", "E2", "I"}) {
    const SpikeTrain &s = sim.spikes.at(name);
    const uint64_t size = doc.at("populations").at(name).at("size").get<uint64_t>();
    r.rate.push_back(ganglion::mean_rate_hz(s.times, s.ids, size, duration, from));
  }
  MESSAGE(config << ": simulated E1 " << r.rate[0] << ", E2 " << r.rate[1] << ", I " << r.rate[2]
                 << " Hz over (100, 600] ms");
  return r;
}

void check_theory(const theory::Report &t, const std::vector<double> &balanced,
                  const std::vector<double> &semi) {
  REQUIRE(t.error.empty());
  REQUIRE(t.mf.names == std::vector<std::string>{"E1", "E2", "I"});
  CHECK(t.mf.sqrt_n == doctest::Approx(sqrt_n).epsilon(1e-12));
  REQUIRE(t.balanced.r.size() == 3);
  for (int a = 0; a < 3; ++a) CHECK(t.balanced.r(a) == doctest::Approx(balanced[a]).epsilon(1e-9));
  REQUIRE(t.semi.exact);
  REQUIRE(t.semi.solutions.size() == 1); // unique: no choice made for the test
  for (int a = 0; a < 3; ++a)
    CHECK(t.semi.solutions[0](a) == doctest::Approx(semi[a]).epsilon(1e-9).scale(1));
}

} // namespace

TEST_CASE("config semi_balanced: E2 is silenced, E1 and I follow the semi-balanced solution") {
  const Result r = run("semi_balanced.json");
  // -W^-1 X by hand: W r = -X solved for X = (36, 14.4, 27).
  check_theory(r.theory, {1143.0 / 85, -693.0 / 85, 864.0 / 85}, {9, 0, 13.5});
  CHECK_FALSE(r.theory.balanced.admissible);

  CHECK(r.rate[1] < 0.2); // E2 silenced
  CHECK(r.rate[0] > 1);
  CHECK(r.rate[2] > 1);
  const double gap = std::hypot(r.rate[0] - 9, r.rate[2] - 13.5);
  MESSAGE("distance of (E1, I) from (9, 13.5): " << gap << " Hz (bound " << tolerance << ")");
  CHECK(gap < tolerance);
  CHECK(r.rate[0] < 9);
  CHECK(r.rate[2] < 13.5);
}

TEST_CASE("config semi_balanced_active: nothing is silenced and the rates are near -W^-1 X") {
  const Result r = run("semi_balanced_active.json");
  const std::vector<double> star = {603.0 / 85, 297.0 / 85, 1269.0 / 85};
  check_theory(r.theory, star, star);
  CHECK(r.theory.balanced.admissible);

  for (double x : r.rate) CHECK(x > 1);
  const double gap = std::hypot(r.rate[0] - star[0], r.rate[1] - star[1], r.rate[2] - star[2]);
  MESSAGE("distance from -W^-1 X: " << gap << " Hz (bound " << tolerance << ")");
  CHECK(gap < tolerance);
}
