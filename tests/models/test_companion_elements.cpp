// hh's, rate's, poisson's and spike_times' step one element at a time (their model headers'
// Step), which their CUDA hooks run a thread an element, against the CPU plugin's step: every
// field's bits and the same spikes in each step (as a multiset: a source repeats an index), over
// many steps, from the same values and the CPU's init on both. poisson walks its neurons in
// blocks that it skips where no spike is due: its population has skipped blocks, intervals,
// counted neurons (by inversion and by PTRS) and silent ones. (The GPU tests hold the device's
// step equal to Step.)
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <vector>

#include "../../plugins/neuron/hh/hh_model.hpp"
#include "../../plugins/neuron/poisson/poisson_model.hpp"
#include "../../plugins/neuron/rate/rate_model.hpp"
#include "../../plugins/neuron/spike_times/spike_times_model.hpp"
#include "models/companion_cases.hpp"
#include "models/harness.hpp"

using namespace ganglion;
using namespace ganglion::test;

namespace {

// One plugin's instance twice, the CPU's and the element step's, with one input array that both
// read and room for many spikes a neuron in the CPU's list.
struct Pair {
  uint64_t n;
  PluginInstance cpu, element;
  std::vector<double> input;
  std::vector<uint32_t> spikes;
  uint64_t n_spikes = 0;

  Pair(const gg_descriptor *d, uint64_t n_, double dt)
      : n(n_), cpu(d, n_, dt), element(d, n_, dt), input(n_, 0.0), spikes(n_ * 64) {
    for (PluginInstance *x : {&cpu, &element})
      x->view.input = input.data();
    cpu.view.spikes = spikes.data();
    cpu.view.n_spikes = &n_spikes;
    cpu.view.spike_capacity = spikes.size();
  }
  // Sets field `name` of element i on both sides.
  void set(const char *name, uint64_t i, double value) {
    cpu.field(name)[i] = value;
    element.field(name)[i] = value;
  }
  void init() {
    cpu.init();
    element.init();
  }
  // The CPU's step k: its spikes, ascending.
  std::vector<uint32_t> cpu_step(uint64_t k) {
    n_spikes = 0;
    cpu.step(k);
    REQUIRE(n_spikes <= spikes.size());
    std::vector<uint32_t> fired(spikes.begin(), spikes.begin() + long(n_spikes));
    std::sort(fired.begin(), fired.end());
    return fired;
  }
  // The element step's view at step k.
  const gg_view &element_at(uint64_t k) {
    element.view.step = k;
    element.view.t = double(k) * element.view.dt;
    return element.view;
  }
  void require_same_fields() const {
    for (std::size_t k = 0; k < cpu.data.size(); ++k) {
      CAPTURE(cpu.desc->fields[k].name);
      REQUIRE(cpu.data[k].size() == element.data[k].size());
      REQUIRE(same_bits(cpu.data[k].data(), element.data[k].data(), cpu.data[k].size()));
    }
  }
};

// Runs both sides for `steps` steps, the input set by input(step, i) before each; step(view, i)
// is element i's step on the element side, returning its spikes. Returns the spikes in all.
template <class Input, class ElementStep>
uint64_t run(Pair &pair, uint64_t steps, Input &&input, ElementStep &&step) {
  uint64_t total = 0;
  for (uint64_t k = 0; k < steps; ++k) {
    CAPTURE(k);
    for (uint64_t i = 0; i < pair.n; ++i)
      pair.input[i] = input(k, i);
    const std::vector<uint32_t> cpu = pair.cpu_step(k);
    const gg_view &v = pair.element_at(k);
    std::vector<uint32_t> fired;
    for (uint64_t i = 0; i < pair.n; ++i)
      fired.insert(fired.end(), step(v, i), uint32_t(i));
    REQUIRE(fired == cpu);
    pair.require_same_fields();
    total += fired.size();
  }
  return total;
}

double no_input(uint64_t, uint64_t) {
  return 0;
}

} // namespace

TEST_CASE("hh element step: Step, a thread's work on a device, gives the CPU step's bits") {
  const PluginRegistry registry = PluginRegistry::discover();
  constexpr uint64_t n = 53;
  Pair pair(find_plugin(registry, "hh").desc, n, 0.1);
  for (uint64_t i = 0; i < n; ++i) {
    const hh_case::Params p = hh_case::params(i);
    pair.set("V", i, p.V0);
    pair.set("C", i, p.C);
    pair.set("I_e", i, p.I_e);
    pair.set("substeps", i, p.substeps);
  }
  pair.init();
  const uint64_t spikes = run(pair, 2000, hh_case::input, [](const gg_view &v, uint64_t i) {
    const integrate_and_fire::Outcome o = hh::step_of(v)(i, double(v.step));
    CHECK_FALSE(o.outside); // hh leaves V's range to the kernel's scan
    return uint64_t(o.spiked);
  });
  CHECK(spikes > n * 5); // every neuron a train of spikes in the 200 ms
}

