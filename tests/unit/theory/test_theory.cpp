// Mean-field theory (docs/science.md, "Networks", "Balanced state", "Semi-balanced state", "Rate
// networks: fixed points and stability"): the reference network's W and X, the balanced
// prediction, the LCP solver's three conditions and its completeness, the Dale theorem, rate-unit
// fixed points and the refusals.
#include <doctest/doctest.h>

#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "experiment/loader.hpp"
#include "support.hpp"
#include "theory/theory.hpp"

using namespace ganglion;
using namespace ganglion::theory;

namespace {

bool close(double a, double b, double rel) {
  return std::abs(a - b) <= rel * std::max(std::abs(a), std::abs(b));
}

// The three LCP conditions with tolerance `tol` relative to the problem's scale.
bool lcp_solution(const Eigen::MatrixXd &W, const Eigen::VectorXd &X, const Eigen::VectorXd &r,
                  double tol) {
  const double rn = std::max(r.cwiseAbs().maxCoeff(), 1.0);
  const double un = W.cwiseAbs().rowwise().sum().maxCoeff() * rn + X.cwiseAbs().maxCoeff();
  const Eigen::VectorXd u = W * r + X;
  for (int a = 0; a < r.size(); ++a) {
    if (r(a) < -tol * rn) return false;
    if (u(a) > tol * un) return false;
    if (r(a) > tol * rn && std::abs(u(a)) > tol * un) return false;
  }
  return true;
}

// Has `sols` a solution equal to r (relative 1e-9)?
bool contains(const std::vector<Eigen::VectorXd> &sols, const Eigen::VectorXd &r) {
  for (const auto &s : sols)
    if ((s - r).cwiseAbs().maxCoeff() <= 1e-9 * std::max(1.0, r.cwiseAbs().maxCoeff())) return true;
  return false;
}

Experiment load_text(PluginRegistry &reg, const std::string &json,
                     const std::vector<std::string> &overrides = {}) {
  return load_experiment_text(json, "theory_test.json", "", overrides, reg);
}

// A small LIF network: E (100 lif), X (50 poisson at 5 Hz); X->E exp_current 0.5 mV, in-degree
// 10; E->E a synapse given by `ee` (weight 0.2), p = 0.1 without autapses.
std::string small_net(const std::string &ee) {
  return R"({
    "ganglion": 1,
    "simulation": {"dt": "0.1 ms", "duration": "100 ms", "seed": 1},
    "populations": {
      "E": {"model": "lif", "size": 100, "params": {"I_e": "0.3 mV/ms"}},
      "X": {"model": "poisson", "size": 50, "params": {"rate": "5 Hz"}}
    },
    "projections": [
      {"pre": "X", "post": "E", "synapse": "exp_current", "params": {"tau": "5 ms"},
       "connect": {"rule": "fixed_indegree", "indegree": 10}, "weight": 0.5},
      {"pre": "E", "post": "E", )" + ee + R"(,
       "connect": {"rule": "fixed_probability", "p": 0.1, "autapses": false}, "weight": 0.2}
    ]
  })";
}

} // namespace

