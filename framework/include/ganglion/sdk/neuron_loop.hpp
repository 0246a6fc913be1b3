// step_chunks: a neuron step in parts (a branch-free integration, then the threshold and reset
// only where an element crossed), so that its element loop vectorises.
#ifndef GANGLION_SDK_NEURON_LOOP_HPP
#define GANGLION_SDK_NEURON_LOOP_HPP

#include <bit>
#include <cstdint>

#include "ganglion/plugin_abi.h"
#include "ganglion/sdk/view.hpp"

namespace ganglion {

// A neuron step in parts, so that the element loop vectorises (a loop that calls emit_spike
// cannot). The elements are taken in chunks of kChunk: integrate(begin, end) updates elements
// [begin, end) without branches and returns whether any of them may spike (computed as an int
// reduction, `any |= x >= threshold`, which vectorises where a bool one does not). Only in such a
// chunk, crossed(i) is asked for every element, 64 at a time in a loop that vectorises (so it must
// be a plain comparison of the new state, no branches or calls), into a bit mask; fire(i) then runs
// for each set bit in ascending order and returns true for a spike (after resetting the element),
// which is emitted. Spikes are rare, so few chunks are looked at twice, and in those only the
// elements that crossed reach fire.
inline constexpr uint64_t kChunk = 128;
template <class Integrate, class Crossed, class Fire>
[[gnu::always_inline]] inline void step_chunks(const gg_view &v, Integrate &&integrate,
                                               Crossed &&crossed, Fire &&fire) {
  for (uint64_t begin = 0; begin < v.n; begin += kChunk) {
    const uint64_t end = begin + kChunk < v.n ? begin + kChunk : v.n;
    if (!integrate(begin, end)) continue;
    for (uint64_t first = begin; first < end; first += 64) {
      const uint64_t m = end - first < 64 ? end - first : 64;
      uint64_t mask = 0; // bit j: element first + j crossed
      for (uint64_t j = 0; j < m; ++j)
        mask |= uint64_t(crossed(first + j)) << j;
      for (; mask != 0; mask &= mask - 1) {
        const uint64_t i = first + uint64_t(std::countr_zero(mask));
        if (fire(i)) emit_spike(v, i);
      }
    }
  }
}

} // namespace ganglion

#endif
