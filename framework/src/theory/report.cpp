// The theory report: analyze() runs the mean field, the balanced and semi-balanced predictions
// and (rate units) the fixed points, catching TheoryErrors into `error`; format() writes the text
// `ganglion theory` prints.
#include <algorithm>
#include <cmath>
#include <sstream>

#include "registry/registry.hpp"
#include "theory/detail.hpp"
#include "theory/theory.hpp"

namespace ganglion::theory {

using detail::num;

Report analyze(const Experiment &exp) {
  Report rep;
  rep.source = exp.source;
  try {
    rep.mf = mean_field(exp);
  } catch (const TheoryError &e) {
    rep.error = e.what();
    return rep;
  }
  try {
    rep.balanced = balanced(rep.mf);
  } catch (const TheoryError &e) {
    rep.error = e.what();
  }
  rep.semi = semi_balanced(rep.mf.W, rep.mf.X, 20, rep.mf.names);
  if (rep.mf.rate_units) {
    try {
      rep.fixed_points = rate_fixed_points(exp, rep.mf, &rep.fixed_point_note);
    } catch (const TheoryError &e) {
      rep.fixed_point_note = std::string("no fixed points computed: ") + e.what();
    }
  }
  return rep;
}

namespace {

// `s` right-aligned in `w` characters.
std::string pad(const std::string &s, size_t w) {
  return s.size() >= w ? s : std::string(w - s.size(), ' ') + s;
}

// A matrix with the population names as row and column headings, every column as wide as the
// widest name or entry.
void matrix(std::ostringstream &o, const Eigen::MatrixXd &M,
            const std::vector<std::string> &names) {
  size_t w = 10;
  for (const auto &n : names)
    w = std::max(w, n.size() + 2);
  for (int i = 0; i < M.rows(); ++i)
    for (int j = 0; j < M.cols(); ++j)
      w = std::max(w, num(M(i, j)).size() + 2);
  size_t first = 2;
  for (const auto &n : names)
    first = std::max(first, n.size() + 2);
  o << std::string(first + 2, ' ');
  for (const auto &n : names)
    o << pad(n, w);
  o << "\n";
  for (int i = 0; i < M.rows(); ++i) {
    o << "  " << names[size_t(i)] << std::string(first - names[size_t(i)].size(), ' ');
    for (int j = 0; j < M.cols(); ++j)
      o << pad(num(M(i, j)), w);
    o << "\n";
  }
}

// A vector as "name value unit, ...".
std::string vec(const Eigen::VectorXd &v, const std::vector<std::string> &names,
                const std::string &unit) {
  std::string s;
  for (int a = 0; a < v.size(); ++a) {
    if (a) s += ", ";
    s += names[size_t(a)] + " " + num(v(a)) + (unit.empty() ? "" : " " + unit);
  }
  return s;
}

// W and X of rate units, in Hz per Hz and Hz, with w and x when the weights share a 1/sqrt(N).
void write_rate_w_x(std::ostringstream &o, const MeanField &mf) {
  const bool scaled = mf.sqrt_n != 1;
  o << "W (row: post, column: pre; input in Hz per Hz of presynaptic rate, dimensionless)";
  if (scaled)
    o << " = sqrt(N) w, sqrt(N) = " << num(mf.sqrt_n) << "; w:\n";
  else
    o << ":\n";
  matrix(o, scaled ? mf.w : mf.W, mf.names);
  o << "X (Hz): " << vec(mf.X, mf.names, "Hz") << "\n";
  if (scaled) o << "  = sqrt(N) x, x: " << vec(mf.x, mf.names, "") << "\n";
}

// W and X of spiking populations in their input unit, with the O(1) w and x of docs/science.md
// when the weights share a 1/sqrt(N).
void write_spiking_w_x(std::ostringstream &o, const MeanField &mf) {
  const bool scaled = mf.sqrt_n != 1;
  const std::string &unit = mf.x_unit;
  o << "W (row: post, column: pre; mean input in " << unit << " per Hz of presynaptic rate):\n";
  matrix(o, mf.W, mf.names);
  if (scaled) {
    o << "W = sqrt(N) w / 1000, sqrt(N) = " << num(mf.sqrt_n) << "; w (" << unit
      << " per kHz, docs/science.md's w_ab = j_ab p_ab q_b):\n";
    matrix(o, mf.w, mf.names);
  }
  o << "X (mean external input, " << unit << "): " << vec(mf.X, mf.names, unit) << "\n";
  if (scaled)
    o << "X = sqrt(N) x / 1000, x (x_a = j_ax p_ax q_x r_x, r_x in Hz): " << vec(mf.x, mf.names, "")
      << "\n";
}

// The balanced rates -W^-1 X and whether they are admissible, or why there are none.
void write_balanced(std::ostringstream &o, const Report &r) {
  const auto &names = r.mf.names;
  o << "balanced state r = -W^-1 X (the limit N -> infinity):\n";
  if (size_t(r.balanced.r.size()) != names.size()) {
    o << "  none: " << r.error << "\n";
    return;
  }
  o << "  " << vec(r.balanced.r, names, "Hz") << "\n";
  if (r.balanced.admissible) {
    o << "  admissible: every rate > 0\n";
    return;
  }
  std::string neg;
  for (int a = 0; a < r.balanced.r.size(); ++a)
    if (!(r.balanced.r(a) > 0)) neg += (neg.empty() ? "" : ", ") + names[size_t(a)];
  o << "  not admissible: rate <= 0 for " << neg
    << " (no balanced state; see the semi-balanced state)\n";
}

// Every semi-balanced solution with its active and silenced populations (each silenced one with
// its net input W r + X), and whether it is the balanced state.
void write_semi_balanced(std::ostringstream &o, const Report &r) {
  const MeanField &mf = r.mf;
  const auto &names = mf.names;
  o << "semi-balanced state (r >= 0, W r + X <= 0, r_a (W r + X)_a = 0; active populations "
       "balanced, silenced ones with excess inhibition):\n";
  o << "  " << r.semi.note << "\n";
  for (size_t k = 0; k < r.semi.solutions.size(); ++k) {
    const Eigen::VectorXd &s = r.semi.solutions[k];
    const Eigen::VectorXd u = mf.W * s + mf.X;
    o << "  solution " << (k + 1) << ": " << vec(s, names, "Hz") << "\n";
    std::string active, silenced;
    for (int a = 0; a < s.size(); ++a) {
      if (s(a) > 0)
        active += (active.empty() ? "" : ", ") + names[size_t(a)];
      else
        silenced += (silenced.empty() ? "" : ", ") + names[size_t(a)] + " (W r + X = " + num(u(a)) +
                    " " + mf.x_unit + ")";
    }
    o << "    active: " << (active.empty() ? "none" : active)
      << "; silenced: " << (silenced.empty() ? "none" : silenced) << "\n";
    if (r.balanced.r.size() == s.size()) {
      const double sc = std::max(s.cwiseAbs().maxCoeff(), 1e-300);
      if ((r.balanced.r - s).cwiseAbs().maxCoeff() <= 1e-8 * sc)
        o << "    (the balanced state: every population active)\n";
    }
  }
}

// The rate units' fixed points, each with its stability and the Jacobian's eigenvalues.
void write_fixed_points(std::ostringstream &o, const Report &r) {
  o << "\nfixed points of tau dr/dt = -r + f(W r + X):\n";
  o << "  " << r.fixed_point_note << "\n";
  for (size_t k = 0; k < r.fixed_points.size(); ++k) {
    const FixedPoint &fp = r.fixed_points[k];
    o << "  " << (k + 1) << ": " << vec(fp.r, r.mf.names, "Hz") << "; "
      << (fp.stable ? "stable" : "unstable") << "; Jacobian eigenvalues (1/ms):";
    for (int i = 0; i < fp.eigenvalues.size(); ++i) {
      const auto z = fp.eigenvalues(i);
      o << (i ? "," : "") << " " << num(z.real(), 5);
      if (z.imag() != 0) o << (z.imag() > 0 ? " + " : " - ") << num(std::abs(z.imag()), 5) << "i";
    }
    o << "\n";
  }
  if (r.fixed_points.empty()) o << "  none found\n";
}

} // namespace

Report predict(const Experiment &exp) {
  try {
    return analyze(exp);
  } catch (const std::exception &e) {
    Report r;
    r.error = e.what();
    return r;
  }
}

std::string format(const Report &r) {
  std::ostringstream o;
  o << "ganglion theory" << (r.source.empty() ? "" : ": " + r.source) << "\n";
  const MeanField &mf = r.mf;
  if (mf.names.empty()) {
    o << "no prediction: " << (r.error.empty() ? "no mean-field population" : r.error) << "\n";
    return o.str();
  }
  o << "mean-field populations: ";
  for (size_t a = 0; a < mf.names.size(); ++a)
    o << (a ? ", " : "") << mf.names[a];
  o << (mf.rate_units ? " (rate units; rates and inputs in Hz)"
                      : " (spiking; input in " + mf.x_unit + ", rates in Hz)")
    << "\n\n";
  if (mf.rate_units)
    write_rate_w_x(o, mf);
  else
    write_spiking_w_x(o, mf);
  o << "\n";
  write_balanced(o, r);
  o << "\n";
  write_semi_balanced(o, r);
  if (mf.rate_units) write_fixed_points(o, r);
  if (!mf.notes.empty()) {
    o << "\nnotes:\n";
    for (const auto &n : mf.notes)
      o << "  - " << n << "\n";
  }
  return o.str();
}

} // namespace ganglion::theory
