// The device engine's resident step (resident.cuh): whether a network takes it, its data on the
// device, and its launch, one a chunk, in place of the chunk's CUDA graph.
#include <algorithm>
#include <cstdlib>
#include <string>
#include <type_traits>

#include "neuron/eif/eif_model.hpp"
#include "neuron/lif/lif_model.hpp"
#include "neuron/poisson/poisson_model.hpp"
#include "run/engine.hpp"
#include "run/resident.cuh"

namespace ganglion::gpu {

namespace {

// The launch of the resident kernel on one cluster of `blocks` blocks.
struct ClusterLaunch {
  cudaLaunchAttribute cluster{};
  cudaLaunchConfig_t config{};
  ClusterLaunch(unsigned blocks, cudaStream_t stream) {
    cluster.id = cudaLaunchAttributeClusterDimension;
    cluster.val.clusterDim.x = blocks;
    cluster.val.clusterDim.y = 1;
    cluster.val.clusterDim.z = 1;
    config.gridDim = dim3(blocks);
    config.blockDim = dim3(kResidentThreads);
    config.stream = stream;
    config.attrs = &cluster;
    config.numAttrs = 1;
  }
};

// Why this GPU cannot run the kernel on a cluster of `blocks`, or "".
std::string cluster_refusal(unsigned blocks, cudaStream_t stream) {
  const ClusterLaunch launch(blocks, stream);
  int clusters = 0;
  const cudaError_t e = cudaOccupancyMaxActiveClusters(&clusters, resident_kernel, &launch.config);
  if (e == cudaSuccess && clusters >= 1) return "";
  cudaGetLastError(); // (the query's error is this answer, not the run's)
  return "this GPU does not hold a cluster of " + std::to_string(blocks) + " blocks of it (" +
         (e != cudaSuccess ? std::string(cudaGetErrorString(e)) : std::string("none fits")) + ")";
}

// A population's element step on the device: the device address of resident_element<Step> into
// out.step, and the struct into `state`.
template <class Step>
void bind_step(const Step &s, ResidentPop &out, void *state, ElementStep *address,
               cudaStream_t stream) {
  static_assert(std::is_trivially_copyable_v<Step> && sizeof(Step) <= kResidentStateBytes,
                "an element step the resident step cannot hold");
  element_address<Step><<<1, 1, 0, stream>>>(address);
  check_run(cudaGetLastError(), "finding an element step");
  check_run(cudaMemcpyAsync(&out.step, address, sizeof out.step, cudaMemcpyDeviceToHost, stream),
            "finding an element step");
  check_run(cudaMemcpyAsync(state, &s, sizeof s, cudaMemcpyHostToDevice, stream),
            "uploading an element step");
  check_run(cudaStreamSynchronize(stream), "uploading an element step"); // (s is the caller's)
  out.state = state;
}

} // namespace

// Whether the network steps as the resident step: GANGLION_DEVICE_STEP (checked for a network on
// both backends too, which never does), the network's shape (device_plan::resident_refusal) and
// the GPU; where it does, its buffers.
void Engine::plan_resident() {
  using device_plan::StepMode;
  const StepMode mode = device_plan::step_mode(std::getenv("GANGLION_DEVICE_STEP"));
  if (mixed_ && mode == StepMode::Resident)
    throw RunError("GANGLION_DEVICE_STEP=resident: the network cannot step as one kernel a "
                   "chunk: some populations run on the CPU; leave GANGLION_DEVICE_STEP unset to "
                   "take the windows of a network on both backends");
  if (mixed_) return;
  device_plan::ResidentShape shape;
  shape.batch = bool(sim_->exp.members);
  shape.device_recorders = recs_.size();
  uint64_t most = 1;
  for (const auto &d : pops_) {
    const engine::Population &h = *d.host;
    bool fused = true;
    for (std::size_t q : h.incoming)
      fused = fused && sim_->projs[q].fused;
    shape.pops.push_back({h.spec->name, h.desc->name, d.n, d.owned, d.sums_inputs, fused});
    most = std::max(most, d.n);
  }
  for (const auto &d : projs_)
    shape.projs.push_back({d.host->spec->name, d.host->fused, d.plastic, d.delivery});
  const uint64_t blocks = (most + kResidentThreads - 1) / kResidentThreads;
  resident_blocks_ = unsigned(std::min<uint64_t>(std::max<uint64_t>(blocks, 1), kResidentBlocks));
  resident_why_ =
      mode == StepMode::Graph ? "GANGLION_DEVICE_STEP=graph" : device_plan::resident_refusal(shape);
  if (resident_why_.empty()) resident_why_ = cluster_refusal(resident_blocks_, stream_);
  if (mode == StepMode::Resident && !resident_why_.empty())
    throw RunError("GANGLION_DEVICE_STEP=resident: the network cannot step as one kernel a "
                   "chunk: " +
                   resident_why_ + "; leave GANGLION_DEVICE_STEP unset to take the CUDA graph");
  resident_ = resident_why_.empty();
  if (!resident_) return;
  resident_pops_ = arena_.zeros<ResidentPop>(pops_.size());
  resident_projs_ = arena_.zeros<ResidentProj>(projs_.size());
  for (std::size_t p = 0; p < pops_.size(); ++p)
    resident_states_.push_back(arena_.zeros<unsigned char>(kResidentStateBytes));
  resident_address_ = arena_.zeros<ElementStep>(1);
  resident_args_ = Resident{resident_pops_,
                            resident_projs_,
                            int(pops_.size()),
                            int(projs_.size()),
                            step_,
                            stop_,
                            arena_.zeros<int32_t>(2),
                            arena_.zeros<uint32_t>(uint64_t(kResidentPops) * kResidentBlocks),
                            0};
}

// lif's, eif's or poisson's element step for population d as its CUDA hook makes it (with_step on
// its host and device views; step_of on the device view), after the init hook or a change has set
// its coefficients or its trains' next spikes.
void Engine::bind_element(DevicePopulation &d, ResidentPop &out, void *state) {
  const auto take = [&](const auto &s) { bind_step(s, out, state, resident_address_, stream_); };
  const std::string model = d.host->desc->name;
  if (model == "lif")
    lif::with_step(*d.cv.host, *d.cv.view, take);
  else if (model == "eif")
    eif::with_step(*d.cv.host, *d.cv.view, take);
  else if (model == "poisson")
    take(poisson::step_of(*d.cv.view));
  else // (resident_refusal and this list name the same models)
    throw RunError(pop_name(*d.host) + ": the resident step has no element step of '" + model +
                   "'");
}

// The resident step's populations and projections on the device, as the step's kernels would
// take them (capture()'s part where the resident step runs: at the build and after a change).
void Engine::prepare_resident() {
  std::vector<ResidentPop> pops(pops_.size());
  for (std::size_t p = 0; p < pops_.size(); ++p) {
    DevicePopulation &d = pops_[p];
    ResidentPop &r = pops[p];
    bind_element(d, r, resident_states_[p]);
    r.n = d.n;
    r.input = d.input;
    r.i_app = d.i_app;
    r.accumulates = d.host->accumulates;
    r.checked = d.checked;
    r.bounds = bounds_ + d.index;
    r.overflow = overflow_ + d.index;
    r.ring = d.ring;
    r.total = d.total;
    r.counts = d.gather.per_neuron; // (the graph's gather is not used)
    r.sampled = d.sampled;
    r.logged = d.log_spikes;
    for (int b = 0; b < 2; ++b) {
      r.log[b] = d.log[b];
      r.samples[b] = d.samples[b];
    }
  }
  std::vector<ResidentProj> projs;
  for (const auto &d : projs_)
    projs.push_back({d.form, uint32_t(d.pre), uint32_t(d.post), d.row_ptr,
                     uint32_t(d.host->csr.max_delay),
                     d.delivery == device_plan::Delivery::Ordered});
  // (on the engine's stream, waited for: it does not wait for the legacy stream's copies)
  check_run(cudaMemcpyAsync(resident_pops_, pops.data(), sizeof(ResidentPop) * pops.size(),
                            cudaMemcpyHostToDevice, stream_),
            "uploading the resident step");
  if (!projs.empty())
    check_run(cudaMemcpyAsync(resident_projs_, projs.data(), sizeof(ResidentProj) * projs.size(),
                              cudaMemcpyHostToDevice, stream_),
              "uploading the resident step");
  sync("uploading the resident step");
}

// A chunk as the resident kernel, filling the logs of launch_set_ (launch() sets its end).
void Engine::launch_resident() {
  Resident r = resident_args_;
  r.set = launch_set_;
  const ClusterLaunch launch(resident_blocks_, stream_);
  check_run(cudaLaunchKernelEx(&launch.config, resident_kernel, r),
            "launching a chunk of steps (the resident step)");
}

} // namespace ganglion::gpu
