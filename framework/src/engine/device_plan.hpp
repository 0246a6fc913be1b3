// What the device engine (gpu/run/) decides on the host before it allocates anything, and its host
// side of a chunk: how each projection is delivered, what each population's recorders need
// gathered on the device and how large those logs are, a step's spikes taken from the spike log
// into the host's history, and the state samples' steps. Host code without CUDA, in libganglion,
// so that it is unit-tested on every machine (tests/unit/engine/test_device_plan.cpp).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "engine/state.hpp"
#include "ganglion/hd.h"
#include "ganglion/plugin_abi.h"

namespace ganglion::device_plan {

enum class Delivery {
  Ordered,        // declared arrivals from the spike ring, a thread a target in the CPU's order
  Scattered,      // declared arrivals from the spike ring, a warp an arrival, atomics
  DrawnDelays,    // declared arrivals through a ring of future input per target
  DriveOrdered,   // a poisson_generator's counts drawn where they arrive, in the CPU's order
  DriveScattered, // ... with atomics
  Hook,           // the arrivals from the spike ring, handed to the synapse's CUDA step
  Rate,           // a rate synapse: its CUDA step reads the presynaptic rates
};

// For the run summary: "arrivals added with atomics, in any order".
const char *describe(Delivery d);

// Throws RunError naming instance `who` (running `plugin`) and the fix where its CUDA hooks do
// not promise to only enqueue work (GG_CUDA_ENQUEUES_ONLY): the device engine captures the step.
void check_capturable(const gg_cuda_hooks &h, const std::string &who, const char *plugin);

// Whether a synapse's CUDA table declares its arrivals (GG_CUDA_ARRIVAL_FORM, with the ABI 1.8
// members its struct_size covers).
bool declares_arrivals(const gg_cuda_hooks &h);

// How `proj` is delivered on the device, its synapse's CUDA table `h`, in the CPU's order where
// `ordered` ("delivery": "ordered"; drawn delays sum each step's arrivals in a ring whatever the
// order). Throws RunError naming the projection and the fix where the device cannot deliver it:
// a drive or drawn delays onto a synapse that does not declare its arrivals.
Delivery delivery_of(const engine::Projection &proj, const gg_cuda_hooks &h, bool ordered);

// The state a population's non-spike recorders read, sampled on the device at their steps: the
// pairs (field, element) in the recorders' order (each recorder's variables, all fields where it
// names none, for its chosen neurons or all), and the distinct intervals ("every") they sample at.
struct Samples {
  std::vector<uint32_t> field, element;
  std::vector<uint64_t> every;
  // Whether a recorder samples at `step`: the state recorder's rule, (step + 1) % every == 0.
  bool due(uint64_t step) const;
};
// Throws RunError where the recorders sample at more than `most_everies` distinct intervals.
Samples samples_of(const engine::Population &pop, const std::vector<const engine::Recorder *> &recs,
                   std::size_t most_everies);

// The entries of a population's spike log: a chunk of `chunk_steps` at `rate_hz` per neuron, and at
// least twice the most one step can emit (`capacity`) and a margin, so a step always fits after
// the host has emptied it.
uint64_t spike_log_entries(uint64_t n, uint64_t capacity, double dt_ms, uint64_t chunk_steps,
                           double rate_hz);

// The rows of a population's state samples: as many as fit `budget_bytes`, at least one, at most
// a chunk's steps.
uint32_t sample_rows(uint64_t pairs, double budget_bytes, uint64_t chunk_steps);

// Step `step`'s spikes from a spike log of (step << 32 | index) entries, read from `at` on (entries
// of earlier steps are not there: the log is read in step order): written to `out` (grown where
// needed), `at` moved past them; returns how many.
uint64_t take_spikes(const std::vector<unsigned long long> &log, std::size_t &at, uint64_t step,
                     std::vector<uint32_t> &out);

// A network on both backends (a mixed network) exchanges the spikes that cross once every this
// many steps: the shortest delay of the projections that cross (a spike of step s with a delay of
// d steps enters the synaptic state in step s + d - 1, so a window of that many steps reads none
// of its own spikes before its last step's deliveries, which follow the exchange), at most 64.
// One where a window would not hold: a plasticity rule (it reads both sides' spikes of its own
// step), a crossing projection with drawn delays (the device weighs a spike as it is emitted), a
// recorder of state or inputs (a window's recorders run after it, when the state has moved on).
uint64_t mixed_interval(const Experiment &exp);

// Whether `step` lies in a rule's active phases, `phases` holding n of them as [start, stop)
// pairs of steps (none: always), as engine::Plasticity::learning says on the host. For a kernel
// too: the device decides each step of a captured chunk.
GG_HD bool learning_at(uint64_t step, const uint64_t *phases, uint32_t n) {
  if (n == 0) return true;
  for (uint32_t k = 0; k < n; ++k)
    if (step >= phases[2 * k] && step < phases[2 * k + 1]) return true;
  return false;
}

// The `every` of each recorder on the host that reads projection q's weights (a projection
// recorder), as a Samples whose due(step) says when one samples; empty where none does. (A
// recorder on the device reads them there.)
Samples weight_reads(const std::vector<engine::Recorder> &recs, std::size_t q);

// The first step after `after` that ends a chunk at a sample of one of `every`: the smallest
// multiple of one of them above `after` (the sample after step m - 1 needs the chunk to end at m);
// `none` where `every` is empty.
uint64_t next_sample_end(uint64_t after, const std::vector<uint64_t> &every, uint64_t none);

// The resident step (gpu/run/resident.cuh): a whole chunk of steps as one kernel on one thread
// block cluster, with cluster barriers between a step's phases, in place of a CUDA graph of some
// 20 launches a step. It takes the built-in integrate-and-fire neurons' and the poisson source's
// element steps (lif, eif, poisson) into its own code, so it applies only to a small network of
// them whose every projection is a fused channel delivered by the engine from the spike ring.
inline constexpr uint64_t kResidentMost = 32768; // neurons of one population
inline constexpr std::size_t kResidentPopulations = 8, kResidentProjections = 16;

struct ResidentPopulation {
  std::string name, model;
  uint64_t n = 0;
  bool on_device = true, sums_inputs = false, all_fused = true; // (all its incoming projections)
};
struct ResidentProjection {
  std::string name;
  bool fused = true, plastic = false;
  Delivery delivery = Delivery::Ordered;
};
struct ResidentShape {
  std::vector<ResidentPopulation> pops;
  std::vector<ResidentProjection> projs;
  bool batch = false;
  std::size_t device_recorders = 0;
};

// Why the network cannot step as the resident step, or "" where it can.
std::string resident_refusal(const ResidentShape &shape);

// GANGLION_DEVICE_STEP: "auto" (the default: the resident step where it applies), "graph" (the
// CUDA graph always) or "resident" (refused where it does not apply); a RunError for anything
// else.
enum class StepMode { Auto, Graph, Resident };
StepMode step_mode(const char *setting);

} // namespace ganglion::device_plan
