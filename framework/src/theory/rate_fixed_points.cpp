// Fixed points of a rate-unit network, tau_a dr_a/dt = -r_a + f_a((W r + X)_a), and their
// stability (docs/science.md, "Rate networks: fixed points and stability"). In the scaling of
// docs/science.md, "Networks", the input is sqrt(N) (w r + x);
// the experiment's weights already carry that factor, so mean_field()'s W and X are what enter.
//
// relu and threshold_linear (r = g [u - theta]^+, u = W r + X) make the fixed-point problem an
// LCP: r >= 0, v = G (W r + X - theta) - r <= 0, r v = 0 (on the support r = g (u - theta) >= 0;
// off it g (u - theta) <= 0), i.e. semi_balanced(G W - I, G (X - theta)): every fixed point,
// exactly, by enumerating active sets. sigmoid, tanh and power: Newton's method on
// F(r) = f(W r + X) - r from a deterministic grid of starts, deduplicated; this finds the fixed
// points whose basins the grid hits, and says so.
// Stability: the Jacobian (-I + diag(f'(u)) W) / tau (row a divided by tau_a, in ms), eigenvalues
// in 1/ms; stable when every real part is < 0. At a kink (u_a exactly at threshold) f' is taken
// from below (0), and a note says so.
#include <algorithm>
#include <cmath>
#include <random>

#include "registry/registry.hpp"
#include "theory/detail.hpp"
#include "theory/theory.hpp"

