// The device spike ring's arithmetic (gpu/rings/spike_ring.hpp) against the CPU's spike history
// (engine/step.cpp: gather_spikes writes step s into slot s % depth, collect_arrivals reads the
// spikes of step s + 1 - d for a fixed delay d and makes row i's run of each): a history of the
// steps taken, written as the CPU writes it, holds at the ring's arrival slot exactly the step the
// delay reaches back to, for every delay 1 .. depth at steps around 0 and around each wrap; and a
// spike's arrival is its row's run, an empty row an empty run where the CPU has none.
#include <doctest/doctest.h>

#include <cstdint>
#include <vector>

#include "../../gpu/rings/spike_ring.hpp"

using ganglion::gpu::fixed_delay_arrival;
using ganglion::gpu::SpikeRing;

TEST_CASE("spike ring: its slots and arrival slots are the CPU history's for every delay") {
  for (uint32_t depth = 1; depth <= 6; ++depth) {
    const SpikeRing ring{nullptr, nullptr, 8, depth};
    std::vector<int64_t> held(depth, -1); // the step each slot holds, as the CPU's gather leaves it
    for (uint64_t step = 0; step < 4 * uint64_t(depth) + 3; ++step) {
      CAPTURE(depth);
      CAPTURE(step);
      CHECK(ring.slot_of(step) == step % depth);
      held[step % depth] = int64_t(step);
      for (uint32_t d = 1; d <= depth; ++d) {
        CAPTURE(d);
        uint32_t slot = depth; // left as it was where nothing arrives
        const bool arrives = ring.arrival_slot(step, d, slot);
        CHECK(arrives == (step + 1 >= d));
        if (arrives) {
          CHECK(slot == (step + 1 - d) % depth);
          CHECK(held[slot] == int64_t(step + 1 - d)); // not yet written over
        } else {
          CHECK(slot == depth);
        }
      }
    }
  }
  // Steps far beyond 2^32: the arithmetic is in 64 bits until the slot.
  const SpikeRing ring{nullptr, nullptr, 8, 7};
  const uint64_t late = (uint64_t(1) << 40) + 5;
  uint32_t slot = 0;
  CHECK(ring.slot_of(late) == late % 7);
  CHECK(ring.arrival_slot(late, 7, slot));
  CHECK(slot == (late - 6) % 7);
}

TEST_CASE("spike ring: a spike's fixed-delay arrival is its row's run") {
  const std::vector<uint64_t> row_ptr{0, 3, 3, 7, 8}; // row 1 empty
  std::vector<uint32_t> slots{2, 0, 3, 1, 2};
  const SpikeRing ring{slots.data(), nullptr, 5, 1};
  for (uint32_t k = 0; k < 5; ++k) {
    const uint32_t i = ring.slot_begin(0)[k];
    const gg_arrival a = fixed_delay_arrival(row_ptr.data(), i, 3);
    CHECK(a.begin == row_ptr[i]);
    CHECK(a.end == row_ptr[i + 1]);
    CHECK(a.pre == i);
    CHECK(a.delay == 3);
    CHECK((a.begin == a.end) == (i == 1)); // the CPU leaves this one out; delivery passes it
  }
  std::vector<uint32_t> two(2 * 4);
  const SpikeRing deep{two.data(), nullptr, 4, 2};
  CHECK(deep.slot_begin(1) == two.data() + 4);
}
