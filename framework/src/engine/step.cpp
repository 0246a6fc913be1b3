// Simulation::Impl's step, in one translation unit so that the functions called every step are
// inlined into one another as the compiler sees fit: the schedules, phase 1 (the populations'
// slices, their inputs and bound checks), the spikes gathered into the histories, the arrivals,
// phase 2 (the projections' deliveries and their rules), the recorders; owner mode's step, which
// does the same work in one batch; the loop over the steps, and the loop of a network on a GPU.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <thread>

#include "engine/device_plan.hpp"
#include "engine/hook_call.hpp"
#include "engine/impl.hpp"
#include "ganglion/simd.hpp"
#include "output/recording.hpp"
#include "random/batch_draws.hpp"
#include "random/discrete.hpp"
#include "random/drive_count.hpp"

namespace ganglion {

using engine::call_hook;
using engine::Clock;
using engine::Divergence;
using engine::format_ms;
using engine::OwnerTask;
using engine::Population;
using engine::seconds_between;
using engine::seconds_since;

namespace {

// Whether any of x[0 .. n) lies outside [min, max] or is NaN: a branch-free scan that vectorises
// (it runs over every bound-checked field of every neuron in every step). Bounds of equal size on
// either side of 0 (V's [-1000, 1000] mV) take one comparison per element, |x| <= max, which is
// the same test (NaN fails both; so does an infinity, unless the bounds are infinite) in less
// time: AVX-512 comparisons compete for the mask registers.
GANGLION_SIMD bool any_outside(const double *__restrict x, uint64_t n, double min, double max) {
  int bad = 0; // an int, not a bool: GCC vectorises this reduction only so
  if (min == -max)
    for (uint64_t i = 0; i < n; ++i)
      bad |= !(std::fabs(x[i]) <= max);
  else
    for (uint64_t i = 0; i < n; ++i)
      bad |= !(x[i] >= min) | !(x[i] <= max);
  return bad != 0;
}

// The tasks' running mean costs (which balance the threads' loads) are sampled every 16th step,
// not every step: two clock reads per task and step are a cost of their own in a short step
// (owner mode reads the clock once per task, each task's end the next one's start).
constexpr uint64_t kDeviceChunk = 1024; // steps per chunk on a GPU at most (its logs' size)

// A run's progress(t) now and then, after a step: every 64th, at most every 0.2 s.
struct Ticker {
  const std::function<void(double)> &progress;
  double dt;
  Clock::time_point last;
  void after(uint64_t step) {
    if (!progress || (step & 63) != 0 || seconds_since(last) <= 0.2) return;
    last = Clock::now();
    progress(double(step + 1) * dt);
  }
};

bool timed(uint64_t step) {
  return (step & 15) == 0;
}

// A task's running mean time, or its first sample where `first` (no start value to forget).
void add_sample(double &mean, double x, bool first = false) {
  mean = first ? x : 0.75 * mean + 0.25 * x;
}

// Claims slice i of task o's unclaimed ones, the first (its owner) or the last (another
// thread); false when none is left.
bool claim(OwnerTask &o, bool last, std::size_t &i) {
  for (uint64_t u = o.unclaimed.load();;) {
    const uint64_t front = u & 0xffffffffu, back = u >> 32;
    if (front >= back) return false;
    if (o.unclaimed.compare_exchange_weak(u, last ? u - (uint64_t(1) << 32) : u + 1)) {
      i = std::size_t(last ? back - 1 : front);
      return true;
    }
  }
}

} // namespace

void Simulation::Impl::one_step(uint64_t step) {
  apply_schedules(step);
  phase1(step);
  gather_spikes(step);
  phase2(step);
  call_recorders(step, false);
}

// Scheduled changes of parameters and of I_app that fall on this step, before it is taken.
void Simulation::Impl::apply_schedules(uint64_t step) {
  for (auto &pop : pops) {
    const uint64_t n = pop.spec->size;
    bool changed = false;
    for (const auto &sched : pop.spec->schedules)
      for (const auto &c : sched.changes)
        if (c.step == step) {
          pop.fields.set(pop.desc, uint32_t(sched.field), c.value, n);
          changed = true;
        }
    for (const auto &c : pop.spec->i_app_changes)
      if (c.step == step) assign_field(pop.i_app, c.value, n);
    if (changed) {
      pop.view.step = step;
      pop.view.t = double(step) * exp.simulation.dt;
      // (on cuda, a device `update` runs instead, after the upload: DeviceEngine::after_change)
      call_hook(
          pop.cuda && pop.cuda->update ? nullptr : pop.hooks->update, pop.view, pop.site,
          [&] { return "population '" + pop.spec->name + "'"; }, "update");
    }
  }
}

void Simulation::Impl::phase1(uint64_t step) {
  if (pool->size() == 1) {
    run_all(nullptr, slices.size(), [&](std::size_t i) { step_slice(slices[i], step); });
  } else {
    if ((step & 63) == 0) balance_slices(); // the costs change slowly
    parallel(
        slices.size(),
        [&](std::size_t i) {
          if (!timed(step)) return step_slice(slices[i], step);
          const auto t0 = Clock::now();
          step_slice(slices[i], step);
          // (the first sample replaces the equal cost the slices start from)
          add_sample(slice_cost[i], seconds_since(t0), step == 0);
        },
        slice_split.data());
  }
}

double Simulation::Impl::sum_input(const Population &pop, uint64_t begin, uint64_t end) const {
  double s = 0;
  for (uint64_t i = begin; i < end; ++i)
    s += pop.input[i];
  return s;
}

// Phase 1 for one slice: its input (I_app, then each incoming projection's current), then the
// neurons' step into the slice's own spike list.
void Simulation::Impl::step_slice(Slice &sl, uint64_t step) {
  Population &pop = pops[sl.pop];
  if (pop.accumulates) { // (otherwise the slice reads I_app, or zeros, in place)
    if (pop.i_app.values.empty())
      std::fill(pop.input.begin() + long(sl.begin), pop.input.begin() + long(sl.end), 0.0);
    else
      std::copy(pop.i_app.values.begin() + long(sl.begin), pop.i_app.values.begin() + long(sl.end),
                pop.input.begin() + long(sl.begin));
  }
  const double t = double(step) * exp.simulation.dt;
  double before = pop.record_inputs ? sum_input(pop, sl.begin, sl.end) : 0;
  for (std::size_t k = 0; k < pop.incoming.size(); ++k) {
    const auto &proj = projs[pop.incoming[k]];
    if (proj.fused) continue; // the neuron's step computes it
    gg_view &v = sl.in_views[k];
    v.step = step;
    v.t = t;
    call_hook(
        proj.hooks->current, v, proj.site, [&] { return "projection '" + proj.spec->name + "'"; },
        "current");
    if (pop.record_inputs) {
      const double after = sum_input(pop, sl.begin, sl.end);
      sl.input_sums[k] = after - before;
      before = after;
    }
  }
  sl.count = 0;
  sl.view.spikes = sl.spikes.data();
  sl.view.n_spikes = &sl.count;
  sl.out_of_range = 0;
  sl.view.out_of_range = &sl.out_of_range;
  sl.view.step = step;
  sl.view.t = t;
  call_hook(
      pop.hooks->step, sl.view, pop.site,
      [&] { return "population '" + pop.spec->name + "' (" + pop.desc->name + ")"; }, "step");
  if (sl.count > sl.spikes.size())
    throw RunError("population '" + pop.spec->name + "' emitted " + std::to_string(sl.count) +
                   " spikes from neurons " + std::to_string(sl.begin) + " to " +
                   std::to_string(sl.end - 1) + " in the step at t = " + format_ms(t) +
                   ", more than their buffer of " + std::to_string(sl.spikes.size()) +
                   "; lower the source's rate or dt");
  // A neuron that checks its own bounds (GG_DESC_CHECKS_BOUNDS) says whether to look.
  if (!(pop.desc->flags & GG_DESC_CHECKS_BOUNDS) || sl.out_of_range)
    check_bounds(pop, sl.begin, sl.end, t + exp.simulation.dt);
}

// A bound-checked state value out of range (or NaN) stops the run with the place and a fix.
void Simulation::Impl::check_bounds(const Population &pop, uint64_t begin, uint64_t end,
                                    double t_end) const {
  for (uint32_t k : pop.checked) {
    const gg_field &f = pop.desc->fields[k];
    const double *x = pop.fields.ptrs[k];
    if (!any_outside(x + begin, end - begin, f.min, f.max)) continue;
    for (uint64_t i = begin; i < end; ++i)
      if (!(x[i] >= f.min && x[i] <= f.max))
        throw Divergence(engine::divergence_message(pop, k, i, x[i], t_end));
  }
}

std::string engine::divergence_message(const Population &pop, uint32_t k, uint64_t i, double value,
                                       double t_end) {
  const gg_field &f = pop.desc->fields[k];
  const uint64_t m = pop.spec->member_size; // (a batch: the member's own neuron too)
  char member[96] = "";
  if (m)
    std::snprintf(member, sizeof member, " (member %llu's neuron %llu)",
                  static_cast<unsigned long long>(i / m), static_cast<unsigned long long>(i % m));
  char b[600];
  std::snprintf(b, sizeof b,
                "population '%s' (%s) diverged at t = %.10g ms: neuron %llu%s has %s = %g %s, "
                "outside [%g, %g] %s; reduce dt, the weights or the drive (%s)",
                pop.spec->name.c_str(), pop.desc->name, t_end, static_cast<unsigned long long>(i),
                member, f.name, value, f.unit, f.min, f.max, f.unit, pop.spec->pointer.c_str());
  return b;
}

// After phase 1: each population's spikes, slice after slice (so ascending), into its history.
void Simulation::Impl::gather_spikes(uint64_t step) {
  gathered = step;
  if (!distributed) whole_until = step + 1; // (on several ranks: once exchanged)
  std::size_t i = 0; // the slices, population after population
  for (std::size_t p = 0; p < pops.size(); ++p) {
    Population &pop = pops[p];
    if (pop.backend != GG_BACKEND_CPU) continue; // (the device engine fills its history)
    const uint64_t slot = step % pop.history.size();
    auto &out = pop.history[slot];
    uint64_t count = 0;
    if (pop.record_inputs) std::fill(pop.input_means.begin(), pop.input_means.end(), 0.0);
    const uint64_t member = pop.spec->member_size ? pop.spec->member_size : pop.spec->size;
    for (; i < slices.size() && slices[i].pop == p; ++i) {
      const Slice &sl = slices[i];
      if (count + sl.count > out.size()) out.resize(count + sl.count);
      const uint32_t begin = uint32_t(sl.begin);
      for (uint64_t s = 0; s < sl.count; ++s)
        out[count + s] = sl.spikes[s] + begin;
      count += sl.count;
      if (pop.record_inputs) { // (a batch: the member's own, which its slices never cross)
        double *means = pop.input_means.data() + sl.begin / member * sl.input_sums.size();
        for (std::size_t k = 0; k < sl.input_sums.size(); ++k)
          means[k] += sl.input_sums[k];
      }
    }
    pop.history_count[slot] = count;
    pop.spikes_total += count;
    if (const uint64_t n = pop.spec->member_size)
      for (uint64_t s = 0; s < count; ++s)
        ++pop.member_spikes[out[s] / n];
    if (pop.record_inputs)
      for (double &m : pop.input_means)
        m /= double(member);
  }
}

void Simulation::Impl::phase2(uint64_t step) {
  advance_pre_traces(step); // before the rules' parts that read them
  if (pool->size() == 1 || serial) {
    const auto &gs = serial ? whole_groups : groups;
    run_all(nullptr, gs.size(), [&](std::size_t g) { step_group(gs[g], step); });
  } else {
    if ((step & 63) == 0) // reorder now and then: the costs change slowly
      std::sort(group_order.begin(), group_order.end(),
                [&](std::size_t a, std::size_t b) { return group_cost[a] > group_cost[b]; });
    parallel(groups.size(), [&](std::size_t k) {
      const std::size_t g = group_order[k];
      if (!timed(step)) return step_group(groups[g], step);
      const auto t0 = Clock::now();
      step_group(groups[g], step);
      add_sample(group_cost[g], seconds_since(t0));
    });
  }
}

// Phase 2 for one task: its projections' synapses take this step's arrivals, then their
// plasticity rules act (a part's rule on the part's targets).
void Simulation::Impl::step_group(const std::vector<Member> &group, uint64_t step) {
  for (const Member &m : group) {
    auto &proj = projs[m.q];
    step_projection(proj, m.part < 0 ? nullptr : &proj.parts[std::size_t(m.part)], step);
  }
}

// The synapses whose spike reaches them at the end of this step, into view `v`: spikes emitted
// at step s reach the postsynaptic neuron at step s + d, so they enter the synaptic state now for
// s = step + 1 - d.
// `first`/`last`: row i's synapses are [first[i * stride], last[i * stride]) (the whole row, or
// a part's run of it; parts only where the delay is one for all synapses), collected into
// `arrivals`.
void Simulation::Impl::collect_arrivals(Projection &proj, uint64_t step, gg_view &v,
                                        std::vector<gg_arrival> &arrivals,
                                        std::vector<uint32_t> &counts, const uint64_t *first,
                                        const uint64_t *last, uint64_t stride) {
  arrivals.clear();
  if (proj.drive_rate) {
    collect_drive(proj, step, arrivals, counts, first, last, stride);
    v.arrivals = arrivals.data();
    v.n_arrivals = arrivals.size();
    v.arrival_counts = proj.desc->flags & GG_DESC_COUNTS ? counts.data() : nullptr;
    return;
  }
  const auto &pre = pops[proj.spec->pre];
  const Csr &c = proj.csr;
  const uint64_t depth = pre.history.size();
  if (!c.delay.empty()) {
    // Drawn delays (never split): each step's spikes queue their runs for the steps they reach,
    // once its list is whole (this step's; on several ranks, the steps of the last exchange, in
    // order), and the queue holds this step's arrivals (ArrivalQueue).
    for (; proj.queued_until < whole_until; ++proj.queued_until) {
      const uint64_t slot = proj.queued_until % depth;
      const uint32_t *spikes = pre.history[slot].data();
      const uint64_t n = pre.history_count[slot];
      if (c.delay_ends.empty())
        proj.queue.push(c, c.delay_ends16.data(), spikes, n, proj.queued_until);
      else
        proj.queue.push(c, c.delay_ends.data(), spikes, n, proj.queued_until);
    }
    v.arrivals = proj.queue.take(step, v.n_arrivals);
    return;
  }
  const uint64_t d = c.max_delay;
  if (step + 1 >= d) {
    const uint64_t slot = (step + 1 - d) % depth;
    const uint32_t *spikes = pre.history[slot].data();
    const uint64_t n = pre.history_count[slot];
    constexpr uint64_t kAhead = 16; // row bounds asked for this many spikes ahead: each a miss
    for (uint64_t s = 0; s < n; ++s) {
      if (s + kAhead < n) __builtin_prefetch(first + spikes[s + kAhead] * stride);
      const uint32_t i = spikes[s];
      const uint64_t a = first[i * stride], b = last[i * stride];
      if (a != b) arrivals.push_back({a, b, i, uint32_t(d)});
    }
  }
  v.arrivals = arrivals.data();
  v.n_arrivals = arrivals.size();
}

// A drive's arrivals (GG_DESC_DRIVE; rows bounded as in collect_arrivals): each synapse k of
// generator element i's row takes a Poisson(rate_i dt) count, drawn from the projection's drive
// stream with id (i, the target's global id) and the step, handed as one arrival of k alone with
// that count (`counts`, for a synapse that takes counts: GG_DESC_COUNTS), else as that many
// arrivals; in synapse order: the same counts, in the same order onto each target, however the
// delivery is cut. The delay plays no part: the train is stationary.
void Simulation::Impl::collect_drive(const Projection &proj, uint64_t step,
                                     std::vector<gg_arrival> &arrivals,
                                     std::vector<uint32_t> &counts, const uint64_t *first,
                                     const uint64_t *last, uint64_t stride) {
  const bool counted = proj.desc->flags & GG_DESC_COUNTS;
  counts.clear();
  const Csr &c = proj.csr;
  const DriveIds &ids = proj.drive_ids; // (a batch: each row's member's seed and ids)
  uint64_t seed = ids.row(0).seed;
  const uint64_t n_pre = pops[proj.spec->pre].spec->size;
  PhiloxKey key(seed, proj.drive_stream);
  constexpr std::size_t kBatch = Poisson::kLanes; // the counts of this many synapses at a time
  uint32_t target[kBatch];
  double u[kBatch];
  uint64_t drawn[kBatch];
  Poisson poisson(0);
  double made_for = 0;
  for (uint64_t i = 0; i < n_pre; ++i) {
    const uint64_t a = first[i * stride], b = last[i * stride];
    const double mean = proj.drive_rate[i] * 1e-3 * exp.simulation.dt;
    if (a == b || !(mean > 0)) continue;
    const DriveIds::Row row = ids.row(i);
    if (row.seed != seed) key = PhiloxKey(seed = row.seed, proj.drive_stream);
    if (mean != made_for) poisson = Poisson(made_for = mean);
    for (uint64_t k0 = a; k0 < b; k0 += kBatch) {
      const std::size_t n = std::size_t(std::min<uint64_t>(kBatch, b - k0));
      for (std::size_t j = 0; j < n; ++j)
        target[j] = row.target(c.post(k0 + j));
      first_uniforms(key, row.row, target, uint32_t(step), n, u);
      poisson.from_uniforms(u, n, drawn);
      for (std::size_t j = 0; j < n; ++j) {
        const uint64_t k = k0 + j;
        uint64_t count = drawn[j];
        if (count == Poisson::kAnother) // (rare) the draw needs more than its first uniform
          count = drive_count(poisson, seed, proj.drive_stream, row.row, target[j], uint32_t(step));
        const uint32_t delay = c.delay.empty() ? uint32_t(c.max_delay) : c.delay[k];
        // A count as one arrival (more than one only past 2^32 - 1), else as that many.
        for (uint64_t part; count > 0; count -= part) {
          part = counted ? std::min<uint64_t>(count, UINT32_MAX) : 1;
          arrivals.push_back({k, k + 1, uint32_t(i), delay});
          if (counted) counts.push_back(uint32_t(part));
        }
      }
    }
  }
}

// Projection `proj` in phase 2, whole or one part of its delivery, then its rule (or the part's
// share of it) unless `rule` is false.
void Simulation::Impl::step_projection(Projection &proj, Part *part, uint64_t step, bool rule) {
  const bool whole = part == nullptr;
  auto &arrivals = whole ? proj.arrivals : part->arrivals;
  gg_view &v = whole ? proj.view : part->view;
  const uint64_t *rows = proj.csr.row_ptr.data();
  collect_arrivals(proj, step, v, arrivals, whole ? proj.counts : part->counts,
                   whole ? rows : part->first, whole ? rows + 1 : part->last,
                   whole ? 1 : part->stride);
  v.step = step;
  v.t = double(step) * exp.simulation.dt;
  call_hook(
      proj.hooks->step, v, proj.site, [&] { return "projection '" + proj.spec->name + "'"; },
      "step");
  if (!proj.plasticity || !rule) return;
  if (whole) return step_plasticity(proj, proj.plasticity->view, step);
  step_rule_part(proj, *part, step);
}

// A part's share of its projection's rule: the synapses onto its targets (GG_RULE_TARGETS).
void Simulation::Impl::step_rule_part(Projection &proj, Part &part, uint64_t step) {
  if (!owner.empty()) // task 0 of the batch advances the presynaptic traces
    while (pre_traces_done.load(std::memory_order_acquire) != step)
      std::this_thread::yield();
  // The runs of this step's presynaptic spikes (as emitted) onto the part's targets, one for each
  // spike (GG_RULE_TARGETS: arrivals[i] is pre_spikes[i]'s).
  part.rule_runs.clear();
  const auto &pre = pops[proj.spec->pre];
  const uint64_t slot = step % pre.history.size();
  for (uint64_t s = 0; s < pre.history_count[slot]; ++s) {
    const uint32_t i = pre.history[slot][s];
    const uint64_t at = i * part.stride;
    part.rule_runs.push_back({part.first[at], part.last[at], i, 0});
  }
  part.rule_view.arrivals = part.rule_runs.data();
  part.rule_view.n_arrivals = part.rule_runs.size();
  step_plasticity(proj, part.rule_view, step);
}

// Whether projection `proj`'s rule runs by parts this step: in owner mode, or where its delivery
// is split. Then its presynaptic traces advance first, apart (before phase 2; in owner mode by
// task 0 of the batch).
bool Simulation::Impl::rule_by_parts(const Projection &proj) const {
  return proj.plasticity && (!owner.empty() || (!proj.parts.empty() && !serial));
}

void Simulation::Impl::advance_pre_traces(uint64_t step) {
  for (auto &proj : projs)
    if (rule_by_parts(proj)) step_plasticity(proj, proj.plasticity->pre_view, step);
}

// The rule sees the spikes of this step as emitted, on both sides: view `v` is the whole rule
// or a part of it (gg_rule_part), which sees only its targets' postsynaptic spikes.
void Simulation::Impl::step_plasticity(Projection &proj, gg_view &v, uint64_t step) {
  Plasticity &pl = *proj.plasticity;
  const auto &pre = pops[proj.spec->pre];
  const auto &post = pops[proj.spec->post];
  const uint64_t pre_slot = step % pre.history.size(), post_slot = step % post.history.size();
  v.step = step;
  v.t = double(step) * exp.simulation.dt;
  v.pre_spikes = pre.history[pre_slot].data();
  v.n_pre_spikes = pre.history_count[pre_slot];
  const uint32_t *spikes = post.history[post_slot].data();
  const uint32_t *end = spikes + post.history_count[post_slot];
  if (v.rule_part == GG_RULE_TARGETS) { // (the history ascends)
    spikes = std::lower_bound(spikes, end, uint32_t(v.post_begin));
    end = std::lower_bound(spikes, end, uint32_t(v.post_end));
  }
  v.post_spikes = spikes;
  v.n_post_spikes = uint64_t(end - spikes);
  v.learning = pl.learning(step) ? 1 : 0;
  call_hook(
      pl.hooks->step, v, pl.site,
      [&] { return "plasticity of projection '" + proj.spec->name + "'"; }, "step");
}

void Simulation::Impl::call_recorders(uint64_t step, bool finish) {
  if (!records) return; // (on rank 0 alone)
  for (auto &rec : recs) {
    if (rec.backend == GG_BACKEND_CUDA) continue; // (its records: the device engine's replay)
    const auto &pop = pops[rec.spec->population];
    const uint64_t slot = step % pop.history.size();
    rec.view.step = step;
    rec.view.t = double(step) * exp.simulation.dt;
    if (rec.member_block) {
      member_spikes(rec, pop, slot);
    } else {
      rec.view.pop_spikes = pop.history[slot].data();
      rec.view.pop_n_spikes = pop.history_count[slot];
    }
    call_hook(
        finish ? rec.hooks->finish : rec.hooks->step, rec.view, rec.site,
        [&] { return "recorder " + rec.spec->pointer + " (" + rec.desc->name + ")"; },
        finish ? "finish" : "step");
    if (Recording *w = writers[rec.spec->member]) w->check();
  }
  for (Recording *w : writers)
    if (w) w->recorded_until(double(step + 1) * exp.simulation.dt);
}

// A batch's recorder: the step's spikes of its member's block (the history's run of them, in
// order), relative to the block.
void Simulation::Impl::member_spikes(Recorder &rec, const Population &pop, uint64_t slot) {
  const uint32_t *all = pop.history[slot].data();
  const uint32_t *end = all + pop.history_count[slot];
  const uint32_t *first = std::lower_bound(all, end, uint32_t(rec.at));
  const uint32_t *last = std::lower_bound(first, end, uint32_t(rec.at + rec.n));
  rec.spikes.resize(std::size_t(last - first));
  for (std::size_t k = 0; k < rec.spikes.size(); ++k)
    rec.spikes[k] = first[k] - uint32_t(rec.at);
  rec.view.pop_spikes = rec.spikes.data();
  rec.view.pop_n_spikes = rec.spikes.size();
}

// Owner mode from a gathered step: one batch that advances its rules' presynaptic traces,
// delivers its spikes (and runs its rules' parts) and steps the next step's neurons, then its
// recorders (spikes only), then the next step's spikes gathered. A divergence in the next step's
// neurons leaves `step` at that step (the run records it). The `last` step of a run (the end, or
// a stop) steps no next one.
void Simulation::Impl::owner_step(uint64_t &step, bool last) {
  const uint64_t now = step;
  const bool next = !last && now + 1 < exp.simulation.n_steps;
  if (next) apply_schedules(now + 1);
  const bool time = timed(now);
  parallel(
      owner.size(), [&](std::size_t t) { owner_task(t, now, next, time); }, owner_split.data());
  // The deliveries came first: their error before any of the next step's.
  for (const auto &o : owner)
    if (o.delivery_error) std::rethrow_exception(o.delivery_error);
  // Step `now` is whole: its recorders (spikes only: the history still holds its spikes, and its
  // rules have acted on the weights), before any error of the next step's neurons. (On ranks,
  // once its exchange is in: run_ranks.)
  if (!distributed) call_recorders(now, false);
  if (any_slice_error.load()) {
    for (auto &e : slice_errors)
      if (e) {
        step = now + 1;
        std::rethrow_exception(e);
      }
  }
  if (next) gather_spikes(now + 1);
}

// Owner task t of step `now`: its deliveries (and rules' parts), then the next step's neurons of
// its own slices, then the last slices of the tasks whose deliveries are done.
void Simulation::Impl::owner_task(std::size_t t, uint64_t now, bool next, bool time) {
  // Each task's own words, written by the thread that runs it (no cache line of a task is
  // written by the other thread in every step): its slices open to others only once `ready` says
  // so, after this; an error ends the run, so none is left from before.
  OwnerTask &o = owner[t];
  o.unclaimed.store(uint64_t(o.slice_end) << 32 | o.slice_open);
  auto since = time ? Clock::now() : Clock::time_point{};
  try {
    if (t == 0) { // the rules' presynaptic traces, awaited by the rules' parts
      try {
        advance_pre_traces(now);
      } catch (...) {
        pre_traces_done.store(now, std::memory_order_release);
        throw;
      }
      pre_traces_done.store(now, std::memory_order_release);
    }
    owner_deliver(o, now, next, time, since);
  } catch (...) {
    o.delivery_error = std::current_exception();
    return;
  }
  if (!next) return;
  for (std::size_t i = o.slice_begin; i < o.slice_open; ++i) // its own, then the open ones
    owner_slice(i, now + 1, time, since);
  for (std::size_t i; claim(o, false, i);) // (from the front)
    owner_slice(i, now + 1, time, since);
  for (std::size_t k = 1; k < owner.size(); ++k) { // others' last slices, once ready
    OwnerTask &other = owner[(t + k) % owner.size()];
    if (other.ready.load(std::memory_order_acquire) != now + 1) continue;
    for (std::size_t i; claim(other, true, i);)
      owner_slice(i, now + 1, time, since);
  }
}

// A task's deliveries onto its targets, then its rules' parts there; timed from `since` where
// the step is timed.
void Simulation::Impl::owner_deliver(OwnerTask &o, uint64_t now, bool next, bool time,
                                     Clock::time_point &since) {
  for (auto &[q, part] : o.parts)
    step_projection(projs[q], &part, now, false);
  // The slices may be taken from here on: the rules' parts touch no neuron's state.
  if (next) o.ready.store(now + 1, std::memory_order_release);
  for (auto &[q, part] : o.parts)
    if (projs[q].plasticity) step_rule_part(projs[q], part, now);
  if (time) {
    const auto end = Clock::now();
    add_sample(o.delivery_cost, seconds_between(since, end), !o.delivery_timed);
    o.delivery_timed = true;
    since = end;
  }
}

// Slice i in owner mode, timed from `since` (the end of what the thread did before) where the
// step is timed. Every slice steps, as in phase 1; the lowest's error is reported.
void Simulation::Impl::owner_slice(std::size_t i, uint64_t step, bool time,
                                   Clock::time_point &since) {
  try {
    if (!time) return step_slice(slices[i], step);
    step_slice(slices[i], step);
    const auto end = Clock::now();
    add_sample(slice_cost[i], seconds_between(since, end));
    since = end;
  } catch (...) {
    slice_errors[i] = std::current_exception();
    any_slice_error.store(true, std::memory_order_relaxed);
  }
}

// A stop (`stop` not 0) ends the run at a step boundary: in owner mode the step whose neurons
// have stepped is finished first (its deliveries and recorders), so that the recorders have
// every step the report counts, as at the run's end.
RunReport Simulation::Impl::run(const std::function<void(double)> &progress,
                                const std::atomic<int> *stop) {
  if (device) return run_device(progress, stop);
  if (distributed) return run_ranks(progress, stop);
  RunReport rep;
  rep.setup_s = setup_s;
  rep.threads = pool->size();
  rep.auto_threads = auto_threads;
  const auto t0 = Clock::now();
  Ticker ticker{progress, exp.simulation.dt, t0};
  const uint64_t n_steps = exp.simulation.n_steps;
  uint64_t step = 0;
  try {
    for (; step < n_steps; ++step) {
      if (stop && stop->load(std::memory_order_relaxed) != 0) {
        rep.stopped_by = stop->load();
        if (!owner.empty()) {
          owner_step(step, true);
          ++step;
        }
        break;
      }
      if (auto_threads) calibrate(step, rep);
      rep.serial_steps += serial;
      if (owner_possible && step >= kOwnerFrom && !serial) {
        if (owner.empty()) { // the step's first half as before, then owner steps
          enter_owner();
          if (rep.owner_from == UINT64_MAX) rep.owner_from = step;
          apply_schedules(step);
          phase1(step);
          gather_spikes(step);
        }
        rebalance_owner(step - rep.owner_from, n_steps - step);
        owner_step(step, false);
      } else if (!owner.empty()) { // out of owner mode (serial): the step's second half, as at
        owner_step(step, true);    // a stop, then whole steps
        owner.clear();
      } else {
        one_step(step);
      }
      ticker.after(step);
    }
  } catch (const Divergence &d) {
    rep.diverged = true;
    rep.divergence = d.what();
    // The diverging step ran: record it too (its out-of-range value helps the diagnosis), so the
    // file holds every step the report counts. A recorder failing now must not hide the cause.
    try {
      if (gathered != step) gather_spikes(step); // a divergence in phase 1
      call_recorders(step, false);
    } catch (const std::exception &) {
    }
    ++step;
  } catch (...) {
    steps_done = step;
    throw;
  }
  rep.owner_cuts = owner_cuts_made;
  rep.steps_done = steps_done = std::min(step, n_steps);
  rep.simulated_ms = double(rep.steps_done) * exp.simulation.dt;
  if (rep.steps_done > 0) call_recorders(rep.steps_done - 1, true);
  rep.run_s = seconds_since(t0);
  if (progress) progress(rep.simulated_ms);
  report(rep);
  return rep;
}

// The run on several ranks: the loop of Impl::run with one exchange every `interval` steps, after
// the last one's phase 1 (the one-thread or parallel phases, or owner mode's batches; the thread
// calibration is not used), and rank 0's recorders of the steps whose spikes every rank has after
// it (exchange_interval). A failure on one rank (a divergence, a plugin's error, rank 0's write)
// and a stop signal on any reach every rank when the exchange that carries them is taken in, and
// every rank ends the run at the same step with the same message: the earliest failure's step
// (recorded where one process records it: a divergence's step too, unless rank 0 ran it before the
// failure came), a stop after the interval in which a rank saw it (or the next one, where
// overlapped).
RunReport Simulation::Impl::run_ranks(const std::function<void(double)> &progress,
                                      const std::atomic<int> *stop) {
  RunReport rep;
  rep.setup_s = setup_s;
  rep.threads = pool->size();
  const auto t0 = Clock::now();
  const uint64_t n_steps = exp.simulation.n_steps;
  Ticker ticker{progress, exp.simulation.dt, t0};
  engine::Word mine; // this rank's failure, told at the next exchange
  uint64_t step = 0, first = 0; // first: the interval's first step
  const auto work = [&](auto &&phase) {
    if (mine.kind != engine::Word::ok) return;
    try {
      phase();
    } catch (...) {
      mine = engine::failure_word(std::current_exception(), step);
    }
  };
  try {
    for (; step < n_steps; ++step) {
      if (stop && !mine.stop) mine.stop = stop->load(std::memory_order_relaxed);
      if (owner.empty()) { // (in owner mode the last step's batch stepped and gathered this one)
        work([&] {
          apply_schedules(step);
          phase1(step);
        });
        gather_spikes(step);
      }
      const bool last = (step + 1) % interval == 0 || step + 1 == n_steps;
      engine::Word a;
      if (last) {
        a = exchange_interval(first, step, mine, step + 1 == n_steps);
        if (a.kind != engine::Word::ok) stop_at_failure(a, step, mine);
      } else {
        poll_exchange();
      }
      deliver_ranks(step, step + 1 < n_steps && !a.stop, rep, mine);
      poll_exchange();
      ticker.after(step);
      if (!last) continue;
      if (whole_until > 0) record_through(whole_until - 1, mine); // (the steps every rank has)
      first = step + 1;
      if (a.stop) {
        rep.stopped_by = a.stop;
        ++step;
        break;
      }
    }
    throw_failure(agree(mine)); // a failure in the last interval's phase 2 or recorders
  } catch (const Divergence &d) {
    rep.diverged = true;
    rep.divergence = d.what();
    step = failed_at + 1;
  }
  rep.owner_cuts = owner_cuts_made;
  rep.steps_done = steps_done = std::min(step, n_steps);
  rep.simulated_ms = double(rep.steps_done) * exp.simulation.dt;
  if (rep.steps_done > 0) gather_recorded(rep.steps_done - 1, true);
  engine::Word end;
  if (rep.steps_done > 0) try {
      call_recorders(rep.steps_done - 1, true);
    } catch (...) {
      end = engine::failure_word(std::current_exception(), rep.steps_done);
    }
  throw_failure(agree(end));
  rep.run_s = seconds_since(t0);
  if (progress) progress(rep.simulated_ms);
  report(rep);
  return rep;
}

// The agreed failure `a`, taken in after phase 1 of `step`, ends the run: the spikes of the steps
// after it that were not emitted in one process uncounted (a failure told an interval late, a
// recorder's, leaves the steps before its exchange counted), its steps recorded as one process
// records them, and the failure thrown.
void Simulation::Impl::stop_at_failure(const engine::Word &a, uint64_t step, engine::Word &mine) {
  for (auto &pop : pops)
    for (uint64_t s = std::max(a.step + 1, told_from); s <= step; ++s)
      pop.spikes_total -= pop.history_count[s % pop.history.size()];
  const bool diverged = a.kind == engine::Word::diverged;
  if (diverged || a.step > 0) record_through(diverged ? a.step : a.step - 1, mine);
  throw_failure(a);
}

// Phase 2 on ranks: the step's deliveries (and rules); in owner mode, where a `next` step follows,
// with the next step's neurons in the same batch and its spikes gathered (from what its neurons
// left where one failed: every rank sends a list for every step). A failure is this rank's, at
// its step, told at the next exchange; rank 0's recorders run after the exchange, as without
// owner mode.
void Simulation::Impl::deliver_ranks(uint64_t step, bool next, RunReport &rep, engine::Word &mine) {
  const bool batch = owner_possible && step >= kOwnerFrom && next;
  if (batch && owner.empty()) {
    enter_owner();
    rep.owner_from = step;
  }
  if (batch) rebalance_owner(step - rep.owner_from, exp.simulation.n_steps - step);
  uint64_t at = step; // (owner_step moves it to the next step where that step's neurons failed)
  if (mine.kind == engine::Word::ok) try {
      if (owner.empty())
        phase2(step);
      else
        owner_step(at, !batch); // (not a batch: the run's last step, its deliveries alone)
    } catch (...) {
      mine = engine::failure_word(std::current_exception(), at);
    }
  if (batch && gathered != step + 1) gather_spikes(step + 1);
}

// Rank 0's recorders of the steps from the first not yet recorded to `last`, each with what it
// reads of other ranks gathered first (every rank takes part). This rank's own failure stops the
// recording where one process stops it (after a diverging step, before a failing one); a
// recorder's failure is this rank's, told at the next exchange.
void Simulation::Impl::record_through(uint64_t last, engine::Word &mine) {
  for (uint64_t s = recorded_until; s <= last; ++s) {
    gather_recorded(s, false);
    const bool failed = mine.kind != engine::Word::ok;
    if (failed && (s > mine.step || (s == mine.step && mine.kind != engine::Word::diverged)))
      continue;
    try {
      call_recorders(s, false);
    } catch (...) {
      mine = engine::failure_word(std::current_exception(), s);
    }
  }
  recorded_until = std::max(recorded_until, last + 1);
}

// ---- the loop for a network on a GPU ----
// The device engine (device_engine.hpp) takes chunks of steps, each ending where a schedule
// changes a parameter or I_app, and after each the host replays the chunk through the recorders
// step by step; schedules are applied on the host between chunks, as the CPU loop applies them
// before their step.

bool Simulation::Impl::changes_at(const Population &pop, uint64_t step) const {
  for (const auto &sched : pop.spec->schedules)
    for (const auto &c : sched.changes)
      if (c.step == step) return true;
  for (const auto &c : pop.spec->i_app_changes)
    if (c.step == step) return true;
  return false;
}

// The schedules' changes at `step` with a device: a changed population's fields come to the host
// (an update may read the state), take the values there, and go back.
void Simulation::Impl::apply_device_schedules(uint64_t step) {
  std::vector<std::size_t> changed;
  for (std::size_t p = 0; p < pops.size(); ++p)
    if (changes_at(pops[p], step)) changed.push_back(p);
  for (std::size_t p : changed)
    device->before_change(p);
  apply_schedules(step);
  for (std::size_t p : changed)
    device->after_change(p);
}

// The first step after `after` at which a schedule changes something, or at which a recorder
// reads the weights of a rule's projection on the device (after the step before: the device's
// weights come to the host at a chunk's end), or the run's end.
uint64_t Simulation::Impl::next_change(uint64_t after) const {
  uint64_t next = exp.simulation.n_steps;
  for (std::size_t q = 0; q < projs.size(); ++q)
    if (projs[q].plasticity && projs[q].backend == GG_BACKEND_CUDA)
      next = device_plan::next_sample_end(after, device_plan::weight_reads(recs, q).every, next);
  for (const auto &pop : pops) {
    for (const auto &sched : pop.spec->schedules)
      for (const auto &c : sched.changes)
        if (c.step > after) next = std::min(next, c.step);
    for (const auto &c : pop.spec->i_app_changes)
      if (c.step > after) next = std::min(next, c.step);
  }
  return next;
}

// The first step after `after` that ends a chunk: `change` (next_change's), or the end of a
// sample of a recorder on the device (its kernels run after the chunk's last step; no host work
// between).
uint64_t Simulation::Impl::next_boundary(uint64_t after, uint64_t change) const {
  uint64_t next = change;
  for (const auto &rec : recs)
    if (rec.backend == GG_BACKEND_CUDA)
      next = device_plan::next_sample_end(after, {std::max<uint64_t>(1, rec.spec->every)}, next);
  return next;
}

RunReport Simulation::Impl::run_device(const std::function<void(double)> &progress,
                                       const std::atomic<int> *stop) {
  RunReport rep;
  rep.setup_s = setup_s;
  rep.threads = mixed ? pool->size() : 1;
  const auto t0 = Clock::now();
  Ticker ticker{progress, exp.simulation.dt, t0};
  const uint64_t n_steps = exp.simulation.n_steps;
  uint64_t done = 0; // the steps the recorders have seen
  const auto each = [&](uint64_t s) {
    call_recorders(s, false);
    done = s + 1;
  };
  const auto stopping = [&] { return stop && stop->load(std::memory_order_relaxed) != 0; };
  // The steps of the chunk the device runs ahead (enqueued before the last one's replay), 0: none.
  uint64_t ahead = 0;
  try {
    for (uint64_t step = 0; step < n_steps;) {
      if (stopping() && ahead == 0) { // (a chunk ahead is replayed first: its steps are taken)
        rep.stopped_by = stop->load();
        break;
      }
      if (mixed) {
        apply_device_schedules(step);
        const uint64_t last = std::min(step + interval, next_boundary(step, next_change(step))) - 1;
        mixed_window(step, last, each);
        for (; step <= last; ++step) // (the ticker looks at every 64th step)
          ticker.after(step);
        continue;
      }
      apply_device_schedules(step);
      const uint64_t change = next_change(step);
      const uint64_t count =
          ahead ? ahead : std::min(kDeviceChunk, next_boundary(step, change) - step);
      // The chunk after it, where nothing happens on the host between the two (a schedule's
      // change, a read of the device's weights, the run's end or a stop): the device runs it
      // while the host replays this one.
      const uint64_t end = step + count;
      const uint64_t next = end < n_steps && end < change && !stopping()
                                ? std::min(kDeviceChunk, next_boundary(end, next_change(end)) - end)
                                : 0;
      const uint64_t taken = device->run(step, count, next, each);
      ahead = taken == count ? next : 0;
      step += taken;
      if (progress) progress(double(step) * exp.simulation.dt);
    }
  } catch (const engine::Divergence &d) {
    rep.diverged = true;
    rep.divergence = d.what();
  } catch (...) {
    steps_done = done;
    throw;
  }
  device->finish();
  rep.steps_done = steps_done = done;
  rep.simulated_ms = double(done) * exp.simulation.dt;
  if (done > 0) call_recorders(done - 1, true);
  rep.run_s = seconds_since(t0);
  if (progress) progress(rep.simulated_ms);
  rep.device = device->summary(); // (before the members' reports copy it)
  report(rep);
  return rep;
}

// Steps first .. last of a network on both backends (a window of at most `interval` steps,
// device_plan::mixed_interval): the
// device's steps are enqueued (all but the last one's deliveries) while the host takes its own,
// then the spikes that cross in the window are exchanged, both sides deliver the last step's, and
// the window's recorders run, step by step (`each`). A divergence on the CPU stops the run after
// its step's recorders, as in the CPU's loop, unless the device diverged first.
void Simulation::Impl::mixed_window(uint64_t first, uint64_t last,
                                    const std::function<void(uint64_t)> &each) {
  device->begin_window(first, last);
  uint64_t step = first;
  try {
    for (; step < last; ++step) {
      phase1(step);
      gather_spikes(step);
      phase2(step);
    }
    phase1(last);
  } catch (const Divergence &) {
    gather_spikes(step);
    device->exchange(first, step);
    device->abort_window(first, step, last, each); // (throws the device's, where earlier)
    throw;
  }
  gather_spikes(last);
  device->exchange(first, last);
  phase2(last);
  device->end_window(first, last, each);
}

} // namespace ganglion
