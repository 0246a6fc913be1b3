// The device engine (libganglion_cuda.so; the interface is framework/src/engine/device_engine.hpp):
// the network the host built, uploaded once; one step enqueued in the CPU engine's order (each
// population's input, its incoming projections' currents, its neuron step, the bound check, the
// spikes gathered into its ring in the CPU's order, logged for the recorders; then each
// projection's delivery: fixed delays from the ring, ordered or with atomics, drawn delays through
// a ring of future input, a drive's counts drawn where they arrive, or the synapse's own CUDA
// step) and captured as the body of a CUDA graph's while-node with a gate before and after it, so
// that a chunk of steps is one launch and the device decides when to stop: at the chunk's end, a
// divergence, an overflowing spike list, or a log without room for the next step. The host then
// replays the chunk through its recorders.
#include <algorithm>
#include <cstdio>
#include <cstring>

#include "engine/device_engine.hpp"
#include "engine/hook_call.hpp"
#include "experiment/estimate.hpp"
#include "run/device_network.hpp"
#include "run/device_rows.hpp"

namespace ganglion::gpu {
namespace {

constexpr uint64_t kChunkSteps = 1024;                // run_device's chunks are no longer
constexpr double kLogRate = 40;                       // Hz: a spike log holds a chunk at this rate
constexpr double kSampleBudget = 256.0 * 1024 * 1024; // bytes of state samples per population

using CudaHook = gg_status (*)(const gg_cuda_view *, gg_error *);

// Calls a CUDA hook (NULL: nothing to do); on failure throws naming the instance.
void call(CudaHook hook, const gg_cuda_view &cv, const std::string &who, const char *what) {
  if (!hook) return;
  engine::HookMessage m;
  if (hook(&cv, &m.err) != GG_OK) throw RunError(who + ": CUDA " + what + " failed: " + m.str());
}

std::string pop_name(const engine::Population &p) {
  return "population '" + p.spec->name + "'";
}
std::string proj_name(const engine::Projection &p) {
  return "projection '" + p.spec->name + "'";
}

class Engine final : public DeviceEngine {
public:
  ~Engine() override;
  void open(const Experiment &exp) override;
  RowBuilder *rows() override { return &rows_; }
  void build(Simulation::Impl &sim) override;
  uint64_t run(uint64_t first, uint64_t count, uint64_t next,
               const std::function<void(uint64_t)> &each) override;
  void before_change(std::size_t pop) override;
  void after_change(std::size_t pop) override;
  void begin_window(uint64_t first, uint64_t last) override;
  void exchange(uint64_t first, uint64_t upto) override;
  void end_window(uint64_t first, uint64_t last,
                  const std::function<void(uint64_t)> &each) override;
  void finish() override;
  std::vector<std::string> summary() const override;

private:
  void bind_views(gg_view &view, gg_cuda_view &cv, const gg_view &host, const DeviceFields &fields);
  void build_population(std::size_t p);
  void allocate_ring(DevicePopulation &d);
  void build_ghost(DevicePopulation &d);
  void build_projection(std::size_t q);
  void build_rule(DeviceProjection &d, const DevicePopulation &pre, const DevicePopulation &post);
  void bind_channels(DevicePopulation &d);
  void build_recorders();
  void build_logs(DevicePopulation &d, const std::vector<const engine::Recorder *> &recs);
  void build_gate();
  void capture();
  void capture_set(int b);
  void launch(uint64_t first, uint64_t count);
  void enqueue_step();
  void enqueue_phase1();
  void enqueue_phase2();
  void enqueue_population(DevicePopulation &d);
  void enqueue_projection(DeviceProjection &d);
  void enqueue_delivery(DeviceProjection &d);
  void copy_weights_read(uint64_t last);
  void weights_to_host(DeviceProjection &d);
  void replay(uint64_t first, uint64_t taken, const std::function<void(uint64_t)> &each, int set);
  void check_status(uint64_t last, const std::function<void(uint64_t)> &each, uint64_t first,
                    uint64_t taken, int set);
  void exchange_step(uint64_t step, bool current);
  template <class Count, class T>
  std::vector<T> take_log(Count *count, const T *entries, uint64_t width, const char *what);
  uint64_t device_bytes() const { return arena_.allocated() + rows_.kept_bytes(); }
  void sync(const char *what) { check_run(cudaStreamSynchronize(stream_), what); }
  // The device's step counter once the stream's work (`what`) is done.
  uint64_t device_step(const char *what) {
    uint64_t now = 0;
    check_run(cudaMemcpyAsync(&now, step_, sizeof now, cudaMemcpyDeviceToHost, stream_),
              "reading the step");
    sync(what);
    return now;
  }

