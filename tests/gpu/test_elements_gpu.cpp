// GPU: the element arithmetic both backends share (ganglion's elementary functions, hh's rate
// functions and sub-step, the rate unit's transfer functions: gpu/elements/element_row.hpp) gives
// the same bits on the device as on the host, at every argument tried. Without a CUDA build or a
// device the test says it skipped.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "gpu_skip.hpp"
#ifdef GANGLION_HAVE_CUDA
#include "elements/element_row.hpp"
#include "elements/elements_device.hpp"
#endif

constexpr const char *kElementsName = "gpu: the shared element arithmetic gives the host's bits";

TEST_CASE(kElementsName) {
#ifndef GANGLION_HAVE_CUDA
  GANGLION_GPU_SKIP_NO_CUDA(kElementsName);
#else
  GANGLION_GPU_NEEDS_DEVICE(kElementsName);
  using ganglion::gpu::kElementColumns;
  // Membrane potentials (mV), then every binade of either sign, then the functions' switch points.
  std::mt19937_64 rng(21);
  std::uniform_real_distribution<double> volts(-100, 80), mantissa(1, 2);
  std::uniform_int_distribution<int> binade(-1074, 9);
  std::vector<double> x;
  for (int k = 0; k < 100000; ++k) {
    x.push_back(volts(rng));
    const double v = std::ldexp(mantissa(rng), binade(rng));
    x.push_back(k % 2 ? v : -v);
  }
  for (const double v : {0.0, -0.0, 1.0, -1.0, 22.0, -40.0, -55.0, 0.34657359027997264, 709.0,
                         -708.0, 38.816242111356935, -38.816242111356935, 1e300, -1e300})
    x.push_back(v);
  const std::vector<double> dev = ganglion::gpu::elements_on_device(x);
  REQUIRE(dev.size() == x.size() * kElementColumns);
  uint64_t mismatches[kElementColumns] = {};
  double host[kElementColumns];
  for (std::size_t i = 0; i < x.size(); ++i) {
    ganglion::gpu::element_row(x[i], host);
    for (int c = 0; c < kElementColumns; ++c)
      mismatches[c] += std::memcmp(&host[c], &dev[i * kElementColumns + c], sizeof(double)) != 0;
  }
  for (int c = 0; c < kElementColumns; ++c) {
    CAPTURE(c);
    CHECK(mismatches[c] == 0);
  }
#endif
}
