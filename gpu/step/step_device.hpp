// Host entry points of the step's own kernels (gpu/step/), for the GPU tests: the bound check
// (bounds.cuh) over a population's checked fields, and the spike log (spike_log.cuh) over a run's
// steps, as the engine will drive them.
#pragma once

#include <cstdint>
#include <vector>

namespace ganglion::gpu {

struct FirstOutside {
  uint64_t step = UINT64_MAX; // UINT64_MAX: none
  uint32_t field = 0;         // its place among the checked fields
  uint64_t element = 0;
  double value = 0;
};

// values[t][k]: checked field k's n values in step t (ranges [min[k], max[k]]), each step's
// uploaded and checked in turn, the status kept on the device across the steps.
FirstOutside first_outside_on_device(const std::vector<std::vector<std::vector<double>>> &values,
                                     const std::vector<double> &min,
                                     const std::vector<double> &max);

// Each step's spikes (at most `most` a step) logged into a log of `capacity` entries, in chunks of
// `chunk` steps: a chunk stops where the log pauses, the log is copied out and emptied, and the
// next chunk starts at the paused step. Returns every entry copied out (step << 32 | index), in
// order, and in `pauses` the steps the log paused at.
std::vector<uint64_t> spike_log_on_device(const std::vector<std::vector<uint32_t>> &spikes,
                                          uint32_t most, uint64_t capacity, uint64_t chunk,
                                          std::vector<uint64_t> &pauses);

} // namespace ganglion::gpu
