// One step of the device engine (engine.hpp) enqueued in the CPU engine's order (each
// population's input, its incoming projections' currents, its neuron step, the bound check, its
// spikes gathered into its ring and logged; then each projection's delivery and rule), and its
// capture as the body of a CUDA graph's while-node, a graph for each set of the recorders' logs.
#include "run/engine.hpp"

namespace ganglion::gpu {

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
                        StepEnd{d.total, d.n_spikes, d.out_of_range, d.member_totals,
                                host.spec->member_size, host.member_spikes.size()}),
              "enqueuing the step's list");
    if (d.log_spikes)
      check_run(log_spikes(d.log[set_], d.step_list, d.step_count, d.capacity, step_, stream_),
                "enqueuing the spike log");
  }
}

// A projection's delivery, then its rule (which reads the weights the delivery has used).
void Engine::enqueue_projection(DeviceProjection &d) {
  enqueue_delivery(d);
  if (!d.plastic) return; // (its learning word set by the last step's advance)
  call(d.host->plasticity->cuda->step, d.rule.cv, "plasticity of " + proj_name(*d.host), "step");
}

void Engine::enqueue_delivery(DeviceProjection &d) {
  using device_plan::Delivery;
  const DevicePopulation &pre = pops_[d.pre], &post = pops_[d.post];
  const Csr &c = d.host->csr;
  // (the engine's own deliveries read the ring; a synapse's own step gets the list of arrivals)
  const RingArrivals ring{pre.ring, step_, d.row_ptr, uint32_t(c.max_delay)};
  switch (d.delivery) {
  case Delivery::Ordered:
    return check_run(deliver_ordered(d.form, post.n, ring, stream_), "enqueuing the delivery");
  case Delivery::Scattered:
    return check_run(deliver_scattered(d.form, ring, stream_), "enqueuing the delivery");
  case Delivery::Hook: {
    DeviceArrivals listed{};
    check_run(fixed_delay_arrivals(pre.ring, step_, d.row_ptr, uint32_t(c.max_delay), d.arrivals,
                                   d.n_arrivals, listed, stream_),
              "enqueuing the arrivals");
    return call(d.host->cuda->step, d.cv, proj_name(*d.host), "step");
  }
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
  advance_kernel<<<1, 1, 0, stream_>>>(step_, learnings_, n_learnings_);
  check_run(cudaGetLastError(), "enqueuing the step's advance");
}

// The device recorders' samples at the end of a chunk (or window) meant to end at *end: the words
// that say whether it did at one of their samples, then their steps, writing set_'s records.
void Engine::enqueue_recorders(const uint64_t *end) {
  if (recs_.empty()) return;
  sampling_kernel<<<1, 1, 0, stream_>>>(step_, end, sampling_words_, int(recs_.size()));
  check_run(cudaGetLastError(), "enqueuing the recorders' words");
  for (auto &d : recs_) {
    d.cv.record = d.record[set_];
    call(d.host->cuda->step, d.cv, "recorder " + d.host->spec->pointer, "step");
  }
}

// The chunk's graphs, one for each set of logs; the resident step's data where it runs instead.
void Engine::capture() {
  if (resident_) return prepare_resident();
  for (int b = 0; b < 2; ++b)
    capture_set(b);
  set_ = 0;
}

// The chunk's graph filling the logs of set b: the gate, then a while-node whose body is the step
// and the gate again, then the device recorders' samples at the chunk's end.
void Engine::capture_set(int b) {
  if (exec_[b]) check_run(cudaGraphExecDestroy(exec_[b]), "destroying the step's graph");
  exec_[b] = nullptr;
  set_ = b;
  cudaGraph_t graph = nullptr;
  check_run(cudaGraphCreate(&graph, 0), "creating the step's graph");
  cudaGraphConditionalHandle handle{};
  check_run(cudaGraphConditionalHandleCreate(&handle, graph, 0, 0), "creating the chunk's loop");
  const auto capture_into = [&](cudaGraph_t g, const std::function<void()> &work,
                                cudaGraphNode_t after = nullptr) {
    check_run(cudaStreamBeginCaptureToGraph(stream_, g, after ? &after : nullptr, nullptr,
                                            after ? 1 : 0, cudaStreamCaptureModeThreadLocal),
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
  if (!recs_.empty())
    capture_into(
        graph, [&] { enqueue_recorders(stop_); }, loop_node);
  const cudaError_t e = cudaGraphInstantiate(&exec_[b], graph, 0);
  cudaGraphDestroy(graph);
  check_run(e, "instantiating the step's graph");
}

} // namespace ganglion::gpu
