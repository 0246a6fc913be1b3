// GPU: the device engine's delivery (gpu/delivery/) against the host's. Declared arrivals
// (deliver.cuh) against the host's walk in the arrivals' order, which the model tests hold equal
// to the CPU synapses: the ordered delivery gives its bits; the scattered one (atomics, in no fixed
// order) agrees within the rounding of a reordered sum, 1e-12 of the sum of magnitudes onto each
// target (a double sum of a few hundred terms reordered moves by a few ulps of that). Weights one
// for all and per synapse, with and without a scale, plain and counted arrivals, over rows with
// multapses. A drive's counts likewise (ordered: the host's bits). Drawn delays (the input ring)
// against the host's ring, within rounding.
// Without a CUDA build or a device the tests say they skipped.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <random>
#include <utility>
#include <vector>

#include "gpu_skip.hpp"
#ifdef GANGLION_HAVE_CUDA
#include "../models/drawn_rows.hpp"
#include "delivery/arrival_form.hpp"
#include "delivery/deliver_device.hpp"
#include "delivery/drive.hpp"
#include "delivery/input_ring.hpp"
#endif

constexpr const char *kDeliveryName =
    "gpu: declared arrivals delivered on the device ordered give the host's bits and scattered "
    "agree within rounding";

#ifdef GANGLION_HAVE_CUDA
namespace {

using ganglion::gpu::ArrivalForm;
using ganglion::gpu::DeliveryCase;

// 3000 rows of 50 to 250 ascending targets of 10^4 (multapses included), 600 arrivals (rows drawn
// with repetition, or single synapses with counts).
// `rows` rows of 50 to 250 ascending targets of n (multapses included): offsets and targets.
std::vector<uint64_t> random_rows(uint32_t rows, uint32_t n, std::mt19937 &rng,
                                  std::vector<uint32_t> &post) {
  std::uniform_int_distribution<uint32_t> target(0, n - 1), length(50, 250);
  std::vector<uint64_t> row_ptr{0};
  for (uint32_t i = 0; i < rows; ++i) {
    std::vector<uint32_t> row(length(rng));
    for (uint32_t &j : row)
      j = target(rng);
    std::sort(row.begin(), row.end());
    post.insert(post.end(), row.begin(), row.end());
    row_ptr.push_back(post.size());
  }
  return row_ptr;
}

DeliveryCase make_case(bool uniform, bool scaled, bool counted) {
  DeliveryCase c;
  std::mt19937 rng(11);
  const uint32_t n = 10000, rows = 3000;
  std::uniform_int_distribution<uint32_t> count(1, 9);
  std::uniform_real_distribution<double> value(-1, 1);
  const std::vector<uint64_t> row_ptr = random_rows(rows, n, rng, c.post);
  c.uniform = uniform;
  c.weight.assign(uniform ? 1 : c.post.size(), 0.4f);
  for (float &w : c.weight)
    w = float(value(rng));
  for (uint32_t j = 0; j < n; ++j) {
    c.x.push_back(value(rng));
    if (scaled) c.scale.push_back(0.2 + std::fabs(value(rng)));
  }
  std::uniform_int_distribution<uint32_t> pick(0, rows - 1);
  std::uniform_int_distribution<uint64_t> synapse(0, c.post.size() - 1);
  for (int a = 0; a < 600; ++a) {
    if (counted) {
      const uint64_t s = synapse(rng);
      c.arrivals.push_back({s, s + 1, 0, 1});
      c.spikes.push_back(count(rng));
    } else {
      const uint32_t i = pick(rng);
      c.arrivals.push_back({row_ptr[i], row_ptr[i + 1], i, 1});
    }
  }
  return c;
}

// The host's walk in the arrivals' order, and each target's sum of magnitudes.
void host_delivery(const DeliveryCase &c, std::vector<double> &x, std::vector<double> &size) {
  x = c.x;
  size.assign(x.size(), 0);
  std::vector<double> scale = c.scale;
  const ArrivalForm f{x.data(), scale.empty() ? nullptr : scale.data(), c.post.data(),
                      c.weight.data(), c.uniform};
  const uint32_t *spikes = c.spikes.empty() ? nullptr : c.spikes.data();
  for (uint64_t a = 0; a < c.arrivals.size(); ++a)
    for (uint64_t s = c.arrivals[a].begin; s < c.arrivals[a].end; ++s) {
      const uint32_t j = c.post[s];
      const double add = f.amount(s, j, ArrivalForm::spikes(spikes, a));
      x[j] += add;
      size[j] += std::fabs(add);
    }
  for (uint64_t j = 0; j < x.size(); ++j)
    size[j] += std::fabs(c.x[j]);
}

} // namespace
#endif

