// Philox on the device (see philox_device.hpp).
#include "random/philox_device.hpp"

#include <cuda_runtime.h>

#include "device/device.hpp"
#include "ganglion/philox.h"

namespace ganglion::gpu {
namespace {

__global__ void draw(uint64_t seed, uint64_t stream, uint32_t n, uint32_t *out) {
  const uint32_t i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i >= n) return;
  const gg_u32x4 r = gg_random4(seed, stream, i, 0, 0, 0);
  for (int k = 0; k < 4; ++k) out[4 * i + k] = r.v[k];
}

} // namespace

std::vector<uint32_t> philox_on_device(uint64_t seed, uint64_t stream, uint32_t n) {
  uint32_t *d = nullptr;
  check_cuda(cudaMalloc(&d, sizeof(uint32_t) * 4 * n), "cudaMalloc");
  draw<<<(n + 255) / 256, 256>>>(seed, stream, n, d);
  check_cuda(cudaGetLastError(), "launch of draw");
  std::vector<uint32_t> out(4 * size_t(n));
  check_cuda(cudaMemcpy(out.data(), d, sizeof(uint32_t) * out.size(), cudaMemcpyDeviceToHost),
             "cudaMemcpy");
  check_cuda(cudaFree(d), "cudaFree");
  return out;
}

} // namespace ganglion::gpu
