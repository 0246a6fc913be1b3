// The device engine's copy of a network (device_engine.cu): per population and projection the
// device arrays, the views its CUDA hooks see, and what the step does with it; and the arena that
// owns every allocation. Host code only (the .cu files include it; no kernel here).
#pragma once

#include <cuda_runtime.h>

#include <cstdint>
#include <string>
#include <vector>

#include "delivery/arrival_form.hpp"
#include "delivery/drive.hpp"
#include "delivery/input_ring.hpp"
#include "engine/device_plan.hpp"
#include "engine/impl.hpp"
#include "rings/gather.cuh"
#include "rings/spike_ring.hpp"
#include "run/chunk_kernels.cuh"

namespace ganglion::gpu {

// Throws RunError "GPU: what: the runtime's message" where `e` is an error.
void check_run(cudaError_t e, const std::string &what);

// Every device allocation of a run, freed together.
class Arena {
public:
  Arena() = default;
  Arena(const Arena &) = delete;
  Arena &operator=(const Arena &) = delete;
  ~Arena();
  // n zeroed elements (at least one, so that the pointer is valid).
  template <class T> T *zeros(std::size_t n) {
    return static_cast<T *>(bytes(sizeof(T) * (n ? n : 1)));
  }
  template <class T> T *copy(const T *host, std::size_t n) {
    T *d = zeros<T>(n);
    if (n) check_run(cudaMemcpy(d, host, sizeof(T) * n, cudaMemcpyHostToDevice), "an upload");
    return d;
  }
  std::size_t allocated() const { return total_; }

private:
  void *bytes(std::size_t n);
  std::vector<void *> blocks_;
  std::size_t total_ = 0;
};

// One instance's fields on the device: an array per field (a sequence field's values and its
// offsets), and the pointer tables a view hands out (host arrays of device pointers).
struct DeviceFields {
  std::vector<double *> ptrs;
  std::vector<const uint64_t *> offsets;
  std::vector<std::size_t> sizes; // values per field
  void upload(Arena &arena, const engine::Fields &host);
  void copy_in(const engine::Fields &host, cudaStream_t stream) const; // host -> device
  void copy_out(engine::Fields &host, cudaStream_t stream) const;      // device -> host
};

struct DevicePopulation {
  engine::Population *host = nullptr;
  std::size_t index = 0;
  uint64_t n = 0;
  // Stepped here (on "cuda"); else a host population whose fields and spike ring the device's
  // projections read (a mixed network), filled by the exchange.
  bool owned = true;
  // Its spikes cross to the other backend in a mixed network: read by a host projection or
  // recorder (owned), or by a device projection (a ghost). Only these are exchanged.
  bool crosses = false;
  bool spiking = true; // emits spikes into its ring (not a rate unit or a drive)
  DeviceFields fields;
  double *input = nullptr, *i_app = nullptr;
  uint32_t *spikes = nullptr, *n_spikes = nullptr;
  uint32_t capacity = 0;
  int32_t *out_of_range = nullptr;
  SpikeRing ring{};
  GatherBuffers gather;
  uint32_t *step_list = nullptr, *step_count = nullptr; // the step's gathered spikes
  unsigned long long *total = nullptr;
  unsigned long long *member_totals = nullptr; // a batch: each member's spikes
  CheckedFields checked{};
  std::vector<gg_channel> channels; // the fused projections', g on the device
  bool log_spikes = false, sampled = false;
  // The recorders' logs, in two sets: a chunk fills one while the host reads the other's.
  SpikeLog log[2]{};
  device_plan::Samples plan; // what its recorders read (pairs, intervals)
  Samples samples[2]{};
  bool sums_inputs = false; // an `inputs` recorder reads its projections' means
  InputSums sums[2]{};
  gg_view view{};
  gg_cuda_view cv{};
};

// A projection's plasticity rule on the device (ABI 1.10's rule view), stepped after the
// projection's delivery: its fields, its by-post index, the word that says whether this step lies
// in its active phases, and those phases ([start, stop) steps, two values each).
struct DeviceRule {
  DeviceFields fields;
  uint64_t *col_ptr = nullptr, *col_synapse = nullptr;
  uint32_t *col_pre = nullptr;
  int32_t *learning = nullptr;
  const uint64_t *phases = nullptr;
  uint32_t n_phases = 0;
  // The steps after which a host recorder reads the weights (their `every`): the device's are
  // copied to the host then.
  device_plan::Samples read;
  gg_view view{};
  gg_cuda_view cv{};
};

struct DeviceProjection {
  engine::Projection *host = nullptr;
  bool active = true;            // delivered here (on "cuda"); else the host's
  std::size_t pre = 0, post = 0; // population indices
  DeviceFields fields;
  uint64_t *row_ptr = nullptr;
  uint32_t *post_index = nullptr;
  float *weight = nullptr;
  uint16_t *delay = nullptr;
  device_plan::Delivery delivery = device_plan::Delivery::Hook;
  ArrivalForm form{};
  InputRing input_ring{};
  Drive drive{};
  gg_arrival *arrivals = nullptr;
  uint32_t *n_arrivals = nullptr;
  bool plastic = false; // its rule runs here
  DeviceRule rule;
  gg_view view{};
  gg_cuda_view cv{};
};

// A recorder of a projection that samples on the device (its plugin's CUDA hooks, ABI 1.11): its
// fields and the synapses it follows there, and a record for each set of logs, which its step
// writes at a chunk's end where that is one of its samples (`sampling`, set after the chunk's
// last step), and which the host hands to its `emit` in the replay.
struct DeviceRecorder {
  engine::Recorder *host = nullptr;
  std::size_t proj = 0;
  uint64_t every = 1;
  DeviceFields fields;
  uint64_t record_bytes = 0;
  void *record[2] = {};
  void *scratch = nullptr;
  int32_t *sampling = nullptr;
  gg_view view{};
  gg_cuda_view cv{};
};

} // namespace ganglion::gpu
