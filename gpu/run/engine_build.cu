// The device engine's build (engine.hpp): the host's network uploaded, population by population
// and projection by projection (their fields, rings, synapses kept or copied, rules, fused
// channels), the recorders' logs in two sets, and the gates that read them.
#include <algorithm>

#include "run/engine.hpp"

namespace ganglion::gpu {

// An instance's device view, the host's with the device's fields, stream and backend, and the CUDA
// view its hooks get (`host` its host copies, the step counter the device's).
void Engine::bind_views(gg_view &view, gg_cuda_view &cv, const gg_view &host,
                        const DeviceFields &fields) {
  view = host;
  view.backend = GG_BACKEND_CUDA;
  view.cuda_stream = stream_;
  view.fields = fields.ptrs.data();
  view.offsets = fields.offsets.data();
  if (view.batch_n) view.batch_seeds = batch_seeds_; // (a batch: the device's copy)
  cv = gg_cuda_view{};
  cv.struct_size = sizeof(gg_cuda_view);
  cv.view = &view;
  cv.host = &host;
  cv.step = step_;
}

void Engine::build_population(std::size_t p) {
  engine::Population &host = sim_->pops[p];
  DevicePopulation &d = pops_[p];
  d.host = &host;
  d.index = p;
  d.n = host.spec->size;
  const uint32_t flags = host.desc->flags;
  d.owned = host.backend == GG_BACKEND_CUDA;
  d.spiking = !(flags & GG_DESC_RATE) && !(flags & GG_DESC_DRIVE);
  d.fields.upload(arena_, host.fields);
  d.capacity = uint32_t(host.capacity);
  if (!d.owned) return build_ghost(d);
  device_plan::check_capturable(*host.cuda, pop_name(host), host.desc->name);
  d.input = arena_.zeros<double>(host.input.size());
  if (!host.i_app.values.empty())
    d.i_app = arena_.copy(host.i_app.values.data(), host.i_app.values.size());
  d.spikes = arena_.zeros<uint32_t>(d.capacity);
  d.n_spikes = arena_.zeros<uint32_t>(1);
  d.out_of_range = arena_.zeros<int32_t>(1);
  d.total = arena_.zeros<unsigned long long>(1);
  if (!host.member_spikes.empty())
    d.member_totals = arena_.zeros<unsigned long long>(host.member_spikes.size());
  if (d.spiking) {
    allocate_ring(d);
    check_run(allocate_gather(d.gather, uint32_t(d.n)), "allocating the gather's buffers");
  }
  if (host.checked.size() > std::size_t(kMaxChecked))
    throw RunError(pop_name(host) + ": '" + host.desc->name + "' has more than " +
                   std::to_string(kMaxChecked) +
                   " bound-checked fields, more than the device engine checks");
  for (uint32_t k : host.checked) {
    const gg_field &f = host.desc->fields[k];
    d.checked.field[d.checked.count++] = CheckedField{d.fields.ptrs[k], f.min, f.max};
  }
  d.checked.slice = Simulation::Impl::kSliceSize;
  bind_views(d.view, d.cv, host.view, d.fields);
  d.view.input = d.input;
  d.view.spikes = nullptr;
  d.view.n_spikes = nullptr;
  d.view.spike_capacity = d.capacity;
  d.view.out_of_range = nullptr;
  d.cv.spikes = d.spikes;
  d.cv.n_spikes = d.n_spikes;
  d.cv.spike_capacity = d.capacity;
  d.cv.out_of_range = d.out_of_range;
}

// A population's spike ring, as deep as its host history, and its step's list.
void Engine::allocate_ring(DevicePopulation &d) {
  const uint32_t depth = uint32_t(d.host->history.size());
  d.ring = SpikeRing{arena_.zeros<uint32_t>(uint64_t(depth) * d.capacity),
                     arena_.zeros<uint32_t>(depth), d.capacity, depth};
  d.step_list = arena_.zeros<uint32_t>(d.capacity);
  d.step_count = arena_.zeros<uint32_t>(1);
}

// A population of a mixed network that the host steps: its fields (a drive's rates) and a spike
// ring that the exchange fills, for the device's projections it feeds.
void Engine::build_ghost(DevicePopulation &d) {
  if (d.spiking) allocate_ring(d);
}

// A projection's synapses and fields, its views, and how the step delivers its spikes.
void Engine::build_projection(std::size_t q) {
  engine::Projection &host = sim_->projs[q];
  DeviceProjection &d = projs_[q];
  d.host = &host;
  d.pre = host.spec->pre;
  d.post = host.spec->post;
  DevicePopulation &pre = pops_[d.pre], &post = pops_[d.post];
  // Rates are not exchanged between the backends (spikes are).
  if ((host.desc->flags & GG_DESC_RATE) && pre.owned != post.owned)
    throw RunError(proj_name(host) + ": its presynaptic population '" + pre.host->spec->name +
                   "' and its postsynaptic population '" + post.host->spec->name +
                   "' run on different backends, and rates do not cross between them (spikes "
                   "do): put both on one backend");
  d.active = host.backend == GG_BACKEND_CUDA;
  if (pre.owned != d.active) pre.crosses = true; // (its spikes are read on the other side)
  if (!d.active) return;
  const gg_cuda_hooks *h = host.cuda;
  device_plan::check_capturable(*h, proj_name(host), host.desc->name);
  d.fields.upload(arena_, host.fields);
  const Csr &c = host.csr;
  if (c.held.count) { // drawn and kept here (device_rows.hpp)
    const DeviceCsr &kept = rows_.kept(c);
    d.row_ptr = kept.row_ptr;
    d.post_index = kept.post;
    d.weight = kept.weight;
    d.delay = kept.delay;
  } else {
    d.row_ptr = arena_.copy(c.row_ptr.data(), c.row_ptr.size());
    d.post_index = arena_.copy(c.post_index.data(), c.post_index.size());
    d.weight = arena_.copy(c.weight.data(), c.weight.size());
    if (!c.delay.empty()) d.delay = arena_.copy(c.delay.data(), c.delay.size());
  }
  d.arrivals = arena_.zeros<gg_arrival>(pre.capacity);
  d.n_arrivals = arena_.zeros<uint32_t>(1);

  bind_views(d.view, d.cv, host.view, d.fields);
  d.view.post_input = post.input;
  const int v = field_index(post.host->desc, "V");
  d.view.post_v = v >= 0 ? post.fields.ptrs[std::size_t(v)] : nullptr;
  d.view.row_ptr = d.row_ptr;
  d.view.post_index = d.post_index;
  d.view.post_index16 = nullptr;
  d.view.weight = d.weight;
  const int rate = pre.host->rate_field;
  d.view.pre_rate = rate >= 0 ? pre.fields.ptrs[std::size_t(rate)] : nullptr;
  d.cv.arrivals = d.arrivals;
  d.cv.n_arrivals = d.n_arrivals;
  d.cv.arrival_capacity = pre.capacity;

  d.delivery = device_plan::delivery_of(host, *h, sim_->exp.simulation.ordered_delivery);
  if (device_plan::declares_arrivals(*h)) {
    double *x = h->arrival_target == GG_ARRIVAL_POST_V
                    ? d.view.post_v
                    : d.fields.ptrs[std::size_t(h->arrival_target)];
    const double *scale =
        h->arrival_scale >= 0 ? d.fields.ptrs[std::size_t(h->arrival_scale)] : nullptr;
    d.form = ArrivalForm{x, scale, d.post_index, d.weight, d.view.weights_uniform != 0};
  }
  using device_plan::Delivery;
  if (d.delivery == Delivery::DriveOrdered || d.delivery == Delivery::DriveScattered) {
    DriveIds ids = host.drive_ids;
    ids.seeds = batch_seeds_; // (a batch: the device's copy)
    d.drive = Drive{pre.fields.ptrs[std::size_t(field_index(pre.host->desc, "rate"))],
                    sim_->exp.simulation.dt,
                    ids,
                    host.drive_stream,
                    c.drawn_delays() ? d.delay : nullptr,
                    (host.desc->flags & GG_DESC_COUNTS) != 0};
  }
  if (d.delivery == Delivery::DrawnDelays)
    d.input_ring = InputRing{arena_.zeros<double>(post.n * c.max_delay), post.n, c.max_delay};
  if (host.plasticity) build_rule(d, pre, post);
}

// A projection's rule: its fields and by-post index uploaded, its phases, and its view, which
// reads the projection's device weights and this step's lists of both populations' spikes.
void Engine::build_rule(DeviceProjection &d, const DevicePopulation &pre,
                        const DevicePopulation &post) {
  engine::Plasticity &pl = *d.host->plasticity;
  const std::string who = "plasticity of " + proj_name(*d.host);
  device_plan::check_capturable(*pl.cuda, who, pl.desc->name);
  for (const DevicePopulation *side : {&pre, &post})
    if (!side->step_list)
      throw RunError(who + ": '" + pl.desc->name + "' reads the spikes of population '" +
                     side->host->spec->name +
                     "', which emits none (a rate unit or a drive); a rule needs spikes on both "
                     "sides of its projection");
  DeviceRule &r = d.rule;
  r.fields.upload(arena_, pl.fields);
  r.col_ptr = arena_.copy(pl.col_ptr.data(), pl.col_ptr.size());
  r.col_synapse = arena_.copy(pl.col_synapse.data(), pl.col_synapse.size());
  r.col_pre = arena_.copy(pl.col_pre.data(), pl.col_pre.size());
  std::vector<uint64_t> phases;
  for (const auto &[start, stop] : pl.spec->active) {
    phases.push_back(start);
    phases.push_back(stop);
  }
  r.phases = arena_.copy(phases.data(), phases.size());
  r.n_phases = uint32_t(pl.spec->active.size());
  // (step 0's word; each step's advance sets the next one's)
  const int32_t learning = device_plan::learning_at(0, phases.data(), r.n_phases) ? 1 : 0;
  r.learning = arena_.copy(&learning, 1);
  r.read = device_plan::weight_reads(sim_->recs, std::size_t(d.host - sim_->projs.data()));
  bind_views(r.view, r.cv, pl.view, r.fields);
  r.view.row_ptr = d.row_ptr;
  r.view.post_index = d.post_index;
  r.view.post_index16 = nullptr;
  r.view.weight = r.view.plastic_weight = d.weight;
  r.view.post_input = d.view.post_input;
  r.view.post_v = d.view.post_v;
  r.view.col_ptr = r.col_ptr;
  r.view.col_synapse = r.col_synapse;
  r.view.col_pre = r.col_pre;
  r.view.pre_spikes = pre.step_list;
  r.view.post_spikes = post.step_list;
  r.view.n_pre_spikes = r.view.n_post_spikes = 0; // (on the device: cv's)
  r.view.learning = 0;                            // (on the device: cv's)
  r.view.rule_part = GG_RULE_WHOLE;
  r.cv.n_pre_spikes = pre.step_count;
  r.cv.n_post_spikes = post.step_count;
  r.cv.pre_spike_capacity = pre.capacity;
  r.cv.post_spike_capacity = post.capacity;
  r.cv.learning = r.learning;
  d.plastic = true;
}

// A neuron's fused channels (fuse_channels chose them on the host), their state on the device,
// and the input its step reads: as on the CPU, none where nothing adds into it.
void Engine::bind_channels(DevicePopulation &d) {
  if (!d.owned) return;
  const engine::Population &host = *d.host;
  for (std::size_t q : host.incoming) {
    const engine::Projection &proj = sim_->projs[q];
    if (!proj.fused) continue;
    gg_channel c = proj.channel;
    const auto &ptrs = proj.fields.ptrs;
    const auto at = std::find(ptrs.begin(), ptrs.end(), c.g);
    if (at == ptrs.end())
      throw RunError(proj_name(proj) + ": its channel's state is not one of its fields");
    c.g = projs_[q].fields.ptrs[std::size_t(at - ptrs.begin())];
    d.channels.push_back(c);
  }
  d.view.channels = d.channels.empty() ? nullptr : d.channels.data();
  d.view.n_channels = uint32_t(d.channels.size());
  if (!host.accumulates && d.i_app)
    d.view.input = d.i_app;
  else if (!host.accumulates && !d.channels.empty())
    d.view.input = nullptr;
}

// What the host's recorders read, gathered on the device: the spikes of every recorded
// population, and the state its non-spike recorders sample; and the recorders that sample on the
// device themselves (projection recorders with CUDA hooks).
void Engine::build_recorders() {
  std::vector<std::vector<const engine::Recorder *>> by_pop(pops_.size());
  std::size_t on_device = 0;
  for (const auto &rec : sim_->recs) {
    by_pop[rec.spec->population].push_back(&rec);
    on_device += rec.backend == GG_BACKEND_CUDA ? 1 : 0;
  }
  for (std::size_t p = 0; p < pops_.size(); ++p) // (the host's recorders read the host's own)
    if (!by_pop[p].empty() && pops_[p].owned) build_logs(pops_[p], by_pop[p]);
  recs_.resize(on_device); // (views point into their elements: never resized again)
  std::vector<SamplingWord> words;
  for (auto &rec : sim_->recs) {
    if (rec.backend != GG_BACKEND_CUDA) continue;
    DeviceRecorder &d = recs_[words.size()];
    build_device_recorder(d, rec);
    words.push_back({d.every, d.sampling});
  }
  sampling_words_ = arena_.copy(words.data(), words.size());
}

// A projection recorder on the device: its record for each set, its scratch and its view, which
// reads the projection's device weights and the synapses it follows, uploaded.
void Engine::build_device_recorder(DeviceRecorder &d, engine::Recorder &host) {
  const std::string who = "recorder " + host.spec->pointer + " (" + host.desc->name + ")";
  device_plan::check_capturable(*host.cuda, who, host.desc->name);
  d.host = &host;
  d.proj = std::size_t(host.spec->projection);
  const DeviceProjection &proj = projs_[d.proj];
  if (!proj.active) // (recorded_on_device puts it on cuda with its projection alone)
    throw RunError(who + ": its projection runs on the host, and it on the device");
  d.every = std::max<uint64_t>(1, host.spec->every);
  d.fields.upload(arena_, host.fields);
  engine::HookMessage m;
  uint64_t scratch = 0;
  if (host.cuda->record_size(&host.view, &d.record_bytes, &scratch, &m.err) != GG_OK)
    throw RunError(who + ": CUDA record_size failed: " + m.str());
  for (void *&r : d.record)
    r = arena_.zeros<unsigned char>(d.record_bytes);
  d.scratch = arena_.zeros<unsigned char>(scratch);
  d.sampling = arena_.zeros<int32_t>(1);
  bind_views(d.view, d.cv, host.view, d.fields);
  d.view.weight = proj.weight;
  d.view.row_ptr = proj.row_ptr;
  d.view.post_index = proj.post_index;
  d.view.post_index16 = nullptr;
  d.view.chosen_synapses = arena_.copy(host.spec->synapses.data(), host.spec->synapses.size());
  // (the population's side is the host's: not read on the device)
  d.view.pop_fields = nullptr;
  d.view.pop_spikes = nullptr;
  d.view.select = nullptr;
  d.view.input_means = nullptr;
  d.cv.sampling = d.sampling;
  d.cv.record = d.record[0];
  d.cv.scratch = d.scratch;
}

void Engine::build_logs(DevicePopulation &d, const std::vector<const engine::Recorder *> &recs) {
  const engine::Population &host = *d.host;
  if (d.spiking && mixed_) // (the exchange puts its spikes into the host's history, step by step)
    d.crosses = true;
  else if (d.spiking) {
    const unsigned long long entries = device_plan::spike_log_entries(
        d.n, d.capacity, sim_->exp.simulation.dt, kChunkSteps, kLogRate);
    for (SpikeLog &log : d.log) {
      log = SpikeLog{arena_.zeros<unsigned long long>(entries), entries,
                     arena_.zeros<unsigned long long>(1), arena_.zeros<unsigned long long>(1),
                     arena_.zeros<unsigned long long>(1)};
      check_run(cudaMemcpy(log.paused_at, &kNotPaused, sizeof kNotPaused, cudaMemcpyHostToDevice),
                "an upload");
    }
    d.log_spikes = true;
  }
  if (host.record_inputs) { // an `inputs` recorder: the sums its means are made of, every step
    for (InputSums &sums : d.sums) {
      sums = InputSums{d.input, d.n,
                       nullptr, uint32_t(host.incoming.size() + 1),
                       nullptr, uint32_t(kChunkSteps)};
      sums.log = arena_.zeros<double>(uint64_t(sums.max_rows) * sums.cols);
      sums.rows = arena_.zeros<uint32_t>(1);
    }
    d.sums_inputs = true;
  }
  d.plan = device_plan::samples_of(host, recs, kMostEveries);
  if (d.plan.field.empty()) return;
  std::vector<const double *> device_fields;
  for (uint32_t k : d.plan.field)
    device_fields.push_back(d.fields.ptrs[k]);
  const double *const *field = arena_.copy(device_fields.data(), device_fields.size());
  const uint32_t *element = arena_.copy(d.plan.element.data(), d.plan.element.size());
  for (Samples &s : d.samples) {
    s.pairs = uint32_t(device_fields.size());
    s.field = field;
    s.element = element;
    s.max_rows = device_plan::sample_rows(s.pairs, kSampleBudget, kChunkSteps);
    s.log = arena_.zeros<double>(uint64_t(s.max_rows) * s.pairs);
    s.rows = arena_.zeros<uint32_t>(1);
    s.n_every = int(d.plan.every.size());
    for (std::size_t k = 0; k < d.plan.every.size(); ++k)
      s.every[k] = d.plan.every[k];
  }
  d.sampled = true;
}

// The gates' view of every status word and log (a gate for each set of logs), in device memory.
void Engine::build_gate() {
  for (int b = 0; b < 2; ++b) {
    std::vector<SpikeLog> logs;
    std::vector<unsigned long long> most;
    std::vector<RowLog> rows;
    for (const auto &d : pops_) {
      if (d.log_spikes) {
        logs.push_back(d.log[b]);
        most.push_back(d.capacity);
      }
      if (d.sampled) rows.push_back(RowLog{d.samples[b].rows, d.samples[b].max_rows});
      if (d.sums_inputs) rows.push_back(RowLog{d.sums[b].rows, d.sums[b].max_rows});
    }
    gate_[b] = Gate{step_,
                    stop_,
                    bounds_,
                    overflow_,
                    arena_.copy(logs.data(), logs.size()),
                    arena_.copy(most.data(), most.size()),
                    arena_.copy(rows.data(), rows.size()),
                    int(pops_.size()),
                    int(pops_.size()),
                    int(logs.size()),
                    int(rows.size())};
  }
}

} // namespace ganglion::gpu
