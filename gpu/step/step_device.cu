// See step_device.hpp.
#include "step/step_device.hpp"

#include <algorithm>
#include <initializer_list>

#include "device/buffers.cuh"
#include "step/bounds.cuh"
#include "step/spike_log.cuh"

namespace ganglion::gpu {

FirstOutside first_outside_on_device(const std::vector<std::vector<std::vector<double>>> &values,
                                     const std::vector<double> &min,
                                     const std::vector<double> &max) {
  const int count = int(min.size());
  const uint64_t n = values.empty() ? 0 : values[0][0].size();
  CheckedFields f{};
  f.count = count;
  std::vector<double *> arrays(count);
  for (int k = 0; k < count; ++k) {
    arrays[k] = device_array<double>(n);
    f.field[k] = CheckedField{arrays[k], min[k], max[k]};
  }
  BoundsStatus *status = device_copy_of(std::vector<BoundsStatus>{all_in_range()});
  uint64_t *step = device_array<uint64_t>(1);
  for (uint64_t t = 0; t < values.size(); ++t) {
    for (int k = 0; k < count; ++k)
      check_cuda(
          cudaMemcpy(arrays[k], values[t][k].data(), sizeof(double) * n, cudaMemcpyHostToDevice),
          "cudaMemcpy");
    check_cuda(cudaMemcpy(step, &t, sizeof t, cudaMemcpyHostToDevice), "cudaMemcpy");
    check_cuda(check_bounds(f, n, status, step, nullptr), "launching the bound check");
  }
  const BoundsStatus s = host_copy_of(status, 1)[0];
  for (double *a : arrays)
    check_cuda(cudaFree(a), "cudaFree");
  check_cuda(cudaFree(step), "cudaFree");
  FirstOutside out;
  if (s.step == kAllInRange) return out;
  out.step = s.step;
  out.field = where_field(s.where);
  out.element = where_element(s.where);
  out.value = s.value;
  return out;
}

std::vector<uint64_t> spike_log_on_device(const std::vector<std::vector<uint32_t>> &spikes,
                                          uint32_t most, uint64_t capacity, uint64_t chunk,
                                          std::vector<uint64_t> &pauses) {
  uint32_t *list = device_array<uint32_t>(most), *count = device_array<uint32_t>(1);
  uint64_t *step = device_array<uint64_t>(1);
  unsigned long long *entries = device_array<unsigned long long>(capacity);
  unsigned long long *words = device_array<unsigned long long>(3); // count, paused_at, step_first
  const SpikeLog log{entries, capacity, words, words + 1, words + 2};
  const std::vector<unsigned long long> empty{0, kNotPaused, 0};
  std::vector<uint64_t> out;
  for (uint64_t start = 0; start < spikes.size();) {
    check_cuda(
        cudaMemcpy(words, empty.data(), sizeof(unsigned long long) * 3, cudaMemcpyHostToDevice),
        "cudaMemcpy");
    const uint64_t end = std::min<uint64_t>(spikes.size(), start + chunk);
    for (uint64_t t = start; t < end; ++t) { // (the engine's chunk: launched without a sync)
      const uint32_t n = uint32_t(spikes[t].size());
      check_cuda(cudaMemcpy(list, spikes[t].data(), sizeof(uint32_t) * n, cudaMemcpyHostToDevice),
                 "cudaMemcpy");
      check_cuda(cudaMemcpy(count, &n, sizeof n, cudaMemcpyHostToDevice), "cudaMemcpy");
      check_cuda(cudaMemcpy(step, &t, sizeof t, cudaMemcpyHostToDevice), "cudaMemcpy");
      check_cuda(log_spikes(log, list, count, most, step, nullptr), "launching the spike log");
    }
    std::vector<unsigned long long> w(3);
    check_cuda(cudaMemcpy(w.data(), words, sizeof(unsigned long long) * 3, cudaMemcpyDeviceToHost),
               "cudaMemcpy");
    std::vector<unsigned long long> held(w[0]);
    check_cuda(
        cudaMemcpy(held.data(), entries, sizeof(unsigned long long) * w[0], cudaMemcpyDeviceToHost),
        "cudaMemcpy");
    out.insert(out.end(), held.begin(), held.end());
    if (w[1] != kNotPaused) pauses.push_back(w[1]);
    start = w[1] != kNotPaused ? w[1] : end;
  }
  for (void *p : std::initializer_list<void *>{list, count, step, entries, words})
    check_cuda(cudaFree(p), "cudaFree");
  return out;
}

} // namespace ganglion::gpu
