// The arrivals a synapse declares for the device engine (GG_CUDA_ARRIVAL_FORM,
// gpu/delivery/arrival_form.hpp) against the CPU plugins that deliver them themselves: exp_current,
// exp_conductance (into I or g, scaled by the jump per unit weight) and delta (into the
// postsynaptic V): walked synapse by synapse in the arrivals' order (what the device's scatter
// does, there in some order) and target by target (the device's ordered delivery), both give the
// CPU step's bits, with weights one for all or per synapse, tau one for all or per target, and
// plain or counted (a drive's) arrivals over rows with multapses.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "../../gpu/delivery/arrival_form.hpp"
#include "../../gpu/delivery/drive.hpp"
#include "models/harness.hpp"

using namespace ganglion;
using namespace ganglion::test;

namespace {

struct Case {
  const char *plugin;
  bool one_weight; // every synapse the same weight (weights_uniform)
  bool one_tau;    // tau the same for every target
  bool counted;    // arrivals bring counts (a drive's: one synapse each)
};

// n_pre rows onto n targets, each ascending with repeated targets (multapses), and a step's
// arrivals: rows drawn with repetition, or single synapses with counts.
struct Network {
  uint64_t n_pre, n;
  std::vector<uint64_t> row_ptr{0};
  std::vector<uint32_t> post;
  std::vector<float> weight;
  std::vector<gg_arrival> arrivals;
  std::vector<uint32_t> counts;

  Network(uint64_t pre, uint64_t n_, const Case &c, uint32_t seed) : n_pre(pre), n(n_) {
    std::mt19937 rng(seed);
    std::uniform_int_distribution<uint32_t> target(0, uint32_t(n - 1));
    std::uniform_real_distribution<float> w(0.01f, 1.5f);
    for (uint64_t i = 0; i < n_pre; ++i) {
      std::vector<uint32_t> row(5 + i % 23);
      for (uint32_t &j : row)
        j = target(rng);
      std::sort(row.begin(), row.end());
      post.insert(post.end(), row.begin(), row.end());
      row_ptr.push_back(post.size());
    }
    for (uint64_t s = 0; s < post.size(); ++s)
      weight.push_back(c.one_weight ? 0.37f : w(rng));
    std::uniform_int_distribution<uint64_t> pick(0, n_pre - 1), synapse(0, post.size() - 1);
    std::uniform_int_distribution<uint32_t> count(1, 6);
    for (int a = 0; a < 60; ++a) {
      if (c.counted) {
        const uint64_t s = synapse(rng);
        arrivals.push_back({s, s + 1, 0, 1});
        counts.push_back(count(rng));
      } else {
        const uint64_t i = pick(rng);
        arrivals.push_back({row_ptr[i], row_ptr[i + 1], uint32_t(i), 1});
      }
    }
  }
};

// The plugin instance on the network, its state started away from 0, after its init.
struct Synapse {
  PluginInstance inst;
  std::vector<double> post_v;
  std::vector<uint8_t> uniform;
  Synapse(const gg_descriptor *d, const Network &net, const Case &c) : inst(d, net.n, 0.1) {
    gg_view &v = inst.view;
    v.n_pre = net.n_pre;
    v.row_ptr = net.row_ptr.data();
    v.post_index = net.post.data();
    v.weight = net.weight.data();
    v.weights_uniform = c.one_weight;
    v.arrivals = net.arrivals.data();
    v.n_arrivals = net.arrivals.size();
    v.arrival_counts = c.counted ? net.counts.data() : nullptr;
    post_v.resize(net.n);
    for (uint64_t j = 0; j < net.n; ++j)
      post_v[j] = -70 + 0.37 * double(j % 29);
    v.post_v = post_v.data();
    uniform.assign(d->n_fields, 0);
    for (uint32_t k = 0; k < d->n_fields; ++k)
      uniform[k] = c.one_tau && d->fields[k].role == GG_ROLE_PARAM;
    v.uniform = uniform.data();
    if (!c.one_tau)
      for (uint64_t j = 0; j < net.n; ++j)
        inst.field("tau")[j] = 2 + 0.25 * double(j % 17);
    inst.init();
    for (uint64_t j = 0; j < net.n; ++j)
      target()[j] = 0.125 * double(j % 7);
  }
  bool has(const char *name) const {
    for (uint32_t k = 0; k < inst.desc->n_fields; ++k)
      if (std::string(inst.desc->fields[k].name) == name) return true;
    return false;
  }
  // Where the arrivals add, and their scale, as the plugin's companion declares them.
  double *target() {
    if (has("I")) return inst.field("I");
    return has("g") ? inst.field("g") : post_v.data();
  }
  gpu::ArrivalForm form(const Network &net, const Case &c) {
    return {target(), has("jump") ? inst.field("jump") : nullptr, net.post.data(),
            net.weight.data(), c.one_weight};
  }
};

void check_case(const Case &c) {
  INFO(c.plugin << ": one weight " << c.one_weight << ", one tau " << c.one_tau << ", counted "
                << c.counted);
  PluginRegistry registry = PluginRegistry::discover();
  const gg_descriptor *d = find_plugin(registry, c.plugin).desc;
  const Network net(40, 53, c, 7);
  Synapse cpu(d, net, c), by_synapse(d, net, c), by_target(d, net, c);
  cpu.inst.step(3);

  const gpu::ArrivalForm walk = by_synapse.form(net, c);
  const uint32_t *counts = c.counted ? net.counts.data() : nullptr;
  for (uint64_t a = 0; a < net.arrivals.size(); ++a)
    for (uint64_t s = net.arrivals[a].begin; s < net.arrivals[a].end; ++s)
      walk.x[net.post[s]] += walk.amount(s, net.post[s], gpu::ArrivalForm::spikes(counts, a));
  const gpu::ArrivalForm ordered = by_target.form(net, c);
  for (uint32_t j = 0; j < net.n; ++j)
    ordered.deliver_to(j, net.arrivals.data(), net.arrivals.size(), counts);

  REQUIRE(!same_bits(cpu.target(), Synapse(d, net, c).target(), net.n)); // the step added
  CHECK(same_bits(cpu.target(), by_synapse.target(), net.n));
  CHECK(same_bits(cpu.target(), by_target.target(), net.n));
}

} // namespace

