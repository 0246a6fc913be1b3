// Philox on the device (see philox_device.hpp).
#include "random/philox_device.hpp"

#include "device/buffers.cuh"
#include "ganglion/philox.h"

namespace ganglion::gpu {
namespace {

__global__ void draw(uint64_t seed, uint64_t stream, uint32_t n, uint32_t *out) {
  const uint32_t i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i >= n) return;
  const gg_u32x4 r = gg_random4(seed, stream, i, 0, 0, 0);
  for (int k = 0; k < 4; ++k)
    out[4 * uint64_t(i) + k] = r.v[k];
}

} // namespace

std::vector<uint32_t> philox_on_device(uint64_t seed, uint64_t stream, uint32_t n) {
  uint32_t *d = device_array<uint32_t>(4 * std::size_t(n));
  draw<<<(n + 255) / 256, 256>>>(seed, stream, n, d);
  check_cuda(cudaGetLastError(), "launch of draw");
  return host_copy_of(d, 4 * std::size_t(n));
}

} // namespace ganglion::gpu
