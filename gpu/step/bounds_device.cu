// See bounds_device.hpp.
#include "step/bounds_device.hpp"

#include "device/buffers.cuh"
#include "step/bounds.cuh"

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
  out.field = uint32_t(s.where >> 32);
  out.element = s.where & 0xffffffffull;
  out.value = s.value;
  return out;
}

} // namespace ganglion::gpu
