// The engine's state, one struct per plugin instance (population, projection, its plasticity
// rule, recorder) and per task the threads share (a population's slice in phase 1, a part of a
// projection's delivery in phase 2, a thread's task in owner mode). Simulation::Impl (impl.hpp)
// holds them; each instance keeps the hook table of its backend (backend.hpp) and calls its hooks
// through that table alone.
#pragma once

#include <atomic>
#include <cstdint>
#include <exception>
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "connect/connectivity.hpp"
#include "engine/aligned.hpp"
#include "engine/arrival_queue.hpp"
#include "engine/backend.hpp"
#include "engine/faults.hpp"
#include "engine/fields.hpp"
#include "experiment/experiment.hpp"
#include "ganglion/plugin_abi.h"
#include "random/drive_count.hpp"
#include "registry/registry.hpp"

namespace ganglion::engine {

// What every instance has: its part of the experiment, its plugin, and the hook table of the
// backend it runs on, resolved once, at build; and its name for a crash report.
template <class Spec> struct Instance {
  const Spec *spec = nullptr;
  const gg_descriptor *desc = nullptr;
  int backend = GG_BACKEND_CPU; // what its views say (gg_view::backend)
  const gg_hooks *hooks = nullptr;     // on cuda its host half (hooks_for), never NULL
  const gg_cuda_hooks *cuda = nullptr; // on cuda: its device hooks (the companion's table)
  faults::HookSite site;
  // An instance of `plugin` made from `s`, on backend `on`, a `kind` named `name` (both outlive
  // the run); throws RunError where this engine does not run that backend or the plugin has no
  // hooks for it (hooks_for).
  void resolve(const Spec &s, const LoadedPlugin &plugin, int on, const char *kind,
               const std::string &name) {
    spec = &s;
    desc = plugin.desc;
    static constexpr gg_hooks kNoHooks = [] {
      gg_hooks h{};
      h.struct_size = sizeof(gg_hooks);
      return h;
    }();
    const gg_hooks *table = hooks_for(plugin, on, s.pointer);
    hooks = table ? table : &kNoHooks;
    if (on == GG_BACKEND_CUDA) cuda = cuda_hooks(plugin);
    backend = on;
    site = {kind, name.c_str(), desc->name, plugin.path.c_str()};
  }
};

struct Population : Instance<PopulationSpec> {
  Fields fields;
  AlignedVector<double> input;
  FieldData i_app; // added to the input each step (empty: none)
  // Spike history: slot s % depth holds the spikes of step s, for as many steps as the longest
  // outgoing delay needs.
  std::vector<std::vector<uint32_t>> history;
  std::vector<uint64_t> history_count;
  uint64_t capacity = 0; // initial room of a history slot (grown if a step needs more)
  uint64_t spikes_total = 0;
  std::vector<std::size_t> incoming; // projection indices, file order (a fixed sum order)
  std::vector<uint32_t> checked;     // fields with GG_BOUND_CHECKED
  int rate_field = -1;               // rate units: the index of "r"
  bool record_inputs = false;        // an `inputs` recorder wants per-projection means
  // Whether any projection's `current` adds into `input` during a step (or a recorder sums it).
  // When none does, the slices read I_app (or the zeros of `input`) in place: nothing is cleared
  // or copied per step.
  bool accumulates = true;
  std::vector<double> input_means; // per incoming projection, this step
  std::vector<const char *> input_names;
  std::vector<uint64_t> member_spikes; // a batch: each member's spikes so far (gather_spikes)
  gg_view view{};
};

// The message of a bound-checked value out of range (or NaN) in population `pop`: field k of
// element i holds `value` at the end of the step, t_end (ms). The CPU's check and the device's
// (gpu/run/) say the same.
std::string divergence_message(const Population &pop, uint32_t k, uint64_t i, double value,
                               double t_end);

struct Plasticity : Instance<PlasticitySpec> { // on its projection's backend
  Fields fields;
  // The synapses of each postsynaptic neuron (CSR is by presynaptic neuron): what a rule needs
  // to act on a postsynaptic spike.
  std::vector<uint64_t> col_ptr, col_synapse;
  std::vector<uint32_t> col_pre;
  gg_view view{};     // the whole rule (GG_RULE_WHOLE)
  gg_view pre_view{}; // its presynaptic traces alone (GG_RULE_PRE_TRACES), where split
  // Whether the rule may run by parts (GG_DESC_SPLIT_RULE), each with its projection's part of
  // the delivery, which then may be split whatever its share of the synapses.
  bool split() const { return desc->flags & GG_DESC_SPLIT_RULE; }
  bool learning(uint64_t step) const {
    if (spec->active.empty()) return true;
    for (const auto &[start, stop] : spec->active)
      if (step >= start && step < stop) return true;
    return false;
  }
};

// A part of a projection's delivery in phase 2: the synapses onto targets [lo, hi) of every
// row, row i's being [first[i * stride], last[i * stride]) (pointers into row bounds).
// A plastic projection's part also runs its rule's part onto the same targets (GG_RULE_TARGETS),
// after the delivery: they read and write the same synapses' weights.
struct Part {
  const uint64_t *first = nullptr, *last = nullptr;
  uint64_t stride = 1;
  std::vector<gg_arrival> arrivals; // this step's
  std::vector<uint32_t> counts;     // a drive's: the spikes each arrival brings (GG_DESC_COUNTS)
  gg_view view{};
  std::vector<gg_arrival> rule_runs; // this step's presynaptic spikes' runs onto its targets
  gg_view rule_view{};
};

struct Projection : Instance<ProjectionSpec> {
  Csr csr;
  Fields fields;
  std::vector<gg_arrival> arrivals; // this step's (one delay)
  std::vector<uint32_t> counts;     // a drive's: the spikes each arrival brings (GG_DESC_COUNTS)
  ArrivalQueue queue;               // drawn delays: the arrivals of the steps to come
  uint64_t queued_until = 0;        // ... and the first step whose spikes it has not queued
  std::unique_ptr<Plasticity> plasticity;
  gg_view view{};
  // Split delivery (GG_DESC_SPLIT_STEP): the parts, and their row bounds (cut_by_target).
  // Empty: delivered whole.
  std::vector<Part> parts;
  std::vector<uint64_t> cuts;
  // Its current is computed in the postsynaptic neuron's step (a channel, see fuse_channels)
  // instead of by its `current` hook; `channel` is then its form over the whole population.
  bool fused = false;
  gg_channel channel{GG_CHANNEL_NONE, nullptr, 0, 0, 0};
  // From a drive (GG_DESC_DRIVE): its presynaptic population's "rate" (Hz, one per element),
  // and the stream its synapses' Poisson counts are drawn from. Null: spikes from the history.
  const double *drive_rate = nullptr;
  uint64_t drive_stream = 0;
  DriveIds drive_ids; // (a batch: each row's member's)
};

// With no output file recorders run the same, into a sink that accepts and drops everything. It
// numbers channels per recorder instance from 0, as the writer's sink does.
struct NullSink {
  int32_t channels = 0;
  static int32_t declare(void *ctx, const char *, int32_t, uint32_t, const char *) {
    return static_cast<NullSink *>(ctx)->channels++;
  }
  static int32_t write_fixed(void *, const char *, int32_t, const void *, uint64_t, uint32_t,
                             const char *) {
    return 0;
  }
  static int32_t append(void *ctx, int32_t channel, const void *, uint64_t) {
    return channel >= 0 && channel < static_cast<NullSink *>(ctx)->channels ? 0 : -1;
  }
  gg_sink view() { return gg_sink{this, &declare, &write_fixed, &append}; }
};

struct Recorder : Instance<RecorderSpec> { // on the CPU: recorders are host plugins
  Fields fields;
  // A batch: its member's block of the population, elements [at, at + n), whose spikes it is
  // handed relative to `at` (`spikes`), and of a recorded projection the member's rows and
  // targets as its run alone has them (the weights are the block's own, in place).
  bool member_block = false;
  uint64_t at = 0, n = 0;
  std::vector<uint32_t> spikes;
  std::vector<uint64_t> row_ptr;
  std::vector<uint32_t> post_index;
  std::vector<const double *> pop_fields;
  std::vector<const char *> variable_names, variable_units;
  std::unique_ptr<NullSink> null_sink = std::make_unique<NullSink>();
  gg_view view{};
};

// A slice of a population, neurons [begin, end), stepped as one task in phase 1: its views of
// the neuron and of each incoming projection's `current` start at `begin`. Slices have a fixed
// size, so which neuron lands in which slice never depends on the thread count.
struct Slice {
  std::size_t pop = 0;
  uint64_t begin = 0, end = 0;
  std::vector<double *> fields; // the population's fields from `begin`
  std::vector<const uint64_t *> offsets;
  gg_view view{};
  std::vector<std::vector<double *>> in_fields; // each incoming projection's fields from `begin`
  std::vector<std::vector<const uint64_t *>> in_offsets;
  std::vector<gg_view> in_views;
  std::vector<gg_channel> channels; // the fused projections' channels, from `begin`
  std::vector<double> input_sums;   // per incoming projection (inputs recorder)
  std::vector<uint32_t> spikes;     // relative to begin
  uint64_t count = 0;
  int32_t out_of_range = 0; // the step's word on its bound-checked fields (checks_bounds)
};

// A member of a phase 2 task: projection q whole (part < 0) or one part of its delivery.
struct Member {
  std::size_t q = 0;
  int part = -1;
};

// Owner mode (2 threads or more, where every projection's delivery, and plasticity rule if any,
// can be cut by target range and every recorder reads spikes only): from step kOwnerFrom on,
// thread t owns a fixed run of slices, and one task a step does all that writes their state:
// this step's deliveries onto their neurons (each projection's part onto that range, then its
// rule's part on the same synapses), then the next step's phase 1 of the
// slices. One batch a step instead of two, and no conductance written by one core and read by
// the other. Each target still takes its synapses in the arrivals' order: the same bits.
// A thread done with its own slices takes the last ones of a task whose deliveries are done.
// Only a task's last kOpenSlices slices are open to others: the owner steps the ones before them
// without touching a word another thread reads (a claim is a compare-and-swap on a cache line the
// other thread reads, a cost per slice that the owner need not pay), and a thread
// rarely takes more than one slice of another's in a step, where the cut is balanced. A task
// with rules' parts keeps all open: its rules run after its deliveries, before its slices.
struct OwnerTask {
  std::vector<std::pair<std::size_t, Part>> parts; // (projection, its part onto these targets)
  std::size_t slice_begin = 0, slice_end = 0;      // the slices this task steps
  std::size_t slice_open = 0;        // from here on open to other threads (kOpenSlices)
  std::exception_ptr delivery_error; // this step's (deliveries' or rules')
  // The open slices not yet claimed this step, [front, back) in the low and high 32 bits: the
  // owner takes from the front, another thread from the back. Open to others once `ready` holds
  // the step whose neurons they are (the deliveries onto them are done).
  alignas(64) std::atomic<uint64_t> unclaimed{0};
  std::atomic<uint64_t> ready{UINT64_MAX};
  double delivery_cost = 0; // running mean of its deliveries' and rules' parts' time (s),
                            // sampled every 16th step (timed), the first sample its seed
  bool delivery_timed = false;
};

} // namespace ganglion::engine