TEST_CASE("arrival form: the device engine's delivery of declared arrivals gives the CPU "
          "synapses' bits") {
  for (const char *plugin : {"exp_current", "exp_conductance", "delta"})
    for (const bool one_weight : {true, false})
      for (const bool counted : {false, true}) {
        check_case({plugin, one_weight, true, counted});
        if (std::string(plugin) != "delta") check_case({plugin, one_weight, false, counted});
      }
}

namespace {

// Each row of `net` reordered as rows with drawn delays are: by delay (1 to 4 steps, drawn here),
// then by target (stably: the rows were by target); the delays into `delay`.
void sort_rows_by_delay(Network &net, std::vector<uint16_t> &delay) {
  std::mt19937 rng(5);
  std::uniform_int_distribution<int> d(1, 4);
  delay.resize(net.post.size());
  for (auto &x : delay)
    x = uint16_t(d(rng));
  for (uint64_t i = 0; i < net.n_pre; ++i) {
    std::vector<uint64_t> order(net.row_ptr[i + 1] - net.row_ptr[i]);
    for (uint64_t k = 0; k < order.size(); ++k)
      order[k] = net.row_ptr[i] + k;
    std::stable_sort(order.begin(), order.end(),
                     [&](uint64_t a, uint64_t b) { return delay[a] < delay[b]; });
    std::vector<uint32_t> post;
    std::vector<float> weight;
    std::vector<uint16_t> delays;
    for (uint64_t k : order) {
      post.push_back(net.post[k]);
      weight.push_back(net.weight[k]);
      delays.push_back(delay[k]);
    }
    std::copy(post.begin(), post.end(), net.post.begin() + long(net.row_ptr[i]));
    std::copy(weight.begin(), weight.end(), net.weight.begin() + long(net.row_ptr[i]));
    std::copy(delays.begin(), delays.end(), delay.begin() + long(net.row_ptr[i]));
  }
}

// A drive onto exp_current over 20 steps: the CPU's arrivals as collect_drive makes them (a
// synapse with a count drawn by drive_count, in row order; to a synapse that takes no counts,
// that many arrivals of one spike) handed to the plugin's step; the device's code per target
// (Drive::deliver_to) and per synapse in row order give the same bits. With `delays`, rows sorted
// by drawn delays (which a count ignores, on both sides).
void check_drive(bool delays, bool counted) {
  INFO("drawn delays " << delays << ", counted " << counted);
  const Case c{"exp_current", false, false, false};
  PluginRegistry registry = PluginRegistry::discover();
  const gg_descriptor *d = find_plugin(registry, "exp_current").desc;
  Network net(40, 53, c, 9);
  std::vector<uint16_t> delay;
  if (delays) sort_rows_by_delay(net, delay);
  std::vector<double> rate(net.n_pre);
  for (uint64_t i = 0; i < net.n_pre; ++i)
    rate[i] = i % 9 == 0 ? 0.0 : (i % 5 == 0 ? 150000.0 : 300.0 * double(i));
  const gpu::Drive drive{rate.data(), 0.1, {21, 1000}, 1234567, delays ? delay.data() : nullptr,
                         counted};
  Synapse cpu(d, net, c), by_target(d, net, c), by_synapse(d, net, c);
  uint64_t spikes = 0;
  for (uint64_t step = 0; step < 20; ++step) {
    CAPTURE(step);
    std::vector<gg_arrival> arrivals;
    std::vector<uint32_t> counts;
    for (uint32_t i = 0; i < net.n_pre; ++i) {
      const PoissonCount p = drive.count_of(i);
      const DriveIds::Row r = drive.ids.row(i);
      for (uint64_t k = net.row_ptr[i]; k < net.row_ptr[i + 1]; ++k)
        if (const uint64_t n = drive.count(p, r, net.post[k], step)) {
          for (uint64_t r = 0; r < (counted ? 1 : n); ++r)
            arrivals.push_back({k, k + 1, i, 1});
          counts.push_back(uint32_t(n));
          spikes += n;
        }
    }
    cpu.inst.view.arrivals = arrivals.data();
    cpu.inst.view.n_arrivals = arrivals.size();
    cpu.inst.view.arrival_counts = counted ? counts.data() : nullptr;
    cpu.inst.step(step);
    const gpu::ArrivalForm ordered = by_target.form(net, c), walk = by_synapse.form(net, c);
    for (uint32_t j = 0; j < net.n; ++j)
      drive.deliver_to(ordered, j, net.row_ptr.data(), net.n_pre, step);
    for (uint32_t i = 0; i < net.n_pre; ++i) {
      const PoissonCount p = drive.count_of(i);
      const DriveIds::Row r = drive.ids.row(i);
      for (uint64_t k = net.row_ptr[i]; k < net.row_ptr[i + 1]; ++k)
        if (const uint64_t n = drive.count(p, r, net.post[k], step))
          for (uint64_t r = 0; r < (counted ? 1 : n); ++r)
            walk.x[net.post[k]] += walk.amount(k, net.post[k], counted ? double(n) : 1.0);
    }
    REQUIRE(same_bits(cpu.target(), by_target.target(), net.n));
    REQUIRE(same_bits(cpu.target(), by_synapse.target(), net.n));
  }
  CHECK(spikes > 1000);
}

} // namespace

TEST_CASE("arrival form: a drive's counts delivered by the device engine's code give the CPU "
          "synapse's bits") {
  // 40 generator rows (rates from 0 to a mean of 15 spikes a step: inversion and PTRS counts) onto
  // 53 targets; rows by target or by drawn delay; a synapse taking counts or one spike at a time.
  for (const bool delays : {false, true})
    for (const bool counted : {true, false})
      check_drive(delays, counted);
}
