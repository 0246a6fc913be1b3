// Rows as the device builds them, computed on the host one synapse at a time with the device's
// code: the unit tests hold the CPU's (vectorised) builders equal to them, the GPU tests the
// device's.
#pragma once

#include <algorithm>
#include <cstdint>
#include <numeric>
#include <utility>
#include <vector>

#include "connect/bernoulli_row.hpp"
#include "connect/dense_rows.hpp"
#include "connect/picks.hpp"
#include "ganglion/elementary.h"
#include "random/batch_draws.hpp"
#include "random/transforms.hpp"

namespace ganglion::test {

// Rows as CSR: offsets (n_rows + 1) and targets.
struct Rows {
  std::vector<uint64_t> row_ptr{0};
  std::vector<uint32_t> post;
  void end_row() { row_ptr.push_back(post.size()); }
};

// fixed_probability's rows of global ids first_gid .. first_gid + n_pre - 1 by BernoulliRow, the
// autapse (target i of row i) left out where `self`.
inline Rows bernoulli_rows(uint64_t seed, uint64_t stream, double p, uint64_t n_pre,
                           uint64_t n_post, uint64_t first_gid, bool self) {
  Rows out;
  for (uint64_t i = 0; i < n_pre; ++i) {
    BernoulliRow row(seed, stream, first_gid + i, 1.0 / gg_log1p(-p), int64_t(n_post),
                     self ? int64_t(i) : -1);
    for (int64_t t; (t = row.next()) >= 0;)
      out.post.push_back(uint32_t(t));
    out.end_row();
  }
  return out;
}

// all_to_all's rows, each synapse put at its place (AllToAllRows), the autapse left out where
// `self`.
inline Rows all_to_all_rows(uint64_t n_pre, uint64_t n_post, bool self) {
  const AllToAllRows r{n_post, self};
  Rows out;
  out.post.assign(r.row_start(n_pre), 0);
  for (uint64_t i = 0; i < n_pre; ++i) {
    for (uint64_t j = 0; j < n_post; ++j)
      if (const uint64_t at = r.place(i, j); at != UINT64_MAX) out.post[at] = uint32_t(j);
    out.row_ptr.push_back(r.row_start(i + 1));
  }
  return out;
}

// Rows of given counts (fixed_outdegree's, fixed_total_number's) of global ids from first_gid:
// row i's counts[i] picks by multapse_pick or (without multapses) distinct_row, sorted.
inline Rows counted_rows(uint64_t seed, uint64_t stream, const std::vector<uint64_t> &counts,
                         uint64_t n_post, uint64_t first_gid, bool self, bool multapses) {
  Rows out;
  std::vector<uint64_t> taken((n_post + 63) / 64, 0);
  for (uint64_t i = 0; i < counts.size(); ++i) {
    const std::size_t begin = out.post.size();
    const uint64_t skip = self ? i : kNoSkip;
    out.post.resize(begin + counts[i]);
    if (multapses)
      for (uint64_t k = 0; k < counts[i]; ++k)
        out.post[begin + k] = multapse_pick(seed, stream, first_gid + i, n_post, k, skip);
    else
      distinct_row(seed, stream, first_gid + i, n_post, counts[i], skip, taken.data(),
                   out.post.data() + begin);
    std::sort(out.post.begin() + long(begin), out.post.end());
    out.end_row();
  }
  return out;
}

// fixed_indegree's rows: each column's picks (multapse_pick, or distinct_row in its drawn order),
// pairs (pick, column) in column order, bucketed by source: n_pre rows from n_post columns of k
// picks each, column j of global id first + j, its autapse (source j) left out where `self`.
inline Rows column_rows(uint64_t seed, uint64_t stream, uint64_t n_pre, uint64_t n_post, uint64_t k,
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
  Rows out;
  for (const auto &r : rows) {
    out.post.insert(out.post.end(), r.begin(), r.end());
    out.end_row();
  }
  return out;
}

// Drawn weights and delays of the synapses of rows (row_ptr, post): each synapse's weight and
// delay (item_from of row id first_gid + i, the delay by delay_step), then each row stably sorted
// by delay with its targets and weights, as draw_rows sorts it.
struct DelayedRows {
  std::vector<uint32_t> post;
  std::vector<float> weight;
  std::vector<uint16_t> delay;
};

inline DelayedRows delayed_rows(const std::vector<uint64_t> &row_ptr,
                                const std::vector<uint32_t> &post, const ItemDraw &weight,
                                PhiloxKey weight_key, const ItemDraw &delay, PhiloxKey delay_key,
                                uint64_t first_gid, double dt) {
  DelayedRows out;
  for (uint64_t i = 0; i + 1 < row_ptr.size(); ++i) {
    const uint64_t b = row_ptr[i], n = row_ptr[i + 1] - b;
    std::vector<uint16_t> d(n);
    std::vector<float> w(n);
    for (uint64_t k = 0; k < n; ++k) {
      w[k] = float(item_from(weight, weight_key, first_gid + i, k, 0));
      d[k] = uint16_t(delay_step(item_from(delay, delay_key, first_gid + i, k, 0), dt));
    }
    std::vector<uint64_t> order(n);
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(),
                     [&](uint64_t x, uint64_t y) { return d[x] < d[y]; });
    for (const uint64_t k : order) {
      out.post.push_back(post[b + k]);
      out.weight.push_back(w[k]);
      out.delay.push_back(d[k]);
    }
  }
  return out;
}

} // namespace ganglion::test
