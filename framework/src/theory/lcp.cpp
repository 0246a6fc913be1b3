// The balanced state r = -W^-1 X and the semi-balanced state, the linear complementarity problem
// r >= 0, W r + X <= 0, r_a (W r + X)_a = 0 (docs/science.md). In LCP form: z = r, M = -W, q = -X,
// z >= 0, M z + q >= 0, z (M z + q) = 0. -W need not be a P-matrix, so there may be no solution
// or several: every one is returned.
//
// Exact method (n <= max_exact): for each active set S (2^n of them), solve W_SS r_S = -X_S and
// keep r when r_S >= 0 and (W r + X)_a <= 0 off S, within tolerances relative to the problem's
// scale (1e-10). Iterative method (larger n): the projected iteration r <- [r + h (W r + X)]^+
// whose fixed points are the LCP's solutions, h = min over eigenvalues lambda of W of -Re(lambda) /
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
    for (int j = 0; j < k; ++j)
      Wss(i, j) = W(idx[size_t(i)], idx[size_t(j)]);
  }
}

// The active populations' rates rs put in their places in r (the others are left as they are).
void scatter(const std::vector<int> &idx, const Eigen::VectorXd &rs, Eigen::VectorXd &r) {
  for (size_t i = 0; i < idx.size(); ++i)
    r(idx[i]) = rs(Eigen::Index(i));
}

// The active set's name for the notes, e.g. {E1, I} (an index where a name is missing).
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

// The three conditions' tolerance, relative to the problem's scale (see check()).
constexpr double kTol = 1e-10;

// The candidate on active set idx: r_S solves W_SS r_S = -X_S, r = 0 off S. False when W_SS is
// singular (threshold 1e-12); the set's name then joins `singular` if the system is consistent
// there (a family of solutions; none on this set otherwise).
bool solve_on_set(const Eigen::MatrixXd &W, const Eigen::VectorXd &X, const std::vector<int> &idx,
                  Scale sc, const std::vector<std::string> &names,
                  std::vector<std::string> &singular, Eigen::VectorXd &r) {
  r = Eigen::VectorXd::Zero(W.rows());
  if (idx.empty()) return true;
  Eigen::MatrixXd Wss;
  Eigen::VectorXd xs;
  active_system(W, X, idx, Wss, xs);
  Eigen::FullPivLU<Eigen::MatrixXd> lu(Wss);
  lu.setThreshold(1e-12);
  const Eigen::VectorXd rs = lu.solve(xs);
  if (!lu.isInvertible()) {
    const double scale = sc.x + sc.w * rs.cwiseAbs().maxCoeff();
    if ((Wss * rs - xs).cwiseAbs().maxCoeff() <= 1e-9 * std::max(scale, 1e-300))
      singular.push_back(set_name(idx, names));
    return false;
  }
  scatter(idx, rs, r);
  return true;
}

// What the enumeration of `sets` active sets found: how many solutions, what none or several
// mean, and the singular active sets on which a continuum may lie unlisted.
std::string exact_note(uint64_t sets, size_t solutions, const std::vector<std::string> &singular) {
  std::string note = "exact: all " + std::to_string(sets) + " active sets enumerated; " +
                     std::to_string(solutions) + (solutions == 1 ? " solution" : " solutions");
  if (solutions == 0) note += " (the LCP has none: no semi-balanced state)";
  if (solutions > 1)
    note += " (-W is not a P-matrix here: the state the network settles in depends on "
            "where it starts)";
  if (!singular.empty()) {
    note += "; W_SS is singular on active set";
    note += singular.size() > 1 ? "s " : " ";
    for (size_t k = 0; k < singular.size(); ++k)
      note += (k ? ", " : "") + singular[k];
    note += " and W_SS r_S = -X_S is consistent there: a continuum of solutions may exist "
            "on it and is not listed";
  }
  return note;
}

// The exact method: every active set's candidate that meets the three conditions, each solution
// once.
void exact_solutions(const Eigen::MatrixXd &W, const Eigen::VectorXd &X, Scale sc,
                     const std::vector<std::string> &names, SemiBalanced &out) {
  const int n = int(W.rows());
  out.exact = true;
  std::vector<std::string> singular;
  const uint64_t sets = uint64_t(1) << n;
  std::vector<int> idx;
  Eigen::VectorXd r;
  for (uint64_t mask = 0; mask < sets; ++mask) {
    idx.clear();
    for (int a = 0; a < n; ++a)
      if (mask >> a & 1) idx.push_back(a);
    if (!solve_on_set(W, X, idx, sc, names, singular, r)) continue;
    // (a solution with a rate exactly 0 is found on the sets with and without that population)
    if (check(W, X, r, sc, kTol)) detail::add_distinct(out.solutions, r, 1e-8, 1e-300);
  }
  out.note = exact_note(sets, out.solutions.size(), singular);
}