TEST_CASE("theory: the reference network's w, x, sqrt(N) and balanced rates") {
  PluginRegistry reg = PluginRegistry::discover();
  Experiment exp = load_experiment(test::source_path("configs/balanced_eif.json"), {}, reg);
  MeanField mf = mean_field(exp);
  REQUIRE(mf.names == std::vector<std::string>{"E", "I"});
  CHECK_FALSE(mf.rate_units);
  CHECK(close(mf.sqrt_n, 100, 1e-12));
  // docs/science.md, "Networks": w = [[2, -3], [9, -5]], x = [36, 27] (x_a = j_ax p q_x r_x,
  // r_x = 10 Hz).
  const double w[2][2] = {{2, -3}, {9, -5}};
  for (int a = 0; a < 2; ++a)
    for (int b = 0; b < 2; ++b) CHECK(close(mf.w(a, b), w[a][b], 1e-6));
  CHECK(close(mf.x(0), 36, 1e-6));
  CHECK(close(mf.x(1), 27, 1e-6));
  // In input units: W_EE = J K 1e-3 = 0.25 mV * 800 * 1e-3 = 0.2 mV/ms per Hz; X_E = 3.6 mV/ms.
  CHECK(close(mf.W(0, 0), 0.2, 1e-9));
  CHECK(close(mf.X(0), 3.6, 1e-9));

  Balanced b = balanced(mf);
  CHECK(b.admissible);
  CHECK(close(b.r(0), 99.0 / 17, 1e-9)); // 5.8235 Hz
  CHECK(close(b.r(1), 270.0 / 17, 1e-9)); // 15.882 Hz

  // Admissible balanced state: the semi-balanced solution is it, and the only one.
  SemiBalanced s = semi_balanced(mf.W, mf.X);
  REQUIRE(s.solutions.size() == 1);
  CHECK(s.exact);
  CHECK((s.solutions[0] - b.r).cwiseAbs().maxCoeff() <= 1e-9 * b.r.maxCoeff());
  // The iterative method finds the same.
  SemiBalanced it = semi_balanced(mf.W, mf.X, 0);
  CHECK_FALSE(it.exact);
  REQUIRE(it.solutions.size() == 1);
  CHECK((it.solutions[0] - b.r).cwiseAbs().maxCoeff() <= 1e-9 * b.r.maxCoeff());

  Report rep = analyze(exp);
  CHECK(rep.error.empty());
  const std::string text = format(rep);
  CHECK(text.find("sqrt(N) = 100") != std::string::npos);
  CHECK(text.find("5.82353 Hz") != std::string::npos);
  CHECK(text.find("15.8824 Hz") != std::string::npos);
  CHECK(text.find("admissible") != std::string::npos);
}

TEST_CASE("theory: in-degrees, event areas and drives of the mean field") {
  PluginRegistry reg = PluginRegistry::discover();
  const double K_xe = 10, K_ee = 0.1 * 99; // autapses off: p (N - 1)
  const double X_e = 0.5 * K_xe * 5 * 1e-3 + 0.3; // source J K r 1e-3 + I_e
  {
    // exp_current 'integral': area J.
    MeanField mf = mean_field(load_text(reg, small_net(R"("synapse": "exp_current")")));
    CHECK(close(mf.W(0, 0), 0.2 * K_ee * 1e-3, 1e-12));
    CHECK(close(mf.X(0), X_e, 1e-12));
    CHECK(mf.sqrt_n == 1);
  }
  {
    // delta: a jump of J mV is the same mean input as a current of area J.
    MeanField mf = mean_field(load_text(reg, small_net(R"("synapse": "delta")")));
    CHECK(close(mf.W(0, 0), 0.2 * K_ee * 1e-3, 1e-12));
  }
  {
    // exp_current 'peak': J (mV/ms) is the jump, the area J tau.
    MeanField mf = mean_field(load_text(
        reg, small_net(R"("synapse": "exp_current", "params": {"tau": "4 ms", "convention": "peak"})")));
    CHECK(close(mf.W(0, 0), 0.2 * 4 * K_ee * 1e-3, 1e-12));
  }
  {
    // I_app as a schedule: its time mean over the run (0 for 40 ms, then 1 mV/ms: 0.6).
    MeanField mf = mean_field(load_text(reg, small_net(R"("synapse": "exp_current")"),
                                        {R"(populations.E.I_app={"schedule": [["0 ms", 0], ["40 ms", 1]]})"}));
    CHECK(close(mf.X(0), X_e + 0.6, 1e-12));
    bool noted = false;
    for (const auto &n : mf.notes) noted = noted || n.find("time mean") != std::string::npos;
    CHECK(noted);
  }
}

