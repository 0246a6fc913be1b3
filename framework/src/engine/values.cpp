// See values.hpp.
#include "engine/values.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace ganglion {

double draw_value(const ValueSpec &v, uint64_t index, Draws &draws, double lo, double hi) {
  switch (v.kind) {
  case ValueSpec::Kind::Constant: return v.a;
  case ValueSpec::Kind::List: return v.list.at(index);
  case ValueSpec::Kind::Sequences: throw std::logic_error("a sequence has no single value");
  default: break;
  }
  const Dist dist = v.kind == ValueSpec::Kind::Uniform  ? Dist::Uniform
                    : v.kind == ValueSpec::Kind::Normal ? Dist::Normal
                                                        : Dist::LogNormal;
  return draw_in_range(dist, v.a, v.b, lo, hi, draws);
}

FieldData make_field(const gg_field &f, const ValueSpec &v, uint64_t n, uint64_t seed,
                     uint64_t first_gid, uint32_t salt) {
  FieldData out;
  if (f.type == GG_TYPE_SEQUENCE) {
    out.offsets.assign(n + 1, 0);
    for (uint64_t i = 0; i < n; ++i) {
      const auto *seq = v.sequences.empty() ? nullptr
                        : v.sequences.size() == 1 ? &v.sequences[0]
                                                  : &v.sequences.at(i);
      if (seq) out.values.insert(out.values.end(), seq->begin(), seq->end());
      out.offsets[i + 1] = out.values.size();
    }
    out.values.resize(padded(out.values.size() + 1), 0.0); // never empty: a valid pointer
    return out;
  }
  out.values.assign(padded(n), 0.0);
  // A draw must land strictly inside an open end; the nearest representable value will do.
  const double lo = (f.flags & GG_MIN_EXCLUSIVE) ? std::nextafter(f.min, HUGE_VAL) : f.min;
  const double hi = (f.flags & GG_MAX_EXCLUSIVE) ? std::nextafter(f.max, -HUGE_VAL) : f.max;
  for (uint64_t i = 0; i < n; ++i) {
    Draws draws(seed, streams::kInitialValues, first_gid + i, salt);
    out.values[i] = draw_value(v, i, draws, lo, hi);
  }
  return out;
}

const gg_field &i_app_field() {
  static const gg_field f{"I_app",  "", GG_ROLE_PARAM, GG_TYPE_F64, 0, -HUGE_VAL,
                          HUGE_VAL, 0,  nullptr,       ""};
  return f;
}

void assign_field(FieldData &field, const ValueSpec &v, uint64_t n) {
  for (uint64_t i = 0; i < n; ++i)
    field.values[i] = v.kind == ValueSpec::Kind::List ? v.list.at(i) : v.a;
}

} // namespace ganglion
