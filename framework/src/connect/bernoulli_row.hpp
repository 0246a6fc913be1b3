// fixed_probability's row i, target after target, as the CPU's rows (connectivity.cpp) draw it:
// geometric gaps (geometric_gap) between successive targets from the uniforms of
// UniformStream(seed, stream, first_gid + i) in order, gap k from uniform k. Host and device
// (GG_HD): a device build of the rule walks the same gaps and so makes the same synapses.
#pragma once

#include <cstdint>

#include "ganglion/hd.h"
#include "ganglion/uniform_stream.hpp"
#include "random/transforms.hpp"

namespace ganglion {

// One gap of a row's walk from candidate j (the next target that may connect): the target it
// lands on, j moved past it; or -1 where the gap passes the row's end (j = n_post then).
GG_HD int64_t take_gap(int64_t &j, double gap, int64_t n_post) {
  if (gap >= double(n_post - j)) {
    j = n_post;
    return -1;
  }
  j += int64_t(gap);
  return j++;
}

class BernoulliRow {
public:
  // Row of global id `gid` onto targets 0 .. n_post - 1, leaving out target `autapse` (-1: none).
  GG_HD BernoulliRow(uint64_t seed, uint64_t stream, uint64_t gid, double inv_log_q, int64_t n_post,
                     int64_t autapse)
      : u_(seed, stream, gid), inv_log_q_(inv_log_q), n_post_(n_post), autapse_(autapse) {}

  // The next target, or -1 where the row has ended.
  GG_HD int64_t next() {
    while (j_ < n_post_) {
      const int64_t target = take_gap(j_, geometric_gap(u_.uniform(), inv_log_q_), n_post_);
      if (target != autapse_) return target; // (-1 at the end: never the autapse)
    }
    return -1;
  }

private:
  UniformStream u_;
  double inv_log_q_;
  int64_t n_post_, autapse_, j_ = 0;
};

} // namespace ganglion
