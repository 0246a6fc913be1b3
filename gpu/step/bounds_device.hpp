// Host entry point of the device's bound check (bounds.cuh), for the GPU test: a population's
// checked fields, step after step, checked on the device, and the first value out of range found.
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

} // namespace ganglion::gpu
