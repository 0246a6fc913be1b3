// A population's spike ring on the device, its layout and arithmetic, written once for the host and
// a device (GG_HD): `depth` slots of `capacity` neuron indices each and a count per slot, slot
// step % depth holding the spikes of that step, ascending with repeats kept (gather.cuh puts them
// there in the CPU's order); and a fixed-delay projection's arrival of one of a slot's spikes. The
// CPU's spike history (Population::history, engine/state.hpp) and its fixed-delay arrivals
// (collect_arrivals, engine/step.cpp) do the same arithmetic; a host test holds them equal.
#pragma once

#include <cstdint>

#include "ganglion/hd.h"
#include "ganglion/plugin_abi.h"

namespace ganglion::gpu {

struct SpikeRing {
  uint32_t *slots;  // depth x capacity indices, slot after slot
  uint32_t *counts; // the spikes in each slot
  uint32_t capacity;
  uint32_t depth; // the longest outgoing delay, in steps (at least 1)

  // The slot that holds the spikes of `step`.
  GG_HD uint32_t slot_of(uint64_t step) const { return uint32_t(step % depth); }

  // The slot whose spikes arrive at `step` over a delay of `delay` steps (1 .. depth): those of
  // step + 1 - delay, as on the CPU; false where no step that early was taken.
  GG_HD bool arrival_slot(uint64_t step, uint32_t delay, uint32_t &slot) const {
    if (step + 1 < delay) return false;
    slot = uint32_t((step + 1 - delay) % depth);
    return true;
  }

  GG_HD uint32_t *slot_begin(uint32_t slot) const { return slots + uint64_t(slot) * capacity; }
};

// The arrival of a spike of neuron i over a fixed delay: row i of the CSR. An empty row gives an
// empty run, which delivery passes over (the CPU leaves it out of its list instead).
GG_HD gg_arrival fixed_delay_arrival(const uint64_t *row_ptr, uint32_t i, uint32_t delay) {
  return gg_arrival{row_ptr[i], row_ptr[i + 1], i, delay};
}

} // namespace ganglion::gpu
