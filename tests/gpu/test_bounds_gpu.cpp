// GPU: the device's bound check (gpu/step/bounds.cuh) finds the value the CPU engine's check_bounds
// reports: the first step with a value out of range (or NaN), in it the first checked field with
// one and that field's lowest element, and its value, with later steps' values out of range
// ignored. Without a CUDA build or a device the test says it skipped.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "gpu_skip.hpp"
#ifdef GANGLION_HAVE_CUDA
#include "step/bounds_device.hpp"
#endif

constexpr const char *kBoundsName =
    "gpu: the device's bound check finds the first value out of range as the CPU does";

TEST_CASE(kBoundsName) {
#ifndef GANGLION_HAVE_CUDA
  GANGLION_GPU_SKIP_NO_CUDA(kBoundsName);
#else
  GANGLION_GPU_NEEDS_DEVICE(kBoundsName);
  // Three fields of 10^4 elements in [-1000, 1000], [0, 1], [-1, 1] over 40 steps, all in range
  // until step 20, where field 1 leaves it at elements 9000 and 12 (a NaN) and field 2 at element
  // 5; field 0 at step 30. The CPU reports step 20, field 1, element 12.
  const uint64_t n = 10000, steps = 40;
  const std::vector<double> min{-1000, 0, -1}, max{1000, 1, 1};
  std::vector<std::vector<std::vector<double>>> values(
      steps, std::vector<std::vector<double>>(3, std::vector<double>(n)));
  for (uint64_t t = 0; t < steps; ++t)
    for (uint64_t i = 0; i < n; ++i) {
      values[t][0][i] = -999.5 + 0.19 * double(i);
      values[t][1][i] = double(i % 101) / 100;
      values[t][2][i] = -1 + double(i % 201) / 100;
    }
  const ganglion::gpu::FirstOutside clean =
      ganglion::gpu::first_outside_on_device(values, min, max);
  CHECK(clean.step == UINT64_MAX);
  values[20][1][9000] = 1.5;
  values[20][1][12] = std::numeric_limits<double>::quiet_NaN();
  values[20][2][5] = -2;
  values[30][0][0] = 1e4;
  const ganglion::gpu::FirstOutside bad = ganglion::gpu::first_outside_on_device(values, min, max);
  CHECK(bad.step == 20);
  CHECK(bad.field == 1);
  CHECK(bad.element == 12);
  CHECK(std::isnan(bad.value));
  values[20][1][12] = 0.5; // now element 9000 is field 1's first
  const ganglion::gpu::FirstOutside next = ganglion::gpu::first_outside_on_device(values, min, max);
  CHECK(next.step == 20);
  CHECK(next.field == 1);
  CHECK(next.element == 9000);
  CHECK(next.value == 1.5);
#endif
}
