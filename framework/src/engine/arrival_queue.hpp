// The arrivals of a projection with drawn delays, queued by the step at which they arrive. Each
// spike's row is walked once, in the step that emits it, through the row's delay index
// (Csr::delay_ends16), and each of its non-empty runs of delay d is queued for step n + d - 1;
// a step's delivery then reads its queue, instead of looking up every (delay, spike) pair.
//
// The order is the one a delivery's arrivals have always had: by delay d ascending, then by the
// spikes of step n + 1 - d in their order. A step's queue is a ring slot filled from its end
// towards its front: the emission steps come oldest first, so each one's runs go in front of the
// older ones' (the newest emission, the smallest delay, ends up first), and its spikes are walked
// last to first, so that within its group they read first to last.
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

#include "connect/connectivity.hpp"
#include "ganglion/plugin_abi.h"

namespace ganglion::engine {

class ArrivalQueue {
public:
  // One slot per step of delay, 1 .. max_delay, each empty.
  void reset(uint64_t max_delay) { slots_.assign(max_delay, Slot{}); }

  // Step `step`'s spikes (spikes[0 .. n), in the order emitted): each one's runs of its row,
  // delay by delay, queued for the step at which they arrive. `ends` is c.delay_ends16's or
  // c.delay_ends's data, whichever is filled (neither where max_delay is 1).
  template <class T>
  void push(const Csr &c, const T *ends, const uint32_t *spikes, uint64_t n, uint64_t step) {
    const uint64_t depth = slots_.size(), w = depth - 1, first_slot = step % depth;
    constexpr uint64_t kAhead = 8; // a row's bounds and entries are asked for this many ahead
    for (uint64_t s = n; s-- > 0;) {
      if (s >= kAhead) {
        __builtin_prefetch(&c.row_ptr[spikes[s - kAhead]]);
        __builtin_prefetch(ends + spikes[s - kAhead] * w);
      }
      const uint32_t i = spikes[s];
      const uint64_t b = c.row_ptr[i], e = c.row_ptr[i + 1];
      const T *row = ends + i * w;
      uint64_t lo = b, k = first_slot;
      for (uint64_t d = 1; lo < e; ++d) { // (a row's last runs may be empty: stop at its end)
        const uint64_t hi = d == depth ? e : b + row[d - 1];
        if (hi != lo) put(slots_[k], {lo, hi, i, uint32_t(d)});
        lo = hi;
        k = k + 1 == depth ? 0 : k + 1;
      }
    }
  }

  // The arrivals of step `step`, in the delivery's order: `n` of them from the pointer returned,
  // which stays valid until the next push. The slot is then empty, for the runs that arrive
  // max_delay steps later.
  const gg_arrival *take(uint64_t step, uint64_t &n) {
    Slot &sl = slots_[step % slots_.size()];
    n = sl.runs.size() - sl.front;
    if (sl.runs.size() > 8 * std::max(n, kLeast)) resize(sl, 2 * std::max(n, kLeast));
    const gg_arrival *out = sl.runs.data() + sl.front;
    sl.front = sl.runs.size();
    return out;
  }

  // The queue's memory: the room its slots have now.
  uint64_t bytes() const {
    uint64_t b = slots_.size() * sizeof(Slot);
    for (const Slot &sl : slots_)
      b += sl.runs.size() * sizeof(gg_arrival);
    return b;
  }

private:
  // A step's arrivals, runs[front .. end): the room in front of them is free. A slot grows when
  // it is full, to twice its room, and shrinks when it is taken, to twice what it holds, where
  // that is under an eighth of its room: after a burst of spikes (such as a network's first
  // steps), a slot keeps at most 8 times what it held when last taken (or 8 times its least).
  struct Slot {
    std::vector<gg_arrival> runs;
    uint64_t front = 0;
  };
  static constexpr uint64_t kLeast = 16; // a slot's least room

  static void put(Slot &sl, const gg_arrival &a) {
    if (sl.front == 0) resize(sl, std::max(kLeast, 2 * sl.runs.size()));
    sl.runs[--sl.front] = a;
  }

  // Gives slot `sl` the room of `size` arrivals (at least as many as it holds), its arrivals at
  // the end.
  static void resize(Slot &sl, uint64_t size) {
    const uint64_t used = sl.runs.size() - sl.front;
    std::vector<gg_arrival> other(size);
    std::copy(sl.runs.begin() + long(sl.front), sl.runs.end(), other.end() - long(used));
    sl.front = size - used;
    sl.runs.swap(other);
  }

  std::vector<Slot> slots_;
};

} // namespace ganglion::engine
