// configs/istdp_balanced.json and istdp_balanced_target.json: inhibitory STDP on I->E drives the
// E rate to the target r0, from below (the reference network sits near 5.7 Hz, r0 = 10 Hz) and
// from above (input at 20 Hz alone gives about 12 Hz, r0 = 8 Hz). The tests run the configs at
// N = 2000 (N_e 1600, N_i 400, N_x 400; weights scale as 1/sqrt(N) by themselves) for 8 s with
// learning from 1 s on, as the configs do (their eta = 1 ms settles the rate within about 3 s of
// learning); the claim does not depend on N: the rule's fixed point is r_E = r0 for any size.
//
// Tolerance: the E rate over the last 3 s within 10 % of r0. The mean drift of a weight is
// proportional to r_I (r_E - r0) plus the covariance of pre and post spike trains, which shifts
// the fixed point by a few percent (measured at N = 5000 over 10 s: 10.1 Hz for r0 = 10, 8.15 Hz
// for r0 = 8), and at N = 2000 the 100 ms bins scatter by about 1 Hz, so the 3 s mean by about
// 0.2 Hz, with slower wander of the weights on top. Before learning the rate must be on the
// other side of r0, by more than that tolerance, so the test shows a change, not a coincidence.
#include <doctest/doctest.h>

#include <numeric>
#include <string>
#include <vector>

#include "support.hpp"

using namespace ganglion::test;

namespace {

struct Rates {
  double before; // mean E rate over the first second (static)
  double after;  // mean E rate over the last 3 s
  double w_start, w_end; // mean I->E weight
};

Rates run(const std::string &config) {
  TempDir dir;
  const std::string out = dir / "istdp.h5";
  run_in_process_to(read_file(source_path(config)), out,
                    {"populations.E.size=1600", "populations.I.size=400", "populations.X.size=400",
                     "simulation.duration=\"8 s\"",
                     "projections.2.plasticity.active=[[\"1 s\", \"8 s\"]]"});
  const std::vector<double> rate = read_h5_f64(out, "/rates/E/rate"); // 100 ms bins
  const std::vector<double> w = read_h5_f64(out, "/weights/I->E/mean");
  REQUIRE(rate.size() == 80);
  REQUIRE(w.size() == 81); // the initial weights, then every 100 ms
  Rates r;
  r.before = std::accumulate(rate.begin(), rate.begin() + 10, 0.0) / 10;
  r.after = std::accumulate(rate.end() - 30, rate.end(), 0.0) / 30;
  r.w_start = w.front();
  r.w_end = w.back();
  MESSAGE(config << ": E rate " << r.before << " Hz before learning, " << r.after
                 << " Hz after; mean I->E weight " << r.w_start << " -> " << r.w_end << " mV");
  return r;
}

} // namespace

TEST_CASE("config istdp_balanced: learning raises the E rate to r0 = 10 Hz (from below)") {
  const Rates r = run("configs/istdp_balanced.json");
  CHECK(r.before < 10 * 0.9);
  CHECK(r.after == doctest::Approx(10).epsilon(0.1));
  // Less inhibition: the I->E weights (negative) shrink in magnitude, and keep their sign.
  CHECK(r.w_end > r.w_start);
  CHECK(r.w_end < 0);
}

TEST_CASE("config istdp_balanced_target: the E rate follows r0 = 8 Hz, not the 20 Hz input") {
  const Rates r = run("configs/istdp_balanced_target.json");
  CHECK(r.before > 8 * 1.1);
  CHECK(r.after == doctest::Approx(8).epsilon(0.1));
  CHECK(r.w_end < r.w_start); // more inhibition
}
