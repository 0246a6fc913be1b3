// Drawn delays on the device (gpu/delivery/input_ring.hpp): each spike's row walked once into a
// ring of future input, each step's slot drained into the synapse's state, run on the host against
// the CPU engine's arrival queue (engine/arrival_queue.hpp) feeding exp_current's step: the same
// state step after step within the rounding of a reordered sum (the ring adds a step's arrivals
// onto a target together), 1e-12 of the sum of magnitudes onto each target; rows of random
// targets and delays 1 to 8 steps, spikes of random rows (repeats included), 60 steps.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include "../../gpu/delivery/input_ring.hpp"
#include "engine/arrival_queue.hpp"
#include "models/drawn_rows.hpp"
#include "models/harness.hpp"

using namespace ganglion;
using namespace ganglion::test;

namespace {

constexpr uint64_t kDepth = 8;

// drawn_rows as a CSR, with the index of each delay's run (delay_ends16).
Csr csr_of(const DrawnRows &r) {
  Csr c;
  c.max_delay = kDepth;
  c.row_ptr = r.row_ptr;
  c.post_index.assign(r.post.begin(), r.post.end());
  c.delay.assign(r.delay.begin(), r.delay.end());
  c.weight.assign(r.weight.begin(), r.weight.end());
  for (uint64_t i = 0; i + 1 < r.row_ptr.size(); ++i)
    for (uint16_t k = 1; k < kDepth; ++k)
      c.delay_ends16.push_back(uint16_t(std::count_if(r.delay.begin() + long(r.row_ptr[i]),
                                                      r.delay.begin() + long(r.row_ptr[i + 1]),
                                                      [&](uint16_t d) { return d <= k; })));
  return c;
}

} // namespace

TEST_CASE("input ring: drawn delays walked once per spike into a ring of future input give the "
          "CPU queue's deliveries") {
  std::mt19937 rng(5);
  const uint64_t n_pre = 300, n = 500;
  const Csr c = csr_of(drawn_rows(n_pre, uint32_t(n), kDepth, 40, rng));
  PluginRegistry registry = PluginRegistry::discover();
  PluginInstance cpu(find_plugin(registry, "exp_current").desc, n, 0.1);
  cpu.view.n_pre = n_pre;
  cpu.view.row_ptr = c.row_ptr.data();
  cpu.view.post_index = c.post_index.data();
  cpu.view.weight = c.weight.data();
  cpu.init();
  engine::ArrivalQueue queue;
  queue.reset(kDepth);

  std::vector<double> x(n, 0.0), size(n, 0.0), slots(kDepth * n, 0.0);
  const gpu::InputRing ring{slots.data(), n, kDepth};
  const gpu::ArrivalForm form{x.data(), cpu.field("jump"), c.post_index.data(), c.weight.data(),
                              false};
  std::uniform_int_distribution<uint32_t> row(0, uint32_t(n_pre - 1));
  uint64_t runs = 0;
  for (uint64_t t = 0; t < 60; ++t) {
    CAPTURE(t);
    std::vector<uint32_t> spikes(t % 7 == 3 ? 0 : 25); // some steps without a spike
    for (uint32_t &i : spikes)
      i = row(rng);
    std::sort(spikes.begin(), spikes.end()); // a history's order
    // The CPU: the queue takes this step's spikes and hands exp_current what arrives now.
    queue.push(c, c.delay_ends16.data(), spikes.data(), spikes.size(), t);
    cpu.view.arrivals = queue.take(t, cpu.view.n_arrivals);
    runs += cpu.view.n_arrivals;
    cpu.step(t);
    // The ring: this step's spikes walked into it, then this step's slot drained.
    for (const uint32_t i : spikes) {
      gpu::walk(ring, form, c.row_ptr.data(), c.delay.data(), i, t);
      for (uint64_t s = c.row_ptr[i]; s < c.row_ptr[i + 1]; ++s)
        size[c.post_index[s]] += std::fabs(form.amount(s, c.post_index[s], 1.0));
    }
    for (uint32_t j = 0; j < n; ++j)
      ring.drain(t, j, x.data());
    const double *I = cpu.field("I");
    uint64_t off = 0;
    for (uint32_t j = 0; j < n; ++j)
      off += !(std::fabs(x[j] - I[j]) <= 1e-12 * size[j]);
    REQUIRE(off == 0);
  }
  CHECK(runs > 2000); // many runs of every delay reached their targets
  CHECK(std::count(x.begin(), x.end(), 0.0) < long(n / 10));
}
