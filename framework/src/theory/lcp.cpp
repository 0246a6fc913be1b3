// The balanced state r = -W^-1 X and the semi-balanced state, the linear complementarity problem
// r >= 0, W r + X <= 0, r_a (W r + X)_a = 0 (docs/science.md). In LCP form: z = r, M = -W, q = -X,
// z >= 0, M z + q >= 0, z (M z + q) = 0. -W need not be a P-matrix, so there may be no solution
// or several: every one is returned.
//
// Exact method (n <= max_exact): for each active set S (2^n of them), solve W_SS r_S = -X_S and
// keep r when r_S >= 0 and (W r + X)_a <= 0 off S, within tolerances relative to the problem's
// scale (1e-10). Iterative method (larger n): the projected iteration r <- [r + h (W r + X)]^+ whose
// fixed points are the LCP's solutions, h = min over eigenvalues lambda of W of -Re(lambda) /
// |lambda|^2 (the step for which every |1 + h lambda| < 1 when all Re(lambda) < 0); every 25
// iterations the active set {r > 0} is taken and W_SS r_S = -X_S solved exactly, and the result
// accepted when it meets the three conditions.
#include <algorithm>
#include <cmath>
#include <sstream>

#include "theory/detail.hpp"
#include "theory/theory.hpp"

