// GPU: the step's own kernels (gpu/step/). The bound check (bounds.cuh) finds the value the CPU
// engine's check_bounds reports: the first step with a value out of range (or NaN), in it the
// lowest of the CPU's slices of 1024 elements with one, there the first checked field with one and
// that field's lowest element, and its value, with later steps' values out of range ignored. The
// spike log (spike_log.cuh) keeps each step whole and pauses where it lacks room, and chunks
// resumed there lose no spike. Without a CUDA build or a device the tests say they skipped.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "gpu_skip.hpp"
#ifdef GANGLION_HAVE_CUDA
#include "step/step_device.hpp"
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
  values[20][1][12] = 0.5; // now field 2's element 5, in the first slice, comes first
  const ganglion::gpu::FirstOutside next = ganglion::gpu::first_outside_on_device(values, min, max);
  CHECK(next.step == 20);
  CHECK(next.field == 2);
  CHECK(next.element == 5);
  CHECK(next.value == -2);
  values[20][2][5] = 0; // and then field 1's element 9000 (slice 8)
  const ganglion::gpu::FirstOutside last = ganglion::gpu::first_outside_on_device(values, min, max);
  CHECK(last.step == 20);
  CHECK(last.field == 1);
  CHECK(last.element == 9000);
  CHECK(last.value == 1.5);
#endif
}

constexpr const char *kLogName =
    "gpu: the spike log keeps each step whole and pauses where it lacks room so no spike is lost";

TEST_CASE(kLogName) {
#ifndef GANGLION_HAVE_CUDA
  GANGLION_GPU_SKIP_NO_CUDA(kLogName);
#else
  GANGLION_GPU_NEEDS_DEVICE(kLogName);
  // 300 steps of 0 to 500 spikes (at most 500 a step), a log of 20000 entries, chunks of 100
  // steps: the log fills within a chunk, pauses, and the next chunk starts at the step it paused
  // at. Every step's spikes come out once, in order; every pause is where the room left was below
  // a step's most.
  std::vector<std::vector<uint32_t>> spikes(300);
  std::vector<uint64_t> expected;
  for (uint64_t t = 0; t < spikes.size(); ++t) {
    for (uint32_t k = 0; k < (t * 37) % 501; ++k)
      spikes[t].push_back(k * 3 + uint32_t(t % 3));
    for (const uint32_t i : spikes[t])
      expected.push_back(t << 32 | i);
  }
  std::vector<uint64_t> pauses;
  const std::vector<uint64_t> got =
      ganglion::gpu::spike_log_on_device(spikes, 500, 20000, 100, pauses);
  CHECK(got == expected);
  CHECK(pauses.size() >= 2);
  // Each chunk starts at the last pause and logs that step at least (a fresh log has room).
  for (std::size_t k = 0; k < pauses.size(); ++k)
    CHECK(pauses[k] > (k ? pauses[k - 1] : 0));
#endif
}
