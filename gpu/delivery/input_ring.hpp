// Drawn delays on the device: each spike's row is walked once, in the step that emits it, adding
// each synapse's amount (arrival_form.hpp) into a ring of future input, a value per target and
// step of the longest delay, at the step where it arrives; each step then adds its slot into the
// synapse's state and clears the slot. One walk per spike covers every delay, with no queue of
// runs (the CPU's engine/arrival_queue.hpp). For the host and a device (GG_HD): the tests run
// the ring on the host against the CPU's queue and synapses. The ring sums a step's arrivals onto
// a target before they join the state, so the state's last bits differ from the CPU's one
// addition at a time: validation in the CPU's bits uses fixed delays (the ordered delivery).
#pragma once

#include <cstdint>

#include "delivery/arrival_form.hpp"
#include "ganglion/hd.h"

namespace ganglion::gpu {

struct InputRing {
  double *slots;  // depth slots of n targets: step t's at (t % depth) * n
  uint64_t n;     // targets
  uint64_t depth; // the projection's longest delay, in steps

  // Where what arrives in step t's delivery goes: a spike of step s with a delay of d steps
  // reaches its target in the delivery of step s + d - 1 (the CPU engine's order), d <= depth.
  GG_HD double &at(uint64_t t, uint32_t j) const { return slots[(t % depth) * n + j]; }

  // Step t's delivery onto target j: its slot joins the state x[j], and is cleared for the step
  // depth steps later.
  GG_HD void drain(uint64_t t, uint32_t j, double *x) const {
    double &slot = at(t, j);
    x[j] += slot;
    slot = 0;
  }
};

// Synapse s of a spike emitted at step `step`: where its amount goes, and what it is (its
// delay in steps from `delay`).
GG_HD double &ring_place(const InputRing &ring, const ArrivalForm &f, const uint16_t *delay,
                         uint64_t step, uint64_t s) {
  return ring.at(step + delay[s] - 1, f.post[s]);
}

// Spike i of step `step` walked into the ring a synapse after another (the host's walk, for the
// tests; a device walks a row's synapses side by side, adding with atomics).
GG_HD void walk(const InputRing &ring, const ArrivalForm &f, const uint64_t *row_ptr,
                const uint16_t *delay, uint32_t i, uint64_t step) {
  for (uint64_t s = row_ptr[i]; s < row_ptr[i + 1]; ++s)
    ring_place(ring, f, delay, step, s) += f.amount(s, f.post[s], 1.0);
}

} // namespace ganglion::gpu
