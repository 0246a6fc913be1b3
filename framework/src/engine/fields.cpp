// See fields.hpp.
#include "engine/fields.hpp"

#include <cmath>
#include <cstring>

#include "engine/hook_call.hpp"

namespace ganglion::engine {
namespace {

// Whether a parameter's n values are one value (bits, not ==: +0 and -0 differ; NaNs count as one).
bool one_value(const gg_field &f, const double *x, uint64_t n) {
  bool same = f.role == GG_ROLE_PARAM && f.type != GG_TYPE_SEQUENCE;
  for (uint64_t i = 1; same && i < n; ++i)
    same = std::memcmp(&x[i], &x[0], sizeof(double)) == 0 || (std::isnan(x[i]) && std::isnan(x[0]));
  return same;
}

} // namespace

void Fields::make(const gg_descriptor *d, uint64_t n, const std::vector<ValueSpec> &values,
                  uint64_t seed, uint64_t first_gid, uint64_t n_pre) {
  data.resize(d->n_fields);
  ptrs.resize(d->n_fields);
  offsets.assign(d->n_fields, nullptr);
  for (uint32_t k = 0; k < d->n_fields; ++k) {
    ValueSpec v;
    if (k < values.size())
      v = values[k];
    else
      v.a = d->fields[k].default_value;
    const bool pre = d->fields[k].role == GG_ROLE_PRE_TRACE;
    data[k] = make_field(d->fields[k], v, pre ? n_pre : n, seed, first_gid, k);
    ptrs[k] = data[k].values.data();
    if (!data[k].offsets.empty()) offsets[k] = data[k].offsets.data();
  }
  uniform.assign(d->n_fields, 0);
  for (uint32_t k = 0; k < d->n_fields; ++k)
    refresh_uniform(d, k, n);
}

void Fields::refresh_uniform(const gg_descriptor *d, uint32_t k, uint64_t n) {
  uniform[k] = one_value(d->fields[k], ptrs[k], n) ? 1 : 0;
}

void Fields::set(const gg_descriptor *d, uint32_t k, const ValueSpec &value, uint64_t n) {
  assign_field(data[k], value, n);
  refresh_uniform(d, k, n);
}

Fields Fields::copy() const {
  Fields c = *this;
  for (std::size_t k = 0; k < c.data.size(); ++k) {
    c.ptrs[k] = c.data[k].values.data();
    if (!c.data[k].offsets.empty()) c.offsets[k] = c.data[k].offsets.data();
  }
  return c;
}

void Fields::bind(gg_view &v) {
  v.fields = ptrs.data();
  v.n_fields = uint32_t(ptrs.size());
  v.offsets = offsets.data();
  v.uniform = uniform.data();
}

void validate_elements(const gg_descriptor *d, const std::vector<double *> &ptrs,
                       const std::vector<uint8_t> &uniform, uint64_t n, const std::string &where,
                       const char *element) {
  if (!d->validate || n < 2) return;
  bool all_uniform = true;
  for (uint32_t k = 0; k < d->n_fields; ++k)
    all_uniform = all_uniform && (d->fields[k].role != GG_ROLE_PARAM || uniform[k]);
  if (all_uniform) return;
  std::vector<double> values(d->n_fields);
  HookMessage m;
  for (uint64_t i = 0; i < n; ++i) {
    for (uint32_t k = 0; k < d->n_fields; ++k)
      values[k] = d->fields[k].type == GG_TYPE_SEQUENCE || d->fields[k].role == GG_ROLE_PRE_TRACE
                      ? d->fields[k].default_value
                      : ptrs[k][i];
    if (d->validate(values.data(), m.clear()) != GG_OK) {
      const char *why = m.str();
      throw RunError(where + ": " + element + " " + std::to_string(i) + ": " +
                     (why[0] ? why : "the plugin rejected its values (no reason given)"));
    }
  }
}

} // namespace ganglion::engine
