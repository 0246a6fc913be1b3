// GPU: lif's and eif's CUDA companions (libganglion_lif_cuda.so, libganglion_eif_cuda.so, opened
// as the registry opens them: companion.hpp) step a population on the device with the same bits
// as their model headers' Step on the host, which the model tests hold equal to the CPU plugin: V,
// the holds, the channels' states, each step's spikes and range word, for parameters uniform and
// per element, with an input and with channels. Without a CUDA build or a device the tests say
// they skipped.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <vector>

#include "gpu_skip.hpp"
#ifdef GANGLION_HAVE_CUDA
#include "../../plugins/neuron/eif/eif_model.hpp"
#include "../../plugins/neuron/lif/lif_model.hpp"
#include "../models/companion_cases.hpp"
#include "../models/lif_case.hpp"
#include "companion.hpp"
#include "hooks/neuron_device.hpp"
#endif

constexpr const char *kLifName = "gpu: lif's CUDA companion steps with the host's bits";
constexpr const char *kEifName = "gpu: eif's CUDA companion steps with the host's bits";

#ifdef GANGLION_HAVE_CUDA
namespace {

using namespace ganglion;

// The two neurons: their fields' defaults, the parameters (fields first to last) that may be
// uniform, the population's values (the cases' headers, which the model tests share), init and
// the element step.
struct Lif {
  static constexpr int count = lif::count, first = lif::tau_m, last = lif::scheme;
  static constexpr double defaults[count] = {10, -65, -50, -65, 2, 0, 0, -65, 0, 0, 0, 0};
  static void fill(std::vector<std::vector<double>> &data, uint64_t i, bool same) {
    const test::lif_case::Params p = test::lif_case::params(i, same);
    data[lif::V][i] = test::lif_case::V0(i);
    data[lif::I_e][i] = p.I_e;
    data[lif::tau_m][i] = p.tau_m;
    data[lif::tau_ref][i] = p.tau_ref;
  }
  static void init(const gg_view &v) { lif::init(v); }
  template <class Body> static void with_step(const gg_view &v, Body &&body) {
    lif::with_step(v, v, body);
  }
};
struct Eif {
  static constexpr int count = eif::count, first = eif::tau_m, last = eif::I_e;
  static constexpr double defaults[count] = {15, -72, -55, 1, -50, -75, -100, 0, 0, -72, 0};
  static void fill(std::vector<std::vector<double>> &data, uint64_t i, bool same) {
    const test::eif_case::Params p = test::eif_case::params(i, same);
    data[eif::V][i] = test::eif_case::V0(i);
    data[eif::I_e][i] = p.I_e;
    data[eif::tau_m][i] = p.tau_m;
    data[eif::Delta_T][i] = p.Delta_T;
    data[eif::tau_ref][i] = p.tau_ref;
  }
  static void init(const gg_view &) {}
  template <class Body> static void with_step(const gg_view &v, Body &&body) {
    eif::with_step(v, v, body);
  }
};

// A population's host arrays and view, initialised by the model's init (lif's: the CPU's
// coefficients).
template <class Model> struct Population : test::HostPopulation {
  std::vector<uint8_t> uniform;
  std::vector<std::vector<double>> g;
  std::vector<gg_channel> channels;
  Population(uint64_t n, bool same, int form, int n_channels)
      : HostPopulation(n, Model::count, 0.1, Model::defaults) {
    for (uint64_t i = 0; i < n; ++i)
      Model::fill(data, i, same);
    uniform.assign(Model::count, 0);
    for (int k = Model::first; k <= Model::last; ++k)
      uniform[k] = same;
    g.assign(n_channels, std::vector<double>(n));
    for (int k = 0; k < n_channels; ++k) {
      for (uint64_t i = 0; i < n; ++i)
        g[k][i] = test::lif_case::g0(i, k);
      channels.push_back(test::lif_case::channel(form, k, g[k].data()));
    }
    view.uniform = uniform.data();
    view.channels = channels.empty() ? nullptr : channels.data();
    view.n_channels = uint32_t(channels.size());
    Model::init(view);
  }
};

template <class Model>
void check_case(const gg_cuda_hooks *hooks, bool same, int form, int n_channels, bool input) {
  CAPTURE(same);
  CAPTURE(form);
  CAPTURE(n_channels);
  constexpr uint64_t n = 5000, steps = 600;
  Population<Model> host(n, same, form, n_channels), device(n, same, form, n_channels);
  std::vector<double> inputs;
  if (input)
    for (uint64_t s = 0; s < steps; ++s)
      for (uint64_t i = 0; i < n; ++i)
        inputs.push_back(test::lif_case::input(s, i));
  const gpu::NeuronSteps got = gpu::neuron_steps_on_device(hooks, device.view, inputs, steps);
  REQUIRE(got.error == "");
  uint64_t total = 0;
  for (uint64_t s = 0; s < steps; ++s) {
    CAPTURE(s);
    host.view.input = input ? inputs.data() + s * n : nullptr;
    host.view.step = s;
    std::vector<uint32_t> fired;
    int32_t outside = 0;
    Model::with_step(host.view, [&](const auto &step) {
      for (uint64_t i = 0; i < n; ++i) {
        const integrate_and_fire::Outcome o = step(i, double(s));
        if (o.spiked) fired.push_back(uint32_t(i));
        outside |= o.outside;
      }
    });
    REQUIRE(got.spikes[s] == fired);
    REQUIRE(got.out_of_range[s] == outside);
    total += fired.size();
  }
  for (int k = 0; k < Model::count; ++k)
    CHECK(std::memcmp(got.fields[k].data(), host.data[k].data(), n * sizeof(double)) == 0);
  for (int k = 0; k < n_channels; ++k)
    CHECK(std::memcmp(got.g[k].data(), host.g[k].data(), n * sizeof(double)) == 0);
  CHECK(total > n * 3); // every neuron fired, held and reset several times
}

} // namespace
#endif

#ifdef GANGLION_HAVE_CUDA
namespace {

template <class Model> void check_cases(const char *name) {
  const gg_cuda_hooks *hooks = ganglion::test::open_companion(name);
  for (const bool same : {true, false}) {
    check_case<Model>(hooks, same, 0, 0, true);
    check_case<Model>(hooks, same, GG_CHANNEL_CURRENT, 1, true);
    check_case<Model>(hooks, same, GG_CHANNEL_CONDUCTANCE, 2, false);
    check_case<Model>(hooks, same, GG_CHANNEL_CURRENT, 3, false);
  }
}

} // namespace
#endif

TEST_CASE(kLifName) {
#ifndef GANGLION_HAVE_CUDA
  GANGLION_GPU_SKIP_NO_CUDA(kLifName);
#else
  GANGLION_GPU_NEEDS_DEVICE(kLifName);
  check_cases<Lif>("lif");
#endif
}

TEST_CASE(kEifName) {
#ifndef GANGLION_HAVE_CUDA
  GANGLION_GPU_SKIP_NO_CUDA(kEifName);
#else
  GANGLION_GPU_NEEDS_DEVICE(kEifName);
  check_cases<Eif>("eif");
#endif
}
