// The walks of a plasticity rule's CUDA step (a rule's companion:
// plugins/plasticity/istdp/istdp.cu), the counterparts of sdk/rules.hpp's. Each enqueues one kernel
// on the view's stream and reads the step's spike counts and its learning flag from device memory,
// so that a step captured once into a CUDA graph replays with whatever spikes each step has. In the
// order the CPU's rule takes them:
//
//   for_each_index(v, n_pre, TraceDecay{x_pre})     for_each_pre_spike(v, TraceSpike{x_pre})
//   for_each_index(v, n, TraceDecay{x_post})        for_each_pre_synapse(v, changes)  (learning)
//   for_each_post_synapse(v, changes)  (learning)   for_each_post_spike(v, TraceSpike{x_post})
//
// A presynaptic neuron that spiked c times in a step (a source may) is visited once with c, and
// the body applies its change c times in a row (ganglion::run_at): the CPU's bits, in any order of
// the neurons. The bodies are structs passed by value whose calls are GG_HD (sdk/rules.hpp's
// TraceDecay and TraceSpike; a rule's changes with pre(j, s, c) and post(j, s, k), as
// istdp_model.hpp's).
#ifndef GANGLION_CUDA_RULES_CUH
#define GANGLION_CUDA_RULES_CUH

#include <cstdint>

#include "ganglion/cuda.cuh"
#include "ganglion/hd.h"
#include "ganglion/sdk/rules.hpp"

namespace ganglion::cuda {

// The step's count of a spike list, never beyond its capacity (an overflowing step is reported by
// the kernel and stops the run).
__device__ inline uint32_t listed(const uint32_t *count, uint32_t capacity) {
  const uint32_t c = *count;
  return c < capacity ? c : capacity;
}

inline constexpr unsigned kWarp = 32;
inline constexpr unsigned kMostBlocks = 4096; // a grid-stride loop covers the rest

inline unsigned blocks_for(uint64_t threads) {
  const uint64_t b = (threads + kBlock - 1) / kBlock;
  return unsigned(b == 0 ? 1 : (b < kMostBlocks ? b : kMostBlocks));
}

template <class Body> __global__ void index_kernel(uint64_t n, Body body) {
  const uint64_t stride = uint64_t(gridDim.x) * blockDim.x;
  for (uint64_t i = uint64_t(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += stride)
    body(i);
}

// body(i) for i in [0, n), a thread each: a trace's decay over its neurons.
template <class Body> void for_each_index(const gg_cuda_view &v, uint64_t n, const Body &body) {
  if (n == 0) return;
  index_kernel<<<blocks_for(n), kBlock, 0, stream(v)>>>(n, body);
  check(cudaGetLastError(), "launching a rule's element kernel");
}

// f(i) for each i < n, a thread each (each_thread) or a warp each (each_warp: f(i, lane));
// grid-stride.
template <class F> __device__ void each_thread(uint32_t n, F f) {
  const uint32_t stride = gridDim.x * blockDim.x;
  for (uint32_t i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += stride)
    f(i);
}
template <class F> __device__ void each_warp(uint32_t n, F f) {
  const uint32_t lane = threadIdx.x % kWarp, warps = gridDim.x * (blockDim.x / kWarp);
  for (uint32_t i = (blockIdx.x * blockDim.x + threadIdx.x) / kWarp; i < n; i += warps)
    f(i, lane);
}

template <class Body>
__global__ void pre_spike_kernel(const uint32_t *list, const uint32_t *count, uint32_t capacity,
                                 Body body) {
  const uint32_t n = listed(count, capacity);
  each_thread(n, [&](uint32_t i) {
    if (const uint32_t c = ganglion::run_at(list, n, i)) body(list[i], c);
  });
}

// body(k, c) for each presynaptic neuron k that spiked this step, c times.
template <class Body> void for_each_pre_spike(const gg_cuda_view &v, const Body &body) {
  pre_spike_kernel<<<blocks_for(v.pre_spike_capacity), kBlock, 0, stream(v)>>>(
      v.view->pre_spikes, v.n_pre_spikes, v.pre_spike_capacity, body);
  check(cudaGetLastError(), "launching a rule's presynaptic spikes");
}

template <class Body>
__global__ void post_spike_kernel(const uint32_t *list, const uint32_t *count, uint32_t capacity,
                                  Body body) {
  each_thread(listed(count, capacity), [&](uint32_t i) { body(list[i]); });
}

// body(j) for each postsynaptic neuron j that spiked this step (each once).
template <class Body> void for_each_post_spike(const gg_cuda_view &v, const Body &body) {
  post_spike_kernel<<<blocks_for(v.post_spike_capacity), kBlock, 0, stream(v)>>>(
      v.view->post_spikes, v.n_post_spikes, v.post_spike_capacity, body);
  check(cudaGetLastError(), "launching a rule's postsynaptic spikes");
}

// A warp per spike, its lanes along the spike's synapses: a presynaptic neuron that spiked c
// times along its row of the CSR, body.pre(j, s, c) for each synapse s onto j (Pre); a
// postsynaptic neuron j along its column (col_ptr), body.post(j, s, k) for each synapse s from k.
// Different spikes own different synapses, so no two threads touch one weight. Only where the
// rule learns this step.
template <bool Pre, class Body>
__global__ void synapse_kernel(gg_view v, const uint32_t *count, uint32_t capacity,
                               const int32_t *learning, Body body) {
  if (*learning == 0) return;
  const uint32_t n = listed(count, capacity);
  each_warp(n, [&](uint32_t i, uint32_t lane) {
    if constexpr (Pre) {
      const uint32_t c = ganglion::run_at(v.pre_spikes, n, i);
      const uint32_t k = v.pre_spikes[i];
      for (uint64_t s = v.row_ptr[k] + lane; c && s < v.row_ptr[k + 1]; s += kWarp)
        body.pre(v.post_index[s], s, c);
    } else {
      const uint32_t j = v.post_spikes[i];
      for (uint64_t c = v.col_ptr[j] + lane; c < v.col_ptr[j + 1]; c += kWarp)
        body.post(j, v.col_synapse[c], v.col_pre[c]);
    }
  });
}

template <bool Pre, class Body> void walk_synapses(const gg_cuda_view &v, const Body &body) {
  const uint32_t capacity = Pre ? v.pre_spike_capacity : v.post_spike_capacity;
  synapse_kernel<Pre><<<blocks_for(uint64_t(capacity) * kWarp), kBlock, 0, stream(v)>>>(
      *v.view, Pre ? v.n_pre_spikes : v.n_post_spikes, capacity, v.learning, body);
  check(cudaGetLastError(), "launching a rule's walk of its synapses");
}

// The synapses of this step's presynaptic spikes (body.pre), and those onto its postsynaptic
// spikes (body.post), where the rule learns this step.
template <class Body> void for_each_pre_synapse(const gg_cuda_view &v, const Body &body) {
  walk_synapses<true>(v, body);
}
template <class Body> void for_each_post_synapse(const gg_cuda_view &v, const Body &body) {
  walk_synapses<false>(v, body);
}

} // namespace ganglion::cuda

#endif
