// The resident step's data (resident.cuh has its kernel and says what it does): each population's
// and projection's part of it in device memory, and the kernel's argument. Host and device code
// for .cu files (the engine holds them: engine.hpp).
#pragma once

#include <cstdint>

#include "delivery/arrival_form.hpp"
#include "rings/spike_ring.hpp"
#include "run/chunk_kernels.cuh"
#include "step/bounds.cuh"
#include "step/spike_log.cuh"

namespace ganglion::gpu {

inline constexpr unsigned kResidentThreads = 512; // a block's
inline constexpr unsigned kResidentBlocks = 8;    // the most in a cluster (the portable size)
inline constexpr int kResidentPops = 8, kResidentProjs = 16;
inline constexpr uint64_t kResidentStateBytes = 1024; // room for an element step's struct

// An element step (resident_element<Step>, resident.cuh): element i at step `now`, its spikes
// returned and `outside` set where its state left its range.
using ElementStep = uint32_t (*)(const void *step, uint64_t i, double now, bool &outside);

struct ResidentPop {
  ElementStep step;
  const void *state; // the element step's struct
  uint64_t n;
  double *input;
  const double *i_app; // NULL: none
  bool accumulates;    // its input starts each step from I_app (or 0)
  CheckedFields checked;
  BoundsStatus *bounds;
  int32_t *overflow;
  SpikeRing ring;
  unsigned long long *total;
  uint32_t *counts; // each neuron's spikes in this step
  bool logged;      // a recorder reads its spikes: they go into its log
  SpikeLog log[2];  // by the launch's set (where logged)
  bool sampled;
  Samples samples[2];
};

struct ResidentProj {
  ArrivalForm form;
  uint32_t pre, post; // population indices
  const uint64_t *row_ptr;
  uint32_t delay; // steps (fixed)
  bool ordered;
};

struct Resident {
  const ResidentPop *pops;
  const ResidentProj *projs;
  int n_pops, n_projs;
  uint64_t *step;
  const uint64_t *stop;
  int32_t *go;            // two words: whether step s is taken, at go[s & 1]
  uint32_t *block_totals; // kResidentPops x kResidentBlocks: each block's spikes this step
  int set;                // which of the logs this launch fills
};

} // namespace ganglion::gpu
