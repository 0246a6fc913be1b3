// The integrate-and-fire neurons' step one element at a time (lif_model.hpp's and eif_model.hpp's
// Step, through with_step), which their CUDA hooks run a thread an element, against the CPU
// plugin's vector loop: the same V and hold bits, the same channel states, the same spikes and the
// same word on V's range, step after step, with parameters uniform and per element, with the input
// alone and with synaptic channels of either form. (The GPU tests hold the device's step equal to
// Step.)
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "../../plugins/neuron/eif/eif_model.hpp"
#include "../../plugins/neuron/lif/lif_model.hpp"
#include "models/companion_cases.hpp"
#include "models/harness.hpp"
#include "models/lif_case.hpp"

using namespace ganglion;
using namespace ganglion::test;

namespace {

struct Case {
  bool uniform;   // every parameter one value for all (the scalar path)
  int form;       // channels' form (GG_CHANNEL_CURRENT or _CONDUCTANCE), or 0: none
  int n_channels; // 0 to GG_MAX_CHANNELS
  bool input;     // an input array besides the channels
};

// The two neurons: the plugin, its population's values (the cases' headers, which the GPU tests
// share) and its element step.
struct Lif {
  static constexpr const char *name = "lif";
  static void fill(PluginInstance &x, uint64_t i, bool uniform) {
    x.field("scheme")[i] = 0;
    const lif_case::Params p = lif_case::params(i, uniform);
    x.field("V")[i] = lif_case::V0(i);
    x.field("I_e")[i] = p.I_e;
    x.field("tau_m")[i] = p.tau_m;
    x.field("tau_ref")[i] = p.tau_ref;
  }
  template <class Body> static void with_step(const gg_view &v, Body &&body) {
    lif::with_step(v, v, body);
  }
};
struct Eif {
  static constexpr const char *name = "eif";
  static void fill(PluginInstance &x, uint64_t i, bool uniform) {
    const eif_case::Params p = eif_case::params(i, uniform);
    x.field("V")[i] = eif_case::V0(i);
    x.field("I_e")[i] = p.I_e;
    x.field("tau_m")[i] = p.tau_m;
    x.field("Delta_T")[i] = p.Delta_T;
    x.field("tau_ref")[i] = p.tau_ref;
  }
  template <class Body> static void with_step(const gg_view &v, Body &&body) {
    eif::with_step(v, v, body);
  }
};

// One instance of n neurons with its channels' state and input: the CPU's or the element step's
// copy, started equal.
template <class Model> struct Side {
  PluginInstance x;
  std::vector<std::vector<double>> g;
  std::vector<gg_channel> channels;
  std::vector<double> input;
  std::vector<uint8_t> uniform_flags;
  std::vector<uint32_t> spikes;
  uint64_t n_spikes = 0;
  int32_t out_of_range = 0;

  Side(const gg_descriptor *d, uint64_t n, const Case &c) : x(d, n, 0.1) {
    for (uint64_t i = 0; i < n; ++i)
      Model::fill(x, i, c.uniform);
    uniform_flags.assign(d->n_fields, 0);
    for (uint32_t k = 0; k < d->n_fields; ++k)
      uniform_flags[k] = c.uniform && d->fields[k].role == GG_ROLE_PARAM;
    x.view.uniform = uniform_flags.data();
    g.assign(c.n_channels, std::vector<double>(n));
    for (int k = 0; k < c.n_channels; ++k) {
      for (uint64_t i = 0; i < n; ++i)
        g[k][i] = lif_case::g0(i, k);
      channels.push_back(lif_case::channel(c.form, k, g[k].data()));
    }
    x.view.channels = channels.empty() ? nullptr : channels.data();
    x.view.n_channels = uint32_t(channels.size());
    if (c.input || channels.empty()) input.assign(n, 0.0);
    x.view.input = input.empty() ? nullptr : input.data();
    spikes.assign(n, 0);
    x.view.spikes = spikes.data();
    x.view.n_spikes = &n_spikes;
    x.view.spike_capacity = n;
    x.view.out_of_range = &out_of_range;
    x.init();
  }
};

template <class Model> void check_case(const Case &c) {
  const std::string name = Model::name;
  CAPTURE(name);
  CAPTURE(c.uniform);
  CAPTURE(c.form);
  CAPTURE(c.n_channels);
  CAPTURE(c.input);
  PluginRegistry registry = PluginRegistry::discover();
  const gg_descriptor *d = find_plugin(registry, Model::name).desc;
  constexpr uint64_t n = 37; // not a multiple of the vector width: the loop's tail too
  Side<Model> cpu(d, n, c), element(d, n, c);
  uint64_t spikes = 0;
  constexpr uint64_t kSteps = 1000,
                     kKick = 990; // at kKick elements 5 to 14 are driven out of range
  for (uint64_t step = 0; step < kSteps; ++step) {
    CAPTURE(step);
    for (Side<Model> *s : {&cpu, &element}) {
      for (uint64_t i = 0; i < s->input.size(); ++i)
        s->input[i] = lif_case::input(step, i);
      for (uint64_t i = 5; step == kKick && i < 15; ++i) // some of them not held at V_re
        (s->input.empty() ? s->g[0][i] : s->input[i]) = 1e7;
    }
    cpu.n_spikes = 0;
    cpu.out_of_range = 0;
    cpu.x.step(step);

    std::vector<uint32_t> fired;
    bool outside = false;
    element.x.view.step = step;
    Model::with_step(element.x.view, [&](const auto &s) {
      for (uint64_t i = 0; i < n; ++i) {
        const integrate_and_fire::Outcome o = s(i, double(step));
        if (o.spiked) fired.push_back(uint32_t(i));
        outside = outside || o.outside;
      }
    });
    std::vector<uint32_t> cpu_fired(cpu.spikes.begin(), cpu.spikes.begin() + cpu.n_spikes);
    std::sort(cpu_fired.begin(), cpu_fired.end());
    REQUIRE(fired == cpu_fired);
    REQUIRE(outside == (cpu.out_of_range != 0));
    REQUIRE(same_bits(cpu.x.field("V"), element.x.field("V"), n));
    REQUIRE(same_bits(cpu.x.field("refractory_until"), element.x.field("refractory_until"), n));
    for (int k = 0; k < c.n_channels; ++k)
      REQUIRE(same_bits(cpu.g[k].data(), element.g[k].data(), n));
    spikes += fired.size();
    if (step == kKick) CHECK(outside); // the elements driven out of range are seen by both
  }
  CHECK(spikes > 300); // the steps held, fired and reset many times
}

template <class Model> void check_cases() {
  for (const bool uniform : {true, false}) {
    check_case<Model>({uniform, 0, 0, true});
    check_case<Model>({uniform, GG_CHANNEL_CURRENT, 1, true});
    check_case<Model>({uniform, GG_CHANNEL_CONDUCTANCE, 2, false});
    check_case<Model>({uniform, GG_CHANNEL_CURRENT, 3, false});
  }
}

} // namespace

TEST_CASE("lif element step: Step, a thread's work on a device, gives the CPU step's bits") {
  check_cases<Lif>();
}

TEST_CASE("eif element step: Step, a thread's work on a device, gives the CPU step's bits") {
  check_cases<Eif>();
}
