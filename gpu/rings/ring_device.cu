// See ring_device.hpp.
#include "rings/ring_device.hpp"

#include <algorithm>
#include <initializer_list>

#include "device/buffers.cuh"
#include "rings/gather.cuh"

namespace ganglion::gpu {

RingSteps ring_steps_on_device(uint32_t n, uint32_t capacity, uint32_t depth,
                               const std::vector<std::vector<uint32_t>> &lists,
                               const std::vector<uint64_t> &row_ptr, uint32_t delay) {
  SpikeRing ring{device_array<uint32_t>(uint64_t(depth) * capacity),
                 device_copy_of(std::vector<uint32_t>(depth, 0)), capacity, depth};
  uint32_t *list = device_array<uint32_t>(capacity), *count = device_array<uint32_t>(1);
  uint64_t *step = device_array<uint64_t>(1), *rows = device_copy_of(row_ptr);
  int32_t *overflow = device_array<int32_t>(1);
  gg_arrival *arrivals = device_array<gg_arrival>(capacity);
  uint32_t *n_arrivals = device_array<uint32_t>(1);
  GatherBuffers b;
  check_cuda(allocate_gather(b, n), "allocating the gather's buffers");
  RingSteps r;
  for (uint64_t s = 0; s < lists.size(); ++s) {
    const uint32_t listed = uint32_t(lists[s].size());
    const int32_t clear = 0;
    upload(list, lists[s].data(), std::min(listed, capacity));
    upload(count, &listed, 1);
    upload(step, &s, 1);
    upload(overflow, &clear, 1);
    DeviceArrivals a{};
    check_cuda(gather_spikes(b, DeviceSpikes{list, count, capacity}, ring, step, overflow, nullptr),
               "enqueuing the gather");
    check_cuda(fixed_delay_arrivals(ring, step, rows, delay, arrivals, n_arrivals, a, nullptr),
               "enqueuing the arrivals");
    check_cuda(cudaDeviceSynchronize(), "the step");
    const uint32_t slot = ring.slot_of(s);
    r.slots.push_back(read_back(ring.slot_begin(slot), read_back(ring.counts + slot, 1)[0]));
    r.overflow.push_back(read_back(overflow, 1)[0]);
    r.arrivals.push_back(read_back(arrivals, read_back(n_arrivals, 1)[0]));
  }
  check_cuda(free_gather(b), "freeing the gather's buffers");
  for (void *p : std::initializer_list<void *>{ring.slots, ring.counts, list, count, step, rows,
                                               overflow, arrivals, n_arrivals})
    check_cuda(cudaFree(p), "cudaFree");
  return r;
}

namespace {

// A companion's stand-in: step *step's list (of all the steps', `capacity` apart) as its output.
__global__ void emit_listed(const uint32_t *all, const uint32_t *counts, uint32_t capacity,
                            const uint64_t *step, uint32_t *list, uint32_t *count) {
  const uint64_t s = *step;
  const uint32_t n = counts[s];
  for (uint32_t k = threadIdx.x; k < n; k += blockDim.x)
    list[k] = all[s * capacity + k];
  if (threadIdx.x == 0) *count = n;
}

__global__ void advance(uint64_t *step) {
  *step += 1;
}

// The device side of one step, as the engine will enqueue it.
struct OneStep {
  const uint32_t *all, *counts;
  uint32_t capacity, delay;
  uint32_t *list, *count;
  uint64_t *step, *rows;
  SpikeRing ring;
  GatherBuffers gather;
  int32_t *overflow;
  gg_arrival *arrivals;
  uint32_t *n_arrivals;
  ArrivalForm form;
  uint64_t n;

