// lif's step one element at a time (lif_model.hpp's Step, through with_step), which its CUDA hook
// runs a thread an element, against the CPU plugin's vector loop: the same V and hold bits, the
// same channel states, the same spikes and the same word on V's range, step after step, with
// parameters uniform and per element, with the input alone and with synaptic channels of either
// form. (The GPU test holds the device's step equal to Step.)
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "../../plugins/neuron/lif/lif_model.hpp"
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

// One lif instance of n neurons with its channels' state and input: the CPU's or the element
// step's copy, started equal.
struct Side {
  PluginInstance lif;
  std::vector<std::vector<double>> g;
  std::vector<gg_channel> channels;
  std::vector<double> input;
  std::vector<uint8_t> uniform_flags;
  std::vector<uint32_t> spikes;
  uint64_t n_spikes = 0;
  int32_t out_of_range = 0;

  Side(const gg_descriptor *d, uint64_t n, const Case &c) : lif(d, n, 0.1) {
    lif.set("scheme", 0);
    for (uint64_t i = 0; i < n; ++i) {
      const lif_case::Params p = lif_case::params(i, c.uniform);
      lif.field("V")[i] = lif_case::V0(i);
      lif.field("I_e")[i] = p.I_e;
      lif.field("tau_m")[i] = p.tau_m;
      lif.field("tau_ref")[i] = p.tau_ref;
    }
    uniform_flags.assign(d->n_fields, 0);
    for (uint32_t k = 0; k < d->n_fields; ++k)
      uniform_flags[k] = c.uniform && d->fields[k].role == GG_ROLE_PARAM;
    lif.view.uniform = uniform_flags.data();
    g.assign(c.n_channels, std::vector<double>(n));
    for (int k = 0; k < c.n_channels; ++k) {
      for (uint64_t i = 0; i < n; ++i)
        g[k][i] = lif_case::g0(i, k);
      channels.push_back(lif_case::channel(c.form, k, g[k].data()));
    }
    lif.view.channels = channels.empty() ? nullptr : channels.data();
    lif.view.n_channels = uint32_t(channels.size());
    if (c.input || channels.empty()) input.assign(n, 0.0);
    lif.view.input = input.empty() ? nullptr : input.data();
    spikes.assign(n, 0);
    lif.view.spikes = spikes.data();
    lif.view.n_spikes = &n_spikes;
    lif.view.spike_capacity = n;
    lif.view.out_of_range = &out_of_range;
    lif.init();
  }
};

void check_case(const Case &c) {
  CAPTURE(c.uniform);
  CAPTURE(c.form);
  CAPTURE(c.n_channels);
  CAPTURE(c.input);
  PluginRegistry registry = PluginRegistry::discover();
  const gg_descriptor *d = find_plugin(registry, "lif").desc;
  constexpr uint64_t n = 37; // not a multiple of the vector width: the loop's tail too
  Side cpu(d, n, c), element(d, n, c);
  uint64_t spikes = 0;
  constexpr uint64_t kSteps = 1000,
                     kKick = 990; // at kKick elements 5 to 14 are driven out of range
  for (uint64_t step = 0; step < kSteps; ++step) {
    CAPTURE(step);
    for (Side *s : {&cpu, &element}) {
      for (uint64_t i = 0; i < s->input.size(); ++i)
        s->input[i] = lif_case::input(step, i);
      for (uint64_t i = 5; step == kKick && i < 15; ++i) // some of them not held at V_re
        (s->input.empty() ? s->g[0][i] : s->input[i]) = 1e7;
    }
    cpu.n_spikes = 0;
    cpu.out_of_range = 0;
    cpu.lif.step(step);

    std::vector<uint32_t> fired;
    bool outside = false;
    element.lif.view.step = step;
    lif::with_step(element.lif.view, element.lif.view, [&](const auto &s) {
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
    REQUIRE(same_bits(cpu.lif.field("V"), element.lif.field("V"), n));
    REQUIRE(same_bits(cpu.lif.field("refractory_until"), element.lif.field("refractory_until"), n));
    for (int k = 0; k < c.n_channels; ++k)
      REQUIRE(same_bits(cpu.g[k].data(), element.g[k].data(), n));
    spikes += fired.size();
    if (step == kKick) CHECK(outside); // the elements driven out of range are seen by both
  }
  CHECK(spikes > 300); // the steps held, fired and reset many times
}

} // namespace

TEST_CASE("lif element step: Step, a thread's work on a device, gives the CPU step's bits") {
  for (const bool uniform : {true, false}) {
    check_case({uniform, 0, 0, true});
    check_case({uniform, GG_CHANNEL_CURRENT, 1, true});
    check_case({uniform, GG_CHANNEL_CONDUCTANCE, 2, false});
    check_case({uniform, GG_CHANNEL_CURRENT, 3, false});
  }
}