namespace ganglion::theory {

using detail::num;

Balanced balanced(const MeanField &mf) {
  const Eigen::MatrixXd &W = mf.W;
  if (W.rows() == 0) throw TheoryError("no mean-field population: nothing to predict");
  Eigen::JacobiSVD<Eigen::MatrixXd> svd(W);
  const auto &s = svd.singularValues();
  const double smax = s(0), smin = s(s.size() - 1);
  const double cond = smin > 0 ? smax / smin : INFINITY;
  if (!(cond <= 1e12)) {
    std::string c = std::isfinite(cond) ? num(cond, 3) : "infinite";
    throw TheoryError("W is singular (condition number " + c +
                      "): the balanced state -W^-1 X is not defined (the balance conditions "
                      "W r + X = 0 have no solution or a whole family of them); the semi-balanced "
                      "solution below may still exist");
  }
  if (mf.X.size() == 0 || mf.X.cwiseAbs().maxCoeff() == 0)
    throw TheoryError("no external drive: X = 0, so the balanced state is r = 0 (every population "
                      "silent); give the network a source or a constant drive");
  Balanced b;
  b.r = -W.partialPivLu().solve(mf.X);
  b.admissible = (b.r.array() > 0).all();
  return b;
}

namespace {

// The balance of the active populations `idx`: W_SS r_S = -X_S.
void active_system(const Eigen::MatrixXd &W, const Eigen::VectorXd &X, const std::vector<int> &idx,
                   Eigen::MatrixXd &Wss, Eigen::VectorXd &xs) {
  const int k = int(idx.size());
  Wss.resize(k, k);
  xs.resize(k);
  for (int i = 0; i < k; ++i) {
    xs(i) = -X(idx[size_t(i)]);
    for (int j = 0; j < k; ++j) Wss(i, j) = W(idx[size_t(i)], idx[size_t(j)]);
  }
}

std::string set_name(const std::vector<int> &idx, const std::vector<std::string> &names) {
  std::string s = "{";
  for (size_t k = 0; k < idx.size(); ++k) {
    if (k) s += ", ";
    s += size_t(idx[k]) < names.size() ? names[size_t(idx[k])] : std::to_string(idx[k]);
  }
  return s + "}";
}

struct Scale {
  double w, x;
};

// The three conditions, each relative to the problem's scale: r_a >= -rel rn, (W r + X)_a <= rel un
// and min(|r_a| / rn, |(W r + X)_a| / un) <= rel, with rn the rate scale (max |r|, or |X|/|W|) and
// un = |W| rn + |X| the input scale. On success r is clamped at 0.
bool check(const Eigen::MatrixXd &W, const Eigen::VectorXd &X, Eigen::VectorXd &r, Scale sc,
           double rel, double *residual = nullptr) {
  const double rn = std::max({r.cwiseAbs().maxCoeff(), sc.w > 0 ? sc.x / sc.w : 0.0, 1e-300});
  const double un = std::max(sc.w * rn + sc.x, 1e-300);
  const Eigen::VectorXd u = W * r + X;
  double res = 0;
  for (int a = 0; a < r.size(); ++a) {
    res = std::max(res, -r(a) / rn);
    res = std::max(res, u(a) / un);
    res = std::max(res, std::min(std::abs(r(a)) / rn, std::abs(u(a)) / un));
  }
  if (residual) *residual = res;
  if (!(res <= rel)) return false;
  r = r.cwiseMax(0.0);
  return true;
}

void add_distinct(std::vector<Eigen::VectorXd> &out, const Eigen::VectorXd &r) {
  for (const auto &s : out) {
    const double m = std::max({r.cwiseAbs().maxCoeff(), s.cwiseAbs().maxCoeff(), 1e-300});
    if ((r - s).cwiseAbs().maxCoeff() <= 1e-8 * m) return;
  }
  out.push_back(r);
}

} // namespace

SemiBalanced semi_balanced(const Eigen::MatrixXd &W, const Eigen::VectorXd &X, int max_exact,
                           const std::vector<std::string> &names) {
  SemiBalanced out;
  const int n = int(W.rows());
  if (n == 0) {
    out.note = "no populations";
    return out;
  }
  const Scale sc{W.cwiseAbs().rowwise().sum().maxCoeff(), X.cwiseAbs().maxCoeff()};
  constexpr double kTol = 1e-10;

  if (n <= max_exact && n <= 30) {
    out.exact = true;
    std::vector<std::string> singular;
    const uint64_t sets = uint64_t(1) << n;
    std::vector<int> idx;
    for (uint64_t mask = 0; mask < sets; ++mask) {
      idx.clear();
      for (int a = 0; a < n; ++a)
        if (mask >> a & 1) idx.push_back(a);
      Eigen::VectorXd r = Eigen::VectorXd::Zero(n);
      if (!idx.empty()) {
        const int k = int(idx.size());
        Eigen::MatrixXd Wss;
        Eigen::VectorXd xs;
        active_system(W, X, idx, Wss, xs);
        Eigen::FullPivLU<Eigen::MatrixXd> lu(Wss);
        lu.setThreshold(1e-12);
        const Eigen::VectorXd rs = lu.solve(xs);
        if (!lu.isInvertible()) {
          // A family of solutions when the system is consistent; none on this set otherwise.
          const double scale = sc.x + sc.w * rs.cwiseAbs().maxCoeff();
          if ((Wss * rs - xs).cwiseAbs().maxCoeff() <= 1e-9 * std::max(scale, 1e-300))
            singular.push_back(set_name(idx, names));
          continue;
        }
        for (int i = 0; i < k; ++i) r(idx[size_t(i)]) = rs(i);
      }
      if (check(W, X, r, sc, kTol)) add_distinct(out.solutions, r);
    }
    out.note = "exact: all " + std::to_string(sets) + " active sets enumerated; " +
               std::to_string(out.solutions.size()) +
               (out.solutions.size() == 1 ? " solution" : " solutions");
    if (out.solutions.empty()) out.note += " (the LCP has none: no semi-balanced state)";
    if (out.solutions.size() > 1)
      out.note += " (-W is not a P-matrix here: the state the network settles in depends on "
                  "where it starts)";
    if (!singular.empty()) {
      out.note += "; W_SS is singular on active set";
      out.note += singular.size() > 1 ? "s " : " ";
      for (size_t k = 0; k < singular.size(); ++k) out.note += (k ? ", " : "") + singular[k];
      out.note += " and W_SS r_S = -X_S is consistent there: a continuum of solutions may exist "
                  "on it and is not listed";
    }
    return out;
  }

  // Iterative: projected iteration with exact polishing on the identified active set.
  out.exact = false;
  const Eigen::VectorXcd lambda = W.eigenvalues();
  double h = INFINITY;
  bool all_stable = true;
  for (int k = 0; k < lambda.size(); ++k) {
    const double re = lambda(k).real(), mag2 = std::norm(lambda(k));
    if (re < 0) h = std::min(h, -re / mag2);
    else all_stable = false;
  }
  if (!std::isfinite(h) || !all_stable) {
    const double rho = lambda.cwiseAbs().maxCoeff();
    h = rho > 0 ? std::min(std::isfinite(h) ? h : INFINITY, 0.5 / rho) : 1;
  }
  const double work = double(n) * double(n);
  const long max_iter = long(std::clamp(2e9 / std::max(work, 1.0), 2000.0, 200000.0));
  Eigen::VectorXd r = Eigen::VectorXd::Zero(n);
  double residual = INFINITY;
  long it = 0;
  for (; it < max_iter; ++it) {
    r = (r + h * (W * r + X)).cwiseMax(0.0);
    if (it % 25 != 24) continue;
    std::vector<int> idx;
    for (int a = 0; a < n; ++a)
      if (r(a) > 0) idx.push_back(a);
    Eigen::VectorXd cand = Eigen::VectorXd::Zero(n);
    if (!idx.empty()) {
      const int k = int(idx.size());
      Eigen::MatrixXd Wss;
      Eigen::VectorXd xs;
      active_system(W, X, idx, Wss, xs);
      Eigen::PartialPivLU<Eigen::MatrixXd> lu(Wss);
      const Eigen::VectorXd rs = lu.solve(xs);
      if (!rs.allFinite()) continue;
      for (int i = 0; i < k; ++i) cand(idx[size_t(i)]) = rs(i);
    }
    if (check(W, X, cand, sc, kTol, &residual)) {
      out.solutions.push_back(cand);
      std::ostringstream s;
      s << "iterative (n = " << n << " > " << max_exact
        << "): projected iteration r <- [r + h (W r + X)]^+ with h = " << num(h, 4)
        << ", active set identified after " << (it + 1)
        << " iterations and solved exactly; residual " << num(residual, 3)
        << " (relative); other solutions, if any, are not searched for";
      out.note = s.str();
      return out;
    }
  }
  check(W, X, r, sc, INFINITY, &residual);
  std::ostringstream s;
  s << "iterative (n = " << n << " > " << max_exact
    << "): the projected iteration r <- [r + h (W r + X)]^+ (h = " << num(h, 4)
    << ") did not converge in " << it << " iterations (relative residual " << num(residual, 3)
    << ")" << (all_stable ? "" : "; W has eigenvalues with real part >= 0, so the iteration need "
                                 "not converge")
    << ": no solution reported (there may be none, or several)";
  out.note = s.str();
  return out;
}

} // namespace ganglion::theory
