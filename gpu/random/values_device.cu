// Per-synapse values on the device (see values_device.hpp).
#include "random/values_device.hpp"

#include "device/buffers.cuh"

namespace ganglion::gpu {
namespace {

__global__ void items(ItemDraw d, PhiloxKey key, uint64_t first_row, uint32_t n_rows,
                      uint32_t n_items, double *out) {
  const uint64_t k = uint64_t(blockIdx.x) * blockDim.x + threadIdx.x;
  if (k >= uint64_t(n_rows) * n_items) return;
  out[k] = item_from(d, key, first_row + k / n_items, k % n_items, 0);
}

__global__ void initial_values(Dist dist, double a, double b, double lo, double hi, uint64_t seed,
                               uint64_t first_gid, uint32_t n, uint32_t salt, double *out) {
  const uint32_t i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i >= n) return;
  Draws draws(seed, streams::kInitialValues, first_gid + i, salt);
  out[i] = draw_in_range(dist, a, b, lo, hi, draws);
}

} // namespace

std::vector<double> items_on_device(const ItemDraw &d, uint64_t seed, uint64_t stream,
                                    uint64_t first_row, uint32_t n_rows, uint32_t n_items) {
  const uint64_t total = uint64_t(n_rows) * n_items;
  double *out = device_array<double>(total);
  items<<<unsigned((total + 127) / 128), 128>>>(d, PhiloxKey(seed, stream), first_row, n_rows,
                                                n_items, out);
  check_cuda(cudaGetLastError(), "launch of items");
  return host_copy_of(out, total);
}

std::vector<double> initial_values_on_device(Dist dist, double a, double b, double lo, double hi,
                                             uint64_t seed, uint64_t first_gid, uint32_t n,
                                             uint32_t salt) {
  double *out = device_array<double>(n);
  initial_values<<<(n + 127) / 128, 128>>>(dist, a, b, lo, hi, seed, first_gid, n, salt, out);
  check_cuda(cudaGetLastError(), "launch of initial_values");
  return host_copy_of(out, n);
}

} // namespace ganglion::gpu
