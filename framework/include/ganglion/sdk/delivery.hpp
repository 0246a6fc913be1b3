// Delivery of a synapse step's arrivals: for_each_arrival walks the synapses whose spike arrives
// now, in either target width, asking the cache for later rows ahead and, where many synapses
// arrive per target, keeping the state it scatters into in L1 (kDeliveryBlock).
#ifndef GANGLION_SDK_DELIVERY_HPP
#define GANGLION_SDK_DELIVERY_HPP

#include <algorithm>
#include <cstdint>
#include <type_traits>

#include "ganglion/plugin_abi.h"
#include "ganglion/sdk/prefetch.hpp"
#include "ganglion/sdk/view.hpp"
#include "ganglion/simd.hpp"

namespace ganglion {

// Arrivals with at least kBlockedRun synapses per block of kDeliveryBlock postsynaptic elements
// on average are delivered block by block (for_each_arrival). Below that, walking every arrival's
// cursor through every block costs more than the cache misses it saves.
inline constexpr uint64_t kDeliveryBlock = 2048; // elements: 16 KiB of doubles, L1-sized
inline constexpr uint64_t kBlockedRun = 128;
// The plain walk asks for the synapses of arrivals about kPrefetchSynapses synapses ahead (by the
// mean row length), at least one arrival and at most kPrefetchArrivals: a short row is delivered
// in less time than a miss to L3 or memory takes, so asking only for the next one left most of
// each miss exposed.
inline constexpr uint64_t kPrefetchSynapses = 1024, kPrefetchArrivals = 8;

// Calls f(j, s) for every synapse s whose spike arrives now (the view's arrivals, in their
// order), j its postsynaptic index, whichever width the kernel stored the targets in; f is
// instantiated once per width. Later arrivals' synapses are prefetched while one is delivered
// (kPrefetchSynapses), weights too unless `weights_uniform` says f need not load them.
//
// An arrival that brings n spikes at once (arrival_counts, for a plugin declaring `counts`) calls
// f(j, s, n) where f takes a count as a third parameter (a double), else f(j, s) n times. Every
// other arrival calls such an f with n = 1.0: where f only multiplies by n (x += w * n) the
// compiler drops the factor, and a plain arrival costs and sums as before.
//
// Where the arrivals bring many synapses per postsynaptic element, the elements are taken in
// blocks of kDeliveryBlock and each arrival's run is walked as far as the block reaches, so the
// state f scatters into stays in the L1 cache. The kernel builds rows ascending by target (within
// a delay), so each element then still sees its synapses in the arrivals' order, and the sums are
// the same bit for bit; for rows in any other order every synapse is still visited once.
template <class F> [[gnu::always_inline]] inline void for_each_arrival(const gg_view &v, F &&f) {
  constexpr bool takes_count = std::is_invocable_v<F &, uint32_t, uint64_t, double>;
  const auto once = [&](uint32_t j, uint64_t s) GANGLION_INLINE {
    if constexpr (takes_count)
      f(j, s, 1.0);
    else
      f(j, s);
  };
  // Counted arrivals: a drive's, one synapse each, in ascending order (no prefetch needed).
  const auto walk_counted = [&](const auto *__restrict post, const uint32_t *counts)
                                GANGLION_INLINE {
                                  const gg_arrival *const arr = v.arrivals;
                                  for (uint64_t a = 0; a < v.n_arrivals; ++a)
                                    for (uint64_t s = arr[a].begin; s < arr[a].end; ++s) {
                                      if constexpr (takes_count)
                                        f(uint32_t(post[s]), s, double(counts[a]));
                                      else
                                        for (uint32_t c = 0; c < counts[a]; ++c)
                                          f(uint32_t(post[s]), s);
                                    }
                                };
  const float *weight = weights_uniform(v) ? nullptr : v.weight;
  const auto walk = [&](const auto *__restrict post) GANGLION_INLINE {
    const gg_arrival *const arr = v.arrivals;
    const uint64_t na = v.n_arrivals;
    uint64_t synapses = 0;
    for (uint64_t a = 0; a < na; ++a)
      synapses += arr[a].end - arr[a].begin;
    const uint64_t blocks = (v.n + kDeliveryBlock - 1) / kDeliveryBlock;
    if (blocks < 2 || synapses < kBlockedRun * na * blocks) {
      const uint64_t ahead = std::clamp<uint64_t>(
          kPrefetchSynapses * na / std::max<uint64_t>(synapses, 1), 1, kPrefetchArrivals);
      for (uint64_t a = 0; a < std::min(na, ahead); ++a)
        prefetch_synapses(post, weight, arr[a].begin, arr[a].end);
      for (uint64_t a = 0; a < na; ++a) {
        if (a + ahead < na)
          prefetch_synapses(post, weight, arr[a + ahead].begin, arr[a + ahead].end);
          // Unrolled: the scatter's few instructions a synapse (load the target, add, store) are
          // otherwise as many as the loop's own, and the core's issue width is the bound.
#pragma GCC unroll 4
        for (uint64_t s = arr[a].begin; s < arr[a].end; ++s)
          once(uint32_t(post[s]), s);
      }
      return;
    }
    for (uint64_t a = 0; a < na; ++a) // the first block's run of every arrival
      prefetch_synapses(post, weight, arr[a].begin,
                        arr[a].begin + std::min(arr[a].end - arr[a].begin, 2 * kBlockedRun));
    constexpr uint64_t kCursors = 256; // arrivals walked together (a stack array)
    uint64_t at[kCursors];
    for (uint64_t first = 0; first < na; first += kCursors) {
      const uint64_t group = std::min(kCursors, na - first);
      for (uint64_t a = 0; a < group; ++a)
        at[a] = arr[first + a].begin;
      for (uint64_t hi = kDeliveryBlock;; hi += kDeliveryBlock) {
        for (uint64_t a = 0; a < group; ++a) {
          uint64_t s = at[a];
          const uint64_t end = arr[first + a].end;
          for (; s < end && post[s] < hi; ++s)
            once(uint32_t(post[s]), s);
          at[a] = s;
        }
        if (hi >= v.n) break;
      }
    }
  };
  const uint16_t *p16 = post_index16(v);
  if (const uint32_t *counts = arrival_counts(v)) {
    if (p16)
      walk_counted(p16, counts);
    else
      walk_counted(v.post_index, counts);
  } else if (p16) {
    walk(p16);
  } else {
    walk(v.post_index);
  }
}

} // namespace ganglion

#endif
