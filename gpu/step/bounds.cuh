// The device's check of a population's bound-checked fields (GG_BOUND_CHECKED), the CPU engine's
// check_bounds (framework/src/engine/step.cpp) on the device: a thread per element, enqueued after
// the neuron's step with the step read on the device, so a captured chunk of steps replays it. The
// first step with a value outside its range (or NaN) is kept in device memory with the CPU's pick
// of a place (the CPU checks its fixed slices of elements in turn, in each the fields in the
// population's order, in each the elements in turn: the lowest slice, then field, then element
// with one) and that value;
// later steps leave it as it is, so the host, reading it once per chunk, stops the run at that
// step with the CPU's message, however many steps the chunk ran past it. For .cu files only.
#pragma once

#include <cuda_runtime.h>

#include <cstdint>

namespace ganglion::gpu {

inline constexpr int kMaxChecked = 8; // bound-checked fields of one population (hh has four)

// One checked field: its values (n) and range.
struct CheckedField {
  const double *x;
  double min, max;
};

struct CheckedFields {
  CheckedField field[kMaxChecked];
  int count;
  uint64_t slice = 1024; // the CPU's slices' elements (Simulation::Impl::kSliceSize)
};

// A place's key, lowest first in the CPU's order (slice, field, element; elements below 2^32,
// slices of 1024 or more), and its field and element.
__host__ __device__ inline unsigned long long where_key(uint64_t slice, int k, uint64_t i) {
  return (unsigned long long)(i / slice) << 40 | (unsigned long long)k << 32 | i;
}
__host__ __device__ inline uint32_t where_field(unsigned long long w) {
  return uint32_t(w >> 32) & 0xffu;
}
__host__ __device__ inline uint64_t where_element(unsigned long long w) {
  return w & 0xffffffffull;
}

// In device memory; `step` is UINT64_MAX while every value has been in range.
struct BoundsStatus {
  unsigned long long step;  // the first step with a value out of range
  unsigned long long where; // its place: where_key (the lowest of that step's)
  double value;             // that value
  int recorded;             // value holds it
  unsigned int blocks_done; // the check's blocks finished in this step (the last resets it)
};

inline constexpr unsigned long long kAllInRange = ~0ull;

__device__ inline bool outside(double x, double min, double max) {
  return !(x >= min && x <= max);
}

// A thread per element; the last block to finish reads the value at the place found, in the same
// step (later steps overwrite it, a synapse may move V in this one), so the check is one kernel.
static __global__ void check_bounds_kernel(CheckedFields f, uint64_t n, BoundsStatus *status,
                                           const uint64_t *step, const int32_t *gate) {
  const uint64_t i = uint64_t(blockIdx.x) * blockDim.x + threadIdx.x;
  const unsigned long long t = *step;
  if (i < n && !(gate && *gate == 0))
    for (int k = 0; k < f.count; ++k) {
      if (!outside(f.field[k].x[i], f.field[k].min, f.field[k].max)) continue;
      // The first step wins; within it the lowest (slice, field, element).
      const unsigned long long before = atomicMin(&status->step, t);
      if (before >= t) atomicMin(&status->where, where_key(f.slice, k, i));
      break;
    }
  __syncthreads(); // (the block's atomics have returned: done, and seen by every block)
  if (threadIdx.x != 0) return;
  __threadfence();
  if (atomicAdd(&status->blocks_done, 1u) + 1 != gridDim.x) return;
  status->blocks_done = 0;
  const volatile BoundsStatus *seen = status;
  if (seen->step != t || seen->recorded) return;
  const unsigned long long w = seen->where;
  status->value = f.field[where_field(w)].x[where_element(w)];
  status->recorded = 1;
}

// Enqueues the check of step *step's values (n elements) and the record of a first bad one;
// where `gate` is given, only in a step that left *gate non-zero (a neuron's own word that its
// bound-checked state may have left its range: GG_DESC_CHECKS_BOUNDS).
inline cudaError_t check_bounds(const CheckedFields &f, uint64_t n, BoundsStatus *status,
                                const uint64_t *step, cudaStream_t stream,
                                const int32_t *gate = nullptr) {
  if (f.count == 0 || n == 0) return cudaSuccess;
  constexpr unsigned kThreads = 256;
  check_bounds_kernel<<<unsigned((n + kThreads - 1) / kThreads), kThreads, 0, stream>>>(
      f, n, status, step, gate);
  return cudaGetLastError();
}

// The status before a run: every value in range.
inline BoundsStatus all_in_range() {
  return BoundsStatus{kAllInRange, kAllInRange, 0.0, 0, 0};
}

} // namespace ganglion::gpu