TEST_CASE(kDeliveryName) {
#ifndef GANGLION_HAVE_CUDA
  GANGLION_GPU_SKIP_NO_CUDA(kDeliveryName);
#else
  GANGLION_GPU_NEEDS_DEVICE(kDeliveryName);
  for (const bool uniform : {true, false})
    for (const bool scaled : {true, false})
      for (const bool counted : {false, true}) {
        CAPTURE(uniform);
        CAPTURE(scaled);
        CAPTURE(counted);
        const DeliveryCase c = make_case(uniform, scaled, counted);
        std::vector<double> host, size;
        host_delivery(c, host, size);
        const std::vector<double> ordered = ganglion::gpu::delivered_on_device(c, true);
        CHECK(std::memcmp(ordered.data(), host.data(), host.size() * sizeof(double)) == 0);
        const std::vector<double> scattered = ganglion::gpu::delivered_on_device(c, false);
        uint64_t off = 0, moved = 0;
        for (uint64_t j = 0; j < host.size(); ++j) {
          off += !(std::fabs(scattered[j] - host[j]) <= 1e-12 * size[j]);
          moved += host[j] != c.x[j];
        }
        CHECK(off == 0);
        CHECK(moved > host.size() / 2); // most targets took arrivals
      }
#endif
}

constexpr const char *kRingName =
    "gpu: drawn delays walked into the device's input ring agree with the host's ring within "
    "rounding";

TEST_CASE(kRingName) {
#ifndef GANGLION_HAVE_CUDA
  GANGLION_GPU_SKIP_NO_CUDA(kRingName);
#else
  GANGLION_GPU_NEEDS_DEVICE(kRingName);
  // 2000 rows of up to 300 synapses onto 5000 targets, delays of 1 to 20 steps (rows by delay,
  // then target), 200 spikes a step (repeats included) for 80 steps; the host's ring (which the
  // model test holds to the CPU's arrival queue) against the device's, step by step, within 1e-12
  // of the magnitudes each target took (the atomics reorder a slot's sum).
  std::mt19937 rng(17);
  ganglion::gpu::DrawnCase c;
  c.n = 5000;
  c.depth = 20;
  std::uniform_real_distribution<double> value(-1, 1);
  const uint32_t rows = 2000;
  const ganglion::test::DrawnRows drawn =
      ganglion::test::drawn_rows(rows, uint32_t(c.n), uint16_t(c.depth), 300, rng);
  c.row_ptr = drawn.row_ptr;
  c.post = drawn.post;
  c.delay = drawn.delay;
  c.weight = drawn.weight;
  for (uint64_t j = 0; j < c.n; ++j)
    c.scale.push_back(0.2 + std::fabs(value(rng)));
  std::uniform_int_distribution<uint32_t> pick(0, rows - 1);
  c.spikes.resize(80, std::vector<uint32_t>(200));
  for (auto &step : c.spikes)
    for (uint32_t &i : step)
      i = pick(rng);
  const std::vector<double> dev = ganglion::gpu::drawn_delays_on_device(c);
  REQUIRE(dev.size() == c.spikes.size() * c.n);

  std::vector<double> x(c.n, 0.0), size(c.n, 0.0), slots(c.n * c.depth, 0.0);
  const ganglion::gpu::InputRing ring{slots.data(), c.n, c.depth};
  const ArrivalForm f{x.data(), c.scale.data(), c.post.data(), c.weight.data(), false};
  uint64_t off = 0;
  for (uint64_t t = 0; t < c.spikes.size(); ++t) {
    for (const uint32_t i : c.spikes[t]) {
      ganglion::gpu::walk(ring, f, c.row_ptr.data(), c.delay.data(), i, t);
      for (uint64_t s = c.row_ptr[i]; s < c.row_ptr[i + 1]; ++s)
        size[c.post[s]] += std::fabs(f.amount(s, c.post[s], 1.0));
    }
    for (uint32_t j = 0; j < c.n; ++j) {
      ring.drain(t, j, x.data());
      off += !(std::fabs(dev[t * c.n + j] - x[j]) <= 1e-12 * size[j]);
    }
  }
  CHECK(off == 0);
#endif
}