TEST_CASE("theory: LCP solutions meet the three conditions (200 random instances)") {
  std::mt19937_64 rng(20240601);
  std::uniform_real_distribution<double> U(-1, 1);
  int with_solutions = 0;
  for (int trial = 0; trial < 200; ++trial) {
    const int n = 1 + trial % 6;
    Eigen::MatrixXd W(n, n);
    Eigen::VectorXd X(n);
    for (int i = 0; i < n; ++i) {
      X(i) = 3 * U(rng);
      for (int j = 0; j < n; ++j) W(i, j) = 2 * U(rng);
    }
    SemiBalanced s = semi_balanced(W, X);
    CHECK(s.exact);
    for (const auto &r : s.solutions) CHECK(lcp_solution(W, X, r, 1e-9));
    with_solutions += !s.solutions.empty();
    // Completeness on 1x1: r = 0 when X <= 0; r = -X/W when -X/W >= 0; both when both hold.
    if (n == 1) {
      std::vector<Eigen::VectorXd> want;
      if (X(0) <= 0) want.push_back(Eigen::VectorXd::Zero(1));
      if (-X(0) / W(0, 0) > 0) want.push_back(Eigen::VectorXd::Constant(1, -X(0) / W(0, 0)));
      CHECK(s.solutions.size() == want.size());
      for (const auto &r : want) CHECK(contains(s.solutions, r));
    }
  }
  MESSAGE("random LCP instances with at least one solution: " << with_solutions << " of 200");
  CHECK(with_solutions > 50);
}

TEST_CASE("theory: -W a P-matrix gives exactly one solution, by enumeration and by iteration") {
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> U(-1, 1);
  for (int trial = 0; trial < 50; ++trial) {
    const int n = 2 + trial % 5;
    // -W = I + E with |E_ij| <= 0.5/n: its symmetric part is positive definite (||E||_2 <= 0.5),
    // so -W is a P-matrix and the LCP has exactly one solution for every X.
    Eigen::MatrixXd E(n, n);
    Eigen::VectorXd X(n);
    for (int i = 0; i < n; ++i) {
      X(i) = U(rng);
      for (int j = 0; j < n; ++j) E(i, j) = 0.5 / n * U(rng);
    }
    const Eigen::MatrixXd W = -(Eigen::MatrixXd::Identity(n, n) + E);
    SemiBalanced s = semi_balanced(W, X);
    REQUIRE(s.solutions.size() == 1);
    CHECK(lcp_solution(W, X, s.solutions[0], 1e-10));
    SemiBalanced it = semi_balanced(W, X, 0);
    REQUIRE(it.solutions.size() == 1);
    CHECK((it.solutions[0] - s.solutions[0]).cwiseAbs().maxCoeff() <=
          1e-9 * std::max(1.0, s.solutions[0].cwiseAbs().maxCoeff()));
  }
}

TEST_CASE("theory: several LCP solutions are all returned") {
  {
    // Two: population 1 excites itself with a negative drive (r1 = 0 or 1), population 2 is
    // driven and self-inhibited (r2 = 1).
    Eigen::MatrixXd W(2, 2);
    W << 1, 0, 0, -1;
    Eigen::VectorXd X(2);
    X << -1, 1;
    SemiBalanced s = semi_balanced(W, X);
    REQUIRE(s.solutions.size() == 2);
    CHECK(contains(s.solutions, Eigen::Vector2d(0, 1)));
    CHECK(contains(s.solutions, Eigen::Vector2d(1, 1)));
    CHECK(s.note.find("2 solutions") != std::string::npos);
  }
  {
    // Three: strong mutual inhibition (winner-take-all): either one alone at 1, or both at 1/3.
    Eigen::MatrixXd W(2, 2);
    W << -1, -2, -2, -1;
    Eigen::VectorXd X(2);
    X << 1, 1;
    SemiBalanced s = semi_balanced(W, X);
    REQUIRE(s.solutions.size() == 3);
    CHECK(contains(s.solutions, Eigen::Vector2d(1, 0)));
    CHECK(contains(s.solutions, Eigen::Vector2d(0, 1)));
    CHECK(contains(s.solutions, Eigen::Vector2d(1.0 / 3, 1.0 / 3)));
  }
  {
    // None: self-excitation with positive drive runs away.
    Eigen::MatrixXd W(1, 1);
    W << 1;
    Eigen::VectorXd X(1);
    X << 1;
    SemiBalanced s = semi_balanced(W, X);
    CHECK(s.solutions.empty());
    CHECK(s.note.find("none") != std::string::npos);
  }
}