  void enqueue(cudaStream_t stream) const {
    emit_listed<<<1, 256, 0, stream>>>(all, counts, capacity, step, list, count);
    check_cuda(cudaGetLastError(), "launching the stand-in companion");
    check_cuda(
        gather_spikes(gather, DeviceSpikes{list, count, capacity}, ring, step, overflow, stream),
        "enqueuing the gather");
    DeviceArrivals a{};
    check_cuda(fixed_delay_arrivals(ring, step, rows, delay, arrivals, n_arrivals, a, stream),
               "enqueuing the arrivals");
    check_cuda(deliver_ordered(form, n, a, stream), "enqueuing the delivery");
    advance<<<1, 1, 0, stream>>>(step);
    check_cuda(cudaGetLastError(), "launching the step's advance");
  }
};

} // namespace

std::pair<std::vector<double>, std::vector<double>>
graph_replay_on_device(uint32_t n, uint32_t capacity, uint32_t depth,
                       const std::vector<std::vector<uint32_t>> &lists,
                       const std::vector<uint64_t> &row_ptr, const std::vector<uint32_t> &post,
                       const std::vector<float> &w, uint32_t delay) {
  std::vector<uint32_t> all(lists.size() * capacity), counts;
  for (uint64_t s = 0; s < lists.size(); ++s) {
    std::copy(lists[s].begin(), lists[s].end(), all.begin() + long(s * capacity));
    counts.push_back(uint32_t(lists[s].size()));
  }
  cudaStream_t stream = nullptr;
  check_cuda(cudaStreamCreate(&stream), "cudaStreamCreate");
  std::pair<std::vector<double>, std::vector<double>> out;
  for (const bool graph : {true, false}) {
    OneStep o{device_copy_of(all),
              device_copy_of(counts),
              capacity,
              delay,
              device_array<uint32_t>(capacity),
              device_array<uint32_t>(1),
              device_copy_of(std::vector<uint64_t>{0}),
              device_copy_of(row_ptr),
              SpikeRing{device_array<uint32_t>(uint64_t(depth) * capacity),
                        device_copy_of(std::vector<uint32_t>(depth, 0)), capacity, depth},
              GatherBuffers{},
              device_copy_of(std::vector<int32_t>{0}),
              device_array<gg_arrival>(capacity),
              device_array<uint32_t>(1),
              ArrivalForm{device_copy_of(std::vector<double>(n, 0.0)), nullptr,
                          device_copy_of(post), device_copy_of(w), false},
              n};
    check_cuda(allocate_gather(o.gather, n), "allocating the gather's buffers");
    std::vector<double> &x = graph ? out.first : out.second;
    cudaGraphExec_t exec = nullptr;
    if (graph) { // captured once, before the first step
      cudaGraph_t g = nullptr;
      check_cuda(cudaStreamBeginCapture(stream, cudaStreamCaptureModeGlobal), "beginning capture");
      o.enqueue(stream);
      check_cuda(cudaStreamEndCapture(stream, &g), "ending capture");
      check_cuda(cudaGraphInstantiate(&exec, g, 0), "instantiating the graph");
      check_cuda(cudaGraphDestroy(g), "cudaGraphDestroy");
    }
    for (uint64_t s = 0; s < lists.size(); ++s) {
      if (graph)
        check_cuda(cudaGraphLaunch(exec, stream), "launching the graph");
      else
        o.enqueue(stream);
      check_cuda(cudaStreamSynchronize(stream), "the step");
      const std::vector<double> now = read_back(o.form.x, n);
      x.insert(x.end(), now.begin(), now.end());
    }
    if (exec) check_cuda(cudaGraphExecDestroy(exec), "cudaGraphExecDestroy");
    check_cuda(free_gather(o.gather), "freeing the gather's buffers");
    for (const void *p : std::initializer_list<const void *>{
             o.all, o.counts, o.list, o.count, o.step, o.rows, o.ring.slots, o.ring.counts,
             o.overflow, o.arrivals, o.n_arrivals, o.form.x, o.form.post, o.form.weight})
      check_cuda(cudaFree(const_cast<void *>(p)), "cudaFree");
  }
  check_cuda(cudaStreamDestroy(stream), "cudaStreamDestroy");
  return out;
}

} // namespace ganglion::gpu
