// Simulation::Impl's scheduler: how the threads share the work without changing a result. Phase
// 1's slices are balanced by their measured times; a large projection's delivery is split by
// target range into one task per thread; owner mode gives each thread a run of slices and the
// deliveries onto their neurons, and cuts the runs again where the measured times say it pays.
#include <algorithm>
#include <cmath>
#include <numeric>

#include "engine/impl.hpp"

namespace ganglion {
namespace {

// Row i's first synapse onto a target >= lo (rows ascend by target within a delay).
// `n_post`: the population's size (a bound there is the row's end).
uint64_t first_onto(const Csr &c, uint64_t i, uint64_t lo, uint64_t n_post) {
  uint64_t a = c.row_ptr[i], b = c.row_ptr[i + 1];
  if (lo == 0) return a; // (the first and last bounds of every cut, without a search)
  if (lo >= n_post || (a < b && c.post(b - 1) < lo)) return b;
  while (a < b) {
    const uint64_t m = a + (b - a) / 2;
    if (c.post(m) < lo)
      a = m + 1;
    else
      b = m;
  }
  return a;
}

} // namespace

void Simulation::Impl::balance_slices() {
  split_costs(slice_cost, pool->size(), slice_split);
}

// Consecutive runs of `cost`'s elements with about equal sums, one per thread.
void Simulation::Impl::split_costs(const std::vector<double> &cost, std::size_t threads,
                                   std::vector<std::size_t> &split) {
  double total = 0;
  for (double c : cost)
    total += c;
  split.assign(threads + 1, cost.size());
  split[0] = 0;
  double sum = 0;
  std::size_t t = 1;
  for (std::size_t i = 0; i < cost.size() && t < threads; ++i) {
    sum += cost[i];
    while (t < threads && sum >= total * double(t) / double(threads))
      split[t++] = i + 1;
  }
}

// Cuts a projection's delivery into `parts` tasks by target range, where its synapse model
// allows it (GG_DESC_SPLIT_STEP: its step only applies arrivals, each to its own target), its
// plasticity rule (if any) can be cut likewise (GG_DESC_SPLIT_RULE) and its delay is one for all
// synapses. Rows ascend by target, so each part of a row is one run, and each target still takes
// its synapses in the arrivals' order: the same sums as one task. Returns whether it split.
bool Simulation::Impl::split_delivery(Projection &proj, unsigned parts) {
  const Csr &c = proj.csr;
  const uint64_t n_post = pops[proj.spec->post].spec->size, n_pre = c.row_ptr.size() - 1;
  // Rows of fewer than 128 synapses on average (COBA's 80) are not worth the second task: each
  // arrival then costs a part's bookkeeping for a few synapses.
  if (!(proj.desc->flags & GG_DESC_SPLIT_STEP) || (proj.plasticity && !proj.plasticity->split()) ||
      !c.delay.empty() || n_post < 64 * parts || c.size() < kSplitRow * n_pre)
    return false;
  std::vector<uint64_t> bound(parts + 1);
  for (unsigned p = 0; p <= parts; ++p) // whole cache lines of doubles to each part
    bound[p] = p == parts ? n_post : n_post * p / parts / 8 * 8;
  proj.parts = cut_by_target(proj, bound, proj.cuts);
  return true;
}

// The parts of a projection's delivery by target range: part t takes each row's synapses onto
// targets [bound[t], bound[t + 1]) (bound ascending from 0 to the population's size). Their row
// bounds go to `cuts`, row i's side by side (cuts[i * (parts + 1) + t], its first synapse onto
// a target >= bound[t]), so that a part's two bounds for a row share a cache line. Where `cuts`
// already holds the row bounds of `kept` (an earlier cut of as many parts), only the columns
// whose bound moved are searched again (a search is a cache miss a row). The rows are searched
// in chunks on the pool.
std::vector<engine::Part> Simulation::Impl::cut_by_target(const Projection &proj,
                                                          const std::vector<uint64_t> &bound,
                                                          std::vector<uint64_t> &cuts,
                                                          const std::vector<uint64_t> &kept) {
  const Csr &c = proj.csr;
  const uint64_t n_pre = c.row_ptr.size() - 1, stride = bound.size();
  const bool reuse = kept.size() == stride && cuts.size() == n_pre * stride;
  cuts.resize(n_pre * stride);
  std::vector<std::size_t> moved;
  for (std::size_t t = 0; t < stride; ++t)
    if (!reuse || kept[t] != bound[t]) moved.push_back(t);
  constexpr uint64_t kRows = 4096;
  if (!moved.empty())
    parallel((n_pre + kRows - 1) / kRows, [&](std::size_t k) {
      const uint64_t end = std::min(n_pre, (k + 1) * kRows);
      for (uint64_t i = k * kRows; i < end; ++i)
        for (std::size_t t : moved)
          cuts[i * stride + t] = first_onto(c, i, bound[t], bound.back());
    });
  std::vector<Part> parts;
  for (std::size_t t = 0; t + 1 < stride; ++t)
    parts.push_back(part_of(proj, cuts.data() + t, stride, bound[t], bound[t + 1]));
  return parts;
}

// The part of a projection's delivery onto targets [lo, hi) whose row i is
// [first[i * stride], first[i * stride + 1]).
engine::Part Simulation::Impl::part_of(const Projection &proj, const uint64_t *first,
                                       uint64_t stride, uint64_t lo, uint64_t hi) {
  Part part;
  part.first = first;
  part.last = first + 1;
  part.stride = stride;
  part.view = proj.view;
  if (proj.plasticity) {
    part.rule_view = proj.plasticity->view;
    part.rule_view.rule_part = GG_RULE_TARGETS;
    part.rule_view.post_begin = lo;
    part.rule_view.post_end = hi;
  }
  return part;
}

// Gives each thread a run of slices of about equal measured time (balance_slices) and cuts
// every projection at the boundaries of its postsynaptic population's runs.
void Simulation::Impl::enter_owner() {
  balance_slices();
  build_owner(slice_split);
}

// Once the deliveries' times are measured too (at 256 steps in owner mode, then every 1024: the
// loads move, as when a plasticity rule starts to learn), the runs are cut again so that each
// thread's deliveries and slices take about equal time: a thread's deliveries (and rules)
// counted evenly to its slices. A new cut moves slices between cores' caches, so it is taken
// only where it shortens the longest thread's time by 3 % or more. The cut only changes who does
// what. A new cut costs its build (the row bounds searched again where a bound moved) and the
// moved slices' trips between caches, so it is taken only where the time it saves over the next
// 4096 steps (or the rest of the run) is at least twice its last build's.
// With GANGLION_TEST_RECUT set (tests only), every check cuts again, each inner bound moved by a
// slice, whatever the times: the same spikes must follow.
void Simulation::Impl::rebalance_owner(uint64_t steps_in, uint64_t steps_left) {
  if (steps_in != 256 && (steps_in == 0 || steps_in % 1024 != 0)) return;
  const std::vector<std::size_t> now = owner_runs();
  if (recut_for_tests) {
    std::vector<std::size_t> split = now;
    const bool down = owner_cuts_made % 2; // down at the first check, then up, ...
    for (std::size_t t = 1; t < owner.size(); ++t)
      split[t] = down ? std::max(split[t - 1], split[t] - (split[t] > 0))
                      : std::min(split[t + 1], split[t] + 1);
    return build_owner(split);
  }
  std::vector<double> cost = slice_cost;
  for (const auto &o : owner)
    for (std::size_t i = o.slice_begin; i < o.slice_end; ++i)
      cost[i] += o.delivery_cost / double(o.slice_end - o.slice_begin);
  std::vector<std::size_t> split;
  split_costs(cost, owner.size(), split);
  const auto longest = [&](const std::vector<std::size_t> &runs) { // the longest thread's time
    double most = 0;
    for (std::size_t t = 0; t + 1 < runs.size(); ++t)
      most = std::max(most, std::accumulate(cost.begin() + long(runs[t]),
                                            cost.begin() + long(runs[t + 1]), 0.0));
    return most;
  };
  const double before = longest(now), after = longest(split);
  const double horizon = double(std::min<uint64_t>(4096, steps_left));
  if (after < 0.97 * before && (before - after) * horizon > 2 * owner_build_s) build_owner(split);
}

// threads: 0, at the start of step `step`: ends the window timed until then (or starts a
// calibration where one is due and the run is long enough for it), and after the last window
// keeps the faster way of running for the steps to come (Calibration).
void Simulation::Impl::calibrate(uint64_t step, RunReport &rep) {
  static constexpr bool kSerial[Calibration::kWindows] = {false, true, true, false,
                                                          false, true, true, false};
  Calibration &c = calibration;
  if (c.at < 0) {
    if (step != c.start || step + c.window * Calibration::kWindows > exp.simulation.n_steps) return;
    c.at = 0;
    c.serial_s = c.parallel_s = HUGE_VAL;
  } else {
    if ((step - c.start) % c.window != 0) return;
    double &quickest = kSerial[c.at] ? c.serial_s : c.parallel_s;
    quickest = std::min(quickest, engine::seconds_since(c.t0));
    // How much faster the faster way is (inf until both have a window).
    const double ratio = std::max(c.serial_s, c.parallel_s) / std::min(c.serial_s, c.parallel_s);
    // After one window of each, a way 1.5 times faster than the other is kept at once: the
    // windows of the slower way cost time of their own (a large network's steps on one thread).
    if (++c.at == Calibration::kWindows || (c.at == 2 && ratio >= 1.5)) {
      serial = c.serial_s <= c.parallel_s; // (one thread where equal: the other core is free)
      rep.one_thread_step_s = c.serial_s / double(c.window);
      rep.all_threads_step_s = c.parallel_s / double(c.window);
      ++rep.calibrations;
      c.start += (ratio >= 1.25 ? 4 : 1) * c.recheck;
      c.at = -1;
      return;
    }
  }
  serial = kSerial[c.at];
  c.t0 = engine::Clock::now();
}

// The threads' current runs of slices as a split: thread t's are [runs[t], runs[t + 1]).
std::vector<std::size_t> Simulation::Impl::owner_runs() const {
  std::vector<std::size_t> runs(owner.size() + 1, owner.back().slice_end);
  for (std::size_t t = 0; t < owner.size(); ++t)
    runs[t] = owner[t].slice_begin;
  return runs;
}

// Owner mode's tasks for the runs of slices `split`: task t steps slices [split[t],
// split[t + 1]) and delivers every projection's part onto their neurons.
void Simulation::Impl::build_owner(const std::vector<std::size_t> &split) {
  const auto t0 = engine::Clock::now();
  const std::size_t threads = pool->size();
  owner = std::vector<OwnerTask>(threads);
  owner_cuts.resize(projs.size()); // kept from the last cut, with their bounds
  owner_bounds.resize(projs.size());
  slice_errors.assign(slices.size(), nullptr);
  owner_split.resize(threads + 1);
  std::iota(owner_split.begin(), owner_split.end(), std::size_t(0));
  for (std::size_t t = 0; t < threads; ++t) {
    owner[t].slice_begin = split[t];
    owner[t].slice_end = split[t + 1];
  }
  for (std::size_t q = 0; q < projs.size(); ++q) {
    Projection &proj = projs[q];
    const uint64_t n_post = pops[std::size_t(proj.spec->post)].spec->size;
    const std::vector<uint64_t> bound = target_bounds(std::size_t(proj.spec->post), split);
    std::size_t holders = 0, holder = 0; // the threads with targets of this projection
    for (std::size_t t = 0; t < threads; ++t)
      if (bound[t] < bound[t + 1]) ++holders, holder = t;
    if (holders == 1) { // all on one thread: whole rows, as without parts (no cut to look up)
      owner[holder].parts.emplace_back(q, part_of(proj, proj.csr.row_ptr.data(), 1, 0, n_post));
      owner_bounds[q].clear();
      continue;
    }
    std::vector<Part> parts = cut_by_target(proj, bound, owner_cuts[q], owner_bounds[q]);
    owner_bounds[q] = bound;
    for (std::size_t t = 0; t < threads; ++t)
      if (bound[t] < bound[t + 1]) // (no part where no target is on this thread)
        owner[t].parts.emplace_back(q, std::move(parts[t]));
  }
  for (auto &o : owner) {
    const bool rules = std::any_of(o.parts.begin(), o.parts.end(), [&](const auto &p) {
      return projs[p.first].plasticity != nullptr;
    });
    o.slice_open =
        rules ? o.slice_begin : o.slice_end - std::min(o.slice_end - o.slice_begin, kOpenSlices);
  }
  owner_build_s = engine::seconds_since(t0);
  ++owner_cuts_made;
}

// Population `post`'s targets on each thread of `split`: thread t's are [bound[t], bound[t + 1])
// (the population's slices are consecutive).
std::vector<uint64_t> Simulation::Impl::target_bounds(std::size_t post,
                                                      const std::vector<std::size_t> &split) const {
  const std::size_t threads = pool->size();
  const uint64_t n_post = pops[post].spec->size;
  std::size_t first_slice = slices.size(), end_slice = 0;
  for (std::size_t i = 0; i < slices.size(); ++i)
    if (slices[i].pop == post) {
      first_slice = std::min(first_slice, i);
      end_slice = i + 1;
    }
  std::vector<uint64_t> bound(threads + 1, n_post);
  if (first_slice > end_slice) return bound; // (none of post's neurons on this rank)
  for (std::size_t t = 0; t <= threads; ++t) {
    const std::size_t at = std::clamp(split[t], first_slice, end_slice);
    bound[t] = at == end_slice ? n_post : slices[at].begin;
  }
  return bound;
}

} // namespace ganglion
