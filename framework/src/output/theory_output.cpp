// The /theory group of a run's output file (theory_output.hpp).
#include "output/theory_output.hpp"

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace ganglion {

namespace {

// The input unit shared by every mean-field population, or "" when they differ.
std::string common_unit(const theory::MeanField &mf) {
  if (mf.units.empty()) return "";
  for (const auto &u : mf.units)
    if (u != mf.units.front()) return "";
  return mf.units.front();
}

std::string json_list(const std::vector<std::string> &v) {
  return nlohmann::json(v).dump();
}

// Vectors of n values as the rows of one dataset (Eigen stores matrices column-major, the file
// row-major).
void write_rows(Hdf5Writer &w, const std::string &path, const std::vector<Eigen::VectorXd> &vs,
                uint32_t n, const std::string &unit) {
  std::vector<double> rows;
  for (const auto &v : vs)
    for (uint32_t b = 0; b < n; ++b)
      rows.push_back(v(b));
  w.write_fixed(path, GG_DTYPE_F64, rows.data(), vs.size(), n, unit);
}

void write_fixed_points(Hdf5Writer &w, const std::vector<theory::FixedPoint> &fixed_points,
                        uint32_t n) {
  if (fixed_points.empty()) return;
  std::vector<Eigen::VectorXd> r;
  std::vector<uint64_t> stable;
  for (const auto &f : fixed_points)
    r.push_back(f.r), stable.push_back(f.stable ? 1 : 0);
  write_rows(w, "/theory/fixed_points", r, n, "Hz");
  w.write_fixed("/theory/fixed_point_stable", GG_DTYPE_U64, stable.data(), stable.size(), 1, "");
}

} // namespace

void write_theory(Hdf5Writer &w, const theory::Report &t) {
  const theory::MeanField &mf = t.mf;
  const auto n = static_cast<uint32_t>(mf.names.size());
  if (!t.error.empty() || n == 0) // with a singular W, what else was worked out follows
    w.attribute("/theory", "error", t.error.empty() ? "no mean-field populations" : t.error);
  if (n == 0) return;
  const std::string unit = common_unit(mf);
  if (mf.W.rows() == n && mf.W.cols() == n) {
    std::vector<Eigen::VectorXd> w_rows;
    for (uint32_t a = 0; a < n; ++a)
      w_rows.push_back(mf.W.row(a).transpose());
    write_rows(w, "/theory/W", w_rows, n, unit.empty() ? "" : unit + " per Hz");
  }
  if (mf.X.size() == n) w.write_fixed("/theory/X", GG_DTYPE_F64, mf.X.data(), n, 1, unit);
  if (t.balanced.r.size() == n)
    w.write_fixed("/theory/balanced", GG_DTYPE_F64, t.balanced.r.data(), n, 1, "Hz");
  write_rows(w, "/theory/semi_balanced", t.semi.solutions, n, "Hz");
  write_fixed_points(w, t.fixed_points, n);
  w.attribute("/theory", "names", json_list(mf.names));
  w.attribute("/theory", "units", json_list(mf.units));
  w.attribute("/theory", "sqrt_n", mf.sqrt_n);
  w.attribute("/theory", "balanced_admissible", uint64_t(t.balanced.admissible ? 1 : 0));
  w.attribute("/theory", "semi_balanced_exact", uint64_t(t.semi.exact ? 1 : 0));
  w.attribute("/theory", "semi_balanced_note", t.semi.note);
  w.attribute("/theory", "notes", json_list(mf.notes));
}

} // namespace ganglion
