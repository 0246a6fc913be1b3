// A chunk's spikes for the host's recorders: each step's spikes (its ring slot, ascending)
// appended to a log in device memory as (step, index), which the host copies out once per chunk
// and replays through the recorders step by step. A step goes in whole or not at all: where the
// log lacks room for the most one step can emit, the step is not logged and the log keeps the
// step it paused at; the engine takes no further step in the chunk, and goes on from there once
// the host has emptied the log, so no spike is lost however busy the network. Enqueued with the
// step and the counts read on the device, so a captured step replays. For .cu files only.
#pragma once

#include <cuda_runtime.h>

#include <cstdint>

namespace ganglion::gpu {

inline constexpr unsigned long long kNotPaused = ~0ull;

struct SpikeLog {
  unsigned long long *entries;    // step << 32 | index
  unsigned long long capacity;    // entries
  unsigned long long *count;      // device: entries held
  unsigned long long *paused_at;  // device: the first step not logged, or kNotPaused
  unsigned long long *step_first; // device: where this step's entries start
};

// One thread: room for the step's most (`most`), or the pause.
static __global__ void reserve_kernel(SpikeLog log, const uint32_t *spikes, uint32_t most,
                                      const uint64_t *step) {
  if (*log.paused_at != kNotPaused) return;
  const unsigned long long at = *log.count;
  if (at + most > log.capacity) {
    *log.paused_at = *step;
    return;
  }
  *log.step_first = at;
  *log.count = at + *spikes;
}

static __global__ void append_kernel(SpikeLog log, const uint32_t *list, const uint32_t *spikes,
                                     const uint64_t *step) {
  const uint64_t k = uint64_t(blockIdx.x) * blockDim.x + threadIdx.x;
  if (*log.paused_at != kNotPaused || k >= *spikes) return;
  log.entries[*log.step_first + k] = (unsigned long long)*step << 32 | list[k];
}

// Enqueues the logging of the step's spikes (list, *spikes of them, at most `most`).
inline cudaError_t log_spikes(const SpikeLog &log, const uint32_t *list, const uint32_t *spikes,
                              uint32_t most, const uint64_t *step, cudaStream_t stream) {
  constexpr unsigned kThreads = 256;
  reserve_kernel<<<1, 1, 0, stream>>>(log, spikes, most, step);
  if (most > 0)
    append_kernel<<<unsigned((uint64_t(most) + kThreads - 1) / kThreads), kThreads, 0, stream>>>(
        log, list, spikes, step);
  return cudaGetLastError();
}

} // namespace ganglion::gpu
