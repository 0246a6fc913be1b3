// configs/rate_model.json: the reference network's mean-field rate model, one relu rate unit per
// population, tau_a dr_a/dt = -r_a + [sqrt(N) (W r + X)_a]^+, N = 10000, tau_E 10, tau_I 5 ms.
// Mapping: rate_linear weights sqrt(N) w_ab (E->E 200, I->E -300, E->I 900, I->I -500), the
// units' "X" sqrt(N) X_a (3600, 2700 Hz); W = [[2, -3], [9, -5]], X = [36, 27] as in
// docs/science.md, "Networks".
// Run as it is (100 ms at dt = 0.01 ms, a few ms of wall time).
//
// Claims:
//   - after the run the rates are at the fixed point of the linear system (both active),
//     (I - sqrt(N) W) r = sqrt(N) X, solved here: r = (5.834376, 15.870136) Hz, to 1e-6
//     relative. The fixed point of the discrete scheme (the exact step r <- f + (r - f) e^{-dt/tau}
//     and the one-step delay of rate_linear) is the same point, and the linearised loop contracts
//     by |lambda| ~ 0.7 per step at dt = 0.01 ms: after 10000 steps the distance is at rounding
//     level, so 1e-6 is loose; the last 10 samples (1 ms) agree to 1e-9 Hz as well (stationary);
//   - the fixed point differs from the large-N limit r* = -W^-1 X = (99/17, 270/17) Hz by
//     exactly d = eps (W - eps I)^-1 r* with eps = 1/sqrt(N) (from (W - eps I) r = -X = W r*),
//     which to first order is eps W^-1 r* = (+0.0109, -0.0122) Hz, the second-order remainder
//     being eps^2 W^-2 r* ~ 1e-4 Hz: the simulated r - r* is checked against the first-order
//     term within 2 eps^2 |W^-2 r*| + 1e-6, and |r - r*| / r* < 0.2 % (O(1/sqrt(N))).
#include <doctest/doctest.h>

#include <array>
#include <cmath>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "support.hpp"

using namespace ganglion::test;

namespace {

using Vec = std::array<double, 2>;
using Mat = std::array<Vec, 2>;


Vec solve(const Mat &A, const Vec &b) { // Cramer's rule
  const double det = A[0][0] * A[1][1] - A[0][1] * A[1][0];
  REQUIRE(std::abs(det) > 0);
  return {(b[0] * A[1][1] - A[0][1] * b[1]) / det, (A[0][0] * b[1] - b[0] * A[1][0]) / det};
}

int index_of(const std::string &pop) {
  REQUIRE((pop == "E" || pop == "I"));
  return pop == "E" ? 0 : 1;
}

} // namespace

TEST_CASE("config rate_model: the rates reach (I - sqrt(N) W) r = sqrt(N) X, near -W^-1 X") {
  const std::string text = read_file(source_path("configs/rate_model.json"));
  const nlohmann::json doc = nlohmann::json::parse(text);
  const double sqrtN = 100; // N = 10000
  const Mat W{{{2, -3}, {9, -5}}};
  const Vec X{36, 27};

  // The config's couplings and inputs, and the mapping of the header.
  Mat M{};
  int seen = 0;
  for (const auto &p : doc.at("projections")) {
    REQUIRE(p.at("synapse") == "rate_linear");
    REQUIRE(p.at("connect").at("rule") == "all_to_all");
    const int post = index_of(p.at("post")), pre = index_of(p.at("pre"));
    M[std::size_t(post)][std::size_t(pre)] = config_number(p.at("weight").at("value"), "");
    ++seen;
  }
  REQUIRE(seen == 4);
  Vec Xs{};
  for (const char *pop : {"E", "I"}) {
    const auto &p = doc.at("populations").at(pop);
    REQUIRE(p.at("model") == "rate");
    REQUIRE(p.at("size") == 1);
    REQUIRE(p.at("params").at("function") == "relu");
    Xs[std::size_t(index_of(pop))] = config_number(p.at("params").at("X"), "Hz");
  }
  for (std::size_t a = 0; a < 2; ++a) {
    CHECK(Xs[a] == sqrtN * X[a]);
    for (std::size_t b = 0; b < 2; ++b) CHECK(M[a][b] == sqrtN * W[a][b]);
  }

  TempDir dir;
  const std::string h5 = dir / "run.h5";
  const InProcessRun run = run_in_process_to(text, h5);
  REQUIRE_FALSE(run.report.diverged);
  const std::vector<double> rE = read_h5_f64(h5, "/report/E/r/data"),
                            rI = read_h5_f64(h5, "/report/I/r/data");
  REQUIRE(rE.size() == 1000);
  REQUIRE(rI.size() == 1000);
  const Vec r{rE.back(), rI.back()};

  // The fixed point of the linear system (both units active: the solution is positive).
  const Vec fp = solve({{{1 - M[0][0], -M[0][1]}, {-M[1][0], 1 - M[1][1]}}}, Xs);
  REQUIRE(fp[0] > 0);
  REQUIRE(fp[1] > 0);
  for (std::size_t a = 0; a < 2; ++a) {
    CAPTURE(a);
    CHECK(r[a] == doctest::Approx(fp[a]).epsilon(1e-6));
    for (std::size_t k = rE.size() - 10; k < rE.size(); ++k)
      CHECK(std::abs((a ? rI : rE)[k] - r[a]) < 1e-9);
  }

  // Against the large-N limit.
  const Vec star = solve(W, {-X[0], -X[1]}); // -W^-1 X
  CHECK(star[0] == doctest::Approx(99.0 / 17).epsilon(1e-12));
  CHECK(star[1] == doctest::Approx(270.0 / 17).epsilon(1e-12));
  const double eps = 1 / sqrtN;
  const Vec w1 = solve(W, star), w2 = solve(W, w1); // W^-1 r*, W^-2 r*
  for (std::size_t a = 0; a < 2; ++a) {
    CAPTURE(a);
    const double first_order = eps * w1[a];
    const double tol = 2 * eps * eps * std::abs(w2[a]) + 1e-6;
    CAPTURE(first_order);
    CAPTURE(tol);
    CHECK(std::abs((r[a] - star[a]) - first_order) < tol);
    CHECK(std::abs(r[a] - star[a]) / star[a] < 2e-3);
  }
  MESSAGE("rates " << r[0] << ", " << r[1] << " Hz; fixed point " << fp[0] << ", " << fp[1]
                   << "; -W^-1 X " << star[0] << ", " << star[1] << "; r - r* = " << r[0] - star[0]
                   << ", " << r[1] - star[1] << " (first order " << eps * w1[0] << ", "
                   << eps * w1[1] << ")");
}
