// The queue of arrivals for drawn delays (framework/src/engine/arrival_queue.hpp): in every step
// of a run it hands the synapses exactly the arrivals that a lookup of every (delay, spike) pair
// through the delay index gives, in the same order (by delay, then by the spikes' order), from
// the first steps (where no spike is old enough for the long delays) on; its room stays within
// twice what its slots hold, and shrinks after a burst.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <random>
#include <vector>

#include "connect/connectivity.hpp"
#include "engine/arrival_queue.hpp"

using namespace ganglion;

namespace {

// Drawn delays normal(1 ms, 0.8 ms) at dt = 0.1 ms, from n_pre neurons onto n_post, each pair
// with probability p.
Csr drawn_delays(uint64_t n_pre, uint64_t n_post, double p) {
  PopulationSpec pre, post;
  pre.size = n_pre;
  post.size = n_post;
  post.first_gid = n_pre;
  ProjectionSpec q;
  q.pointer = "/projections/0";
  q.rule = p < 1 ? ConnectRule::FixedProbability : ConnectRule::AllToAll;
  q.p = p;
  q.post = 1;
  q.weight = q.weight_dist.a = 0.5;
  q.stream = 1;
  q.delay_dist.kind = ValueSpec::Kind::Normal;
  q.delay_dist.a = 1.0;
  q.delay_dist.b = 0.8;
  return build_connectivity(q, pre, post, 8, 0.1);
}

bool same(const gg_arrival &a, const gg_arrival &b) {
  return a.begin == b.begin && a.end == b.end && a.pre == b.pre && a.delay == b.delay;
}

// The arrivals of `step` by lookup: d = 1 .. max_delay, then the spikes of step + 1 - d in order,
// each one's run of delay d where not empty. history[s]: the spikes of step s.
template <class T>
std::vector<gg_arrival> looked_up(const Csr &c, const T *ends,
                                  const std::vector<std::vector<uint32_t>> &history,
                                  uint64_t step) {
  std::vector<gg_arrival> out;
  for (uint64_t d = 1; d <= c.max_delay && d <= step + 1; ++d)
    for (uint32_t i : history[step + 1 - d]) {
      const SynapseRun run = delay_run(c, ends, i, d);
      if (run.first != run.last) out.push_back({run.first, run.last, i, uint32_t(d)});
    }
  return out;
}

// Runs `steps` steps of random spikes from c's rows (ascending, a neuron sometimes twice, as a
// source may emit; some steps none, one step many) through a queue and through the lookup;
// returns how many steps' arrivals differ, and the most arrivals a step had.
template <class T>
uint64_t mismatched_steps(const Csr &c, const T *ends, uint64_t steps, uint64_t &most) {
  const uint64_t n_pre = c.row_ptr.size() - 1;
  std::mt19937_64 rng(42);
  std::vector<std::vector<uint32_t>> history(steps);
  engine::ArrivalQueue queue;
  queue.reset(c.max_delay);
  uint64_t bad = 0;
  most = 0;
  for (uint64_t step = 0; step < steps; ++step) {
    auto &spikes = history[step];
    const uint64_t n = step == steps / 2 ? n_pre : rng() % 3 == 0 ? 0 : rng() % (n_pre / 8 + 2);
    for (uint64_t k = 0; k < n; ++k)
      spikes.push_back(uint32_t(rng() % n_pre));
    std::sort(spikes.begin(), spikes.end());
    queue.push(c, ends, spikes.data(), spikes.size(), step);
    uint64_t got_n = 0;
    const gg_arrival *got = queue.take(step, got_n);
    const std::vector<gg_arrival> want = looked_up(c, ends, history, step);
    bad += got_n != want.size() || !std::equal(want.begin(), want.end(), got, same);
    most = std::max<uint64_t>(most, want.size());
  }
  return bad;
}

} // namespace

TEST_CASE("engine: the arrival queue gives every step the arrivals of a lookup, in its order") {
  // Sparse rows (about 8 synapses) over delays 1 .. about 40 steps, 16-bit index.
  const Csr c = drawn_delays(400, 200, 0.04);
  REQUIRE(c.max_delay > 30);
  REQUIRE(!c.delay_ends16.empty());
  uint64_t most = 0;
  CHECK(mismatched_steps(c, c.delay_ends16.data(), 5 * c.max_delay, most) == 0);
  CHECK(most > 128); // (the step where every neuron spikes): the slots had to grow twice
  // Rows of 70,000 synapses, 32-bit index: each spike has a run of nearly every delay.
  const Csr w = drawn_delays(2, 70000, 1);
  REQUIRE(!w.delay_ends.empty());
  CHECK(mismatched_steps(w, w.delay_ends.data(), 3 * w.max_delay, most) == 0);
  CHECK(most > 10); // several delays' runs arrive in one step
  // Every delay one step: one slot, no index; each spike's row is one run.
  const Csr ones = [] {
    PopulationSpec pre, post;
    pre.size = post.size = 50;
    post.first_gid = 50;
    ProjectionSpec q;
    q.rule = ConnectRule::AllToAll;
    q.post = 1;
    q.weight = q.weight_dist.a = 0.5;
    q.delay_dist.kind = ValueSpec::Kind::Uniform;
    q.delay_dist.b = 0.1;
    return build_connectivity(q, pre, post, 8, 0.1);
  }();
  REQUIRE(ones.max_delay == 1);
  CHECK(mismatched_steps(ones, ones.delay_ends16.data(), 20, most) == 0);
}

TEST_CASE("engine: the arrival queue's room stays within twice what its slots hold, then shrinks") {
  const Csr c = drawn_delays(400, 200, 0.04);
  engine::ArrivalQueue queue;
  queue.reset(c.max_delay);
  const uint64_t empty = queue.bytes();
  // Every neuron spikes in step 0: slot d - 1 takes the rows' runs of delay d.
  std::vector<uint32_t> all(400);
  for (uint32_t i = 0; i < 400; ++i)
    all[i] = i;
  queue.push(c, c.delay_ends16.data(), all.data(), all.size(), 0);
  uint64_t room = 0, synapses = 0;
  for (uint64_t d = 1; d <= c.max_delay; ++d) {
    uint64_t queued = 0;
    for (uint32_t i : all) {
      const SynapseRun run = delay_run(c, c.delay_ends16.data(), i, d);
      queued += run.first != run.last;
    }
    room += std::max<uint64_t>(16, 2 * queued); // (a slot's least room: 16)
    uint64_t n = 0;
    const gg_arrival *a = queue.take(d - 1, n);
    CHECK(n == queued);
    for (uint64_t k = 0; k < n; ++k)
      synapses += a[k].end - a[k].begin;
  }
  CHECK(synapses == c.size()); // every synapse queued once
  CHECK(queue.bytes() - empty <= room * sizeof(gg_arrival));
  // Taken slots keep their room for the steps to come: a second burst allocates nothing.
  const uint64_t after = queue.bytes();
  queue.push(c, c.delay_ends16.data(), all.data(), all.size(), c.max_delay);
  CHECK(queue.bytes() == after);
  // Quiet steps after the burst: as each slot is taken, a room over 8 times its least (16) shrinks
  // to twice that; the slots that held the most (about 80 runs) had grown past it.
  for (uint64_t step = c.max_delay; step < 3 * c.max_delay; ++step) {
    queue.push(c, c.delay_ends16.data(), all.data(), 0, step);
    uint64_t n = 0;
    queue.take(step, n);
  }
  CHECK(queue.bytes() - empty <= c.max_delay * 8 * 16 * sizeof(gg_arrival));
  CHECK(queue.bytes() < after);
}
