// Poisson input on the device (see poisson_device.hpp).
#include "random/poisson_device.hpp"

#include "device/buffers.cuh"
#include "ganglion/poisson_count.hpp"
#include "neuron/poisson/poisson_model.hpp"
#include "random/drive_count.hpp"

namespace ganglion::gpu {
namespace {

__global__ void drive_counts(PoissonCount count, uint64_t seed, uint64_t stream,
                             uint32_t n_elements, uint32_t n_targets, uint32_t first_target,
                             uint32_t n_steps, uint64_t *out) {
  const uint64_t k = uint64_t(blockIdx.x) * blockDim.x + threadIdx.x;
  if (k >= uint64_t(n_elements) * n_targets * n_steps) return;
  const auto s = uint32_t(k % n_steps), t = uint32_t(k / n_steps % n_targets);
  const auto i = uint32_t(k / n_steps / n_targets);
  out[k] = drive_count(count, seed, stream, i, first_target + t, s);
}

__global__ void sources(uint64_t seed, uint64_t stream, uint64_t first_gid, const double *rates,
                        uint32_t n, double dt, uint32_t n_steps, uint32_t *out) {
  const uint32_t i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n) poisson::run_source(seed, stream, first_gid + i, rates[i], dt, n_steps, out + i, n);
}

} // namespace

std::vector<uint64_t> drive_counts_on_device(uint64_t seed, uint64_t stream, double mean,
                                             uint32_t n_elements, uint32_t n_targets,
                                             uint32_t first_target, uint32_t n_steps) {
  const uint64_t total = uint64_t(n_elements) * n_targets * n_steps;
  uint64_t *out = device_array<uint64_t>(total);
  drive_counts<<<unsigned((total + 127) / 128), 128>>>(PoissonCount(mean), seed, stream, n_elements,
                                                       n_targets, first_target, n_steps, out);
  check_cuda(cudaGetLastError(), "launch of drive_counts");
  return host_copy_of(out, total);
}

std::vector<uint32_t> poisson_source_on_device(uint64_t seed, uint64_t stream, uint64_t first_gid,
                                               const std::vector<double> &rates, double dt,
                                               uint32_t n_steps) {
  const auto n = uint32_t(rates.size());
  double *d_rates = device_copy_of(rates);
  uint32_t *out = device_array<uint32_t>(std::size_t(n) * n_steps);
  sources<<<(n + 127) / 128, 128>>>(seed, stream, first_gid, d_rates, n, dt, n_steps, out);
  check_cuda(cudaGetLastError(), "launch of sources");
  check_cuda(cudaFree(d_rates), "cudaFree");
  return host_copy_of(out, std::size_t(n) * n_steps);
}

} // namespace ganglion::gpu