TEST_CASE("theory: Dale W: some X > 0 makes -W^-1 X negative, and the LCP is balanced on its "
          "active set") {
  // Why X exists: if B = -W^-1 were >= 0, then for an E column c of -W (c <= 0, c != 0),
  // B c = e_E would be <= 0: impossible. So B has a negative entry B_ik, and X = e_k + eps 1
  // with eps = |B_ik| / (2 (sum_j |B_ij| + 1)) is > 0 with (B X)_i < B_ik / 2 < 0.
  // Inhibition scaled with the E/I population ratio so that inhibition tends to dominate (else
  // E runs away and the LCP often has no solution, which is reported, not a failure).
  std::mt19937_64 rng(11);
  std::uniform_real_distribution<double> U(0, 1);
  int solved = 0, trials = 0;
  for (int trial = 0; trial < 100; ++trial) {
    const int n = 2 + trial % 4;
    const int n_e = 1 + trial % (n - 1); // at least one E and one I population
    Eigen::MatrixXd W(n, n);
    for (int i = 0; i < n; ++i)
      for (int j = 0; j < n; ++j)
        W(i, j) = j < n_e ? 0.1 + U(rng) : -(0.5 + 3 * U(rng)) * double(n_e) / double(n - n_e);
    const Eigen::MatrixXd B = -W.inverse();
    int ni = -1, nk = -1;
    for (int i = 0; i < n && ni < 0; ++i)
      for (int k = 0; k < n; ++k)
        if (B(i, k) < 0) {
          ni = i;
          nk = k;
          break;
        }
    REQUIRE(ni >= 0); // the theorem
    const double eps = std::abs(B(ni, nk)) / (2 * (B.row(ni).cwiseAbs().sum() + 1));
    Eigen::VectorXd X = Eigen::VectorXd::Constant(n, eps);
    X(nk) += 1;
    REQUIRE((X.array() > 0).all());
    const Eigen::VectorXd balanced_r = B * X;
    REQUIRE(balanced_r(ni) < 0); // no balanced state for this X
    ++trials;
    SemiBalanced s = semi_balanced(W, X);
    solved += !s.solutions.empty();
    for (const auto &r : s.solutions) {
      const Eigen::VectorXd u = W * r + X;
      const double un = W.cwiseAbs().rowwise().sum().maxCoeff() * std::max(1.0, r.maxCoeff()) + X.maxCoeff();
      for (int a = 0; a < n; ++a) {
        CHECK(r(a) >= 0);
        if (r(a) > 0) CHECK(std::abs(u(a)) <= 1e-9 * un); // balanced on the active set
        else CHECK(u(a) <= 1e-9 * un);                    // excess inhibition off it
      }
      CHECK((r.array() == 0).any()); // -W^-1 X is not admissible, so someone is silenced
    }
  }
  MESSAGE("Dale instances with a semi-balanced solution: " << solved << " of " << trials);
  CHECK(solved > trials / 4); // 51 of 100 with this seed
}

TEST_CASE("theory: rate fixed points of the relu network equal the linear solution") {
  PluginRegistry reg = PluginRegistry::discover();
  Experiment exp = load_experiment(test::source_path("configs/rate_model.json"), {}, reg);
  MeanField mf = mean_field(exp);
  CHECK(mf.rate_units);
  std::string note;
  std::vector<FixedPoint> fps = rate_fixed_points(exp, mf, &note);
  REQUIRE(fps.size() == 1);
  // All active: (I - W) r = X, r = (993600, 2702700) / 170301 (configs/rate_model.json).
  const Eigen::VectorXd lin = (Eigen::MatrixXd::Identity(2, 2) - mf.W).partialPivLu().solve(mf.X);
  CHECK(close(fps[0].r(0), lin(0), 1e-10));
  CHECK(close(fps[0].r(1), lin(1), 1e-10));
  CHECK(close(fps[0].r(0), 993600.0 / 170301, 1e-10));
  CHECK(close(fps[0].r(1), 2702700.0 / 170301, 1e-10));
  // Stability: the eigenvalues of diag(1/tau) (-I + W), tau = (10, 5) ms.
  Eigen::MatrixXd J = -Eigen::MatrixXd::Identity(2, 2) + mf.W;
  J.row(0) /= 10;
  J.row(1) /= 5;
  const Eigen::VectorXcd ev = J.eigenvalues();
  for (int i = 0; i < 2; ++i) {
    double best = INFINITY;
    for (int k = 0; k < 2; ++k) best = std::min(best, std::abs(ev(i) - fps[0].eigenvalues(k)));
    CHECK(best <= 1e-9 * std::abs(ev(i)));
  }
  CHECK(fps[0].stable == (ev.real().array() < 0).all());
  CHECK(fps[0].stable);

  Report rep = analyze(exp);
  CHECK(rep.fixed_points.size() == 1);
  CHECK(format(rep).find("stable") != std::string::npos);
}