TEST_CASE("rate element step: Step, a thread's work on a device, gives the CPU step's bits") {
  const PluginRegistry registry = PluginRegistry::discover();
  constexpr uint64_t n = 41;
  for (int fn = 0; fn < 5; ++fn) {
    for (const int scheme : {0, 1}) {
      CAPTURE(fn);
      CAPTURE(scheme);
      Pair pair(find_plugin(registry, "rate").desc, n, 0.1);
      for (uint64_t i = 0; i < n; ++i) {
        const rate_case::Params p = rate_case::params(i);
        for (auto [name, value] : {std::pair{"r", p.r0},
                                   {"tau", p.tau},
                                   {"X", p.X},
                                   {"gain", p.gain},
                                   {"theta", p.theta},
                                   {"sigma", p.sigma},
                                   {"r_max", p.r_max},
                                   {"exponent", p.exponent}})
          pair.set(name, i, value);
        pair.set("function", i, fn);
        pair.set("scheme", i, scheme);
      }
      pair.init();
      run(pair, 500, rate_case::input, [](const gg_view &v, uint64_t i) {
        rate::step_of(v, v)(i, v.step);
        return uint64_t(0);
      });
      // The rates moved from their start: the steps did something to compare.
      uint64_t moved = 0;
      for (uint64_t i = 0; i < n; ++i)
        moved += pair.cpu.field("r")[i] != rate_case::params(i).r0;
      CHECK(moved == n);
    }
  }
}

TEST_CASE("poisson element step: Step, a thread's work on a device, gives the CPU step's spikes") {
  const PluginRegistry registry = PluginRegistry::discover();
  constexpr uint64_t n = 300; // blocks of 64: slow, faster and counted neurons
  Pair pair(find_plugin(registry, "poisson").desc, n, 0.1);
  for (PluginInstance *x : {&pair.cpu, &pair.element}) {
    x->view.seed = poisson_case::kSeed;
    x->view.rng_stream = poisson_case::kStream;
    x->view.first_gid = poisson_case::kFirstGid;
  }
  for (uint64_t i = 0; i < n; ++i)
    pair.set("rate", i, poisson_case::rate(i));
  pair.init();
  std::vector<uint64_t> per_neuron(n, 0);
  run(pair, 1000, no_input, [&](const gg_view &v, uint64_t i) {
    const uint64_t k = poisson::step_of(v)(i, v.step);
    per_neuron[i] += k;
    return k;
  });
  for (uint64_t i = 0; i < n; ++i) {
    CAPTURE(i);
    if (poisson_case::rate(i) == 0) CHECK(per_neuron[i] == 0);
    // Counted neurons fire rate dt a step on average: at least 1000 in 1000 steps, whose 4
    // standard deviations (sqrt(1000)) below are 873.
    if (poisson_case::rate(i) >= 1e4) CHECK(per_neuron[i] > 873);
  }
}

TEST_CASE("spike_times element step: Step, a thread's work on a device, gives the CPU step's "
          "spikes") {
  const PluginRegistry registry = PluginRegistry::discover();
  constexpr uint64_t n = 29;
  Pair pair(find_plugin(registry, "spike_times").desc, n, 0.1);
  // The times as the kernel hands a sequence field: one array, each element's part by offsets.
  std::vector<double> times;
  std::vector<uint64_t> offsets{0};
  for (uint64_t i = 0; i < n; ++i) {
    for (uint64_t k = 0; k < spike_times_case::n_times(i); ++k)
      times.push_back(spike_times_case::time(i, k));
    offsets.push_back(times.size());
  }
  const uint32_t t = pair.cpu.index("times");
  std::vector<const uint64_t *> offsets_of(pair.cpu.data.size(), nullptr);
  offsets_of[t] = offsets.data();
  for (PluginInstance *x : {&pair.cpu, &pair.element}) {
    x->data[t] = times;
    x->ptrs[t] = x->data[t].data();
    x->view.offsets = offsets_of.data();
  }
  pair.init();
  const uint64_t spikes = run(pair, 40, no_input, [](const gg_view &v, uint64_t i) {
    return spike_times::step_of(v)(i, v.step);
  });
  CHECK(spikes == times.size()); // every time emitted by 4 ms
}
