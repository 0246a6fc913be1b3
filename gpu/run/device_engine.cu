// The device engine (libganglion_cuda.so; the interface is framework/src/engine/device_engine.hpp):
// the network the host built, uploaded once; one step enqueued in the CPU engine's order (each
// population's input, its incoming projections' currents, its neuron step, the bound check, the
// spikes gathered into its ring in the CPU's order, logged for the recorders; then each
// projection's delivery: fixed delays from the ring, ordered or with atomics, drawn delays through
// a ring of future input, a drive's counts drawn where they arrive, or the synapse's own CUDA
// step) and captured as the body of a CUDA graph's while-node with a gate before and after it, so
// that a chunk of steps is one launch and the device decides when to stop: at the chunk's end, a
// divergence, an overflowing spike list, or a log without room for the next step. The host then
// replays the chunk through its recorders while the device takes the next. This file: opening
// the GPU, the build's order, the chunks and windows of steps, the replay, schedule changes and
// the end (engine.hpp lists the others).
#include <algorithm>
#include <cstdio>
#include <cstring>

#include "experiment/estimate.hpp"
#include "run/engine.hpp"

namespace ganglion::gpu {

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
  if (!sim.batch_seeds.empty())
    batch_seeds_ = arena_.copy(sim.batch_seeds.data(), sim.batch_seeds.size());
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
  std::vector<RuleLearning> learnings;
  for (const auto &d : projs_)
    if (d.plastic) learnings.push_back({d.rule.phases, d.rule.n_phases, d.rule.learning});
  learnings_ = arena_.copy(learnings.data(), learnings.size());
  n_learnings_ = int(learnings.size());
  build_recorders();
  build_gate();
  plan_resident();
  size_staging();
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

// A chunk of `count` steps from `first` enqueued, filling the logs of launch_set_.
void Engine::launch(uint64_t first, uint64_t count) {
  const uint64_t stop = first + count;
  check_run(cudaMemcpyAsync(stop_, &stop, sizeof stop, cudaMemcpyHostToDevice, stream_),
            "setting the chunk's end");
  if (resident_)
    launch_resident();
  else
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

// The window's last step finished on the device: its projections' part, then the device
// recorders' samples (a window ends at them, as a chunk does).
void Engine::close_window(uint64_t last) {
  enqueue_phase2();
  if (recs_.empty()) return;
  const uint64_t end = last + 1;
  check_run(cudaMemcpyAsync(stop_, &end, sizeof end, cudaMemcpyHostToDevice, stream_),
            "setting the window's end");
  enqueue_recorders(stop_);
}

void Engine::end_window(uint64_t first, uint64_t last, const std::function<void(uint64_t)> &each) {
  close_window(last);
  const uint64_t now = device_step("the device projections' step");
  if (now != last + 1)
    throw RunError("the GPU: the device's step " + std::to_string(now) + " is not " +
                   std::to_string(last + 1));
  check_status(now, each, first, last + 1 - first, 0);
  record(first, last + 1 - first, each, 0);
}

void Engine::abort_window(uint64_t first, uint64_t step, uint64_t last,
                          const std::function<void(uint64_t)> &each) {
  if (step == last) close_window(last); // (the steps before it ran whole: begin_window)
  const uint64_t now = device_step("the device's steps of the window");
  const uint64_t taken = step + 1 - first;
  check_status(now, each, first, taken, 0); // (a divergence after `step` is not the device's)
  try { // (a recorder failing now must not hide the cause, as on the CPU)
    record(first, taken, each, 0);
  } catch (const std::exception &) {
  }
}

// Steps first .. first + taken - 1 to the host's recorders: the weights they read after the last,
// then the replay. (run() splits the two, a chunk ahead started between them.)
void Engine::record(uint64_t first, uint64_t taken, const std::function<void(uint64_t)> &each,
                    int set) {
  copy_weights_read(first + taken - 1);
  replay(first, taken, each, set);
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
    record(first, taken - 1, each, set); // (as on the CPU, whose recorders never see that step)
    const engine::Population &host = *pops_[p].host;
    throw RunError("population '" + host.spec->name + "' emitted more spikes than its buffer of " +
                   std::to_string(pops_[p].capacity) + " in the step at t = " +
                   engine::format_ms(double(now - 1) * dt) + "; lower the source's rate or dt");
  }
  std::size_t worst = n;
  for (std::size_t p = 0; p < n; ++p)
    if (bounds[p].step != kAllInRange && (worst == n || bounds[p].step < bounds[worst].step))
      worst = p;
  // (one past the steps handed on: a window the host stopped at a divergence of its own)
  if (worst == n || bounds[worst].step >= first + taken) return;
  const BoundsStatus &b = bounds[worst];
  // (a mixed network's window runs on past the diverging step; the recorders stop there)
  const uint64_t seen = b.step >= first ? std::min<uint64_t>(taken, b.step + 1 - first) : taken;
  try { // (a recorder failing now must not hide the cause, as on the CPU)
    record(first, seen, each, set);
  } catch (const std::exception &) {
  }
  const engine::Population &host = *pops_[worst].host;
  throw engine::Divergence(engine::divergence_message(host, host.checked[where_field(b.where)],
                                                      where_element(b.where), b.value,
                                                      double(b.step + 1) * dt));
}

// A log's entries (its count of them, times `width` values each) copied to the host on copies_
// (a chunk started ahead may be running on stream_), and the log emptied for its set's next chunk
// (on stream_: after the chunk running, before the next launch of this set).
template <class Count, class T>
std::vector<T> Engine::take_log(Count *count, const T *entries, uint64_t width, const char *what) {
  Count n = 0;
  to_host(&n, count, sizeof n, what);
  std::vector<T> out(uint64_t(n) * width);
  if (!out.empty()) to_host(out.data(), entries, sizeof(T) * out.size(), what);
  check_run(cudaMemsetAsync(count, 0, sizeof n, stream_), std::string("emptying the ") + what);
  return out;
}

// The page-locked buffer at least `bytes` long. (Its allocation synchronises the device: done at
// the build for the largest log, so that no copy waits there for a chunk ahead.)
void Engine::reserve_staging(std::size_t bytes) {
  if (bytes <= staging_bytes_) return;
  if (staging_) check_run(cudaFreeHost(staging_), "freeing a page-locked buffer");
  staging_ = nullptr;
  staging_bytes_ = 0;
  check_run(cudaMallocHost(&staging_, bytes), "allocating a page-locked buffer");
  staging_bytes_ = bytes;
}

void Engine::size_staging() {
  std::size_t most = sizeof(unsigned long long);
  for (const auto &d : pops_) {
    if (d.log_spikes) most = std::max<std::size_t>(most, 8 * d.log[0].capacity);
    if (d.sampled)
      most = std::max<std::size_t>(most, 8ull * d.samples[0].max_rows * d.samples[0].pairs);
    if (d.sums_inputs)
      most = std::max<std::size_t>(most, 8ull * d.sums[0].max_rows * d.sums[0].cols);
  }
  for (const auto &d : recs_)
    most = std::max<std::size_t>(most, d.record_bytes);
  reserve_staging(most);
}

// Device bytes copied to the host on copies_, through the page-locked buffer.
void Engine::to_host(void *to, const void *from, std::size_t bytes, const char *what) {
  reserve_staging(bytes);
  check_run(cudaMemcpyAsync(staging_, from, bytes, cudaMemcpyDeviceToHost, copies_),
            std::string("reading the ") + what);
  check_run(cudaStreamSynchronize(copies_), std::string("reading the ") + what);
  std::memcpy(to, staging_, bytes);
}

// A device recorder's record of the sample after `step`, through its `emit` on the host.
void Engine::emit(DeviceRecorder &d, const std::vector<unsigned char> &record, uint64_t step) {
  engine::Recorder &host = *d.host;
  host.view.step = step;
  host.view.t = double(step) * sim_->exp.simulation.dt;
  engine::HookMessage m;
  if (host.cuda->emit(&host.view, record.data(), &m.err) != GG_OK)
    throw RunError("recorder " + host.spec->pointer + " (" + host.desc->name +
                   "): its CUDA emit failed: " + m.str());
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
  // The device recorders' records: of the chunk's last step where it follows one of their
  // samples (a chunk ends at each of them: run_device's next_boundary).
  const uint64_t end = first + taken;
  std::vector<std::vector<unsigned char>> records(recs_.size());
  std::vector<bool> due(recs_.size());
  for (std::size_t k = 0; k < recs_.size(); ++k) {
    due[k] = taken > 0 && end % recs_[k].every == 0;
    if (!due[k]) continue;
    records[k].resize(recs_[k].record_bytes);
    if (!records[k].empty())
      to_host(records[k].data(), recs_[k].record[set], records[k].size(), "recorder's sample");
  }
  for (uint64_t s = first; s < end; ++s) {
    if (s + 1 == end)
      for (std::size_t k = 0; k < recs_.size(); ++k)
        if (due[k]) emit(recs_[k], records[k], s);
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
  for (auto &d : recs_)
    call(d.host->cuda->finish, d.cv, "recorder " + d.host->spec->pointer, "finish");
  for (auto &d : pops_) {
    if (!d.owned) continue;
    d.fields.copy_out(d.host->fields, stream_);
    unsigned long long total = 0;
    check_run(cudaMemcpyAsync(&total, d.total, sizeof total, cudaMemcpyDeviceToHost, stream_),
              "reading a spike total");
    std::vector<unsigned long long> members(d.host->member_spikes.size());
    if (d.member_totals)
      check_run(cudaMemcpyAsync(members.data(), d.member_totals,
                                sizeof(members[0]) * members.size(), cudaMemcpyDeviceToHost,
                                stream_),
                "reading the members' spike totals");
    sync("reading the populations");
    d.host->spikes_total = total;
    d.host->member_spikes.assign(members.begin(), members.end());
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
                    " steps one launch, the next running while the host records it");
  if (resident_)
    lines.push_back("  the step: one kernel a chunk on a cluster of " +
                    std::to_string(resident_blocks_) + " blocks (the resident step)");
  else if (!mixed_)
    lines.push_back("  the step: a CUDA graph of its kernels (the resident step does not apply: " +
                    resident_why_ + ")");
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
  for (const auto &d : recs_)
    lines.push_back("  recorder " + d.host->spec->pointer + " (" + d.host->desc->name +
                    ") of projection '" + projs_[d.proj].host->spec->name +
                    "': sampled on the GPU, a record of " + std::to_string(d.record_bytes) +
                    " bytes a sample to the host; chunks end at its samples");
  return lines;
}

} // namespace ganglion::gpu

extern "C" __attribute__((visibility("default"))) ganglion::DeviceEngine *
ganglion_device_engine_v1() {
  return new ganglion::gpu::Engine();
}