// The projected iteration's step h (see the top of the file). all_stable: every eigenvalue of W
// has a negative real part; where one has not, h is also at most 0.5 / the spectral radius (1 when
// the radius is 0), so that the iteration stays bounded where it can.
double iteration_step(const Eigen::MatrixXd &W, bool &all_stable) {
  const Eigen::VectorXcd lambda = W.eigenvalues();
  double h = INFINITY;
  all_stable = true;
  for (int k = 0; k < lambda.size(); ++k) {
    const double re = lambda(k).real(), mag2 = std::norm(lambda(k));
    if (re < 0)
      h = std::min(h, -re / mag2);
    else
      all_stable = false;
  }
  if (!std::isfinite(h) || !all_stable) {
    const double rho = lambda.cwiseAbs().maxCoeff();
    h = rho > 0 ? std::min(std::isfinite(h) ? h : INFINITY, 0.5 / rho) : 1;
  }
  return h;
}

// The candidate on the iterate's active set {r > 0}, solved exactly (partial-pivot LU); false
// when the solve is not finite.
bool polish(const Eigen::MatrixXd &W, const Eigen::VectorXd &X, const Eigen::VectorXd &r,
            Eigen::VectorXd &cand) {
  const int n = int(W.rows());
  std::vector<int> idx;
  for (int a = 0; a < n; ++a)
    if (r(a) > 0) idx.push_back(a);
  cand = Eigen::VectorXd::Zero(n);
  if (idx.empty()) return true;
  Eigen::MatrixXd Wss;
  Eigen::VectorXd xs;
  active_system(W, X, idx, Wss, xs);
  Eigen::PartialPivLU<Eigen::MatrixXd> lu(Wss);
  const Eigen::VectorXd rs = lu.solve(xs);
  if (!rs.allFinite()) return false;
  scatter(idx, rs, cand);
  return true;
}

// The iterative method: the projected iteration from r = 0, polished every 25 iterations; the
// first polished candidate that meets the three conditions is the one solution reported. Its work
// per iteration is n^2, so the iterations are bounded by 2e9 / n^2 (2000 to 200000).
void iterative_solution(const Eigen::MatrixXd &W, const Eigen::VectorXd &X, Scale sc, int max_exact,
                        SemiBalanced &out) {
  const int n = int(W.rows());
  out.exact = false;
  bool all_stable = true;
  const double h = iteration_step(W, all_stable);
  const double work = double(n) * double(n);
  const long max_iter = long(std::clamp(2e9 / std::max(work, 1.0), 2000.0, 200000.0));
  Eigen::VectorXd r = Eigen::VectorXd::Zero(n), cand;
  double residual = INFINITY;
  long it = 0;
  for (; it < max_iter; ++it) {
    r = (r + h * (W * r + X)).cwiseMax(0.0);
    if (it % 25 != 24) continue;
    if (!polish(W, X, r, cand)) continue;
    if (check(W, X, cand, sc, kTol, &residual)) {
      out.solutions.push_back(cand);
      std::ostringstream s;
      s << "iterative (n = " << n << " > " << max_exact
        << "): projected iteration r <- [r + h (W r + X)]^+ with h = " << num(h, 4)
        << ", active set identified after " << (it + 1)
        << " iterations and solved exactly; residual " << num(residual, 3)
        << " (relative); other solutions, if any, are not searched for";
      out.note = s.str();
      return;
    }
  }
  check(W, X, r, sc, INFINITY, &residual);
  std::ostringstream s;
  s << "iterative (n = " << n << " > " << max_exact
    << "): the projected iteration r <- [r + h (W r + X)]^+ (h = " << num(h, 4)
    << ") did not converge in " << it << " iterations (relative residual " << num(residual, 3)
    << ")"
    << (all_stable ? ""
                   : "; W has eigenvalues with real part >= 0, so the iteration need not converge")
    << ": no solution reported (there may be none, or several)";
  out.note = s.str();
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
  if (n <= max_exact && n <= 30)
    exact_solutions(W, X, sc, names, out);
  else
    iterative_solution(W, X, sc, max_exact, out);
  return out;
}

} // namespace ganglion::theory
