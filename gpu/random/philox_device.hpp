// Host entry points of the device-side random number checks: the kernel draws Philox numbers on
// the GPU with the same header the CPU uses, so tests can prove both backends agree bit for bit.
#pragma once

#include <cstdint>
#include <vector>

namespace ganglion::gpu {

// gg_random4(seed, stream, i, 0, 0, 0).v[0..3] for i in [0, n), computed on the device.
std::vector<uint32_t> philox_on_device(uint64_t seed, uint64_t stream, uint32_t n);

} // namespace ganglion::gpu
