// fixed_indegree's rows as the device builds them, on the host: each column's picks (multapse_pick,
// or distinct_row in its drawn order), pairs (pick, column) in column order, bucketed by source.
// The unit test holds the CPU's fixed_indegree equal to it, the GPU test the device's.
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

#include "connect/picks.hpp"

namespace ganglion::test {

// (row_ptr, targets) of n_pre rows from n_post columns of k picks each, column j of global id
// first + j, its autapse (source j) left out where `self`.
inline std::pair<std::vector<uint64_t>, std::vector<uint32_t>>
column_rows(uint64_t seed, uint64_t stream, uint64_t n_pre, uint64_t n_post, uint64_t k,
            uint64_t first, bool self, bool multapses) {
  std::vector<std::vector<uint32_t>> rows(n_pre);
  std::vector<uint64_t> taken((n_pre + 63) / 64, 0);
  std::vector<uint32_t> picks(k);
  for (uint64_t j = 0; j < n_post; ++j) {
    const uint64_t skip = self ? j : kNoSkip;
    if (multapses)
      for (uint64_t idx = 0; idx < k; ++idx)
        picks[idx] = multapse_pick(seed, stream, first + j, n_pre, idx, skip);
    else
      distinct_row(seed, stream, first + j, n_pre, k, skip, taken.data(), picks.data());
    for (const uint32_t i : picks)
      rows[i].push_back(uint32_t(j));
  }
  std::pair<std::vector<uint64_t>, std::vector<uint32_t>> out{{0}, {}};
  for (const auto &r : rows) {
    out.second.insert(out.second.end(), r.begin(), r.end());
    out.first.push_back(out.second.size());
  }
  return out;
}

} // namespace ganglion::test
