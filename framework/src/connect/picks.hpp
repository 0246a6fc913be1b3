// A row's targets (or a column's sources) drawn uniformly, with or without repeats, and returned
// in ascending order: the draws behind fixed_outdegree, fixed_indegree and fixed_total_number.
// Sorting is by counting (radix), and picks without repeats are checked against a bitmap, so a row
// costs a few operations per synapse whatever its length.
#pragma once

#include <cstdint>
#include <vector>

#include "ganglion/hd.h"
#include "ganglion/philox.h"
#include "random/batch_draws.hpp"

namespace ganglion {

// No index to skip.
inline constexpr uint64_t kNoSkip = UINT64_MAX;

// Pick k of a row with multapses (scale_pick of the row's uniform k), the candidate moved past
// `skip` (kNoSkip: none): what pick_sorted's multapse picks are before their sort, one at a time (a
// device's threads).
GG_HD uint32_t multapse_pick(uint64_t seed, uint64_t stream, uint64_t id, uint64_t n, uint64_t k,
                             uint64_t skip) {
  const uint64_t c = n - (skip < n ? 1 : 0);
  const auto w = gg_random4(seed, stream, uint32_t(id), uint32_t(id >> 32), 0, uint32_t(k / 2));
  const double u = k % 2 ? gg_uniform(w.v[2], w.v[3]) : gg_uniform(w.v[0], w.v[1]);
  const auto x = uint32_t(scale_pick(u, double(c), c));
  return skip < n ? x + (x >= skip) : x;
}

// Appends to `out`, in ascending order, k picks from [0, n) less `skip` (an autapse; kNoSkip for
// none), drawn from the uniforms of Draws(seed, stream, id) in order (key = PhiloxKey(seed,
// stream)). multapses: k independent uniform picks (a candidate may repeat); else a uniformly
// drawn k-subset (k must not exceed the candidates), drawn as its complement where k is more than
// half of them. A pick is floor(u c), c the number of candidates, each candidate at or above `skip`
// then moved up by one. With `sort` false the same picks may come in any order (a caller for
// which the order is nothing saves the sort).
// A row's k distinct picks from [0, n) less `skip`, one uniform at a time, as pick_sorted draws
// them without multapses (a device's thread a row): into out[0 .. k), ascending where k is more
// than half the candidates (the complement's way), else in the order drawn (sort them after).
// `taken` is a bitmap of (c + 63) / 64 words, all zero on entry and on return.
GG_HD void distinct_row(uint64_t seed, uint64_t stream, uint64_t id, uint64_t n, uint64_t k,
                        uint64_t skip, uint64_t *taken, uint32_t *out) {
  const uint64_t c = n - (skip < n ? 1 : 0);
  const bool keep = 2 * k <= c;
  const uint64_t want = keep ? k : c - k;
  const double cd = double(c);
  uint64_t marked = 0;
  for (uint64_t m = 0; marked < want; ++m) { // uniform m of the row's stream
    const auto w = gg_random4(seed, stream, uint32_t(id), uint32_t(id >> 32), 0, uint32_t(m / 2));
    const double u = m % 2 ? gg_uniform(w.v[2], w.v[3]) : gg_uniform(w.v[0], w.v[1]);
    const auto x = uint32_t(scale_pick(u, cd, c));
    const uint64_t bit = 1ull << (x & 63);
    if (taken[x >> 6] & bit) continue;
    taken[x >> 6] |= bit;
    if (keep) out[marked] = x;
    ++marked;
  }
  if (keep) // (only the picks' words to clear: a few picks among many candidates)
    for (uint64_t i = 0; i < k; ++i)
      taken[out[i] >> 6] = 0;
  else // the candidates left out of the complement, in order
    for (uint64_t w = 0, at = 0; w < (c + 63) / 64; ++w) {
      for (uint64_t b = 0; b < 64 && w * 64 + b < c; ++b)
        if (!(taken[w] >> b & 1)) out[at++] = uint32_t(w * 64 + b);
      taken[w] = 0;
    }
  if (skip < n)
    for (uint64_t i = 0; i < k; ++i)
      out[i] += out[i] >= skip;
}

void pick_sorted(PhiloxKey key, uint64_t id, uint64_t n, uint64_t k, uint64_t skip, bool multapses,
                 std::vector<uint32_t> &out, bool sort = true);

// Sorts v[0 .. k), every value below `bound`, ascending: by counting, one pass per byte of
// bound - 1 (comparisons below 64 values).
void sort_below(uint32_t *v, std::size_t k, uint64_t bound);

} // namespace ganglion
