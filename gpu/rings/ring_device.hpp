// Host entry point of the device engine's spike ring (gather.cuh), for the GPU tests: a
// population's step spike lists, each uploaded as a companion leaves it (in any order, its count
// possibly past the list's room), gathered step after step into a ring on the device, with a
// fixed-delay projection's arrivals made from the ring each step; what each step left, copied back.
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

#include "ganglion/plugin_abi.h"

namespace ganglion::gpu {

struct RingSteps {
  std::vector<std::vector<uint32_t>> slots;      // each step's slot after its gather
  std::vector<int32_t> overflow;                 // each step's overflow word
  std::vector<std::vector<gg_arrival>> arrivals; // each step's arrivals (after its gather)
};

// n neurons, slots of `capacity` (also the room of the step's list), a ring `depth` deep; lists:
// each step's spikes (indices below n, in any order, repeats allowed; past `capacity` the rest is
// counted but not written, as cuda::Spikes does); arrivals over `delay` (1 .. depth) along the
// rows of row_ptr (n + 1 bounds).
RingSteps ring_steps_on_device(uint32_t n, uint32_t capacity, uint32_t depth,
                               const std::vector<std::vector<uint32_t>> &lists,
                               const std::vector<uint64_t> &row_ptr, uint32_t delay);

// One step of a small network's device side, enqueued once into a captured CUDA graph and
// replayed step after step, against the same work enqueued plainly each step: each step's spikes
// (lists, as a companion would leave them) gathered into the ring, a fixed `delay`'s arrivals
// along rows (row_ptr, post onto n targets, weights w) delivered in the CPU's order into a state
// x, and the step advanced on the device. The state after every step, both ways: graph (first)
// and plain (second).
std::pair<std::vector<double>, std::vector<double>>
graph_replay_on_device(uint32_t n, uint32_t capacity, uint32_t depth,
                       const std::vector<std::vector<uint32_t>> &lists,
                       const std::vector<uint64_t> &row_ptr, const std::vector<uint32_t> &post,
                       const std::vector<float> &w, uint32_t delay);

} // namespace ganglion::gpu