TEST_CASE("theory: a bistable sigmoid unit has three fixed points, stable-unstable-stable") {
  // r = 100 / (1 + exp(-(w r + X - 50) / 5)) with w = 1, X = 0: fixed points near 0, 50, 100.
  PluginRegistry reg = PluginRegistry::discover();
  Experiment exp = load_text(reg, R"({
    "ganglion": 1,
    "simulation": {"dt": "0.1 ms", "duration": "10 ms"},
    "populations": {
      "R": {"model": "rate", "size": 1, "params": {"tau": "10 ms", "function": "sigmoid",
            "theta": "50 Hz", "sigma": "5 Hz", "r_max": "100 Hz"}}
    },
    "projections": [
      {"pre": "R", "post": "R", "synapse": "rate_linear", "connect": {"rule": "all_to_all"},
       "weight": 1}
    ]
  })");
  MeanField mf = mean_field(exp);
  std::vector<FixedPoint> fps = rate_fixed_points(exp, mf);
  REQUIRE(fps.size() == 3);
  for (const auto &fp : fps) {
    const double u = fp.r(0);
    CHECK(std::abs(100 / (1 + std::exp(-(u - 50) / 5)) - fp.r(0)) <= 1e-8);
  }
  CHECK(close(fps[1].r(0), 50, 1e-9)); // the symmetric middle one
  CHECK(fps[0].stable);
  CHECK_FALSE(fps[1].stable);
  CHECK(fps[2].stable);
}

TEST_CASE("theory: refusals and errors name the place and the reason") {
  {
    MeanField mf;
    mf.names = {"A", "B"};
    mf.W = Eigen::MatrixXd(2, 2);
    mf.W << 1, 2, 2, 4;
    mf.X = Eigen::Vector2d(1, 1);
    try {
      balanced(mf);
      FAIL("a singular W was accepted");
    } catch (const TheoryError &e) {
      const std::string m = e.what();
      CHECK(m.find("W is singular (condition number") != std::string::npos);
      CHECK(m.find("the balanced state -W^-1 X is not defined") != std::string::npos);
      CHECK(m.find("semi-balanced solution below may still exist") != std::string::npos);
    }
  }
  {
    MeanField mf;
    mf.names = {"A", "B"};
    mf.W = Eigen::MatrixXd(2, 2);
    mf.W << 2, -3, 9, -5;
    mf.X = Eigen::Vector2d::Zero();
    CHECK_THROWS_WITH_AS(balanced(mf), doctest::Contains("no external drive: X = 0, so the balanced state is r = 0"),
                         TheoryError);
  }
  {
    // X = 0 through analyze(): an error in the report, not an exception, not NaN.
    PluginRegistry reg = PluginRegistry::discover();
    Experiment exp = load_experiment(test::source_path("configs/balanced_eif.json"),
                                     {"populations.X.params.rate=0 Hz"}, reg);
    Report rep = analyze(exp);
    CHECK(rep.error.find("no external drive") != std::string::npos);
    REQUIRE(rep.semi.solutions.size() == 1);
    CHECK(rep.semi.solutions[0].cwiseAbs().maxCoeff() == 0);
    CHECK(format(rep).find("no external drive") != std::string::npos);
  }
  {
    PluginRegistry reg = PluginRegistry::discover();
    Experiment exp = load_text(reg, small_net(R"("synapse": "exp_conductance")"));
    CHECK_THROWS_WITH_AS(mean_field(exp), doctest::Contains("/projections/1"), TheoryError);
    Report rep = analyze(exp);
    CHECK(rep.error.find("/projections/1") != std::string::npos);
    CHECK(rep.error.find("conductance synapses") != std::string::npos);
    CHECK(rep.error.find("the mean input depends on V") != std::string::npos);
    CHECK(format(rep).find("no prediction") != std::string::npos);
  }
}
