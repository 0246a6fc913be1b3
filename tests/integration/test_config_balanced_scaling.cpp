// configs/balanced_scaling.json: the reference network at N = N_e + N_i = 2500 (2000 E, 500 I,
// 500 X, p = 0.1, reference j's / sqrt(N), Euler exp_current as in balanced_eif.json).
// tools/balanced_scaling.sh runs it at N = 2500 ... 40000 (1 s, rates over (200, 1000] ms, seed
// 1): gaps |r - r*| to r* = -W^-1 X = (5.824, 15.882) Hz of 2.19, 1.75, 1.03, 0.70, 0.47 Hz,
// gap * sqrt(N) = 109, 124, 103, 99, 94: the gap shrinks like 1/sqrt(N), mostly in r_I.
//
// This test (coarse, fast): N = 2500 and N = 10000 (--set of the three sizes, 4:1:1), 0.5 s each
// (0.3 s and 1.9 s of wall time on 2 cores), rates over (100, 500] ms (the transient from the
// uniform initial voltages is over within ~50 ms). Claim: the distance of (r_E, r_I) from r* is
// smaller at 10000 than at 2500, and at 10000 within a band of r*.
//
// How large is the noise of the rates? Two parts, measured before choosing the claim:
//   - temporal: the population rate in 50 ms bins fluctuates; the standard error of the time mean
//     (sd of the 8 bins / sqrt(8)) is computed here and printed: 0.18 Hz (E) and 0.38 Hz (I) at
//     2500, 0.08 and 0.15 Hz at 10000 (the population rate wanders slowly at small N);
//   - quenched (connectivity, inputs, initial state: the seed): seeds 1-4 gave distances 2.72,
//     2.76, 1.88, 2.72 Hz at N = 2500 (mean 2.52, sd 0.43) and 0.94, 1.22, 1.14, 1.35 Hz at
//     10000 (mean 1.16, sd 0.17). The difference of the means, 1.36 Hz, is 3 times the combined
//     sd 0.46 of a single-seed comparison: meaningful, though not overwhelming; the seed is fixed
//     (1), so the test is deterministic, and it also checks that the difference exceeds 3 times the
//     temporal standard error measured in these very runs (seed 1: 2.72 - 0.94 = 1.78 Hz against
//     3 x 0.40 Hz).
// The band at 10000: |r_E - 5.824| < 0.5 Hz and |r_I - 15.882| < 2.0 Hz (the four seeds: E gaps
// 0.08 ... 0.23, I gaps 0.93 ... 1.33 Hz, rates below r*), and both rates below their r* plus the
// temporal error: the finite network sits below the limit.
#include <doctest/doctest.h>

#include <cmath>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "analysis/spike_stats.hpp"
#include "support.hpp"

using namespace ganglion::test;

namespace {

constexpr double duration = 500, from = 100, bin = 50;
const double rE_star = 99.0 / 17, rI_star = 270.0 / 17; // -W^-1 X, W = [[2,-3],[9,-5]], X = [36,27]

struct Rates {
  double E = 0, I = 0;
  double seE = 0, seI = 0; // standard error of the time mean from 50 ms bins
  double distance() const { return std::hypot(E - rE_star, I - rI_star); }
  // Standard error of distance() from the temporal noise (first order).
  double se_distance() const {
    const double d = distance();
    return std::hypot((E - rE_star) / d * seE, (I - rI_star) / d * seI);
  }
};

// Mean rate (Hz) over (from, duration] and the standard error from whole bins.
void rate_and_error(const SpikeTrain &s, uint64_t size, double &rate, double &se) {
  rate = ganglion::mean_rate_hz(s.times, s.ids, size, duration, from);
  const int nb = int((duration - from) / bin);
  std::vector<double> counts(std::size_t(nb), 0.0);
  for (double t : s.times)
    if (t > from && t <= duration) {
      int b = int((t - from) / bin);
      if (b >= nb) b = nb - 1; // a spike at exactly `duration`
      counts[std::size_t(b)] += 1;
    }
  double m = 0, v = 0;
  for (double &c : counts) c = c / double(size) / (bin * 1e-3), m += c;
  m /= nb;
  for (double c : counts) v += (c - m) * (c - m);
  v /= (nb - 1);
  se = std::sqrt(v / nb);
}

Rates run_at(const std::string &text, int N) {
  const int ne = N * 4 / 5, ni = N / 5;
  const InProcessRun run =
      run_in_process(text, {"populations.E.size=" + std::to_string(ne),
                            "populations.I.size=" + std::to_string(ni),
                            "populations.X.size=" + std::to_string(ni), "simulation.duration=500 ms",
                            "simulation.seed=1"});
  REQUIRE_FALSE(run.report.diverged);
  Rates r;
  rate_and_error(run.spikes.at("E"), uint64_t(ne), r.E, r.seE);
  rate_and_error(run.spikes.at("I"), uint64_t(ni), r.I, r.seI);
  MESSAGE("N = " << N << ": r_E = " << r.E << " +- " << r.seE << " Hz, r_I = " << r.I << " +- "
                 << r.seI << " Hz (temporal s.e.), distance from -W^-1 X " << r.distance()
                 << " +- " << r.se_distance() << " Hz");
  return r;
}

} // namespace

TEST_CASE("config balanced_scaling: the rates approach -W^-1 X as N grows") {
  const std::string text = read_file(source_path("configs/balanced_scaling.json"));
  const nlohmann::json doc = nlohmann::json::parse(text);
  REQUIRE(doc.at("populations").at("E").at("size") == 2000);
  REQUIRE(doc.at("populations").at("I").at("size") == 500);
  REQUIRE(doc.at("populations").at("X").at("size") == 500);
  for (const auto &p : doc.at("projections")) {
    REQUIRE(p.at("weight").at("scale") == "1/sqrt(N)"); // N recomputed from the sizes
    REQUIRE_FALSE(p.at("weight").contains("N"));
  }
  const Rates small = run_at(text, 2500), large = run_at(text, 10000);
  for (const Rates *r : {&small, &large}) {
    CHECK(std::isfinite(r->E));
    CHECK(r->E > 0);
    CHECK(r->I > r->E);
  }
  CHECK(large.distance() < small.distance());
  CHECK(small.distance() - large.distance() >
        3 * std::hypot(small.se_distance(), large.se_distance()));
  CHECK(std::abs(large.E - rE_star) < 0.5);
  CHECK(std::abs(large.I - rI_star) < 2.0);
  CHECK(large.E < rE_star + 3 * large.seE);
  CHECK(large.I < rI_star + 3 * large.seI);
}
