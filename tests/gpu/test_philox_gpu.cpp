// GPU: Philox draws on the device equal the CPU's bit for bit, so Poisson input and connectivity
// agree between backends for one seed. Without a CUDA build or a device the test says it skipped.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "ganglion/philox.h"
#include "gpu_skip.hpp"
#ifdef GANGLION_HAVE_CUDA
#include "random/philox_device.hpp"
#endif

constexpr const char *kName = "gpu: philox on the device equals the host";

TEST_CASE(kName) {
#ifndef GANGLION_HAVE_CUDA
  GANGLION_GPU_SKIP_NO_CUDA(kName);
#else
  GANGLION_GPU_NEEDS_DEVICE(kName);
  const uint32_t n = 100000;
  const std::vector<uint32_t> dev = ganglion::gpu::philox_on_device(42, 7, n);
  uint32_t mismatches = 0;
  for (uint32_t i = 0; i < n; ++i) {
    const gg_u32x4 r = gg_random4(42, 7, i, 0, 0, 0);
    for (int k = 0; k < 4; ++k) mismatches += dev[4 * i + k] != r.v[k];
  }
  CHECK(mismatches == 0);
#endif
}
