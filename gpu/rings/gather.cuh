// The device engine's spike ring (spike_ring.hpp) filled and read, each step enqueued on a stream
// with every count read on the device (so that a step captured once into a CUDA graph replays with
// whatever spikes it has): a step's spike list, which a neuron's companion appends to in no fixed
// order (cuda::Spikes), gathered into the step's slot ascending with repeats kept, the CPU's order
// of its spike history whatever order the atomics gave (a count per neuron, a scan, a scatter);
// and a fixed-delay projection's arrivals of a step made from the ring, for deliver.cuh. For .cu
// files only; its kernels are static, a copy in each that includes it.
#pragma once

#include <cuda_runtime.h>

#include <cstddef>
#include <cstdint>
#include <initializer_list>

#include <cub/device/device_scan.cuh>

#include "delivery/deliver.cuh"
#include "rings/spike_ring.hpp"

namespace ganglion::gpu {

// A population's gather buffers, allocated before any capture (allocate_gather) and reused every
// step: the spikes of each of its n neurons, their exclusive sum, and the scan's temporary storage.
struct GatherBuffers {
  uint32_t n = 0;
  uint32_t *per_neuron = nullptr, *offsets = nullptr;
  void *temp = nullptr;
  std::size_t temp_bytes = 0;
};

static __global__ void count_spikes_kernel(DeviceSpikes in, uint32_t *per_neuron) {
  const uint32_t listed = *in.count < in.capacity ? *in.count : in.capacity;
  const uint64_t stride = uint64_t(gridDim.x) * blockDim.x;
  for (uint64_t k = uint64_t(blockIdx.x) * blockDim.x + threadIdx.x; k < listed; k += stride)
    atomicAdd(per_neuron + in.list[k], 1u);
}

// Neuron i's spikes written at its offset (as many of them as the slot holds), and its count put
// back to 0 for the next step (so no step clears the counts apart); the last neuron's thread
// writes the slot's count and raises `overflow` where the step had more spikes than the list or
// the slot holds.
static __global__ void scatter_spikes_kernel(GatherBuffers b, DeviceSpikes in, SpikeRing ring,
                                             const uint64_t *step, int32_t *overflow) {
  const uint32_t slot = ring.slot_of(*step);
  uint32_t *out = ring.slot_begin(slot);
  const uint64_t stride = uint64_t(gridDim.x) * blockDim.x;
  for (uint64_t i = uint64_t(blockIdx.x) * blockDim.x + threadIdx.x; i < b.n; i += stride) {
    const uint32_t first = b.offsets[i], end = first + b.per_neuron[i];
    b.per_neuron[i] = 0;
    for (uint32_t k = first; k < end && k < ring.capacity; ++k)
      out[k] = uint32_t(i);
    if (i + 1 == b.n) {
      ring.counts[slot] = end < ring.capacity ? end : ring.capacity;
      if (*in.count > in.capacity || end > ring.capacity) *overflow = 1;
    }
  }
}

// Sizes and allocates b for n neurons (at least one), the counts zero.
inline cudaError_t allocate_gather(GatherBuffers &b, uint32_t n) {
  if (n == 0) return cudaErrorInvalidValue;
  b.n = n;
  cudaError_t e = cudaMalloc(&b.per_neuron, sizeof(uint32_t) * n);
  if (e == cudaSuccess) e = cudaMemset(b.per_neuron, 0, sizeof(uint32_t) * n);
  if (e == cudaSuccess) e = cudaMalloc(&b.offsets, sizeof(uint32_t) * n);
  if (e == cudaSuccess)
    e = cub::DeviceScan::ExclusiveSum(nullptr, b.temp_bytes, b.per_neuron, b.offsets, int(n));
  if (e == cudaSuccess) e = cudaMalloc(&b.temp, b.temp_bytes);
  return e;
}

inline cudaError_t free_gather(GatherBuffers &b) {
  cudaError_t first = cudaSuccess;
  for (void *p : {static_cast<void *>(b.per_neuron), static_cast<void *>(b.offsets), b.temp}) {
    const cudaError_t e = cudaFree(p);
    if (first == cudaSuccess) first = e;
  }
  b = GatherBuffers{};
  return first;
}

// Enqueues the gather of the spikes of step `*step` into their slot of the ring (the ring's
// capacity is the most a slot holds; more raises `*overflow`, which the host reads after the step
// or chunk and clears).
inline cudaError_t gather_spikes(const GatherBuffers &b, const DeviceSpikes &in,
                                 const SpikeRing &ring, const uint64_t *step, int32_t *overflow,
                                 cudaStream_t stream) {
  cudaError_t e = cudaSuccess;
  if (in.capacity > 0) {
    count_spikes_kernel<<<capped_blocks(in.capacity), kDeliveryThreads, 0, stream>>>(in,
                                                                                     b.per_neuron);
    if ((e = cudaGetLastError()) != cudaSuccess) return e;
  }
  std::size_t bytes = b.temp_bytes;
  e = cub::DeviceScan::ExclusiveSum(b.temp, bytes, b.per_neuron, b.offsets, int(b.n), stream);
  if (e != cudaSuccess) return e;
  scatter_spikes_kernel<<<capped_blocks(b.n), kDeliveryThreads, 0, stream>>>(b, in, ring, step,
                                                                             overflow);
  return cudaGetLastError();
}

// One thread per spike the slot may hold: spike k of the slot that arrives at `*step` over
// `delay` becomes arrival k; thread 0 writes their number (0 before the delay's first arrival).
static __global__ void fixed_delay_arrivals_kernel(SpikeRing ring, const uint64_t *step,
                                                   const uint64_t *row_ptr, uint32_t delay,
                                                   gg_arrival *list, uint32_t *n_arrivals) {
  uint32_t slot = 0;
  const bool arrives = ring.arrival_slot(*step, delay, slot);
  const uint32_t n = arrives ? ring.counts[slot] : 0;
  const uint32_t *spikes = ring.slot_begin(slot);
  const uint64_t first = uint64_t(blockIdx.x) * blockDim.x + threadIdx.x;
  if (first == 0) *n_arrivals = n;
  for (uint64_t k = first; k < n; k += uint64_t(gridDim.x) * blockDim.x)
    list[k] = fixed_delay_arrival(row_ptr, spikes[k], delay);
}

// Enqueues the making of a fixed-delay projection's arrivals at `*step` from its presynaptic
// population's ring into `list` (room for ring.capacity) and `*n_arrivals`; returns them as
// deliver.cuh takes them.
inline cudaError_t fixed_delay_arrivals(const SpikeRing &ring, const uint64_t *step,
                                        const uint64_t *row_ptr, uint32_t delay, gg_arrival *list,
                                        uint32_t *n_arrivals, DeviceArrivals &out,
                                        cudaStream_t stream) {
  out = DeviceArrivals{list, n_arrivals, ring.capacity, nullptr};
  const uint64_t threads = ring.capacity > 0 ? ring.capacity : 1; // thread 0 writes the count
  fixed_delay_arrivals_kernel<<<capped_blocks(threads), kDeliveryThreads, 0, stream>>>(
      ring, step, row_ptr, delay, list, n_arrivals);
  return cudaGetLastError();
}

// A fixed-delay projection's arrivals of a step read straight from its presynaptic population's
// ring (spike k of the slot that arrives now brings row k's run: fixed_delay_arrival), for the
// engine's own deliveries, which then need no list and no kernel to make one (a synapse's own CUDA
// step takes the list fixed_delay_arrivals makes).
struct RingArrivals {
  SpikeRing ring;
  const uint64_t *step;
  const uint64_t *row_ptr;
  uint32_t delay;
  // The slot's spikes arriving at *step and their number (0 before the delay's first arrival).
  __device__ uint32_t arriving(const uint32_t *&spikes) const {
    uint32_t slot = 0;
    if (!ring.arrival_slot(*step, delay, slot)) return 0;
    spikes = ring.slot_begin(slot);
    return ring.counts[slot];
  }
};

static __global__ void ring_scattered_kernel(ArrivalForm f, RingArrivals a) {
  const unsigned lane = threadIdx.x & 31u;
  const uint64_t warps = uint64_t(gridDim.x) * blockDim.x / 32;
  const uint32_t *spikes = nullptr;
  const uint32_t n = a.arriving(spikes);
  for (uint64_t k = (uint64_t(blockIdx.x) * blockDim.x + threadIdx.x) / 32; k < n; k += warps) {
    const gg_arrival r = fixed_delay_arrival(a.row_ptr, spikes[k], a.delay);
    for (uint64_t s = r.begin + lane; s < r.end; s += 32) {
      const uint32_t j = f.post[s];
      atomicAdd(f.x + j, f.amount(s, j, 1.0));
    }
  }
}

static __global__ void ring_ordered_kernel(ArrivalForm f, uint64_t n_targets, RingArrivals a) {
  const uint64_t j = uint64_t(blockIdx.x) * blockDim.x + threadIdx.x;
  if (j >= n_targets) return;
  const uint32_t *spikes = nullptr;
  const uint32_t n = a.arriving(spikes);
  f.deliver_each(
      uint32_t(j), n,
      [&](uint64_t k) { return fixed_delay_arrival(a.row_ptr, spikes[k], a.delay); }, nullptr);
}

// Enqueues the delivery of a fixed delay's arrivals read from the ring: scattered, a warp for each
// spike the slot may hold (warp_blocks), adding with atomics.
inline cudaError_t deliver_scattered(const ArrivalForm &f, const RingArrivals &a,
                                     cudaStream_t stream) {
  if (a.ring.capacity == 0) return cudaSuccess;
  ring_scattered_kernel<<<warp_blocks(a.ring.capacity), kDeliveryThreads, 0, stream>>>(f, a);
  return cudaGetLastError();
}

// ... or in the CPU's order, a thread for each of the targets 0 .. n_targets - 1.
inline cudaError_t deliver_ordered(const ArrivalForm &f, uint64_t n_targets, const RingArrivals &a,
                                   cudaStream_t stream) {
  if (n_targets == 0) return cudaSuccess;
  const uint64_t blocks = (n_targets + kDeliveryThreads - 1) / kDeliveryThreads;
  ring_ordered_kernel<<<unsigned(blocks), kDeliveryThreads, 0, stream>>>(f, n_targets, a);
  return cudaGetLastError();
}

} // namespace ganglion::gpu
