// GPU: Poisson input drawn on the device is the host's, bit for bit: a drive's count for every
// synapse and step (drive_count, which the engine's batched counts are tested against), and the
// poisson source's spikes (poisson::run_source, which the plugin's are tested against), at means
// of the inversion and of PTRS. Without a CUDA build or a device the test says it skipped.
#include <doctest/doctest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "gpu_skip.hpp"
#ifdef GANGLION_HAVE_CUDA
#include "neuron/poisson/poisson_model.hpp"
#include "random/drive_count.hpp"
#include "random/poisson_device.hpp"
#endif

constexpr const char *kPoissonName = "gpu: Poisson input drawn on the device equals the host's";

TEST_CASE(kPoissonName) {
#ifndef GANGLION_HAVE_CUDA
  GANGLION_GPU_SKIP_NO_CUDA(kPoissonName);
#else
  GANGLION_GPU_NEEDS_DEVICE(kPoissonName);
  const uint64_t seed = 5, stream = (4ull << 40) + 2;
  for (double mean : {0.05, 1.6, 9.5, 10.0, 37.0}) {
    CAPTURE(mean);
    const uint32_t elements = 2, targets = 500, first = 1000, steps = 100;
    const std::vector<uint64_t> dev =
        ganglion::gpu::drive_counts_on_device(seed, stream, mean, elements, targets, first, steps);
    const ganglion::PoissonCount count(mean);
    uint64_t mismatches = 0;
    for (uint32_t i = 0; i < elements; ++i)
      for (uint32_t t = 0; t < targets; ++t)
        for (uint32_t s = 0; s < steps; ++s)
          mismatches += dev[(uint64_t(i) * targets + t) * steps + s] !=
                        ganglion::drive_count(count, seed, stream, i, first + t, s);
    CHECK(mismatches == 0);
  }
  std::vector<double> rates;
  for (int i = 0; i < 1000; ++i)
    rates.push_back(i % 10 == 9 ? 20000.0 : 0.5 * i);
  const uint32_t steps = 2000;
  const std::vector<uint32_t> dev =
      ganglion::gpu::poisson_source_on_device(seed, 1, 77, rates, 0.1, steps);
  std::vector<uint32_t> host(rates.size() * steps);
  for (std::size_t i = 0; i < rates.size(); ++i)
    ganglion::poisson::run_source(seed, 1, 77 + i, rates[i], 0.1, steps, host.data() + i,
                                  rates.size());
  CHECK(dev == host);
#endif
}
