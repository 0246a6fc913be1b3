// The device engine's own small kernels around a step (device_engine.cu): a ring slot copied to a
// fixed list (for the spike log and the drawn delays' walk, which take a list at a fixed address
// in a captured step) with the step's end (the spike total, the counts cleared), the step's
// advance, the state samples and input sums for the host's recorders, and the gate that decides, on
// the device, whether the chunk takes another step. The step is the body of a CUDA graph's
// while-node, which runs it as long as the gate says so: a chunk is one graph launch. For .cu files
// only; kernels static, a copy in each includer.
#pragma once

#include <cuda_runtime.h>

#include <cstdint>

#include "delivery/deliver.cuh"
#include "engine/device_plan.hpp"
#include "ganglion/sdk/row_search.hpp"
#include "rings/spike_ring.hpp"
#include "step/bounds.cuh"
#include "step/spike_log.cuh"

namespace ganglion::gpu {

// What a population's step leaves for the next, done by the copy of its slot (one kernel less a
// step): the slot's spikes added to the run's total (a batch's: each member's too), and the
// neuron's spike count and out-of-range word cleared for the next step (each null: nothing).
struct StepEnd {
  unsigned long long *total = nullptr;
  uint32_t *n_spikes = nullptr;
  int32_t *out_of_range = nullptr;
  // A batch: each member's spikes, the population's neurons member_size a member.
  unsigned long long *member_totals = nullptr;
  uint64_t member_size = 0, members = 0;
};

// Step *step's slot of `ring` copied to `list`, its count to *count; thread 0 does `end`.
static __global__ void copy_slot_kernel(SpikeRing ring, const uint64_t *step, uint32_t *list,
                                        uint32_t *count, StepEnd end) {
  const uint32_t slot = ring.slot_of(*step), n = ring.counts[slot];
  const uint32_t *from = ring.slot_begin(slot);
  const uint64_t first = uint64_t(blockIdx.x) * blockDim.x + threadIdx.x;
  if (first == 0) {
    *count = n;
    if (end.total) *end.total += n;
    if (end.n_spikes) *end.n_spikes = 0;
    if (end.out_of_range) *end.out_of_range = 0;
  }
  const uint64_t stride = uint64_t(gridDim.x) * blockDim.x;
  for (uint64_t k = first; k < n; k += stride)
    list[k] = from[k];
  // A batch: member m's spikes are the slot's (ascending) run of its block, a thread a member.
  // (A batch's population holds fewer than 2^32 neurons.)
  for (uint64_t m = first; m < end.members; m += stride)
    end.member_totals[m] += first_onto(from, 0, n, uint32_t((m + 1) * end.member_size)) -
                            first_onto(from, 0, n, uint32_t(m * end.member_size));
}

inline cudaError_t copy_slot(const SpikeRing &ring, const uint64_t *step, uint32_t *list,
                             uint32_t *count, cudaStream_t stream, StepEnd end = {}) {
  copy_slot_kernel<<<capped_blocks(ring.capacity > 0 ? ring.capacity : 1), kDeliveryThreads, 0,
                     stream>>>(ring, step, list, count, end);
  return cudaGetLastError();
}

// A plastic projection's learning word (whether the step lies in its rule's active phases) and
// those phases ([start, stop) steps, two values each).
struct RuleLearning {
  const uint64_t *phases;
  uint32_t n;
  int32_t *learning;
};

// The step's advance, and each rule's learning word set for the step that follows, so that no
// step takes a kernel of its own for it (rules[0 .. n_rules - 1]; the build sets step 0's).
static __global__ void advance_kernel(uint64_t *step, const RuleLearning *rules, int n_rules) {
  const uint64_t next = *step + 1;
  *step = next;
  for (int k = 0; k < n_rules; ++k)
    *rules[k].learning = device_plan::learning_at(next, rules[k].phases, rules[k].n) ? 1 : 0;
}

// A device recorder's word: 1 where the chunk just run reached its end, *end, and that end
// follows one of the recorder's samples (every `every` steps).
struct SamplingWord {
  uint64_t every;
  int32_t *sampling;
};

static __global__ void sampling_kernel(const uint64_t *step, const uint64_t *end,
                                       const SamplingWord *words, int n) {
  const uint64_t now = *step;
  for (int k = 0; k < n; ++k)
    *words[k].sampling = now == *end && now % words[k].every == 0 ? 1 : 0;
}

// The state a population's recorders read, sampled at the steps they sample (step + 1 a
// multiple of one of `every`): value p of a row is field[p][element[p]].
inline constexpr int kMostEveries = 8;
struct Samples {
  const double *const *field; // device: each pair's field
  const uint32_t *element;    // device: each pair's element
  uint32_t pairs;
  double *log;    // max_rows x pairs
  uint32_t *rows; // device: rows written this chunk (the host clears it)
  uint32_t max_rows;
  uint64_t every[kMostEveries];
  int n_every;
  GG_HD bool due(uint64_t step) const {
    for (int k = 0; k < n_every; ++k)
      if ((step + 1) % every[k] == 0) return true;
    return false;
  }
};

static __global__ void sample_kernel(Samples s, const uint64_t *step) {
  if (!s.due(*step)) return;
  double *row = s.log + uint64_t(*s.rows) * s.pairs;
  for (uint64_t p = uint64_t(blockIdx.x) * blockDim.x + threadIdx.x; p < s.pairs;
       p += uint64_t(gridDim.x) * blockDim.x)
    row[p] = s.field[p][s.element[p]];
}

static __global__ void next_row_kernel(Samples s, const uint64_t *step) {
  if (s.due(*step)) *s.rows += 1;
}

inline cudaError_t sample(const Samples &s, const uint64_t *step, cudaStream_t stream) {
  sample_kernel<<<capped_blocks(s.pairs), kDeliveryThreads, 0, stream>>>(s, step);
  next_row_kernel<<<1, 1, 0, stream>>>(s, step);
  return cudaGetLastError();
}

// A population's summed input for an `inputs` recorder: each step a row of `cols` sums over its
// n neurons, the input after I_app and after each incoming projection's current in turn (the CPU
// engine's sums, whose differences are the projections' means), at row *rows, which next_row
// advances.
struct InputSums {
  const double *input;
  uint64_t n;
  double *log; // max_rows x cols
  uint32_t cols;
  uint32_t *rows; // device: rows written this chunk (the host clears it)
  uint32_t max_rows;
};

static __global__ void clear_sums_kernel(InputSums s) {
  if (threadIdx.x < s.cols) s.log[uint64_t(*s.rows) * s.cols + threadIdx.x] = 0;
}

// Column `col` of the step's row: the sum of the input now (a block's part in shared memory, then
// one atomic addition per block: the order of the blocks' additions varies).
static __global__ void sum_input_kernel(InputSums s, uint32_t col) {
  __shared__ double part[kDeliveryThreads];
  double x = 0;
  for (uint64_t i = uint64_t(blockIdx.x) * blockDim.x + threadIdx.x; i < s.n;
       i += uint64_t(gridDim.x) * blockDim.x)
    x += s.input[i];
  part[threadIdx.x] = x;
  __syncthreads();
  for (unsigned half = blockDim.x / 2; half > 0; half /= 2) {
    if (threadIdx.x < half) part[threadIdx.x] += part[threadIdx.x + half];
    __syncthreads();
  }
  if (threadIdx.x == 0) atomicAdd(s.log + uint64_t(*s.rows) * s.cols + col, part[0]);
}

static __global__ void next_sums_row_kernel(InputSums s) {
  *s.rows += 1;
}

inline cudaError_t clear_sums(const InputSums &s, cudaStream_t stream) {
  clear_sums_kernel<<<1, 32 * ((s.cols + 31) / 32), 0, stream>>>(s);
  return cudaGetLastError();
}

inline cudaError_t sum_input(const InputSums &s, uint32_t col, cudaStream_t stream) {
  sum_input_kernel<<<capped_blocks(s.n), kDeliveryThreads, 0, stream>>>(s, col);
  return cudaGetLastError();
}

inline cudaError_t next_sums_row(const InputSums &s, cudaStream_t stream) {
  next_sums_row_kernel<<<1, 1, 0, stream>>>(s);
  return cudaGetLastError();
}

// A log of rows (state samples, input sums): `rows` used of `max_rows`.
struct RowLog {
  const uint32_t *rows;
  uint32_t max_rows;
};

// What the gate reads, all in device memory: another step is taken while the chunk has steps
// left, every value is in range, no spike list overflowed, and every log has room for the most
// the step can bring.
struct Gate {
  const uint64_t *step, *stop;
  const BoundsStatus *bounds; // n_bounds
  const int32_t *overflow;    // n_overflow
  const SpikeLog *logs;       // n_logs, each with room needed for most[k]
  const unsigned long long *most;
  const RowLog *row_logs; // n_row_logs, each with room for one more row
  int n_bounds, n_overflow, n_logs, n_row_logs;
};

static __global__ void gate_kernel(cudaGraphConditionalHandle handle, Gate g) {
  bool go = *g.step < *g.stop;
  for (int k = 0; go && k < g.n_bounds; ++k)
    go = g.bounds[k].step == kAllInRange;
  for (int k = 0; go && k < g.n_overflow; ++k)
    go = g.overflow[k] == 0;
  for (int k = 0; go && k < g.n_logs; ++k)
    go = *g.logs[k].count + g.most[k] <= g.logs[k].capacity;
  for (int k = 0; go && k < g.n_row_logs; ++k)
    go = *g.row_logs[k].rows < g.row_logs[k].max_rows;
  cudaGraphSetConditional(handle, go ? 1u : 0u);
}

} // namespace ganglion::gpu