  Simulation::Impl *sim_ = nullptr;
  DeviceRows rows_;
  Arena arena_;
  cudaStream_t stream_ = nullptr;
  // The logs' copies to the host while the next chunk runs on stream_ (non-blocking: never
  // ordered behind it), through a page-locked buffer (a copy from pageable memory would not
  // overlap the kernels).
  cudaStream_t copies_ = nullptr;
  void *staging_ = nullptr;
  std::size_t staging_bytes_ = 0;
  // The chunk's graph for each set of the recorders' logs (enqueue_* fill set_'s), and the set the
  // next launch fills; a chunk started ahead (run's `next`): its first step and count.
  cudaGraphExec_t exec_[2] = {};
  int set_ = 0, launch_set_ = 0;
  uint64_t ahead_first_ = 0, ahead_count_ = 0;
  std::string device_;
  std::vector<DevicePopulation> pops_;
  std::vector<DeviceProjection> projs_;
  uint64_t *step_ = nullptr, *stop_ = nullptr;
  BoundsStatus *bounds_ = nullptr; // one per population
  int32_t *overflow_ = nullptr;    // one per population
  Gate gate_[2]{};
  bool mixed_ = false; // some populations run on the host: in windows of steps, no graph
  // The projections' synapses on the device and the bytes they take there (CSR, weights, delays,
  // a rule's by-post index), for the summary.
  uint64_t synapses_ = 0, synapse_bytes_ = 0;
};

Engine::~Engine() {
  if (stream_) cudaStreamSynchronize(stream_); // (a chunk started ahead may still run)
  for (cudaGraphExec_t e : exec_)
    if (e) cudaGraphExecDestroy(e);
  if (copies_) cudaStreamDestroy(copies_);
  if (staging_) cudaFreeHost(staging_);
  for (auto &d : pops_)
    if (d.gather.n) free_gather(d.gather);
  if (stream_) cudaStreamDestroy(stream_);
}

// The GPU to run on, refused where there is none or it is older than the code built for it; and
// the plan of its memory checked against what is free, before anything is allocated.
void Engine::open(const Experiment &exp) {
  int count = 0;
  const cudaError_t e = cudaGetDeviceCount(&count);
  if (e != cudaSuccess || count == 0)
    throw RunError(std::string("\"backend\": \"cuda\": no usable GPU here (") +
                   (e != cudaSuccess ? cudaGetErrorString(e) : "the runtime found no device") +
                   "); run on a machine with an NVIDIA GPU of compute capability 9.0 or newer "
                   "(H100, H200), or set \"backend\": \"cpu\"");
  cudaDeviceProp prop{};
  check_run(cudaGetDeviceProperties(&prop, 0), "reading the device's properties");
  char name[512];
  std::snprintf(name, sizeof name, "GPU 0 (%s, compute capability %d.%d)", prop.name, prop.major,
                prop.minor);
  device_ = name;
  if (prop.major < 9)
    throw RunError("\"backend\": \"cuda\": " + device_ +
                   " is older than this ganglion's device code, built for compute capability "
                   "9.0 and newer (H100, H200); run there, or set \"backend\": \"cpu\"");
  check_run(cudaSetDevice(0), "choosing GPU 0");
  size_t free_bytes = 0, total = 0;
  check_run(cudaMemGetInfo(&free_bytes, &total), "reading the free device memory");
  check_device_memory(exp, estimate(exp), double(free_bytes), device_);
  // Non-blocking: never ordered behind the legacy stream, so that engines in one process (a
  // sweep's members together) do not wait for each other's synchronous copies. The build's
  // uploads (on the legacy stream) are waited for before anything is enqueued here.
  check_run(cudaStreamCreateWithFlags(&stream_, cudaStreamNonBlocking), "creating a stream");
  check_run(cudaStreamCreateWithFlags(&copies_, cudaStreamNonBlocking), "creating a stream");
}

void Engine::build(Simulation::Impl &sim) {
  sim_ = &sim;
  step_ = arena_.zeros<uint64_t>(1);
  stop_ = arena_.zeros<uint64_t>(1);
  const std::size_t n_pops = sim.pops.size();
  bounds_ = arena_.zeros<BoundsStatus>(n_pops);
  const std::vector<BoundsStatus> in_range(n_pops, all_in_range());
  check_run(
      cudaMemcpy(bounds_, in_range.data(), sizeof(BoundsStatus) * n_pops, cudaMemcpyHostToDevice),
      "an upload");
  overflow_ = arena_.zeros<int32_t>(n_pops);
  for (const auto &pop : sim.pops)
    mixed_ = mixed_ || pop.backend != GG_BACKEND_CUDA;
  pops_.resize(n_pops); // (views point into their elements: never resized again)
  for (std::size_t p = 0; p < n_pops; ++p)
    build_population(p);
  projs_.resize(sim.projs.size());
  for (std::size_t q = 0; q < projs_.size(); ++q) {
    const std::size_t before = arena_.allocated();
    build_projection(q);
    if (!projs_[q].active) continue;
    const Csr &c = sim.projs[q].csr;
    synapses_ += c.size();
    synapse_bytes_ += arena_.allocated() - before + (c.held.count ? rows_.kept(c).bytes() : 0);
  }
  for (auto &d : pops_)
    bind_channels(d);
  build_recorders();
  build_gate();
  check_run(cudaDeviceSynchronize(), "the uploads");
  for (auto &d : pops_)
    if (d.owned) call(d.host->cuda->init, d.cv, pop_name(*d.host), "init");
  for (auto &d : projs_)
    if (d.active) call(d.host->cuda->init, d.cv, proj_name(*d.host), "init");
  for (auto &d : projs_)
    if (d.plastic)
      call(d.host->plasticity->cuda->init, d.rule.cv, "plasticity of " + proj_name(*d.host),
           "init");
  check_run(cudaDeviceSynchronize(), "the init hooks");
  if (!mixed_) capture();
}

// An instance's device view, the host's with the device's fields, stream and backend, and the CUDA
// view its hooks get (`host` its host copies, the step counter the device's).
void Engine::bind_views(gg_view &view, gg_cuda_view &cv, const gg_view &host,
                        const DeviceFields &fields) {
  view = host;
  view.backend = GG_BACKEND_CUDA;
  view.cuda_stream = stream_;
  view.fields = fields.ptrs.data();
  view.offsets = fields.offsets.data();
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
  if (d.delivery == Delivery::DriveOrdered || d.delivery == Delivery::DriveScattered)
    d.drive = Drive{pre.fields.ptrs[std::size_t(field_index(pre.host->desc, "rate"))],
                    sim_->exp.simulation.dt, sim_->exp.simulation.seed, host.drive_stream,
                    post.host->spec->first_gid};
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
  r.learning = arena_.zeros<int32_t>(1);
  std::vector<uint64_t> phases;
  for (const auto &[start, stop] : pl.spec->active) {
    phases.push_back(start);
    phases.push_back(stop);
  }
  r.phases = arena_.copy(phases.data(), phases.size());
  r.n_phases = uint32_t(pl.spec->active.size());
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
// population, and the state its non-spike recorders sample.
void Engine::build_recorders() {
  std::vector<std::vector<const engine::Recorder *>> by_pop(pops_.size());
  for (const auto &rec : sim_->recs)
    by_pop[rec.spec->population].push_back(&rec);
  for (std::size_t p = 0; p < pops_.size(); ++p) // (the host's recorders read the host's own)
    if (!by_pop[p].empty() && pops_[p].owned) build_logs(pops_[p], by_pop[p]);
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

void Engine::enqueue_population(DevicePopulation &d) {
  const engine::Population &host = *d.host;
  const uint64_t bytes = d.n * sizeof(double);
  if (host.accumulates)
    check_run(d.i_app ? cudaMemcpyAsync(d.input, d.i_app, bytes, cudaMemcpyDeviceToDevice, stream_)
                      : cudaMemsetAsync(d.input, 0, bytes, stream_),
              "enqueuing the input's start");
  if (d.sums_inputs) {
    check_run(clear_sums(d.sums[set_], stream_), "enqueuing the input sums");
    check_run(sum_input(d.sums[set_], 0, stream_), "enqueuing the input sums");
  }
  for (std::size_t k = 0; k < host.incoming.size(); ++k) {
    DeviceProjection &in = projs_[host.incoming[k]];
    if (in.host->fused) continue; // (never with an `inputs` recorder: fuse_channels)
    call(in.host->cuda->current, in.cv, proj_name(*in.host), "current");
    if (d.sums_inputs)
      check_run(sum_input(d.sums[set_], uint32_t(k + 1), stream_), "enqueuing a sum");
  }
  if (d.sums_inputs) check_run(next_sums_row(d.sums[set_], stream_), "enqueuing the input sums");
  if (!d.spiking) { // (a spiking population's are cleared at the end of its last step)
    check_run(cudaMemsetAsync(d.n_spikes, 0, sizeof(uint32_t), stream_), "clearing the count");
    check_run(cudaMemsetAsync(d.out_of_range, 0, sizeof(int32_t), stream_), "clearing a word");
  }
  call(host.cuda->step, d.cv, pop_name(host), "step");
  const bool own = host.desc->flags & GG_DESC_CHECKS_BOUNDS;
  check_run(check_bounds(d.checked, d.n, bounds_ + d.index, step_, stream_,
                         own ? d.out_of_range : nullptr),
            "enqueuing the bound check");
  if (d.spiking) {
    check_run(gather_spikes(d.gather, DeviceSpikes{d.spikes, d.n_spikes, d.capacity}, d.ring, step_,
                            overflow_ + d.index, stream_),
              "enqueuing the gather");
    check_run(copy_slot(d.ring, step_, d.step_list, d.step_count, stream_,
                        StepEnd{d.total, d.n_spikes, d.out_of_range}),
              "enqueuing the step's list");
    if (d.log_spikes)
      check_run(log_spikes(d.log[set_], d.step_list, d.step_count, d.capacity, step_, stream_),
                "enqueuing the spike log");
  }
}

// A projection's delivery, then its rule (which reads the weights the delivery has used).
void Engine::enqueue_projection(DeviceProjection &d) {
  enqueue_delivery(d);
  if (!d.plastic) return;
  DeviceRule &r = d.rule;
  check_run(set_learning(step_, r.phases, r.n_phases, r.learning, stream_),
            "enqueuing the rule's phase");
  call(d.host->plasticity->cuda->step, r.cv, "plasticity of " + proj_name(*d.host), "step");
}

void Engine::enqueue_delivery(DeviceProjection &d) {
  using device_plan::Delivery;
  const DevicePopulation &pre = pops_[d.pre], &post = pops_[d.post];
  const Csr &c = d.host->csr;
  DeviceArrivals a{};
  const auto arrivals = [&] {
    check_run(fixed_delay_arrivals(pre.ring, step_, d.row_ptr, uint32_t(c.max_delay), d.arrivals,
                                   d.n_arrivals, a, stream_),
              "enqueuing the arrivals");
  };
  switch (d.delivery) {
  case Delivery::Ordered:
    arrivals();
    return check_run(deliver_ordered(d.form, post.n, a, stream_), "enqueuing the delivery");
  case Delivery::Scattered:
    arrivals();
    return check_run(deliver_scattered(d.form, a, stream_), "enqueuing the delivery");
  case Delivery::Hook:
    arrivals();
    return call(d.host->cuda->step, d.cv, proj_name(*d.host), "step");
  case Delivery::DrawnDelays:
    check_run(ring_walk(d.input_ring, d.form, d.row_ptr, d.delay,
                        DeviceSpikes{pre.step_list, pre.step_count, pre.capacity}, step_, stream_),
              "enqueuing the drawn delays' walk");
    return check_run(ring_drain(d.input_ring, d.form.x, step_, stream_),
                     "enqueuing the drawn delays' drain");
  case Delivery::DriveOrdered:
  case Delivery::DriveScattered:
    return check_run(deliver_drive(d.drive, d.form, post.n, d.row_ptr, pre.n, step_,
                                   d.delivery == Delivery::DriveOrdered, stream_),
                     "enqueuing the drive");
  case Delivery::Rate: return call(d.host->cuda->step, d.cv, proj_name(*d.host), "step");
  }
}

// One step, in the CPU engine's order: every population (phase 1 and the gather), then every
// projection (phase 2), then the state the recorders sample (as the CPU's recorders read it after
// phase 2, where a synapse may have moved V), then the step's advance.
void Engine::enqueue_step() {
  enqueue_phase1();
  enqueue_phase2();
}

void Engine::enqueue_phase1() {
  for (auto &d : pops_)
    if (d.owned) enqueue_population(d);
}

void Engine::enqueue_phase2() {
  for (auto &d : projs_)
    if (d.active) enqueue_projection(d);
  for (auto &d : pops_)
    if (d.sampled)
      check_run(sample(d.samples[set_], step_, stream_), "enqueuing the state samples");
  advance_kernel<<<1, 1, 0, stream_>>>(step_);
  check_run(cudaGetLastError(), "enqueuing the step's advance");
}

// The chunk's graphs, one for each set of logs.
void Engine::capture() {
  for (int b = 0; b < 2; ++b)
    capture_set(b);
  set_ = 0;
}

// The chunk's graph filling the logs of set b: the gate, then a while-node whose body is the step
// and the gate again.
void Engine::capture_set(int b) {
  if (exec_[b]) check_run(cudaGraphExecDestroy(exec_[b]), "destroying the step's graph");
  exec_[b] = nullptr;
  set_ = b;
  cudaGraph_t graph = nullptr;
  check_run(cudaGraphCreate(&graph, 0), "creating the step's graph");
  cudaGraphConditionalHandle handle{};
  check_run(cudaGraphConditionalHandleCreate(&handle, graph, 0, 0), "creating the chunk's loop");
  const auto capture_into = [&](cudaGraph_t g, const std::function<void()> &work) {
    check_run(cudaStreamBeginCaptureToGraph(stream_, g, nullptr, nullptr, 0,
                                            cudaStreamCaptureModeThreadLocal),
              "beginning the capture");
    try {
      work();
    } catch (...) {
      cudaGraph_t dropped = nullptr;
      cudaStreamEndCapture(stream_, &dropped);
      cudaGraphDestroy(graph);
      throw;
    }
    cudaGraph_t out = nullptr;
    check_run(cudaStreamEndCapture(stream_, &out), "capturing the step");
  };
  const auto gate = [&] {
    gate_kernel<<<1, 1, 0, stream_>>>(handle, gate_[b]);
    check_run(cudaGetLastError(), "enqueuing the gate");
  };
  capture_into(graph, gate);
  cudaGraphNode_t gate_node = nullptr;
  size_t n_nodes = 1;
  check_run(cudaGraphGetNodes(graph, &gate_node, &n_nodes), "reading the graph");
  cudaGraphNodeParams loop{};
  loop.type = cudaGraphNodeTypeConditional;
  loop.conditional.handle = handle;
  loop.conditional.type = cudaGraphCondTypeWhile;
  loop.conditional.size = 1;
  cudaGraphNode_t loop_node = nullptr;
  check_run(cudaGraphAddNode(&loop_node, graph, &gate_node, nullptr, 1, &loop),
            "adding the chunk's loop");
  capture_into(loop.conditional.phGraph_out[0], [&] {
    enqueue_step();
    gate();
  });
  const cudaError_t e = cudaGraphInstantiate(&exec_[b], graph, 0);
  cudaGraphDestroy(graph);
  check_run(e, "instantiating the step's graph");
}

// A chunk of `count` steps from `first` enqueued, filling the logs of launch_set_.
void Engine::launch(uint64_t first, uint64_t count) {
  const uint64_t stop = first + count;
  check_run(cudaMemcpyAsync(stop_, &stop, sizeof stop, cudaMemcpyHostToDevice, stream_),
            "setting the chunk's end");
  check_run(cudaGraphLaunch(exec_[launch_set_], stream_), "launching a chunk of steps");
  launch_set_ ^= 1;
}

uint64_t Engine::run(uint64_t first, uint64_t count, uint64_t next,
                     const std::function<void(uint64_t)> &each) {
  if (ahead_count_ == 0)
    launch(first, count);
  else if (first != ahead_first_ || count != ahead_count_)
    throw RunError("the GPU: steps " + std::to_string(first) + " to " +
                   std::to_string(first + count) + " asked for, but " +
                   std::to_string(ahead_first_) + " to " +
                   std::to_string(ahead_first_ + ahead_count_) + " are running");
  ahead_count_ = 0;
  const int set = launch_set_ ^ 1; // (the last launch's)
  const uint64_t stop = first + count;
  const uint64_t now = device_step("a chunk of steps");
  if (now < first || now > stop)
    throw RunError("the GPU: the device's step " + std::to_string(now) +
                   " lies outside the chunk " + std::to_string(first) + " to " +
                   std::to_string(stop));
  const uint64_t taken = now - first;
  check_status(now, each, first, taken, set);
  if (taken == 0)
    throw RunError("the GPU: a chunk from step " + std::to_string(first) +
                   " took no step though nothing stopped it");
  copy_weights_read(now - 1);
  if (next > 0 && taken == count) { // the next chunk runs while this one is replayed
    launch(now, next);
    ahead_first_ = now;
    ahead_count_ = next;
  }
  replay(first, taken, each, set);
  return taken;
}

void Engine::begin_window(uint64_t first, uint64_t last) {
  for (uint64_t s = first; s < last; ++s) {
    enqueue_phase1();
    enqueue_phase2();
  }
  enqueue_phase1();
}

void Engine::exchange(uint64_t first, uint64_t upto) {
  sync("the device's steps of the window");
  for (uint64_t s = first; s <= upto; ++s)
    exchange_step(s, s == upto);
}

// The spikes of `step` that cross: each device population's, from its ring slot into the host's
// history slot (the host's projections and recorders read it), and each host population's that
// feeds a device projection, from the host's history into the device's ring slot, and into its
// step list where the step is the `current` one (a drawn delay's walk or a rule reads that list in
// its step: their windows are one step).
void Engine::exchange_step(uint64_t step, bool current) {
  for (auto &d : pops_) {
    if (!d.spiking || !d.crosses) continue;
    engine::Population &host = *d.host;
    const uint64_t slot = step % host.history.size();
    auto &list = host.history[slot];
    if (d.owned) {
      uint32_t count = 0;
      check_run(cudaMemcpy(&count, d.ring.counts + slot, sizeof count, cudaMemcpyDeviceToHost),
                "reading a spike count");
      if (list.size() < count) list.resize(count);
      check_run(cudaMemcpy(list.data(), d.ring.slot_begin(uint32_t(slot)), sizeof(uint32_t) * count,
                           cudaMemcpyDeviceToHost),
                "reading the spikes");
      host.history_count[slot] = count;
    } else {
      const uint32_t count = uint32_t(host.history_count[slot]);
      const auto upload = [&](uint32_t *spikes, uint32_t *n) {
        check_run(cudaMemcpyAsync(spikes, list.data(), sizeof(uint32_t) * count,
                                  cudaMemcpyHostToDevice, stream_),
                  "uploading the host's spikes");
        check_run(cudaMemcpyAsync(n, &count, sizeof count, cudaMemcpyHostToDevice, stream_),
                  "uploading the host's spike count");
      };
      upload(d.ring.slot_begin(uint32_t(slot)), d.ring.counts + slot);
      if (current) upload(d.step_list, d.step_count);
    }
  }
}

void Engine::end_window(uint64_t first, uint64_t last, const std::function<void(uint64_t)> &each) {
  enqueue_phase2();
  const uint64_t now = device_step("the device projections' step");
  if (now != last + 1)
    throw RunError("the GPU: the device's step " + std::to_string(now) + " is not " +
                   std::to_string(last + 1));
  check_status(now, each, first, last + 1 - first, 0);
  copy_weights_read(last);
  replay(first, last + 1 - first, each, 0);
}

// After a chunk: a spike list that overflowed or a value out of range stops the run at that step
// (the last one taken), after the recorders have seen every step up to it.
void Engine::check_status(uint64_t now, const std::function<void(uint64_t)> &each, uint64_t first,
                          uint64_t taken, int set) {
  const std::size_t n = pops_.size();
  std::vector<BoundsStatus> bounds(n);
  std::vector<int32_t> overflow(n);
  check_run(cudaMemcpy(bounds.data(), bounds_, sizeof(BoundsStatus) * n, cudaMemcpyDeviceToHost),
            "reading the bound checks");
  check_run(cudaMemcpy(overflow.data(), overflow_, sizeof(int32_t) * n, cudaMemcpyDeviceToHost),
            "reading the overflow words");
  const double dt = sim_->exp.simulation.dt;
  for (std::size_t p = 0; p < n; ++p) {
    if (!overflow[p]) continue;
    copy_weights_read(first + taken - 1);
    replay(first, taken, each, set);
    const engine::Population &host = *pops_[p].host;
    throw RunError("population '" + host.spec->name + "' emitted more spikes than its buffer of " +
                   std::to_string(pops_[p].capacity) + " in the step at t = " +
                   engine::format_ms(double(now - 1) * dt) + "; lower the source's rate or dt");
  }
  std::size_t worst = n;
  for (std::size_t p = 0; p < n; ++p)
    if (bounds[p].step != kAllInRange && (worst == n || bounds[p].step < bounds[worst].step))
      worst = p;
  if (worst == n) return;
  const BoundsStatus &b = bounds[worst];
  // (a mixed network's window runs on past the diverging step; the recorders stop there)
  const uint64_t seen = b.step >= first ? std::min<uint64_t>(taken, b.step + 1 - first) : taken;
  copy_weights_read(first + seen - 1);
  replay(first, seen, each, set);
  const engine::Population &host = *pops_[worst].host;
  throw engine::Divergence(
      engine::divergence_message(host, host.checked[std::size_t(b.where >> 32)],
                                 b.where & 0xffffffffull, b.value, double(b.step + 1) * dt));
}

// A log's entries (its count of them, times `width` values each) copied to the host on copies_
// (a chunk started ahead may be running on stream_), and the log emptied for its set's next chunk
// (on stream_: after the chunk running, before the next launch of this set).
template <class Count, class T>
std::vector<T> Engine::take_log(Count *count, const T *entries, uint64_t width, const char *what) {
  const auto copy = [&](void *to, const void *from, std::size_t bytes) {
    if (bytes > staging_bytes_) {
      if (staging_) check_run(cudaFreeHost(staging_), "freeing a page-locked buffer");
      staging_ = nullptr;
      staging_bytes_ = 0;
      check_run(cudaMallocHost(&staging_, bytes), "allocating a page-locked buffer");
      staging_bytes_ = bytes;
    }
    check_run(cudaMemcpyAsync(staging_, from, bytes, cudaMemcpyDeviceToHost, copies_),
              std::string("reading the ") + what);
    check_run(cudaStreamSynchronize(copies_), std::string("reading the ") + what);
    std::memcpy(to, staging_, bytes);
  };
  Count n = 0;
  copy(&n, count, sizeof n);
  std::vector<T> out(uint64_t(n) * width);
  if (!out.empty()) copy(out.data(), entries, sizeof(T) * out.size());
  check_run(cudaMemsetAsync(count, 0, sizeof n, stream_), std::string("emptying the ") + what);
  return out;
}

// The chunk's steps through the host's recorders: each step's spikes into the host history's
// slot, its samples into the host fields, then each(step).
void Engine::replay(uint64_t first, uint64_t taken, const std::function<void(uint64_t)> &each,
                    int set) {
  struct Logged {
    std::vector<unsigned long long> spikes;
    std::size_t at = 0;
    std::vector<double> rows, sums;
    std::size_t row = 0, sum_row = 0;
  };
  std::vector<Logged> logged(pops_.size());
  for (std::size_t p = 0; p < pops_.size(); ++p) {
    DevicePopulation &d = pops_[p];
    const SpikeLog &log = d.log[set];
    const Samples &samples = d.samples[set];
    const InputSums &sums = d.sums[set];
    if (d.log_spikes) logged[p].spikes = take_log(log.count, log.entries, 1, "spike log");
    if (d.sampled)
      logged[p].rows = take_log(samples.rows, samples.log, samples.pairs, "state samples");
    if (d.sums_inputs) logged[p].sums = take_log(sums.rows, sums.log, sums.cols, "input sums");
  }
  for (uint64_t s = first; s < first + taken; ++s) {
    for (std::size_t p = 0; p < pops_.size(); ++p) {
      DevicePopulation &d = pops_[p];
      engine::Population &host = *d.host;
      Logged &l = logged[p];
      if (d.log_spikes) {
        const uint64_t slot = s % host.history.size();
        host.history_count[slot] = device_plan::take_spikes(l.spikes, l.at, s, host.history[slot]);
      }
      if (d.sums_inputs) { // each projection's mean: the sum it added, over the neurons
        const uint32_t cols = d.sums[set].cols;
        const double *row = l.sums.data() + l.sum_row++ * cols;
        for (uint32_t k = 0; k + 1 < cols; ++k)
          host.input_means[k] = (row[k + 1] - row[k]) / double(d.n);
      }
      if (d.sampled && d.plan.due(s)) {
        const uint32_t pairs = d.samples[set].pairs;
        const double *row = l.rows.data() + l.row++ * pairs;
        for (uint32_t k = 0; k < pairs; ++k)
          host.fields.ptrs[d.plan.field[k]][d.plan.element[k]] = row[k];
      }
    }
    each(s);
  }
}

// The weights of each plastic projection that a host recorder samples after step `last` (a chunk
// ends there: run_device's next_change), copied into the host's CSR, which the recorder reads;
// before the replay, and before a next chunk starts (none starts after such a step).
void Engine::copy_weights_read(uint64_t last) {
  bool any = false;
  for (auto &d : projs_)
    if (d.plastic && d.rule.read.due(last)) {
      weights_to_host(d);
      any = true;
    }
  if (any) sync("copying the weights to the host");
}

// Enqueues the copy of a plastic projection's device weights into the host's CSR.
void Engine::weights_to_host(DeviceProjection &d) {
  auto &w = d.host->csr.weight;
  check_run(cudaMemcpyAsync(w.data(), d.weight, sizeof(float) * w.size(), cudaMemcpyDeviceToHost,
                            stream_),
            "copying a projection's weights to the host");
}

void Engine::before_change(std::size_t p) {
  DevicePopulation &d = pops_[p];
  if (!d.owned) return; // (the host's fields are the population's)
  d.fields.copy_out(d.host->fields, stream_);
  sync("copying a population's fields to the host");
}

void Engine::after_change(std::size_t p) {
  DevicePopulation &d = pops_[p];
  d.fields.copy_in(d.host->fields, stream_);
  if (!d.owned) return sync("uploading a host population's fields"); // (a drive's new rate)
  if (d.i_app)
    check_run(cudaMemcpyAsync(d.i_app, d.host->i_app.values.data(),
                              sizeof(double) * d.host->i_app.values.size(), cudaMemcpyHostToDevice,
                              stream_),
              "uploading I_app");
  call(d.host->cuda->update, d.cv, pop_name(*d.host), "update");
  sync("uploading a population's fields");
  if (!mixed_) capture(); // its kernels may take the changed parameters by value
}

void Engine::finish() {
  for (auto &d : pops_)
    if (d.owned) call(d.host->cuda->finish, d.cv, pop_name(*d.host), "finish");
  for (auto &d : projs_)
    if (d.active) call(d.host->cuda->finish, d.cv, proj_name(*d.host), "finish");
  for (auto &d : projs_)
    if (d.plastic)
      call(d.host->plasticity->cuda->finish, d.rule.cv, "plasticity of " + proj_name(*d.host),
           "finish");
  for (auto &d : pops_) {
    if (!d.owned) continue;
    d.fields.copy_out(d.host->fields, stream_);
    unsigned long long total = 0;
    check_run(cudaMemcpyAsync(&total, d.total, sizeof total, cudaMemcpyDeviceToHost, stream_),
              "reading a spike total");
    sync("reading the populations");
    d.host->spikes_total = total;
  }
  for (auto &d : projs_) {
    if (d.active) d.fields.copy_out(d.host->fields, stream_);
    if (!d.plastic) continue; // (a rule's weights and traces, as the CPU leaves them)
    d.rule.fields.copy_out(d.host->plasticity->fields, stream_);
    weights_to_host(d);
  }
  sync("reading the projections");
}

std::vector<std::string> Engine::summary() const {
  std::vector<std::string> lines;
  std::string on_gpu, on_cpu;
  for (const auto &d : pops_)
    (d.owned ? on_gpu : on_cpu) +=
        (d.owned ? on_gpu : on_cpu).empty() ? d.host->spec->name : ", " + d.host->spec->name;
  if (!mixed_)
    lines.push_back("on " + device_ + ": every population and projection, " +
                    format_bytes(double(device_bytes())) +
                    " of device memory; each chunk of up to " + std::to_string(kChunkSteps) +
                    " steps one CUDA graph launch, the next running while the host records it");
  else
    lines.push_back("on " + device_ + ": populations " + on_gpu + " and their projections, " +
                    format_bytes(double(device_bytes())) +
                    " of device memory; on the CPU: " + on_cpu +
                    "; the spikes that cross exchanged every " + std::to_string(sim_->interval) +
                    (sim_->interval == 1 ? " step" : " steps") + " (a synchronisation each)");
  if (synapses_ > 0) {
    char per[64];
    std::snprintf(per, sizeof per, "%.1f", double(synapse_bytes_) / double(synapses_));
    lines.push_back("  synapses on the GPU: " + std::to_string(synapses_) + ", " +
                    format_bytes(double(synapse_bytes_)) + ", " + per +
                    " bytes a synapse (targets, weights, delays, rules' indexes, fields)");
  }
  for (const auto &d : projs_) {
    if (!d.active) continue;
    const engine::Projection &h = *d.host;
    lines.push_back("  projection '" + h.spec->name + "': " + device_plan::describe(d.delivery) +
                    (h.fused ? "; its current in the neuron's step (a channel)" : "") +
                    (h.csr.held.count ? "; its synapses drawn on the GPU and kept there" : "") +
                    (d.plastic ? std::string("; its rule '") + h.plasticity->desc->name +
                                     "' after the delivery, on the GPU"
                               : std::string()));
  }
  return lines;
}

} // namespace
} // namespace ganglion::gpu

extern "C" __attribute__((visibility("default"))) ganglion::DeviceEngine *
ganglion_device_engine_v1() {
  return new ganglion::gpu::Engine();
}
