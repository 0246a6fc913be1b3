// The device engine's delivery of declared arrivals (GG_CUDA_ARRIVAL_FORM, arrival_form.hpp), each
// way enqueued on a stream with the step and the counts read on the device (so a captured step
// replays with whatever counts the step has). Fixed delays: scattered, a warp per arrival adding
// with atomics (any network; the order of a target's additions varies, so the last bits do), or
// ordered, a thread per target summing its arrivals in the CPU's order (the CPU's bits; for
// validation and small networks: each target bisects every arrival's run). Drawn delays
// (input_ring.hpp): a warp per spike of the step walking its row into the ring with atomics, then
// the step's slot drained, a thread per target. A drive (drive.hpp): a warp per generator row
// drawing each synapse's count and adding with atomics, or ordered, a thread per target in the
// CPU's order. For .cu files only; its kernels are static, a copy in each that includes
// it.
#pragma once

#include <cuda_runtime.h>

#include <cstdint>

#include "delivery/arrival_form.hpp"
#include "delivery/drive.hpp"
#include "delivery/input_ring.hpp"

namespace ganglion::gpu {

// A step's arrivals in device memory.
struct DeviceArrivals {
  const gg_arrival *list;
  const uint32_t *count;  // device: how many this step
  uint32_t capacity;      // the most there can be (a launch's bound)
  const uint32_t *spikes; // device: each arrival's count of spikes (a drive's), or NULL: one
};

// A step's spikes in device memory: a ring slot of a population, or the list its neuron's
// companion left (indices in any order; *count may pass capacity, and no index is then written
// beyond it).
struct DeviceSpikes {
  const uint32_t *list;
  const uint32_t *count; // device: how many this step
  uint32_t capacity;     // the most there can be (a launch's bound)
};

inline constexpr unsigned kDeliveryThreads = 256;

// Blocks of kDeliveryThreads for `threads` threads of a grid-stride loop, at most 2^16 (each
// thread then takes several items in turn).
inline unsigned capped_blocks(uint64_t threads) {
  constexpr uint64_t kMostBlocks = 1u << 16;
  const uint64_t blocks = (threads + kDeliveryThreads - 1) / kDeliveryThreads;
  return unsigned(blocks < kMostBlocks ? blocks : kMostBlocks);
}

// Blocks for a warp per item up to `capacity`.
inline unsigned warp_blocks(uint64_t capacity) {
  return capped_blocks(capacity * 32);
}

static __global__ void deliver_scattered_kernel(ArrivalForm f, DeviceArrivals a) {
  const unsigned lane = threadIdx.x & 31u;
  const uint64_t warps = uint64_t(gridDim.x) * blockDim.x / 32;
  const uint32_t n = *a.count;
  for (uint64_t k = (uint64_t(blockIdx.x) * blockDim.x + threadIdx.x) / 32; k < n; k += warps) {
    const gg_arrival r = a.list[k];
    const double c = ArrivalForm::spikes(a.spikes, k);
    for (uint64_t s = r.begin + lane; s < r.end; s += 32) {
      const uint32_t j = f.post[s];
      atomicAdd(f.x + j, f.amount(s, j, c));
    }
  }
}

static __global__ void deliver_ordered_kernel(ArrivalForm f, uint64_t n_targets, DeviceArrivals a) {
  const uint64_t j = uint64_t(blockIdx.x) * blockDim.x + threadIdx.x;
  if (j < n_targets) f.deliver_to(uint32_t(j), a.list, *a.count, a.spikes);
}

// Enqueues the scattered delivery: a warp for each arrival (warp_blocks).
inline cudaError_t deliver_scattered(const ArrivalForm &f, const DeviceArrivals &a,
                                     cudaStream_t stream) {
  if (a.capacity == 0) return cudaSuccess;
  deliver_scattered_kernel<<<warp_blocks(a.capacity), kDeliveryThreads, 0, stream>>>(f, a);
  return cudaGetLastError();
}

// Enqueues the ordered delivery onto targets 0 .. n_targets - 1.
inline cudaError_t deliver_ordered(const ArrivalForm &f, uint64_t n_targets,
                                   const DeviceArrivals &a, cudaStream_t stream) {
  if (n_targets == 0) return cudaSuccess;
  const uint64_t blocks = (n_targets + kDeliveryThreads - 1) / kDeliveryThreads;
  deliver_ordered_kernel<<<unsigned(blocks), kDeliveryThreads, 0, stream>>>(f, n_targets, a);
  return cudaGetLastError();
}

static __global__ void ring_walk_kernel(InputRing ring, ArrivalForm f, const uint64_t *row_ptr,
                                        const uint16_t *delay, DeviceSpikes spikes,
                                        const uint64_t *step) {
  const unsigned lane = threadIdx.x & 31u;
  const uint64_t warps = uint64_t(gridDim.x) * blockDim.x / 32, t = *step;
  const uint32_t n = *spikes.count < spikes.capacity ? *spikes.count : spikes.capacity;
  for (uint64_t k = (uint64_t(blockIdx.x) * blockDim.x + threadIdx.x) / 32; k < n; k += warps) {
    const uint32_t i = spikes.list[k];
    for (uint64_t s = row_ptr[i] + lane; s < row_ptr[i + 1]; s += 32)
      atomicAdd(&ring_place(ring, f, delay, t, s), f.amount(s, f.post[s], 1.0));
  }
}

static __global__ void ring_drain_kernel(InputRing ring, double *x, const uint64_t *step) {
  const uint64_t j = uint64_t(blockIdx.x) * blockDim.x + threadIdx.x;
  if (j < ring.n) ring.drain(*step, uint32_t(j), x);
}

// Enqueues the walk of the step's spikes into the ring: a warp each (warp_blocks).
inline cudaError_t ring_walk(const InputRing &ring, const ArrivalForm &f, const uint64_t *row_ptr,
                             const uint16_t *delay, const DeviceSpikes &spikes,
                             const uint64_t *step, cudaStream_t stream) {
  if (spikes.capacity == 0) return cudaSuccess;
  ring_walk_kernel<<<warp_blocks(spikes.capacity), kDeliveryThreads, 0, stream>>>(
      ring, f, row_ptr, delay, spikes, step);
  return cudaGetLastError();
}

// Enqueues the drain of the step's slot into x (the synapse's state).
inline cudaError_t ring_drain(const InputRing &ring, double *x, const uint64_t *step,
                              cudaStream_t stream) {
  if (ring.n == 0) return cudaSuccess;
  const uint64_t blocks = (ring.n + kDeliveryThreads - 1) / kDeliveryThreads;
  ring_drain_kernel<<<unsigned(blocks), kDeliveryThreads, 0, stream>>>(ring, x, step);
  return cudaGetLastError();
}

static __global__ void drive_scattered_kernel(Drive d, ArrivalForm f, const uint64_t *row_ptr,
                                              uint64_t n_pre, const uint64_t *step) {
  const unsigned lane = threadIdx.x & 31u;
  const uint64_t warps = uint64_t(gridDim.x) * blockDim.x / 32, t = *step;
  for (uint64_t i = (uint64_t(blockIdx.x) * blockDim.x + threadIdx.x) / 32; i < n_pre; i += warps) {
    if (row_ptr[i] == row_ptr[i + 1]) continue;
    const PoissonCount p = d.count_of(uint32_t(i));
    const DriveIds::Row r = d.ids.row(i);
    for (uint64_t k = row_ptr[i] + lane; k < row_ptr[i + 1]; k += 32) {
      const uint32_t j = f.post[k];
      if (const uint64_t c = d.count(p, r, j, t)) atomicAdd(f.x + j, f.amount(k, j, double(c)));
    }
  }
}

static __global__ void drive_ordered_kernel(Drive d, ArrivalForm f, uint64_t n_targets,
                                            const uint64_t *row_ptr, uint64_t n_pre,
                                            const uint64_t *step) {
  const uint64_t j = uint64_t(blockIdx.x) * blockDim.x + threadIdx.x;
  if (j < n_targets) d.deliver_to(f, uint32_t(j), row_ptr, n_pre, *step);
}

// Enqueues a drive's delivery onto targets 0 .. n_targets - 1 from its n_pre generator rows:
// ordered (the CPU's order and bits) or scattered (a warp a row, atomics).
inline cudaError_t deliver_drive(const Drive &d, const ArrivalForm &f, uint64_t n_targets,
                                 const uint64_t *row_ptr, uint64_t n_pre, const uint64_t *step,
                                 bool ordered, cudaStream_t stream) {
  if (n_targets == 0 || n_pre == 0) return cudaSuccess;
  if (ordered)
    drive_ordered_kernel<<<unsigned((n_targets + kDeliveryThreads - 1) / kDeliveryThreads),
                           kDeliveryThreads, 0, stream>>>(d, f, n_targets, row_ptr, n_pre, step);
  else
    drive_scattered_kernel<<<warp_blocks(n_pre), kDeliveryThreads, 0, stream>>>(d, f, row_ptr,
                                                                                n_pre, step);
  return cudaGetLastError();
}

} // namespace ganglion::gpu
