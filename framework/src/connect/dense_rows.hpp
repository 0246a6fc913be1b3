// all_to_all's rows in closed form, for the host and a device (GG_HD): nothing is drawn, so a
// synapse's place in the CSR follows from its row and target alone and a device fills any row
// without counting or a prefix sum (gpu/connect; one_to_one's row i is synapse i). The unit tests
// hold the CPU's builder equal to it, the GPU test the device's.
#pragma once

#include <cstdint>

#include "ganglion/hd.h"

namespace ganglion {

// Every pair (i, j) of n_pre x n_post, less the autapse (j == i) where skipped.
struct AllToAllRows {
  uint64_t n_post;
  bool skip_autapse;
  // Row i's first synapse: the rows before it, each n_post long, less their autapses.
  GG_HD uint64_t row_start(uint64_t i) const {
    return i * n_post - (skip_autapse ? (i < n_post ? i : n_post) : 0);
  }
  // Synapse (i, j)'s place, or UINT64_MAX for the autapse left out.
  GG_HD uint64_t place(uint64_t i, uint64_t j) const {
    if (skip_autapse && i == j) return UINT64_MAX;
    return row_start(i) + j - (skip_autapse && j > i ? 1 : 0);
  }
};

} // namespace ganglion
