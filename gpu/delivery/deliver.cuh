// The device engine's delivery of declared arrivals (GG_CUDA_ARRIVAL_FORM, arrival_form.hpp), two
// ways, each enqueued on a stream with the arrivals' count read on the device (so a captured step
// replays with whatever count the step has): scattered, a warp per arrival adding with atomics (any
// network; the order of a target's additions varies, so the last bits do), or ordered, a thread
// per target summing its arrivals in the CPU's order (the CPU's bits; for validation and small
// networks: each target bisects every arrival's run). For .cu files only; its kernels are static,
// a copy in each that includes it.
#pragma once

#include <cuda_runtime.h>

#include <cstdint>

#include "delivery/arrival_form.hpp"

namespace ganglion::gpu {

// A step's arrivals in device memory.
struct DeviceArrivals {
  const gg_arrival *list;
  const uint32_t *count;  // device: how many this step
  uint32_t capacity;      // the most there can be (a launch's bound)
  const uint32_t *spikes; // device: each arrival's count of spikes (a drive's), or NULL: one
};

inline constexpr unsigned kDeliveryThreads = 256;

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

// Enqueues the scattered delivery: a warp for each arrival up to the capacity (fewer blocks where
// that is very large: each warp then takes several in turn).
inline cudaError_t deliver_scattered(const ArrivalForm &f, const DeviceArrivals &a,
                                     cudaStream_t stream) {
  constexpr uint64_t kWarpsPerBlock = kDeliveryThreads / 32, kMostBlocks = 1u << 16;
  const uint64_t blocks = (uint64_t(a.capacity) + kWarpsPerBlock - 1) / kWarpsPerBlock;
  if (blocks == 0) return cudaSuccess;
  deliver_scattered_kernel<<<unsigned(blocks < kMostBlocks ? blocks : kMostBlocks),
                             kDeliveryThreads, 0, stream>>>(f, a);
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

} // namespace ganglion::gpu
