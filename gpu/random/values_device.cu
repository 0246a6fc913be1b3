// Per-synapse values on the device (see values_device.hpp).
#include "random/values_device.hpp"

#include <cuda_runtime.h>

#include "device/device.hpp"

namespace ganglion::gpu {
namespace {

__global__ void items(ItemDraw d, PhiloxKey key, uint64_t first_row, uint32_t n_rows,
                      uint32_t n_items, double *out) {
  const uint64_t k = uint64_t(blockIdx.x) * blockDim.x + threadIdx.x;
  if (k >= uint64_t(n_rows) * n_items) return;
  out[k] = item_from(d, key, first_row + k / n_items, k % n_items, 0);
}

} // namespace

std::vector<double> items_on_device(const ItemDraw &d, uint64_t seed, uint64_t stream,
                                    uint64_t first_row, uint32_t n_rows, uint32_t n_items) {
  const uint64_t total = uint64_t(n_rows) * n_items;
  double *out = nullptr;
  check_cuda(cudaMalloc(&out, sizeof(double) * (total ? total : 1)), "cudaMalloc");
  items<<<unsigned((total + 127) / 128), 128>>>(d, PhiloxKey(seed, stream), first_row, n_rows,
                                                n_items, out);
  check_cuda(cudaGetLastError(), "launch of items");
  std::vector<double> host(total);
  check_cuda(cudaMemcpy(host.data(), out, sizeof(double) * total, cudaMemcpyDeviceToHost),
             "cudaMemcpy");
  check_cuda(cudaFree(out), "cudaFree");
  return host;
}

} // namespace ganglion::gpu
