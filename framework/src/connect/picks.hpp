// A row's targets (or a column's sources) drawn uniformly, with or without repeats, and returned
// in ascending order: the draws behind fixed_outdegree, fixed_indegree and fixed_total_number.
// Sorting is by counting (radix), and picks without repeats are checked against a bitmap, so a row
// costs a few operations per synapse whatever its length.
#pragma once

#include <cstdint>
#include <vector>

#include "random/batch_draws.hpp"

namespace ganglion {

// No index to skip.
inline constexpr uint64_t kNoSkip = UINT64_MAX;

// Appends to `out`, in ascending order, k picks from [0, n) less `skip` (an autapse; kNoSkip for
// none), drawn from the uniforms of Draws(seed, stream, id) in order (key = PhiloxKey(seed,
// stream)). multapses: k independent uniform picks (a candidate may repeat); else a uniformly
// drawn k-subset (k must not exceed the candidates), drawn as its complement where k is more than
// half of them. A pick is floor(u c), c the number of candidates, each candidate at or above `skip`
// then moved up by one. With `sort` false the same picks may come in any order (a caller for
// which the order is nothing saves the sort).
void pick_sorted(PhiloxKey key, uint64_t id, uint64_t n, uint64_t k, uint64_t skip, bool multapses,
                 std::vector<uint32_t> &out, bool sort = true);

// Sorts v[0 .. k), every value below `bound`, ascending: by counting, one pass per byte of
// bound - 1 (comparisons below 64 values).
void sort_below(uint32_t *v, std::size_t k, uint64_t bound);

} // namespace ganglion
