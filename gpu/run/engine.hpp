// The device engine's class (libganglion_cuda.so; its interface is
// framework/src/engine/device_engine.hpp), its methods in three files: device_engine.cu (opening
// the GPU, the build's order, the chunks and windows of steps, the replay through the host's
// recorders, schedule changes, the end), engine_build.cu (the network's upload: populations,
// projections, rules, channels, the recorders' logs, the gates) and engine_step.cu (one step
// enqueued in the CPU engine's order, and its capture as a CUDA graph). Host code for .cu files.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "engine/device_engine.hpp"
#include "engine/hook_call.hpp"
#include "run/device_network.hpp"
#include "run/device_rows.hpp"
#include "run/resident.hpp"

namespace ganglion::gpu {

inline constexpr uint64_t kChunkSteps = 1024; // run_device's chunks are no longer
inline constexpr double kLogRate = 40;        // Hz: a spike log holds a chunk at this rate
inline constexpr double kSampleBudget =
    256.0 * 1024 * 1024; // bytes of state samples per population

using CudaHook = gg_status (*)(const gg_cuda_view *, gg_error *);

// Calls a CUDA hook (NULL: nothing to do); on failure throws naming the instance.
inline void call(CudaHook hook, const gg_cuda_view &cv, const std::string &who, const char *what) {
  if (!hook) return;
  engine::HookMessage m;
  if (hook(&cv, &m.err) != GG_OK) throw RunError(who + ": CUDA " + what + " failed: " + m.str());
}

inline std::string pop_name(const engine::Population &p) {
  return "population '" + p.spec->name + "'";
}
inline std::string proj_name(const engine::Projection &p) {
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
  void abort_window(uint64_t first, uint64_t step, uint64_t last,
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
  void build_device_recorder(DeviceRecorder &d, engine::Recorder &host);
  void build_gate();
  void capture();
  void capture_set(int b);
  void plan_resident();
  void prepare_resident();
  void bind_element(DevicePopulation &d, ResidentPop &out, void *state);
  void launch_resident();
  void launch(uint64_t first, uint64_t count);
  void enqueue_step();
  void enqueue_phase1();
  void enqueue_phase2();
  void enqueue_population(DevicePopulation &d);
  void enqueue_projection(DeviceProjection &d);
  void enqueue_delivery(DeviceProjection &d);
  void enqueue_recorders(const uint64_t *end);
  void close_window(uint64_t last);
  void copy_weights_read(uint64_t last);
  void weights_to_host(DeviceProjection &d);
  void replay(uint64_t first, uint64_t taken, const std::function<void(uint64_t)> &each, int set);
  void record(uint64_t first, uint64_t taken, const std::function<void(uint64_t)> &each, int set);
  void check_status(uint64_t last, const std::function<void(uint64_t)> &each, uint64_t first,
                    uint64_t taken, int set);
  void exchange_step(uint64_t step, bool current);
  template <class Count, class T>
  std::vector<T> take_log(Count *count, const T *entries, uint64_t width, const char *what);
  void to_host(void *to, const void *from, std::size_t bytes, const char *what);
  void reserve_staging(std::size_t bytes);
  void size_staging();
  void emit(DeviceRecorder &d, const std::vector<unsigned char> &record, uint64_t step);
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
  std::vector<DeviceRecorder> recs_; // the recorders that sample on the device
  SamplingWord *sampling_words_ = nullptr;
  uint64_t *step_ = nullptr, *stop_ = nullptr;
  const uint64_t *batch_seeds_ = nullptr; // a batch's members' seeds (gg_view::batch_seeds)
  BoundsStatus *bounds_ = nullptr; // one per population
  int32_t *overflow_ = nullptr;    // one per population
  Gate gate_[2]{};
  // Every plastic projection's learning word, which the step's advance sets for the next step.
  RuleLearning *learnings_ = nullptr;
  int n_learnings_ = 0;
  bool mixed_ = false; // some populations run on the host: in windows of steps, no graph
  // The resident step (resident.cuh): whether it runs a chunk in place of the graph, on how many
  // blocks, or why not; its populations' and projections' parts on the device, each population's
  // element step struct, and the kernel's argument.
  bool resident_ = false;
  unsigned resident_blocks_ = 0;
  std::string resident_why_;
  ResidentPop *resident_pops_ = nullptr;
  ResidentProj *resident_projs_ = nullptr;
  std::vector<void *> resident_states_;
  ElementStep *resident_address_ = nullptr;
  Resident resident_args_{};
  // The projections' synapses on the device and the bytes they take there (CSR, weights, delays,
  // a rule's by-post index), for the summary.
  uint64_t synapses_ = 0, synapse_bytes_ = 0;
};

} // namespace ganglion::gpu
