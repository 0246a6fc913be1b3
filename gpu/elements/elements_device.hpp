// Host entry point of the element arithmetic's check on the device (element_row.hpp).
#pragma once

#include <vector>

namespace ganglion::gpu {

// element_row(x[i], out + i * kElementColumns) for every i, computed by a CUDA kernel.
std::vector<double> elements_on_device(const std::vector<double> &x);

} // namespace ganglion::gpu
