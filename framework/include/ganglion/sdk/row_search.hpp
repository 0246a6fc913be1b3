// A target's synapses in a run of a CSR row, for the host and a device (GG_HD): the kernel builds
// each row ascending by target (within a delay), so a target's synapses in a run are adjacent and
// found by bisection. Code that sums a target's inputs one thread per target walks them so, in the
// CPU's order: the device engine's ordered delivery, rate_linear's CUDA step.
#ifndef GANGLION_SDK_ROW_SEARCH_HPP
#define GANGLION_SDK_ROW_SEARCH_HPP

#include <cstdint>

#include "ganglion/hd.h"

namespace ganglion {

// The first synapse of [lo, hi) whose target is not below j (hi where none is).
GG_HD uint64_t first_onto(const uint32_t *post, uint64_t lo, uint64_t hi, uint32_t j) {
  while (lo < hi) {
    const uint64_t mid = lo + (hi - lo) / 2;
    if (post[mid] < j)
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo;
}

} // namespace ganglion

#endif
