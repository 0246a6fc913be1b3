// GPU: hh's, rate's, poisson's and spike_times' CUDA companions (opened as the registry opens
// them: companion.hpp) step a population on the device with the same bits as their model headers'
// Step on the host, which the model tests (tests/models/test_companion_elements.cpp) hold equal to
// the CPU plugins: every field after the last step, and each step's spikes (as a multiset: a
// source repeats an index). The populations start from given values, the same on both sides (the
// CPU's init is the host's either way). Without a CUDA build or a device the tests say they
// skipped.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <vector>

#include "gpu_skip.hpp"
#ifdef GANGLION_HAVE_CUDA
#include "../../plugins/neuron/hh/hh_model.hpp"
#include "../../plugins/neuron/poisson/poisson_model.hpp"
#include "../../plugins/neuron/rate/rate_model.hpp"
#include "../../plugins/neuron/spike_times/spike_times_model.hpp"
#include "../models/companion_cases.hpp"
#include "companion.hpp"
#include "hooks/neuron_device.hpp"
#endif

constexpr const char *kHhName = "gpu: hh's CUDA companion steps with the host's bits";
constexpr const char *kRateName = "gpu: rate's CUDA companion steps with the host's bits";
constexpr const char *kPoissonName = "gpu: poisson's CUDA companion draws the host's spikes";
constexpr const char *kSpikeTimesName = "gpu: spike_times' CUDA companion emits the host's spikes";

#ifdef GANGLION_HAVE_CUDA
namespace {

using namespace ganglion;

using Population = test::HostPopulation;

// make() twice, one stepped by the companion on the device and one by step(view, i) (element
// i's spikes) on the host, for `steps` steps with inputs (steps x n, or none): the same spikes
// in every step and the same fields at the end. Returns the spikes in all.
template <class Make, class Step>
uint64_t check_against_host(const char *name, Make &&make, const std::vector<double> &inputs,
                            uint64_t steps, uint32_t per_element, Step &&step) {
  Population host = make(), device = make();
  const uint64_t n = host.view.n;
  const gpu::NeuronSteps got = gpu::neuron_steps_on_device(test::open_companion(name), device.view,
                                                           inputs, steps, per_element);
  REQUIRE(got.error == "");
  uint64_t total = 0;
  for (uint64_t s = 0; s < steps; ++s) {
    CAPTURE(s);
    host.view.input = inputs.empty() ? nullptr : inputs.data() + s * n;
    host.view.step = s;
    std::vector<uint32_t> fired;
    for (uint64_t i = 0; i < n; ++i)
      fired.insert(fired.end(), step(host.view, i), uint32_t(i));
    REQUIRE(got.spikes[s] == fired);
    total += fired.size();
  }
  REQUIRE(got.fields.size() == host.data.size());
  for (std::size_t k = 0; k < host.data.size(); ++k) {
    CAPTURE(k);
    REQUIRE(got.fields[k].size() == host.data[k].size());
    CHECK(std::memcmp(got.fields[k].data(), host.data[k].data(),
                      host.data[k].size() * sizeof(double)) == 0);
  }
  return total;
}

template <class Input> std::vector<double> inputs_of(uint64_t n, uint64_t steps, Input &&input) {
  std::vector<double> inputs;
  for (uint64_t s = 0; s < steps; ++s)
    for (uint64_t i = 0; i < n; ++i)
      inputs.push_back(input(s, i));
  return inputs;
}

} // namespace
#endif

TEST_CASE(kHhName) {
#ifndef GANGLION_HAVE_CUDA
  GANGLION_GPU_SKIP_NO_CUDA(kHhName);
#else
  GANGLION_GPU_NEEDS_DEVICE(kHhName);
  constexpr uint64_t n = 3000, steps = 1000;
  const auto make = [] {
    Population p(n, hh::count, 0.1);
    for (uint64_t i = 0; i < n; ++i) {
      const test::hh_case::Params c = test::hh_case::params(i);
      const double values[hh::count] = {c.C,
                                        120,
                                        36,
                                        0.3,
                                        50,
                                        -77,
                                        -54.387,
                                        0,
                                        c.I_e,
                                        c.substeps,
                                        c.V0,
                                        hh::m_inf(c.V0),
                                        hh::h_inf(c.V0),
                                        hh::n_inf(c.V0)};
      for (int k = 0; k < hh::count; ++k)
        p.data[k][i] = values[k];
    }
    return p;
  };
  const uint64_t spikes =
      check_against_host("hh", make, inputs_of(n, steps, test::hh_case::input), steps, 1,
                         [](const gg_view &v, uint64_t i) {
                           return uint64_t(hh::step_of(v)(i, double(v.step)).spiked);
                         });
  CHECK(spikes > n * 3); // every neuron a train of spikes in the 100 ms
#endif
}

