// The shared element arithmetic on the device (see elements_device.hpp, element_row.hpp).
#include "elements/elements_device.hpp"

#include "device/buffers.cuh"
#include "elements/element_row.hpp"

namespace ganglion::gpu {
namespace {

__global__ void rows(const double *x, uint32_t n, double *out) {
  const uint32_t i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n) element_row(x[i], out + std::size_t(i) * kElementColumns);
}

} // namespace

std::vector<double> elements_on_device(const std::vector<double> &x) {
  const auto n = uint32_t(x.size());
  double *dx = device_copy_of(x), *dout = device_array<double>(x.size() * kElementColumns);
  rows<<<(n + 127) / 128, 128>>>(dx, n, dout);
  check_cuda(cudaGetLastError(), "launch of rows");
  check_cuda(cudaFree(dx), "cudaFree");
  return host_copy_of(dout, x.size() * kElementColumns);
}

} // namespace ganglion::gpu
