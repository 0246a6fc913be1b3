// GPU: lif's CUDA companion (libganglion_lif_cuda.so, opened as the registry opens it) steps a
// population on the device with the same bits as lif_model.hpp's Step on the host, which the
// model tests hold equal to the CPU plugin: V, the holds, the channels' states, each step's spikes
// and range word, for parameters uniform and per element, with an input and with channels. The
// companion is found in the build's plugin folder, or in GANGLION_COMPANION_DIR
// (tools/gpu_check.sh builds it there). Without a CUDA build or a device the test says it skipped.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "gpu_skip.hpp"
#ifdef GANGLION_HAVE_CUDA
#include <dlfcn.h>

#include "../../plugins/neuron/lif/lif_model.hpp"
#include "../models/lif_case.hpp"
#include "hooks/neuron_device.hpp"
#endif

constexpr const char *kLifName = "gpu: lif's CUDA companion steps with the host's bits";

#ifdef GANGLION_HAVE_CUDA
namespace {

using namespace ganglion;

std::string companion_dir() {
  if (const char *dir = std::getenv("GANGLION_COMPANION_DIR")) return dir;
#ifdef GANGLION_BINARY_DIR
  return std::string(GANGLION_BINARY_DIR) + "/lib/ganglion/plugins";
#else
  return ".";
#endif
}

// A lif population's host arrays and view, initialised by lif's init (the CPU's coefficients).
struct Population {
  uint64_t n;
  std::vector<std::vector<double>> data;
  std::vector<double *> fields;
  std::vector<uint8_t> uniform;
  std::vector<std::vector<double>> g;
  std::vector<gg_channel> channels;
  gg_view view{};
  Population(uint64_t n_, bool same, int form, int n_channels) : n(n_) {
    const double defaults[lif::count] = {10, -65, -50, -65, 2, 0, 0, -65, 0, 0, 0, 0};
    for (int k = 0; k < lif::count; ++k)
      data.emplace_back(n, defaults[k]);
    for (uint64_t i = 0; i < n; ++i) {
      const test::lif_case::Params p = test::lif_case::params(i, same);
      data[lif::V][i] = test::lif_case::V0(i);
      data[lif::I_e][i] = p.I_e;
      data[lif::tau_m][i] = p.tau_m;
      data[lif::tau_ref][i] = p.tau_ref;
    }
    for (auto &d : data)
      fields.push_back(d.data());
    uniform.assign(lif::count, 0);
    for (int k = lif::tau_m; k <= lif::scheme; ++k)
      uniform[k] = same;
    g.assign(n_channels, std::vector<double>(n));
    for (int k = 0; k < n_channels; ++k) {
      for (uint64_t i = 0; i < n; ++i)
        g[k][i] = test::lif_case::g0(i, k);
      channels.push_back(test::lif_case::channel(form, k, g[k].data()));
    }
    view.struct_size = sizeof(gg_view);
    view.n = n;
    view.dt = 0.1;
    view.fields = fields.data();
    view.n_fields = lif::count;
    view.uniform = uniform.data();
    view.channels = channels.empty() ? nullptr : channels.data();
    view.n_channels = uint32_t(channels.size());
    lif::init(view);
  }
};

void check_case(const gg_cuda_hooks *hooks, bool same, int form, int n_channels, bool input) {
  CAPTURE(same);
  CAPTURE(form);
  CAPTURE(n_channels);
  constexpr uint64_t n = 5000, steps = 600;
  Population host(n, same, form, n_channels), device(n, same, form, n_channels);
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
    lif::with_step(host.view, host.view, [&](const auto &step) {
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
  for (int k = 0; k < lif::count; ++k)
    CHECK(std::memcmp(got.fields[k].data(), host.data[k].data(), n * sizeof(double)) == 0);
  for (int k = 0; k < n_channels; ++k)
    CHECK(std::memcmp(got.g[k].data(), host.g[k].data(), n * sizeof(double)) == 0);
  CHECK(total > n * 3); // every neuron fired, held and reset several times
}

} // namespace
#endif

TEST_CASE(kLifName) {
#ifndef GANGLION_HAVE_CUDA
  GANGLION_GPU_SKIP_NO_CUDA(kLifName);
#else
  GANGLION_GPU_NEEDS_DEVICE(kLifName);
  const std::string path = companion_dir() + "/libganglion_lif_cuda.so";
  void *library = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  REQUIRE_MESSAGE(library != nullptr, path << ": " << dlerror());
  auto entry = reinterpret_cast<gg_cuda_entry_fn>(dlsym(library, GG_CUDA_ENTRY_SYMBOL));
  REQUIRE(bool(entry));
  const gg_cuda_hooks *hooks = entry();
  REQUIRE(bool(hooks->step));
  for (const bool same : {true, false}) {
    check_case(hooks, same, 0, 0, true);
    check_case(hooks, same, GG_CHANNEL_CURRENT, 1, true);
    check_case(hooks, same, GG_CHANNEL_CONDUCTANCE, 2, false);
    check_case(hooks, same, GG_CHANNEL_CURRENT, 3, false);
  }
#endif
}
