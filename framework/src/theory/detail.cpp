// Means of values and schedules, look-ups and the rate transfer functions for the theory module.
#include "theory/detail.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>

namespace ganglion::theory::detail {

double spec_mean(const ValueSpec &v, bool *drawn) {
  auto set = [&](bool d) {
    if (drawn && d) *drawn = true;
  };
  switch (v.kind) {
  case ValueSpec::Kind::Constant: return v.a;
  case ValueSpec::Kind::Uniform: set(v.a != v.b); return (v.a + v.b) / 2;
  case ValueSpec::Kind::Normal:
  case ValueSpec::Kind::LogNormal: set(v.b != 0); return v.a;
  case ValueSpec::Kind::List: {
    if (v.list.empty()) return 0;
    double s = 0;
    for (double x : v.list) s += x;
    const double m = s / double(v.list.size());
    set(std::any_of(v.list.begin(), v.list.end(), [&](double x) { return x != v.list[0]; }));
    return m;
  }
  case ValueSpec::Kind::Sequences: return 0;
  }
  return v.a;
}

double time_mean(const ValueSpec &initial, const std::vector<Change> &changes, uint64_t n_steps,
                 bool *drawn, bool *scheduled) {
  if (changes.empty() || n_steps == 0) return spec_mean(initial, drawn);
  if (scheduled) *scheduled = true;
  double sum = 0;
  uint64_t from = 0;
  double value = spec_mean(initial, drawn);
  for (const auto &c : changes) {
    const uint64_t to = std::min(c.step, n_steps);
    if (to > from) sum += value * double(to - from);
    from = std::max(from, to);
    value = spec_mean(c.value, drawn);
  }
  if (n_steps > from) sum += value * double(n_steps - from);
  return sum / double(n_steps);
}

double param_mean(const PopulationSpec &p, int field, uint64_t n_steps, bool *drawn,
                  bool *scheduled) {
  if (field < 0 || size_t(field) >= p.values.size()) return 0;
  for (const auto &s : p.schedules)
    if (int(s.field) == field) return time_mean(p.values[size_t(field)], s.changes, n_steps, drawn, scheduled);
  return spec_mean(p.values[size_t(field)], drawn);
}

std::string num(double x, int precision) {
  char b[64];
  std::snprintf(b, sizeof b, "%.*g", precision, x);
  return b;
}

const char *RateFn::name() const {
  static const char *names[] = {"relu", "threshold_linear", "sigmoid", "tanh", "power"};
  return fn >= 0 && fn <= 4 ? names[fn] : "?";
}

void add_distinct(std::vector<Eigen::VectorXd> &out, const Eigen::VectorXd &r, double rel,
                  double floor) {
  for (const auto &s : out) {
    const double m = std::max({r.cwiseAbs().maxCoeff(), s.cwiseAbs().maxCoeff(), floor});
    if ((r - s).cwiseAbs().maxCoeff() <= rel * m) return;
  }
  out.push_back(r);
}

} // namespace ganglion::theory::detail