TEST_CASE(kRateName) {
#ifndef GANGLION_HAVE_CUDA
  GANGLION_GPU_SKIP_NO_CUDA(kRateName);
#else
  GANGLION_GPU_NEEDS_DEVICE(kRateName);
  constexpr uint64_t n = 3000, steps = 300;
  for (int fn = 0; fn < 5; ++fn) {
    CAPTURE(fn);
    const auto make = [fn] {
      Population p(n, rate::count, 0.1);
      for (uint64_t i = 0; i < n; ++i) {
        const test::rate_case::Params c = test::rate_case::params(i);
        const double values[rate::count] = {c.tau,
                                            c.X,
                                            double(fn),
                                            c.gain,
                                            c.theta,
                                            c.sigma,
                                            c.r_max,
                                            c.exponent,
                                            0,
                                            c.r0,
                                            std::exp(-0.1 / c.tau)};
        for (int k = 0; k < rate::count; ++k)
          p.data[k][i] = values[k];
      }
      return p;
    };
    check_against_host("rate", make, inputs_of(n, steps, test::rate_case::input), steps, 1,
                       [](const gg_view &v, uint64_t i) {
                         rate::step_of(v, v)(i, v.step);
                         return uint64_t(0);
                       });
  }
#endif
}

TEST_CASE(kPoissonName) {
#ifndef GANGLION_HAVE_CUDA
  GANGLION_GPU_SKIP_NO_CUDA(kPoissonName);
#else
  GANGLION_GPU_NEEDS_DEVICE(kPoissonName);
  constexpr uint64_t n = 3000, steps = 500;
  constexpr double dt = 0.1, inf = std::numeric_limits<double>::infinity();
  const auto make = [] {
    Population p(n, poisson::count, dt);
    p.view.seed = test::poisson_case::kSeed;
    p.view.rng_stream = test::poisson_case::kStream;
    p.view.first_gid = test::poisson_case::kFirstGid;
    for (uint64_t i = 0; i < n; ++i) {
      const double r = test::poisson_case::rate(i % 300);
      p.data[poisson::rate][i] = r;
      // A train's start as init leaves it: counted, silent, or a first spike within 2 ms.
      p.data[poisson::t_next][i] =
          poisson::counted(r, dt) ? -inf : (r > 0 ? 0.1 * double(i % 20) + 0.03 : inf);
      p.data[poisson::draws][i] = r > 0 ? 1 : 0;
    }
    return p;
  };
  const uint64_t spikes =
      check_against_host("poisson", make, {}, steps, 40, [](const gg_view &v, uint64_t i) {
        return poisson::step_of(v)(i, v.step);
      });
  CHECK(spikes > n * 100); // the counted neurons alone: a spike a step or more
#endif
}

TEST_CASE(kSpikeTimesName) {
#ifndef GANGLION_HAVE_CUDA
  GANGLION_GPU_SKIP_NO_CUDA(kSpikeTimesName);
#else
  GANGLION_GPU_NEEDS_DEVICE(kSpikeTimesName);
  constexpr uint64_t n = 3000, steps = 40;
  std::vector<double> times;
  std::vector<uint64_t> offsets{0};
  for (uint64_t i = 0; i < n; ++i) {
    for (uint64_t k = 0; k < test::spike_times_case::n_times(i); ++k)
      times.push_back(test::spike_times_case::time(i, k));
    offsets.push_back(times.size());
  }
  std::vector<const uint64_t *> offsets_of{offsets.data(), nullptr};
  const auto make = [&] {
    Population p(n, spike_times::count, 0.1);
    p.data[spike_times::times] = times;
    p.fields[spike_times::times] = p.data[spike_times::times].data();
    for (uint64_t i = 0; i < n; ++i)
      p.data[spike_times::next][i] = double(offsets[i]);
    p.view.offsets = offsets_of.data();
    return p;
  };
  const uint64_t spikes =
      check_against_host("spike_times", make, {}, steps, 16, [](const gg_view &v, uint64_t i) {
        return spike_times::step_of(v)(i, v.step);
      });
  CHECK(spikes == times.size()); // every time emitted by 4 ms
#endif
}
