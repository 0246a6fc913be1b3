// See synapse_values.hpp.
#include "connect/synapse_values.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

#include "random/draws.hpp"
#include "random/transforms.hpp"

namespace ganglion {
namespace {

// What one thread reuses from row to row.
struct Scratch {
  std::vector<double> weight, delay_ms;
  std::vector<uint16_t> steps;
  std::vector<uint32_t> place, at, order, order2;
  std::vector<uint32_t> post;
  std::vector<uint16_t> post16;
};

Scratch &scratch() {
  thread_local Scratch s;
  return s;
}

// Delays in whole steps (delay_step: max(1, round(ms / dt)), without a call to round). Returns
// the largest.
uint16_t to_steps(const std::vector<double> &ms, double dt, std::vector<uint16_t> &steps,
                  const ProjectionSpec &proj) {
  uint16_t largest = 1;
  steps.resize(ms.size());
  for (std::size_t k = 0; k < ms.size(); ++k) {
    const double whole = delay_step(ms[k], dt);
    if (whole > 65535) refuse_delay(proj, ms[k]);
    steps[k] = uint16_t(whole);
    largest = std::max(largest, steps[k]);
  }
  return largest;
}

// place[k] = where synapse k goes when the row is sorted by delay, stably: one counting pass over
// the row's range of delays, or, where that range is wide beside the row, two passes by byte
// (the order, then its inverse).
void delay_places(const std::vector<uint16_t> &steps, Scratch &s) {
  const std::size_t n = steps.size();
  const auto [lo, hi] = std::minmax_element(steps.begin(), steps.end());
  s.place.resize(n);
  const std::size_t range = std::size_t(*hi - *lo) + 1;
  if (range <= 4 * n + 1024) {
    s.at.assign(range + 1, 0);
    for (uint16_t d : steps)
      ++s.at[d - *lo + 1];
    for (std::size_t b = 0; b < range; ++b)
      s.at[b + 1] += s.at[b];
    for (std::size_t k = 0; k < n; ++k)
      s.place[k] = s.at[steps[k] - *lo]++;
    return;
  }
  s.order.resize(n);
  s.order2.resize(n);
  for (std::size_t k = 0; k < n; ++k)
    s.order[k] = uint32_t(k);
  for (unsigned shift = 0; shift < 16; shift += 8) {
    uint32_t at[257] = {};
    for (uint16_t d : steps)
      ++at[((d >> shift) & 255u) + 1];
    for (int b = 0; b < 256; ++b)
      at[b + 1] += at[b];
    for (std::size_t i = 0; i < n; ++i) {
      const uint32_t k = s.order[i];
      s.order2[at[(steps[k] >> shift) & 255u]++] = k;
    }
    std::swap(s.order, s.order2);
  }
  for (std::size_t i = 0; i < n; ++i)
    s.place[s.order[i]] = uint32_t(i);
}

// to[place[k]] = from[k] for the row's n synapses, `from` a copy of the row taken first.
template <class T, class Copy> void scatter(T *row, std::size_t n, const Scratch &s, Copy &copy) {
  copy.assign(row, row + n);
  for (std::size_t k = 0; k < n; ++k)
    row[s.place[k]] = copy[k];
}

// Items [at, at + n) of row `id`'s draws into out (resized to n): the row's first at + n drawn,
// the first `at` dropped (a value depends on its item alone, a redraw included).
void draw_from(const ItemDraw &draw, PhiloxKey key, uint64_t id, uint64_t at, std::size_t n,
               std::vector<double> &out) {
  out.resize(at + n);
  draw_items(draw, key, id, at + n, out.data());
  if (at) out.erase(out.begin(), out.begin() + long(at));
}

// One row [b, b + n), whose first synapse is the whole row's `at`th: values drawn, then written
// in delay order.
uint16_t draw_row(Csr &c, uint64_t i, uint64_t b, std::size_t n, uint64_t at, const SynapseDraws &d,
                  Scratch &s) {
  const bool per_synapse = c.weight.size() == c.size();
  if (d.drawn_weights) draw_from(d.weight_draw, d.weight_key, d.first_gid + i, at, n, s.weight);
  if (!d.drawn_delays) { // the weights in place
    for (std::size_t k = 0; k < n; ++k)
      c.weight[b + k] = float(s.weight[k]);
    return 1;
  }
  draw_from(d.delay_draw, d.delay_key, d.first_gid + i, at, n, s.delay_ms);
  const uint16_t largest = to_steps(s.delay_ms, d.dt, s.steps, d.proj);
  delay_places(s.steps, s);
  for (std::size_t k = 0; k < n; ++k)
    c.delay[b + s.place[k]] = s.steps[k];
  if (d.drawn_weights)
    for (std::size_t k = 0; k < n; ++k)
      c.weight[b + s.place[k]] = float(s.weight[k]);
  else if (per_synapse) // a constant weight, already in place
    std::fill(c.weight.begin() + long(b), c.weight.begin() + long(b + n), float(d.proj.weight));
  if (c.narrow())
    scatter(c.post_index16.data() + b, n, s, s.post16);
  else
    scatter(c.post_index.data() + b, n, s, s.post);
  return largest;
}

// Row i's entries of the delay index: for k = 1 .. max_delay - 1, its synapses of delay <= k.
template <class T> void index_row(const Csr &c, uint64_t i, T *ends) {
  const uint64_t b = c.row_ptr[i], e = c.row_ptr[i + 1], w = c.max_delay - 1;
  uint64_t at = b;
  for (uint64_t k = 1; k <= w; ++k) {
    while (at < e && c.delay[at] <= k)
      ++at;
    ends[i * w + k - 1] = T(at - b);
  }
}

// The per-synapse draw of a uniform, normal or log-normal value (a log-normal of negative mean
// is the negative of one of the mean's magnitude), kept in [lo, hi]; after 1000 draws outside
// it, the nearer end of the range to the mean.
ItemDraw item_draw(const ValueSpec &v, double lo, double hi) {
  ItemDraw d;
  d.lo = lo;
  d.hi = hi;
  d.fallback = std::clamp(v.a, lo, hi);
  d.a = v.a;
  d.b = v.b;
  switch (v.kind) {
  case ValueSpec::Kind::Uniform: d.kind = ItemDraw::Kind::Uniform; break;
  case ValueSpec::Kind::Normal: d.kind = ItemDraw::Kind::Normal; break;
  case ValueSpec::Kind::LogNormal: {
    d.kind = ItemDraw::Kind::LogNormal;
    d.sign = v.a < 0 ? -1.0 : 1.0;
    const LogNormal ln(std::fabs(v.a), v.b);
    d.a = ln.mu;
    d.b = ln.sigma;
    break;
  }
  default: throw std::logic_error("a per-synapse value must be uniform, normal or log-normal");
  }
  return d;
}

} // namespace

SynapseDraws::SynapseDraws(const ProjectionSpec &proj, uint64_t seed, uint64_t first_gid, double dt)
    : proj(proj), drawn_weights(proj.weight_dist.kind != ValueSpec::Kind::Constant),
      drawn_delays(proj.delay_dist.kind != ValueSpec::Kind::Constant),
      weight_key(seed, streams::kWeights + proj.stream),
      delay_key(seed, streams::kDelays + proj.stream), first_gid(first_gid), dt(dt) {
  // A projection keeps its sign, so a weight of the other sign is drawn again.
  const double lo = proj.weight < 0 ? -HUGE_VAL : 0.0, hi = proj.weight < 0 ? 0.0 : HUGE_VAL;
  if (drawn_weights) weight_draw = item_draw(proj.weight_dist, lo, hi);
  if (drawn_delays) delay_draw = item_draw(proj.delay_dist, proj.delay_min, HUGE_VAL);
}

void refuse_delay(const ProjectionSpec &proj, double ms) {
  throw std::runtime_error(proj.pointer + "/delay: a drawn delay of " + std::to_string(ms) +
                           " ms is over 65535 steps; shorten it or raise dt");
}

uint64_t draw_rows(Csr &c, uint64_t first, uint64_t last, const SynapseDraws &draws,
                   const uint64_t *place) {
  Scratch &s = scratch();
  uint64_t largest = 1;
  for (uint64_t i = first; i < last; ++i) {
    const uint64_t b = c.row_ptr[i], n = c.row_ptr[i + 1] - b;
    if (n > 0)
      largest = std::max<uint64_t>(largest, draw_row(c, i, b, n, place ? place[i] : 0, draws, s));
  }
  return largest;
}

void index_delays(Csr &c, uint64_t first, uint64_t last) {
  for (uint64_t i = first; i < last; ++i)
    if (c.delay_ends.empty())
      index_row(c, i, c.delay_ends16.data());
    else
      index_row(c, i, c.delay_ends.data());
}

} // namespace ganglion
