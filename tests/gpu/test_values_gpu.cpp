// GPU: per-synapse values (weights, delays in ms) and per-element initial values drawn on the
// device are the host's, bit for bit: normal, uniform and log-normal values, and values drawn again
// where they fell outside their bounds (a projection's sign, a delay's "min", a field's range).
// Without a CUDA build or a device the test says it skipped.
#include <doctest/doctest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "gpu_skip.hpp"
#ifdef GANGLION_HAVE_CUDA
#include "random/batch_draws.hpp"
#include "random/draws.hpp"
#include "random/transforms.hpp"
#include "random/values_device.hpp"
#endif

constexpr const char *kValuesName = "gpu: per-synapse values drawn on the device equal the host's";

TEST_CASE(kValuesName) {
#ifndef GANGLION_HAVE_CUDA
  GANGLION_GPU_SKIP_NO_CUDA(kValuesName);
#else
  GANGLION_GPU_NEEDS_DEVICE(kValuesName);
  using ganglion::ItemDraw;
  ItemDraw normal, uniform, lognormal, redrawn;
  normal.kind = ItemDraw::Kind::Normal;
  normal.a = 0.35;
  normal.b = 0.035;
  uniform.a = 1.0;
  uniform.b = 3.0;
  lognormal.kind = ItemDraw::Kind::LogNormal;
  const ganglion::LogNormal ln(2.0, 0.5);
  lognormal.a = ln.mu;
  lognormal.b = ln.sigma;
  lognormal.sign = -1;
  redrawn = normal; // a delay's normal redrawn below its min: about a third of the items
  redrawn.a = 0.85;
  redrawn.b = 0.375;
  redrawn.lo = 0.7;
  const uint64_t seed = 11, stream = (2ull << 40) + 5, first_row = 300;
  const uint32_t rows = 200, items = 333;
  for (const ItemDraw &d : {normal, uniform, lognormal, redrawn}) {
    const std::vector<double> dev =
        ganglion::gpu::items_on_device(d, seed, stream, first_row, rows, items);
    // The host's values one at a time (item_from: header-only, and tested equal to the batched
    // draw_items in tests/unit/random/test_batch_draws.cpp).
    const ganglion::PhiloxKey key(seed, stream);
    uint64_t mismatches = 0;
    for (uint32_t r = 0; r < rows; ++r)
      for (uint32_t k = 0; k < items; ++k)
        mismatches +=
            dev[uint64_t(r) * items + k] != ganglion::item_from(d, key, first_row + r, k, 0);
    CHECK(mismatches == 0);
  }
#endif
}

constexpr const char *kInitialName = "gpu: initial values drawn on the device equal the host's";

TEST_CASE(kInitialName) {
#ifndef GANGLION_HAVE_CUDA
  GANGLION_GPU_SKIP_NO_CUDA(kInitialName);
#else
  GANGLION_GPU_NEEDS_DEVICE(kInitialName);
  using ganglion::Dist;
  struct Case {
    Dist dist;
    double a, b, lo, hi;
  };
  // V ~ N(-58, 10) within lif's [-1000, 1000]; a uniform; a log-normal; a normal cut at -60 (a
  // quarter drawn again).
  for (const Case &c :
       {Case{Dist::Normal, -58, 10, -1000, 1000}, Case{Dist::Uniform, -70, -50, -1e3, 1e3},
        Case{Dist::LogNormal, 2.0, 0.5, 0, 1e300}, Case{Dist::Normal, -58, 10, -60, 1000}}) {
    const uint64_t seed = 55, first_gid = 1000;
    const uint32_t n = 20000, salt = 7;
    const std::vector<double> dev = ganglion::gpu::initial_values_on_device(
        c.dist, c.a, c.b, c.lo, c.hi, seed, first_gid, n, salt);
    uint64_t mismatches = 0;
    for (uint32_t i = 0; i < n; ++i) {
      ganglion::Draws draws(seed, ganglion::streams::kInitialValues, first_gid + i, salt);
      mismatches += dev[i] != ganglion::draw_in_range(c.dist, c.a, c.b, c.lo, c.hi, draws);
    }
    CHECK(mismatches == 0);
  }
#endif
}
