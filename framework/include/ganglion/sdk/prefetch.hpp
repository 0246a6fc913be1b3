// prefetch_synapses: asks the cache for a run of the CSR ahead of its walk, for the delivery
// (delivery.hpp) and the plasticity rules' walks (rules.hpp).
#ifndef GANGLION_SDK_PREFETCH_HPP
#define GANGLION_SDK_PREFETCH_HPP

#include <cstdint>

namespace ganglion {

// Asks the cache for the targets `post` (and, unless NULL, the weights) of synapses [begin, end)
// of the CSR, or for entries [begin, end) of any index array `post`. Rows of a few hundred
// synapses are too short for the hardware prefetcher to get going, so a hook that works through
// one row while the next one's come in hides most of the memory latency.
template <class Index>
inline void prefetch_synapses(const Index *post, const float *weight, uint64_t begin,
                              uint64_t end) {
  constexpr uint64_t per_line = 64 / sizeof(Index);
  for (uint64_t s = begin; s < end; s += per_line) {
    __builtin_prefetch(post + s);
    if (weight) // four-byte weights: two lines per line of 16-bit targets
      for (uint64_t w = s; w < s + per_line; w += 16)
        __builtin_prefetch(weight + w);
    // C++ lets the compiler delete a loop without side effects, and prefetches do not count.
    asm volatile("");
  }
  if (begin < end) { // the last line, where [begin, end) does not start at a line's start
    __builtin_prefetch(post + end - 1);
    if (weight) __builtin_prefetch(weight + end - 1);
  }
}

} // namespace ganglion

#endif