constexpr const char *kDriveName =
    "gpu: a drive's counts delivered on the device ordered give the host's bits and scattered "
    "agree within rounding";

TEST_CASE(kDriveName) {
#ifndef GANGLION_HAVE_CUDA
  GANGLION_GPU_SKIP_NO_CUDA(kDriveName);
#else
  GANGLION_GPU_NEEDS_DEVICE(kDriveName);
  // 500 generator rows of 50 to 250 targets of 10^4 (multapses included) at rates from 0 to a
  // mean of 15 spikes a step, 30 steps; the host's per-target delivery (which the model test holds
  // to the CPU's exp_current) against the device's.
  std::mt19937 rng(13);
  std::uniform_real_distribution<double> value(-1, 1);
  ganglion::gpu::DriveCase c;
  c.n = 10000;
  c.row_ptr = random_rows(500, uint32_t(c.n), rng, c.post);
  for (uint64_t k = 0; k < c.post.size(); ++k)
    c.weight.push_back(float(value(rng)));
  for (uint64_t j = 0; j < c.n; ++j)
    c.scale.push_back(0.2 + std::fabs(value(rng)));
  for (uint64_t i = 0; i < 500; ++i)
    c.rate.push_back(i % 9 == 0 ? 0.0 : (i % 5 == 0 ? 150000.0 : 300.0 * double(i % 50)));
  c.seed = 21;
  c.stream = 1234567;
  c.post_gid = 1000;
  c.steps = 30;
  const std::vector<double> ordered = ganglion::gpu::drive_on_device(c, true);
  const std::vector<double> scattered = ganglion::gpu::drive_on_device(c, false);
  std::vector<double> x(c.n, 0.0), size(c.n, 0.0);
  const ArrivalForm f{x.data(), c.scale.data(), c.post.data(), c.weight.data(), false};
  const ganglion::gpu::Drive d{c.rate.data(), c.dt, {c.seed, c.post_gid}, c.stream};
  const uint64_t n_pre = c.row_ptr.size() - 1;
  uint64_t differ = 0, off = 0;
  for (uint64_t t = 0; t < c.steps; ++t) {
    for (uint32_t j = 0; j < c.n; ++j)
      d.deliver_to(f, j, c.row_ptr.data(), n_pre, t);
    for (uint32_t i = 0; i < n_pre; ++i) {
      const ganglion::PoissonCount p = d.count_of(i);
      const ganglion::DriveIds::Row r = d.ids.row(i);
      for (uint64_t k = c.row_ptr[i]; k < c.row_ptr[i + 1]; ++k)
        size[c.post[k]] += std::fabs(f.amount(k, c.post[k], double(d.count(p, r, c.post[k], t))));
    }
    differ += std::memcmp(ordered.data() + t * c.n, x.data(), c.n * sizeof(double)) != 0;
    for (uint32_t j = 0; j < c.n; ++j)
      off += !(std::fabs(scattered[t * c.n + j] - x[j]) <= 1e-12 * size[j]);
  }
  CHECK(differ == 0);
  CHECK(off == 0);
#endif
}
