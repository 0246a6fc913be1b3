// The shared element arithmetic on the device (see elements_device.hpp, element_row.hpp).
#include "elements/elements_device.hpp"

#include <cuda_runtime.h>

#include "device/device.hpp"
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
  std::vector<double> out(x.size() * kElementColumns);
  double *dx = nullptr, *dout = nullptr;
  check_cuda(cudaMalloc(&dx, sizeof(double) * x.size()), "cudaMalloc");
  check_cuda(cudaMalloc(&dout, sizeof(double) * out.size()), "cudaMalloc");
  check_cuda(cudaMemcpy(dx, x.data(), sizeof(double) * x.size(), cudaMemcpyHostToDevice),
             "cudaMemcpy");
  rows<<<(n + 127) / 128, 128>>>(dx, n, dout);
  check_cuda(cudaGetLastError(), "launch of rows");
  check_cuda(cudaMemcpy(out.data(), dout, sizeof(double) * out.size(), cudaMemcpyDeviceToHost),
             "cudaMemcpy");
  check_cuda(cudaFree(dx), "cudaFree");
  check_cuda(cudaFree(dout), "cudaFree");
  return out;
}

} // namespace ganglion::gpu