namespace ganglion::theory {

using detail::num;
using detail::RateFn;

namespace {

// Each mean-field population's transfer function and tau, from its 'rate' plugin's fields (the
// means where they are drawn per unit or scheduled, with a note saying so).
std::vector<RateFn> rate_functions(const Experiment &exp, const MeanField &mf,
                                   std::vector<std::string> &notes) {
  std::vector<RateFn> fns;
  for (size_t a = 0; a < mf.population.size(); ++a) {
    const auto &p = exp.populations[size_t(mf.population[a])];
    const gg_descriptor *d = p.plugin->desc;
    const int f = field_index(d, "function");
    if (f < 0)
      throw TheoryError(p.pointer + ": rate model '" + std::string(d->name) +
                        "' has no 'function' field: its transfer function is unknown to the "
                        "theory (it knows the built-in 'rate' plugin's)");
    RateFn fn;
    const uint64_t n_steps = exp.simulation.n_steps;
    bool drawn = false, scheduled = false;
    fn.fn = int(std::lround(detail::spec_mean(p.values[size_t(f)])));
    auto get = [&](const char *name, double &out) {
      const int k = field_index(d, name);
      if (k >= 0) out = detail::param_mean(p, k, n_steps, &drawn, &scheduled);
    };
    get("gain", fn.gain);
    get("theta", fn.theta);
    get("sigma", fn.sigma);
    get("r_max", fn.r_max);
    get("exponent", fn.exponent);
    get("tau", fn.tau);
    if (drawn)
      notes.push_back(p.pointer + ": transfer parameters differ between units: their means are "
                                  "used");
    if (scheduled)
      notes.push_back(p.pointer + ": transfer parameters follow a schedule: their time means "
                                  "are used");
    fns.push_back(fn);
  }
  return fns;
}

// The fixed point r with the Jacobian's eigenvalues and its stability (see the top of the file);
// on_kink is set when a piecewise-linear unit sits at its threshold.
FixedPoint classify(const Eigen::MatrixXd &W, const Eigen::VectorXd &X,
                    const std::vector<RateFn> &fns, const Eigen::VectorXd &r, bool *on_kink) {
  const int n = int(r.size());
  const Eigen::VectorXd u = W * r + X;
  Eigen::MatrixXd J = W;
  for (int a = 0; a < n; ++a) {
    const RateFn &f = fns[size_t(a)];
    const double d = f.df(u(a));
    if ((f.fn == 0 || f.fn == 1 || f.fn == 4) && on_kink) {
      const double th = f.fn == 0 ? 0 : f.theta;
      const double scale = std::max({std::abs(u(a)), std::abs(th), std::abs(X(a)), 1e-300});
      if (std::abs(u(a) - th) <= 1e-9 * scale) *on_kink = true;
    }
    J.row(a) *= d;
    J(a, a) -= 1;
    J.row(a) /= f.tau;
  }
  FixedPoint fp;
  fp.r = r;
  fp.eigenvalues = J.eigenvalues();
  fp.stable = (fp.eigenvalues.array().real() < 0).all();
  return fp;
}

// relu and threshold_linear (r = g [u - theta]^+): the fixed points are the solutions of the LCP
// semi_balanced(G W - I, G (X - theta)), every one, exactly (see the top of the file). how: the
// method, with semi_balanced()'s note.
std::vector<Eigen::VectorXd> lcp_fixed_points(const MeanField &mf, const std::vector<RateFn> &fns,
                                              std::string &how) {
  const Eigen::MatrixXd &W = mf.W;
  const Eigen::VectorXd &X = mf.X;
  const int n = int(W.rows());
  Eigen::MatrixXd Wp = W;
  Eigen::VectorXd Xp = X;
  for (int a = 0; a < n; ++a) {
    const double g = fns[size_t(a)].fn == 0 ? 1 : fns[size_t(a)].gain;
    const double th = fns[size_t(a)].fn == 0 ? 0 : fns[size_t(a)].theta;
    Wp.row(a) *= g;
    Wp(a, a) -= 1;
    Xp(a) = g * (X(a) - th);
  }
  SemiBalanced s = semi_balanced(Wp, Xp, 20, mf.names);
  how = "relu/threshold_linear: the fixed points solve the LCP r >= 0, G (W r + X - theta) - r "
        "<= 0, complementary; " +
        s.note;
  return s.solutions;
}

// Where Newton's method starts, over each population's range: [0, r_max] sigmoid, [-r_max, r_max]
// tanh, [0, R] otherwise, R twice the largest rate a drive alone gives (at least 1 Hz). A grid of
// m per population while m^n stays small (m = 7, 4, 3 up to n = 3, 5, 8), else 300 pseudo-random
// points (seed 12345): deterministic either way.
struct Starts {
  std::vector<Eigen::VectorXd> points;
  int m = 0;    // grid points per population; 0: pseudo-random
  double R = 1; // Hz
};

Starts newton_starts(int n, const Eigen::VectorXd &X, const std::vector<RateFn> &fns) {
  Starts st;
  std::vector<double> lo(static_cast<size_t>(n)), hi(static_cast<size_t>(n));
  double &R = st.R; // from 1
  for (int a = 0; a < n; ++a)
    R = std::max(R, 2 * std::abs(fns[size_t(a)].f(X(a))));
  for (int a = 0; a < n; ++a) {
    const RateFn &f = fns[size_t(a)];
    lo[size_t(a)] = f.fn == 3 ? -f.r_max : 0;
    hi[size_t(a)] = f.fn == 2 || f.fn == 3 ? f.r_max : R;
  }
  std::vector<Eigen::VectorXd> &starts = st.points;
  st.m = n <= 3 ? 7 : n <= 5 ? 4 : n <= 8 ? 3 : 0;
  const int m = st.m;
  if (m > 0) {
    long total = 1;
    for (int a = 0; a < n; ++a)
      total *= m;
    for (long k = 0; k < total; ++k) {
      Eigen::VectorXd s(n);
      long c = k;
      for (int a = 0; a < n; ++a) {
        const int i = int(c % m);
        c /= m;
        s(a) = lo[size_t(a)] + (hi[size_t(a)] - lo[size_t(a)]) * double(i) / double(m - 1);
      }
      starts.push_back(s);
    }
  } else {
    std::mt19937_64 rng(12345);
    std::uniform_real_distribution<double> U(0, 1);
    for (int k = 0; k < 300; ++k) {
      Eigen::VectorXd s(n);
      for (int a = 0; a < n; ++a)
        s(a) = lo[size_t(a)] + (hi[size_t(a)] - lo[size_t(a)]) * U(rng);
      starts.push_back(s);
    }
  }
  return st;
}

// F(r) = f(W r + X) - r, zero at a fixed point.
Eigen::VectorXd residual(const Eigen::MatrixXd &W, const Eigen::VectorXd &X,
                         const std::vector<RateFn> &fns, const Eigen::VectorXd &r) {
  const int n = int(W.rows());
  Eigen::VectorXd u = W * r + X, out(n);
  for (int a = 0; a < n; ++a)
    out(a) = fns[size_t(a)].f(u(a)) - r(a);
  return out;
}

// The Newton step at r: (diag(f'(u)) W - I) step = -F(r), by full-pivot LU (non-finite where the
// Jacobian is singular).
Eigen::VectorXd newton_step(const Eigen::MatrixXd &W, const Eigen::VectorXd &X,
                            const std::vector<RateFn> &fns, const Eigen::VectorXd &r,
                            const Eigen::VectorXd &Fr) {
  const int n = int(W.rows());
  const Eigen::VectorXd u = W * r + X;
  Eigen::MatrixXd D = W;
  for (int a = 0; a < n; ++a)
    D.row(a) *= fns[size_t(a)].df(u(a));
  D -= Eigen::MatrixXd::Identity(n, n);
  return D.fullPivLu().solve(-Fr);
}

// Newton's method from r, damped: the step is halved until |F| falls by a sufficient amount; the
// search gives up where F or the step is not finite or |F| cannot be made to fall. True, with the
// root in r, when max |F| <= 1e-10 (1 + max |r|) within 200 iterations.
bool newton(const Eigen::MatrixXd &W, const Eigen::VectorXd &X, const std::vector<RateFn> &fns,
            Eigen::VectorXd &r) {
  Eigen::VectorXd Fr = residual(W, X, fns, r);
  for (int it = 0; it < 200; ++it) {
    const double fn = Fr.cwiseAbs().maxCoeff();
    if (!std::isfinite(fn)) return false;
    if (fn <= 1e-10 * (1 + r.cwiseAbs().maxCoeff())) return true;
    const Eigen::VectorXd step = newton_step(W, X, fns, r, Fr);
    if (!step.allFinite()) return false;
    double t = 1;
    Eigen::VectorXd rn = r + step, Fn = residual(W, X, fns, rn);
    while (!(Fn.norm() < (1 - 1e-4 * t) * Fr.norm()) && t > 1e-8) {
      t /= 2;
      rn = r + t * step;
      Fn = residual(W, X, fns, rn);
    }
    if (!(Fn.norm() < Fr.norm())) return false;
    r = rn;
    Fr = Fn;
  }
  return false;
}

// Smooth transfer functions (sigmoid, tanh, power): Newton's method from every start, the distinct
// roots in lexicographic order. how: the method, the starts, and that roots whose basins no start
// lies in are missed.
std::vector<Eigen::VectorXd> newton_fixed_points(const MeanField &mf,
                                                 const std::vector<RateFn> &fns, std::string &how) {
  const Eigen::MatrixXd &W = mf.W;
  const Eigen::VectorXd &X = mf.X;
  const Starts st = newton_starts(int(W.rows()), X, fns);
  std::vector<Eigen::VectorXd> found;
  for (const auto &s0 : st.points) {
    Eigen::VectorXd r = s0;
    // (Newton's method from several starts meets a root to within its tolerance, not exactly)
    if (newton(W, X, fns, r)) detail::add_distinct(found, r, 1e-6, 1e-12);
  }
  std::sort(found.begin(), found.end(), [](const Eigen::VectorXd &a, const Eigen::VectorXd &b) {
    return std::lexicographical_compare(a.data(), a.data() + a.size(), b.data(),
                                        b.data() + b.size());
  });
  const int m = st.m;
  how =
      "Newton's method from " + std::to_string(st.points.size()) + " starts (" +
      (m > 0 ? "a grid of " + std::to_string(m) + " per population" : "pseudo-random, seed 12345") +
      " over each population's range: [0, r_max] sigmoid, [-r_max, r_max] tanh, [0, " +
      num(st.R, 4) + " Hz] otherwise); " + std::to_string(found.size()) + " distinct fixed point" +
      (found.size() == 1 ? "" : "s") +
      " found; fixed points whose basins the grid misses are not listed";
  return found;
}

} // namespace

std::vector<FixedPoint> rate_fixed_points(const Experiment &exp, const MeanField &mf,
                                          std::string *note) {
  if (!mf.rate_units) throw TheoryError("fixed points are for rate-unit networks only");
  std::vector<std::string> notes;
  const std::vector<RateFn> fns = rate_functions(exp, mf, notes);
  std::string how;
  const bool piecewise_linear =
      std::all_of(fns.begin(), fns.end(), [](const RateFn &f) { return f.fn == 0 || f.fn == 1; });
  const std::vector<Eigen::VectorXd> found =
      piecewise_linear ? lcp_fixed_points(mf, fns, how) : newton_fixed_points(mf, fns, how);

  std::vector<FixedPoint> out;
  bool kink = false;
  for (const auto &r : found)
    out.push_back(classify(mf.W, mf.X, fns, r, &kink));
  if (kink)
    notes.push_back("a population sits exactly at its threshold at a fixed point: f' is taken "
                    "from below (0) there, so its stability is that of the silent side");
  if (note) {
    *note = how;
    for (const auto &s : notes)
      *note += "; " + s;
  }
  return out;
}

} // namespace ganglion::theory
