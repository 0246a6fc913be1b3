// Simulation::Impl's build: every instance's fields, the connectivity, the views the hooks see,
// the tasks the threads share, the plasticity rules' by-post index, the channels fused into the
// neurons' step, and the plugins' init hooks. Everything here runs once, before step 0.
#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <numeric>
#include <stdexcept>

#include "engine/batch.hpp"
#include "engine/device_plan.hpp"
#include "engine/hook_call.hpp"
#include "engine/impl.hpp"
#include "experiment/estimate.hpp"
#include "output/recording.hpp"
#include "random/draws.hpp"
#include "registry/registry.hpp"

namespace ganglion {

using engine::call_hook;
using engine::HookMessage;

void Simulation::Impl::build() {
  const auto t0 = engine::Clock::now();
  pool = std::make_unique<ThreadPool>(thread_count(exp.simulation));
  recut_for_tests = std::getenv("GANGLION_TEST_RECUT") != nullptr;
  auto_threads = exp.simulation.threads == 0 && pool->size() > 1;
  if (std::getenv("GANGLION_TEST_CALIBRATE")) {
    calibration.window = 4;
    calibration.start = 8;
    calibration.recheck = 64;
  }
  make_instances();
  distributed = ranks::size() > 1;
  if (writers.size() != (exp.members ? exp.members->size() : 1))
    throw std::logic_error("a run needs one output (or null) for each member");
  if (exp.members) {
    if (distributed)
      throw RunError("a batch of a sweep's members runs in one process: run the sweep without "
                     "an MPI launcher");
    for (const Experiment &m : *exp.members)
      batch_seeds.push_back(m.simulation.seed);
  }
  if (distributed) overlap_wanted = engine::overlap_exchange();
  records = ranks::rank() == 0;
  partition();
  const auto on = [&](int backend) {
    return std::any_of(pops.begin(), pops.end(),
                       [&](const auto &p) { return p.backend == backend; });
  };
  const bool on_gpu = on(GG_BACKEND_CUDA);
  mixed = on_gpu && on(GG_BACKEND_CPU);
  if (on_gpu && distributed)
    throw RunError("this run is on " + std::to_string(ranks::size()) +
                   " MPI ranks, and populations on \"cuda\" do not run over ranks yet (one GPU "
                   "per rank is planned: docs/design.md, \"Scale-out\"); run it in one process, "
                   "or set the populations' \"backend\" to \"cpu\"");
  if (distributed) auto_threads = false; // (its calibration times one rank's step alone)
  if (on_gpu) {
    device = open_device_engine();
    device->open(exp);
    auto_threads = false; // (its calibration times the CPU's step alone)
  }
  build_populations();
  build_projections();
  if (distributed) choose_interval();
  if (mixed) interval = device_plan::mixed_interval(exp);
  bind_views();
  if (!on_gpu || mixed) build_tasks(); // (of the parts on "cpu")
  build_recorders();
  init_hooks();
  for (std::size_t p = 0; p < pops.size(); ++p)
    fuse_channels(p);
  if (on_gpu) device->build(*this);
  setup_s = engine::seconds_since(t0);
}

// Every instance with its plugin and the hook table of its backend (a plasticity rule runs on
// its projection's, a recorder on the CPU), so that a backend the engine cannot run is refused
// before anything is built.
void Simulation::Impl::make_instances() {
  pops.resize(exp.populations.size());
  for (std::size_t p = 0; p < pops.size(); ++p) {
    const PopulationSpec &spec = exp.populations[p];
    pops[p].resolve(spec, *spec.plugin, spec.backend, "population", spec.name);
  }
  projs.resize(exp.projections.size());
  for (std::size_t q = 0; q < projs.size(); ++q) {
    const ProjectionSpec &spec = exp.projections[q];
    projs[q].resolve(spec, *spec.synapse, spec.backend, "projection", spec.name);
    if (spec.plasticity.empty()) continue;
    projs[q].plasticity = std::make_unique<Plasticity>();
    projs[q].plasticity->resolve(spec.plasticity.front(), *spec.plasticity.front().plugin,
                                 spec.backend, "plasticity of projection", spec.name);
  }
  recs.resize(exp.recorders.size());
  for (std::size_t r = 0; r < recs.size(); ++r) {
    const RecorderSpec &spec = exp.recorders[r];
    // (on the host, from what the device engine copies there; a recorder of a projection on cuda
    // with CUDA code samples on the device, ABI 1.11)
    const int on = recorded_on_device(exp, spec) ? GG_BACKEND_CUDA : GG_BACKEND_CPU;
    recs[r].resolve(spec, *spec.plugin, on, "recorder", spec.pointer);
  }
}

gg_view Simulation::Impl::base_view(uint64_t n, uint64_t first_gid, int backend) const {
  gg_view v{};
  v.struct_size = sizeof(gg_view);
  v.backend = backend;
  v.n = n;
  v.first_gid = first_gid;
  v.dt = exp.simulation.dt;
  v.seed = exp.simulation.seed;
  v.rng_stream = streams::kDynamics;
  return v;
}

// A batch: which member's seed and global ids each element of `v` draws with, its element 0
// being element `offset` of population `pop` (ABI 1.12).
void Simulation::Impl::member_ids(gg_view &v, const PopulationSpec &pop, uint64_t offset) const {
  if (!pop.member_size) return;
  v.batch_n = pop.member_size;
  v.batch_offset = offset;
  v.batch_first_gid = pop.member_first_gid;
  v.batch_seeds = batch_seeds.data();
}

// Each population's fields (validated element by element, and under each schedule's values),
// its input, I_app, and what the step checks.
void Simulation::Impl::build_populations() {
  const auto &sim = exp.simulation;
  for (auto &pop : pops) {
    const uint64_t n = pop.spec->size;
    pop.fields.make(pop.desc, n, pop.spec->values, sim.seed, pop.spec->first_gid);
    engine::validate_elements(pop.desc, pop.fields.ptrs, pop.fields.uniform, n, pop.spec->pointer,
                              "neuron");
    validate_schedules(pop);
    pop.input.assign(padded(n), 0.0);
    const bool has_i_app = pop.spec->i_app.kind != ValueSpec::Kind::Constant ||
                           pop.spec->i_app.a != 0 || !pop.spec->i_app_changes.empty();
    if (has_i_app)
      pop.i_app =
          make_field(i_app_field(), pop.spec->i_app, n, sim.seed, pop.spec->first_gid, kIAppSalt);
    // Sources may emit several spikes per neuron in a step (a Poisson count).
    pop.capacity = (pop.desc->flags & GG_DESC_SOURCE) ? 8 * n + 1024 : n;
    for (uint32_t k = 0; k < pop.desc->n_fields; ++k)
      if (pop.desc->fields[k].flags & GG_BOUND_CHECKED) pop.checked.push_back(k);
    if (pop.desc->flags & GG_DESC_RATE) pop.rate_field = field_index(pop.desc, "r");
  }
}

// The values in force after each scheduled change, every neuron through the plugin's validate
// hook before anything runs (on a copy of the fields: the run starts from the initial ones).
void Simulation::Impl::validate_schedules(const Population &pop) const {
  if (!pop.desc->validate || pop.spec->schedules.empty()) return;
  const uint64_t n = pop.spec->size;
  engine::Fields fields = pop.fields.copy();
  std::vector<uint64_t> steps;
  for (const auto &sched : pop.spec->schedules)
    for (const auto &c : sched.changes)
      steps.push_back(c.step);
  std::sort(steps.begin(), steps.end());
  steps.erase(std::unique(steps.begin(), steps.end()), steps.end());
  for (uint64_t step : steps) {
    for (const auto &sched : pop.spec->schedules)
      for (const auto &c : sched.changes)
        if (c.step == step) fields.set(pop.desc, uint32_t(sched.field), c.value, n);
    engine::validate_elements(
        pop.desc, fields.ptrs, fields.uniform, n,
        pop.spec->pointer + " (from t = " + engine::format_ms(double(step) * exp.simulation.dt) +
            ", with the schedules' values)",
        "neuron");
  }
}

namespace {

// GANGLION_CONNECT: "device" (the default) or "host", where a projection on "cuda" draws its rows.
bool connect_on_host() {
  const char *v = std::getenv("GANGLION_CONNECT");
  if (!v || std::strcmp(v, "device") == 0) return false;
  if (std::strcmp(v, "host") == 0) return true;
  throw RunError(std::string("GANGLION_CONNECT=") + v +
                 ": say \"device\" (the default: the rows of a projection on \"cuda\" drawn on "
                 "the GPU) or \"host\" (drawn by the host's threads)");
}

// Whether projection q's synapses, held on the device, all have one weight: a constant one, the
// same in every member of a batch.
bool held_one_weight(const Experiment &exp, std::size_t q) {
  const ProjectionSpec &p = exp.projections[q];
  const auto same = [&](const ProjectionSpec &x) {
    return x.weight_dist.kind == ValueSpec::Kind::Constant && float(x.weight) == float(p.weight);
  };
  if (!exp.members) return same(p);
  return std::all_of(exp.members->begin(), exp.members->end(),
                     [&](const Experiment &m) { return same(m.projections[q]); });
}

} // namespace

// Each projection's synapses and fields.
void Simulation::Impl::build_projections() {
  const auto &sim = exp.simulation;
  std::vector<bool> recorded(projs.size(), false); // a recorder reads its synapses
  for (const auto &r : exp.recorders)
    if (r.projection >= 0) recorded[std::size_t(r.projection)] = true;
  for (std::size_t q = 0; q < projs.size(); ++q) {
    auto &proj = projs[q];
    const auto &pre = exp.populations[proj.spec->pre];
    const auto &post = exp.populations[proj.spec->post];
    // 2 bytes a synapse where the synapse model reads the compact layout and only it does.
    const bool compact = (proj.desc->flags & GG_DESC_COMPACT_CSR) &&
                         proj.spec->plasticity.empty() && !recorded[q] &&
                         proj.backend == GG_BACKEND_CPU; // (the device reads 32-bit targets)
    const CsrLayout layout{compact && post.size <= 65536, compact};
    // Several ranks: the synapses onto this rank's neurons, drawn from their places in the whole
    // rows (every rank takes part in the count, whatever its share); rank 0 also builds the whole
    // projection where a recorder reads it.
    const std::size_t to = std::size_t(proj.spec->post);
    const RowPlaces places = distributed ? RowPlaces(ranks::sum_below) : RowPlaces();
    // On "cuda" the rows are drawn on the GPU (the same synapses; device_engine.hpp's rows), unless
    // GANGLION_CONNECT=host asks for the host's threads (to tell a builder's fault from the rest).
    // They stay there, their weights and delays drawn there too, unless the host reads them (a
    // rule's by-post index, a recorder).
    RowBuilder *rows =
        proj.backend == GG_BACKEND_CUDA && device && !connect_on_host() ? device->rows() : nullptr;
    if (rows) rows->keep = kept_on_device(exp, q) && !distributed;
    proj.csr = exp.members ? batch_connectivity(exp, q, pool.get(), layout, rows)
                           : build_connectivity(*proj.spec, pre, post, sim.seed, sim.dt, pool.get(),
                                                layout, {own_lo[to], own_hi[to]}, places, rows);
    if (distributed && recorded[q] && records)
      whole_csr[q] =
          build_connectivity(*proj.spec, pre, post, sim.seed, sim.dt, pool.get(), layout);
    if (!proj.csr.delay.empty()) proj.queue.reset(proj.csr.max_delay);
    proj.fields.make(proj.desc, post.size, proj.spec->values, sim.seed, post.first_gid);
    pops[proj.spec->post].incoming.push_back(q);
  }
}

// The populations' spike histories (as deep as their longest outgoing delay) and the views of
// populations, projections and their rules.
void Simulation::Impl::bind_views() {
  // (as deep as an interval between exchanges, too: rank 0's recorders read its steps after it;
  // two where one is in flight while the next runs; and one step more, which owner mode gathers
  // before they run)
  const uint64_t intervals = overlapped ? 2 * interval : interval;
  std::vector<uint64_t> depth(pops.size(), distributed ? intervals + 1 : intervals);
  for (const auto &proj : projs)
    depth[proj.spec->pre] = std::max(depth[proj.spec->pre], proj.csr.max_delay);
  for (std::size_t p = 0; p < pops.size(); ++p) {
    auto &pop = pops[p];
    pop.history.assign(depth[p], std::vector<uint32_t>(pop.capacity));
    pop.history_count.assign(depth[p], 0);
    pop.view = base_view(pop.spec->size, pop.spec->first_gid, pop.backend);
    member_ids(pop.view, *pop.spec, 0);
    if (exp.members) pop.member_spikes.assign(exp.members->size(), 0);
    pop.fields.bind(pop.view);
    pop.view.input = pop.input.data();
    // (a batch: each member's, member after member)
    pop.input_means.assign(pop.incoming.size() * (exp.members ? exp.members->size() : 1), 0.0);
    for (std::size_t q : pop.incoming)
      pop.input_names.push_back(exp.projections[q].name.c_str());
  }
  for (auto &proj : projs) {
    auto &post = pops[proj.spec->post];
    const auto &pre = pops[proj.spec->pre];
    proj.view = base_view(post.spec->size, post.spec->first_gid, proj.backend);
    member_ids(proj.view, *post.spec, 0);
    proj.fields.bind(proj.view);
    proj.view.post_input = post.input.data();
    const int v = field_index(post.desc, "V");
    if (v >= 0) proj.view.post_v = post.fields.ptrs[std::size_t(v)];
    proj.view.row_ptr = proj.csr.row_ptr.data();
    proj.view.post_index = proj.csr.narrow() ? nullptr : proj.csr.post_index.data();
    proj.view.post_index16 = proj.csr.narrow() ? proj.csr.post_index16.data() : nullptr;
    proj.view.weight = proj.csr.weight.data();
    proj.view.n_pre = pre.spec->size;
    if (pre.rate_field >= 0) proj.view.pre_rate = pre.fields.ptrs[std::size_t(pre.rate_field)];
    if (pre.desc->flags & GG_DESC_DRIVE) {
      proj.drive_rate = pre.fields.ptrs[std::size_t(field_index(pre.desc, "rate"))];
      proj.drive_stream = streams::kDrive + proj.spec->stream;
      proj.drive_ids = {exp.simulation.seed,    post.spec->first_gid,        pre.spec->member_size,
                        post.spec->member_size, post.spec->member_first_gid, batch_seeds.data()};
    }
    proj.view.projection = proj.spec->name.c_str();
    if (proj.plasticity) build_plasticity(proj);
    // One weight for every synapse, for the whole run: delivery can skip the weight loads (and
    // a compact layout keeps that one value alone). (Synapses held on the device have one where
    // it is not drawn and, in a batch, every member's is the same.)
    const auto &w = proj.csr.weight;
    const bool one =
        proj.csr.held.count
            ? held_one_weight(exp, std::size_t(&proj - projs.data()))
            : !w.empty() && std::all_of(w.begin(), w.end(), [&](float x) { return x == w[0]; });
    proj.view.weights_uniform = proj.spec->plasticity.empty() && one;
  }
}

// A rule's fields, its by-post index (the synapses of each postsynaptic neuron: the CSR is by
// presynaptic neuron) and its views: the whole rule, and its presynaptic traces alone.
void Simulation::Impl::build_plasticity(Projection &proj) {
  Plasticity &pl = *proj.plasticity;
  const auto &post = pops[proj.spec->post];
  const auto &pre = pops[proj.spec->pre];
  const uint64_t n_post = post.spec->size, n_pre = pre.spec->size;
  pl.fields.make(pl.desc, n_post, pl.spec->values, exp.simulation.seed, post.spec->first_gid,
                 n_pre);
  const Csr &c = proj.csr;
  pl.col_ptr.assign(n_post + 1, 0);
  for (uint64_t k = 0; k < c.size(); ++k)
    ++pl.col_ptr[c.post_index[k] + 1];
  for (uint64_t j = 0; j < n_post; ++j)
    pl.col_ptr[j + 1] += pl.col_ptr[j];
  pl.col_synapse.resize(c.size());
  pl.col_pre.resize(c.size());
  std::vector<uint64_t> fill(pl.col_ptr.begin(), pl.col_ptr.end() - 1);
  for (uint64_t i = 0; i < n_pre; ++i)
    for (uint64_t k = c.row_ptr[i]; k < c.row_ptr[i + 1]; ++k) {
      const uint64_t at = fill[c.post_index[k]]++;
      pl.col_synapse[at] = k;
      pl.col_pre[at] = uint32_t(i);
    }
  pl.view = proj.view;
  pl.fields.bind(pl.view);
  pl.view.n_pre = n_pre;
  pl.view.plastic_weight = proj.csr.weight.data();
  pl.view.n_synapses = c.size();
  pl.view.col_ptr = pl.col_ptr.data();
  pl.view.col_synapse = pl.col_synapse.data();
  pl.view.col_pre = pl.col_pre.data();
  pl.view.rule_part = GG_RULE_WHOLE;
  pl.view.post_begin = 0;
  pl.view.post_end = n_post;
  pl.pre_view = pl.view;
  pl.pre_view.rule_part = GG_RULE_PRE_TRACES;
}

void Simulation::Impl::build_tasks() {
  build_slices();
  build_groups(pool->size(), groups);
  if (pool->size() > 1) build_groups(1, whole_groups);
  owner_possible = pool->size() > 1 && !projs.empty() && !device;
  for (const auto &proj : projs)
    owner_possible = owner_possible && (proj.desc->flags & GG_DESC_SPLIT_STEP) &&
                     !(proj.desc->flags & GG_DESC_WRITES_POST_V) &&
                     (!proj.plasticity || proj.plasticity->split()) && proj.csr.delay.empty();
  for (const auto &r : exp.recorders)
    owner_possible = owner_possible && (r.plugin->desc->flags & GG_DESC_SPIKES_ONLY);
  slice_cost.assign(slices.size(), 1.0); // equal until the first sample (step 0) replaces it
  group_cost.assign(groups.size(), 0.0);
  group_order.resize(groups.size());
  std::iota(group_order.begin(), group_order.end(), std::size_t(0));
}

namespace {

// Offsets a field table to element `begin` (sequence values stay whole: their offsets move).
void offset_fields(const gg_descriptor *d, const std::vector<double *> &all,
                   const std::vector<const uint64_t *> &offs, uint64_t begin,
                   std::vector<double *> &out, std::vector<const uint64_t *> &out_offs) {
  out.resize(all.size());
  out_offs.assign(all.size(), nullptr);
  for (uint32_t k = 0; k < all.size(); ++k) {
    const bool seq = d->fields[k].type == GG_TYPE_SEQUENCE;
    out[k] = seq ? all[k] : all[k] + begin;
    if (offs[k]) out_offs[k] = offs[k] + begin;
  }
}

} // namespace

// Phase 1's tasks: each population cut into slices of kSliceSize neurons, with their views of the
// neuron and of each incoming projection's `current`. A batch's members are cut apart, each from
// its first neuron as its run alone cuts it (an inputs recorder's sums: its slices' in turn).
void Simulation::Impl::build_slices() {
  for (std::size_t p = 0; p < pops.size(); ++p) {
    auto &pop = pops[p];
    if (pop.backend != GG_BACKEND_CPU) continue; // (the device engine's)
    const uint64_t member = pop.spec->member_size ? pop.spec->member_size : own_hi[p];
    for (uint64_t begin = own_lo[p], end; begin < own_hi[p]; begin = end) {
      end = std::min((begin / member + 1) * member, begin + kSliceSize);
      Slice sl;
      sl.pop = p;
      sl.begin = begin;
      sl.end = end;
      const uint64_t m = sl.end - begin;
      offset_fields(pop.desc, pop.fields.ptrs, pop.fields.offsets, begin, sl.fields, sl.offsets);
      sl.view = pop.view;
      sl.view.n = m;
      sl.view.first_gid = pop.spec->first_gid + begin;
      sl.view.batch_offset = begin;
      sl.view.fields = sl.fields.data();
      sl.view.offsets = sl.offsets.data();
      sl.view.input = pop.input.data() + begin;
      const bool source = pop.desc->flags & GG_DESC_SOURCE;
      sl.spikes.resize(source ? 8 * m + 1024 : m);
      sl.view.spike_capacity = sl.spikes.size();
      sl.in_fields.resize(pop.incoming.size());
      sl.in_offsets.resize(pop.incoming.size());
      for (std::size_t k = 0; k < pop.incoming.size(); ++k) {
        auto &proj = projs[pop.incoming[k]];
        offset_fields(proj.desc, proj.fields.ptrs, proj.fields.offsets, begin, sl.in_fields[k],
                      sl.in_offsets[k]);
      }
      for (std::size_t k = 0; k < pop.incoming.size(); ++k) {
        auto &proj = projs[pop.incoming[k]];
        gg_view v = proj.view;
        v.n = m;
        v.first_gid = pop.spec->first_gid + begin;
        v.batch_offset = begin;
        v.fields = sl.in_fields[k].data();
        v.offsets = sl.in_offsets[k].data();
        v.post_input = pop.input.data() + begin;
        if (v.post_v) v.post_v += begin;
        sl.in_views.push_back(v);
      }
      sl.input_sums.assign(pop.incoming.size(), 0.0);
      slices.push_back(std::move(sl));
    }
  }
}

// Phase 2: one task per projection, except that projections writing the postsynaptic V share
// one task per postsynaptic population (file order), and a projection that holds more than
// its thread's share of the synapses is split into one task per thread (split_delivery).
// Phase 2's tasks for `threads` threads into `groups` (a projection's parts split between threads
// only where threads > 1).
void Simulation::Impl::build_groups(unsigned threads, std::vector<std::vector<Member>> &groups) {
  uint64_t synapses = 0;
  for (const auto &proj : projs)
    synapses += proj.csr.size();
  std::vector<long> v_group(pops.size(), -1);
  for (std::size_t q = 0; q < projs.size(); ++q) {
    if (projs[q].backend != GG_BACKEND_CPU) continue; // (the device engine's)
    const std::size_t post = std::size_t(projs[q].spec->post);
    if (projs[q].desc->flags & GG_DESC_WRITES_POST_V) {
      if (v_group[post] < 0) {
        v_group[post] = long(groups.size());
        groups.emplace_back();
      }
      groups[std::size_t(v_group[post])].push_back({q});
    } else if (threads > 1 && (projs[q].csr.size() * threads > synapses || projs[q].plasticity) &&
               split_delivery(projs[q], threads)) {
      for (std::size_t p = 0; p < projs[q].parts.size(); ++p)
        groups.push_back({{q, int(p)}});
    } else {
      groups.push_back({{q}});
    }
  }
}

// Each recorder writes to its member's output, its sink there numbered in the member's order.
void Simulation::Impl::build_recorders() {
  std::vector<uint32_t> sinks(writers.size(), 0);
  for (auto &rec : recs)
    build_recorder(rec, sinks[rec.spec->member]++);
}

// A recorder's fields and its view of its population (and of its projection, if any), of its
// member's block in a batch; its output goes to its writer's sink `r`, or nowhere without a file.
void Simulation::Impl::build_recorder(Recorder &rec, std::size_t r) {
  auto &pop = pops[rec.spec->population];
  rec.n = pop.spec->size;
  uint64_t first_gid = pop.spec->first_gid, seed = exp.simulation.seed;
  if (pop.spec->member_size) {
    rec.member_block = true;
    rec.n = pop.spec->member_size;
    rec.at = rec.spec->member * rec.n;
    first_gid = pop.spec->member_first_gid;
    seed = batch_seeds[rec.spec->member];
  }
  rec.fields.make(rec.desc, rec.n, rec.spec->values, seed, first_gid);
  if (rec.spec->projection >= 0) {
    // A recorder of a projection: its weights, and the synapses chosen to follow.
    // (checked where the recorder runs, against the whole projection, or the member's block)
    const std::size_t q = std::size_t(rec.spec->projection);
    if (rec.member_block) member_rows(rec);
    const uint64_t size = rec.member_block ? rec.post_index.size() : recorded_csr(q).size();
    for (uint64_t k : rec.spec->synapses)
      if (records && k >= size)
        throw RunError(rec.spec->pointer + "/synapses: synapse " + std::to_string(k) +
                       " does not exist: projection '" + projs[q].spec->name + "' has " +
                       std::to_string(size) + " synapses (0 to " + std::to_string(size - 1) + ")");
  }
  for (uint32_t k = 0; k < pop.desc->n_fields; ++k) // (a sequence's values are not offset)
    rec.pop_fields.push_back(pop.fields.ptrs[k] +
                             (pop.fields.offsets[k] ? 0 : std::ptrdiff_t(rec.at)));
  for (const auto &name : rec.spec->variable_names)
    rec.variable_names.push_back(name.c_str());
  for (const uint32_t k : rec.spec->variables)
    rec.variable_units.push_back(pop.desc->fields[k].unit);
  rec.view = base_view(rec.n, first_gid, rec.backend);
  rec.view.seed = seed;
  rec.fields.bind(rec.view);
  rec.view.pop_fields = rec.pop_fields.data();
  rec.view.select = rec.spec->neurons.empty() ? nullptr : rec.spec->neurons.data();
  rec.view.n_select = rec.spec->neurons.size();
  rec.view.variables = rec.spec->variables.data();
  rec.view.n_variables = uint32_t(rec.spec->variables.size());
  rec.view.variable_names = rec.variable_names.data();
  rec.view.variable_units = rec.variable_units.data();
  rec.view.population = pop.spec->name.c_str();
  rec.view.every = rec.spec->every;
  Recording *writer = writers[rec.spec->member];
  rec.view.sink = writer ? writer->sink(uint32_t(r)) : rec.null_sink->view();
  rec.view.input_means = pop.input_means.data() + rec.spec->member * pop.incoming.size();
  rec.view.input_names = pop.input_names.data();
  rec.view.n_inputs = uint32_t(pop.input_names.size());
  rec.view.input_unit = pop.desc->input_unit ? pop.desc->input_unit : "";
  if (std::strcmp(rec.desc->name, "inputs") == 0) pop.record_inputs = true;
  if (rec.spec->projection >= 0) bind_recorded_projection(rec);
}

// A batch's recorder of a projection: its member's rows and targets as the member's run alone
// has them (a copy, each counted from the member's first).
void Simulation::Impl::member_rows(Recorder &rec) {
  const auto &proj = projs[std::size_t(rec.spec->projection)];
  const Csr &c = proj.csr;
  const uint64_t n_pre = pops[proj.spec->pre].spec->member_size;
  const uint64_t n_post = pops[proj.spec->post].spec->member_size;
  const uint64_t m = rec.spec->member, first = c.row_ptr[m * n_pre];
  rec.row_ptr.resize(n_pre + 1);
  for (uint64_t i = 0; i <= n_pre; ++i)
    rec.row_ptr[i] = c.row_ptr[m * n_pre + i] - first;
  rec.post_index.resize(rec.row_ptr[n_pre]);
  for (uint64_t k = 0; k < rec.post_index.size(); ++k)
    rec.post_index[k] = uint32_t(c.post(first + k) - m * n_post);
}

// A projection recorder's view of the synapses it records.
void Simulation::Impl::bind_recorded_projection(Recorder &rec) {
  auto &proj = projs[std::size_t(rec.spec->projection)];
  const Csr &c = recorded_csr(std::size_t(rec.spec->projection));
  rec.view.weight = c.weight.data();
  rec.view.n_synapses = c.size();
  rec.view.row_ptr = c.row_ptr.data();
  rec.view.post_index = c.post_index.data();
  rec.view.n_pre = pops[proj.spec->pre].spec->size;
  if (rec.member_block) { // (its member's rows: member_rows)
    rec.view.weight += c.row_ptr[rec.spec->member * (rec.row_ptr.size() - 1)];
    rec.view.n_synapses = rec.post_index.size();
    rec.view.row_ptr = rec.row_ptr.data();
    rec.view.post_index = rec.post_index.data();
    rec.view.n_pre = rec.row_ptr.size() - 1;
  }
  rec.view.projection = proj.spec->name.c_str();
  rec.view.chosen_synapses = rec.spec->synapses.data();
  rec.view.n_chosen_synapses = rec.spec->synapses.size();
}

// Plugins derive what they precompute and recorders declare their datasets: a failure here is
// still before anything ran.
void Simulation::Impl::init_hooks() {
  // An instance on cuda whose device table has its own `init` runs that one (DeviceEngine::build)
  // instead of the CPU's on the host copies.
  const auto host_init = [](const auto &x) {
    return x.cuda && x.cuda->init ? nullptr : x.hooks->init;
  };
  for (auto &pop : pops)
    call_hook(
        host_init(pop), pop.view, pop.site, [&] { return "population '" + pop.spec->name + "'"; },
        "init");
  for (auto &proj : projs) {
    call_hook(
        host_init(proj), proj.view, proj.site,
        [&] { return "projection '" + proj.spec->name + "'"; }, "init");
    if (proj.plasticity)
      call_hook(
          proj.plasticity->hooks->init, proj.plasticity->view, proj.plasticity->site,
          [&] { return "plasticity of projection '" + proj.spec->name + "'"; }, "init");
  }
  for (auto &rec : recs) {
    if (!records) break;
    call_hook(
        rec.hooks->init, rec.view, rec.site, [&] { return "recorder " + rec.spec->pointer; },
        "init");
    if (Recording *w = writers[rec.spec->member]) w->check();
  }
}

// A synapse's channel form for one view (gg_hooks.channel, ABI 1.3), or GG_CHANNEL_NONE.
gg_channel Simulation::Impl::channel_of(const Projection &proj, const gg_view &v) {
  gg_channel c{GG_CHANNEL_NONE, nullptr, 0, 0, 0};
  const auto hook = channel_hook(proj.hooks);
  if (!hook) return c;
  HookMessage m;
  if (hook(&v, &c, &m.err) != GG_OK)
    throw RunError("projection '" + proj.spec->name + "': channel failed: " + m.str());
  return c;
}

// A neuron that computes its synaptic channels in its own step (GG_DESC_CHANNELS) gets those of
// its incoming projections whose `current` has a channel form, when they are all of one form and
// at most GG_MAX_CHANNELS, and no recorder needs the projections' inputs one by one. Their
// `current` is then not called: the neuron's pass reads and advances their state once.
void Simulation::Impl::fuse_channels(std::size_t p) {
  auto &pop = pops[p];
  std::vector<std::size_t> chosen;
  if ((pop.desc->flags & GG_DESC_CHANNELS) && !pop.record_inputs) {
    bool one_form = true;
    int form = GG_CHANNEL_NONE;
    for (std::size_t k = 0; k < pop.incoming.size(); ++k) {
      const gg_channel c = channel_of(projs[pop.incoming[k]], projs[pop.incoming[k]].view);
      if (c.form == GG_CHANNEL_NONE) continue;
      one_form = one_form && (form == GG_CHANNEL_NONE || c.form == form);
      form = c.form;
      chosen.push_back(k);
    }
    if (!one_form || chosen.size() > GG_MAX_CHANNELS) chosen.clear();
  }
  for (std::size_t k : chosen) {
    projs[pop.incoming[k]].fused = true;
    projs[pop.incoming[k]].channel =
        channel_of(projs[pop.incoming[k]], projs[pop.incoming[k]].view);
  }
  pop.accumulates = pop.record_inputs || chosen.size() < pop.incoming.size();
  for (auto &sl : slices) {
    if (sl.pop != p) continue;
    // Nothing adds into the input: the slice reads I_app in place, or, where the neuron has
    // channels, no input at all (GG_DESC_CHANNELS allows NULL); others read the zeros.
    if (!pop.accumulates && !pop.i_app.values.empty())
      sl.view.input = pop.i_app.values.data() + sl.begin;
    else if (!pop.accumulates && !chosen.empty())
      sl.view.input = nullptr;
    sl.channels.clear();
    for (std::size_t k : chosen)
      sl.channels.push_back(channel_of(projs[pop.incoming[k]], sl.in_views[k]));
    sl.view.channels = sl.channels.empty() ? nullptr : sl.channels.data();
    sl.view.n_channels = uint32_t(sl.channels.size());
  }
}

} // namespace ganglion
