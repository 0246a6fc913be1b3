// The CPU engine; see simulation.hpp for the order of one step.
#include "engine/simulation.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <numeric>
#include <thread>

#include "connect/connectivity.hpp"
#include "engine/aligned.hpp"
#include "engine/thread_pool.hpp"
#include "engine/values.hpp"
#include "ganglion/simd.hpp"
#include "output/hdf5_writer.hpp"
#include "registry/registry.hpp"
#include "random/draws.hpp"

namespace ganglion {
namespace {

using Clock = std::chrono::steady_clock;
double seconds_between(Clock::time_point t0, Clock::time_point t1) {
  return std::chrono::duration<double>(t1 - t0).count();
}
double seconds_since(Clock::time_point t0) {
  return seconds_between(t0, Clock::now());
}

// The kernel's side of a hook's gg_error: a message buffer, emptied before each call (only its
// first byte: hooks run for every step) and read with its terminating NUL made sure.
struct HookMessage {
  char text[1024];
  gg_error err{text, sizeof text};
  HookMessage() { text[0] = 0; }
  HookMessage(const HookMessage &) = delete; // err points into this object
  HookMessage &operator=(const HookMessage &) = delete;
  gg_error *clear() {
    text[0] = 0;
    return &err;
  }
  const char *str() {
    text[sizeof text - 1] = 0; // a message without its NUL stays in the buffer
    return text;
  }
};

std::string format_ms(double t) {
  char b[64];
  std::snprintf(b, sizeof b, "%.10g ms", t);
  return b;
}

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

// Whether a parameter's n values are one value (bits, not ==: +0 and -0 differ; NaNs count as one).
bool one_value(const gg_field &f, const double *x, uint64_t n) {
  bool same = f.role == GG_ROLE_PARAM && f.type != GG_TYPE_SEQUENCE;
  for (uint64_t i = 1; same && i < n; ++i)
    same = std::memcmp(&x[i], &x[0], sizeof(double)) == 0 || (std::isnan(x[i]) && std::isnan(x[0]));
  return same;
}

// The plugin's validate hook on every element, where parameters differ between elements (the
// loader checked element 0, which then stands for all of them). Throws naming the element.
void validate_elements(const gg_descriptor *d, const std::vector<double *> &ptrs,
                       const std::vector<uint8_t> &uniform, uint64_t n, const std::string &where,
                       const char *element) {
  if (!d->validate || n < 2) return;
  bool all_uniform = true;
  for (uint32_t k = 0; k < d->n_fields; ++k)
    all_uniform = all_uniform && (d->fields[k].role != GG_ROLE_PARAM || uniform[k]);
  if (all_uniform) return;
  std::vector<double> values(d->n_fields);
  HookMessage m;
  for (uint64_t i = 0; i < n; ++i) {
    for (uint32_t k = 0; k < d->n_fields; ++k)
      values[k] = d->fields[k].type == GG_TYPE_SEQUENCE || d->fields[k].role == GG_ROLE_PRE_TRACE
                      ? d->fields[k].default_value
                      : ptrs[k][i];
    if (d->validate(values.data(), m.clear()) != GG_OK) {
      const char *why = m.str();
      throw RunError(where + ": " + element + " " + std::to_string(i) + ": " +
                     (why[0] ? why : "the plugin rejected its values (no reason given)"));
    }
  }
}

// The fields of one plugin instance, and the pointer tables its view hands out.
struct Fields {
  std::vector<FieldData> data;
  std::vector<double *> ptrs;
  std::vector<const uint64_t *> offsets;
  std::vector<uint8_t> uniform; // per field: a parameter with one value in every element
  // n values per field, or n_pre for a plasticity rule's presynaptic traces.
  void make(const gg_descriptor *d, uint64_t n, const std::vector<ValueSpec> &values, uint64_t seed,
            uint64_t first_gid, uint64_t n_pre = 0) {
    data.resize(d->n_fields);
    ptrs.resize(d->n_fields);
    offsets.assign(d->n_fields, nullptr);
    for (uint32_t k = 0; k < d->n_fields; ++k) {
      ValueSpec v;
      if (k < values.size())
        v = values[k];
      else
        v.a = d->fields[k].default_value;
      const bool pre = d->fields[k].role == GG_ROLE_PRE_TRACE;
      data[k] = make_field(d->fields[k], v, pre ? n_pre : n, seed, first_gid, k);
      ptrs[k] = data[k].values.data();
      if (!data[k].offsets.empty()) offsets[k] = data[k].offsets.data();
    }
    uniform.assign(d->n_fields, 0);
    for (uint32_t k = 0; k < d->n_fields; ++k)
      refresh_uniform(d, k, n);
  }
  // Whether parameter k has one value throughout its n elements (after a schedule changed it too).
  void refresh_uniform(const gg_descriptor *d, uint32_t k, uint64_t n) {
    uniform[k] = one_value(d->fields[k], ptrs[k], n) ? 1 : 0;
  }
  // A scheduled change: field k takes `value` in place (its pointer stays valid), and its flag
  // follows.
  void set(const gg_descriptor *d, uint32_t k, const ValueSpec &value, uint64_t n) {
    assign_field(data[k], value, n);
    refresh_uniform(d, k, n);
  }
  // A copy with its own values (the pointer tables point into the copy's arrays).
  Fields copy() const {
    Fields c = *this;
    for (std::size_t k = 0; k < c.data.size(); ++k) {
      c.ptrs[k] = c.data[k].values.data();
      if (!c.data[k].offsets.empty()) c.offsets[k] = c.data[k].offsets.data();
    }
    return c;
  }
  void bind(gg_view &v) {
    v.fields = ptrs.data();
    v.n_fields = uint32_t(ptrs.size());
    v.offsets = offsets.data();
    v.uniform = uniform.data();
  }
};

// Whether any of x[0 .. n) lies outside [min, max] or is NaN: a branch-free scan that vectorises
// (it runs over every bound-checked field of every neuron in every step). Bounds of equal size on
// either side of 0 (V's [-1000, 1000] mV) take one comparison per element, |x| <= max, which is
// the same test (NaN fails both; so does an infinity, unless the bounds are infinite) in about
// two thirds of the time: AVX-512 comparisons compete for the mask registers.
GANGLION_SIMD bool any_outside(const double *__restrict x, uint64_t n, double min, double max) {
  int bad = 0; // an int, not a bool: GCC vectorises this reduction only so
  if (min == -max)
    for (uint64_t i = 0; i < n; ++i)
      bad |= !(std::fabs(x[i]) <= max);
  else
    for (uint64_t i = 0; i < n; ++i)
      bad |= !(x[i] >= min) | !(x[i] <= max);
  return bad != 0;
}

int field_index(const gg_descriptor *d, const char *name) {
  for (uint32_t k = 0; k < d->n_fields; ++k)
    if (std::strcmp(d->fields[k].name, name) == 0) return int(k);
  return -1;
}

} // namespace

uint64_t RunReport::synapses() const {
  uint64_t s = 0;
  for (const auto &p : projections)
    s += p.synapses;
  return s;
}

uint64_t RunReport::synapse_bytes() const {
  uint64_t s = 0;
  for (const auto &p : projections)
    s += p.bytes;
  return s;
}

struct Simulation::Impl {
  struct Population {
    const PopulationSpec *spec = nullptr;
    const gg_descriptor *desc = nullptr;
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
    std::vector<double> input_means;   // per incoming projection, this step
    std::vector<const char *> input_names;
    gg_view view{};
  };
  struct Plasticity {
    const PlasticitySpec *spec = nullptr;
    const gg_descriptor *desc = nullptr;
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
    gg_view view{};
    std::vector<gg_arrival> rule_runs; // this step's presynaptic spikes' runs onto its targets
    gg_view rule_view{};
  };
  struct Projection {
    const ProjectionSpec *spec = nullptr;
    const gg_descriptor *desc = nullptr;
    Csr csr;
    Fields fields;
    std::vector<gg_arrival> arrivals; // this step's
    std::unique_ptr<Plasticity> plasticity;
    gg_view view{};
    // Split delivery (GG_DESC_SPLIT_STEP): the parts, and their row bounds (cut_by_target).
    // Empty: delivered whole.
    std::vector<Part> parts;
    std::vector<uint64_t> cuts;
    // Its current is computed in the postsynaptic neuron's step (a channel, see fuse_channels)
    // instead of by its `current` hook.
    bool fused = false;
  };
  struct Recorder {
    const RecorderSpec *spec = nullptr;
    const gg_descriptor *desc = nullptr;
    Fields fields;
    std::vector<const double *> pop_fields;
    std::vector<const char *> variable_names;
    std::unique_ptr<NullSink> null_sink = std::make_unique<NullSink>();
    gg_view view{};
  };
  struct Divergence : std::runtime_error {
    using std::runtime_error::runtime_error;
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
    std::vector<double> input_sums; // per incoming projection (inputs recorder)
    std::vector<uint32_t> spikes;   // relative to begin
    uint64_t count = 0;
    int32_t out_of_range = 0; // the step's word on its bound-checked fields (checks_bounds)
  };
  static constexpr uint64_t kSliceSize = 1024;
  static constexpr uint64_t kSplitRow = 128; // split_delivery: the least mean row length

  const Experiment &exp;
  Hdf5Writer *writer;
  std::vector<Population> pops;
  std::vector<Projection> projs;
  std::vector<Recorder> recs;
  std::vector<Slice> slices;                    // phase 1 tasks, population after population
  // A member of a phase 2 task: projection q whole (part < 0) or one part of its delivery.
  struct Member {
    std::size_t q = 0;
    int part = -1;
  };
  std::vector<std::vector<Member>> groups; // phase 2 tasks: projections stepped together
  // Phase 2 hands the groups out longest first (by their measured time, a running mean), so the
  // thread that takes the largest projection is not also left the last: the order changes nothing
  // but the load balance, since every group writes only its own projections.
  std::vector<double> group_cost;
  std::vector<std::size_t> group_order;
  // Owner mode (2 threads or more, where every projection's delivery, and plasticity rule if any,
  // can be cut by target range and every recorder reads spikes only): from step kOwnerFrom on,
  // thread t owns a fixed run of slices, and one task a step does all that writes their state:
  // this step's deliveries onto their neurons (each projection's part onto that range, then its
  // rule's part on the same synapses), then the next step's phase 1 of the
  // slices. One batch a step instead of two, and no conductance written by one core and read by
  // the other. Each target still takes its synapses in the arrivals' order: the same bits.
  // A thread done with its own slices takes the last ones of a task whose deliveries are done.
  // Only a task's last kOpenSlices slices are open to others: the owner steps the ones before them
  // without touching a word another thread reads (a claim's compare-and-swap on a shared cache
  // line, once per slice, had been 5 % of a 2-thread COBA step at N = 16000), and a thread
  // rarely takes more than one slice of another's in a step, where the cut is balanced. A task
  // with rules' parts keeps all open: its rules run after its deliveries, before its slices.
  struct OwnerTask {
    std::vector<std::pair<std::size_t, Part>> parts; // (projection, its part onto these targets)
    std::size_t slice_begin = 0, slice_end = 0;      // the slices this task steps
    std::size_t slice_open = 0; // from here on open to other threads (kOpenSlices)
    std::exception_ptr delivery_error;               // this step's (deliveries' or rules')
    // The open slices not yet claimed this step, [front, back) in the low and high 32 bits: the
    // owner takes from the front, another thread from the back. Open to others once `ready` holds
    // the step whose neurons they are (the deliveries onto them are done).
    alignas(64) std::atomic<uint64_t> unclaimed{0};
    std::atomic<uint64_t> ready{UINT64_MAX};
    double delivery_cost = 0; // running mean of its deliveries' and rules' parts' time (s),
                              // sampled every 16th step (timed), the first sample its seed
    bool delivery_timed = false;
  };
  static constexpr uint64_t kOwnerFrom = 128;   // steps of measured slice costs before the split
  static constexpr std::size_t kOpenSlices = 2; // a task's last slices, which others may take
  bool owner_possible = false;
  std::vector<OwnerTask> owner;                    // empty: not (yet) in owner mode
  std::vector<std::vector<uint64_t>> owner_cuts;   // the parts' row bounds, by projection
  std::vector<std::vector<uint64_t>> owner_bounds; // ... and the target bounds they were cut at
  double owner_build_s = 0;                        // the last cut's time to build (s)
  unsigned owner_cuts_made = 0;                    // cuts so far (RunReport::owner_cuts)
  bool recut_for_tests = false;                    // GANGLION_TEST_RECUT (rebalance_owner)
  std::vector<std::size_t> owner_split;            // task t first on thread t
  std::vector<std::exception_ptr> slice_errors;    // owner mode: this step's, by slice
  std::atomic<bool> any_slice_error{false};
  // Owner mode: the step whose rules' presynaptic traces are advanced. Task 0 advances them first,
  // and a rule's part waits for them (they are done long before, while its deliveries ran), so
  // that they take no time of their own between batches.
  std::atomic<uint64_t> pre_traces_done{UINT64_MAX};
  std::unique_ptr<ThreadPool> pool;
  double setup_s = 0;
  uint64_t gathered = UINT64_MAX; // the last step whose spikes were gathered

  Impl(const Experiment &e, Hdf5Writer *w) : exp(e), writer(w) {}

  gg_view base_view(uint64_t n, uint64_t first_gid) const {
    gg_view v{};
    v.struct_size = sizeof(gg_view);
    v.backend = GG_BACKEND_CPU;
    v.n = n;
    v.first_gid = first_gid;
    v.dt = exp.simulation.dt;
    v.seed = exp.simulation.seed;
    v.rng_stream = streams::kDynamics;
    return v;
  }

  void build() {
    const auto t0 = Clock::now();
    const auto &sim = exp.simulation;
    const unsigned threads =
        sim.threads ? sim.threads : std::max(1u, std::thread::hardware_concurrency());
    pool = std::make_unique<ThreadPool>(threads);
    recut_for_tests = std::getenv("GANGLION_TEST_RECUT") != nullptr;

    pops.resize(exp.populations.size());
    for (std::size_t p = 0; p < pops.size(); ++p) {
      auto &pop = pops[p];
      pop.spec = &exp.populations[p];
      pop.desc = pop.spec->plugin->desc;
      const uint64_t n = pop.spec->size;
      pop.fields.make(pop.desc, n, pop.spec->values, sim.seed, pop.spec->first_gid);
      validate_elements(pop.desc, pop.fields.ptrs, pop.fields.uniform, n, pop.spec->pointer,
                        "neuron");
      validate_schedules(pop);
      pop.input.assign(padded(n), 0.0);
      const bool has_i_app = pop.spec->i_app.kind != ValueSpec::Kind::Constant ||
                             pop.spec->i_app.a != 0 || !pop.spec->i_app_changes.empty();
      if (has_i_app) {
        const gg_field f{"I_app",  "", GG_ROLE_PARAM, GG_TYPE_F64, 0, -HUGE_VAL,
                         HUGE_VAL, 0,  nullptr,       ""};
        pop.i_app = make_field(f, pop.spec->i_app, n, sim.seed, pop.spec->first_gid, 999);
      }
      // Sources may emit several spikes per neuron in a step (a Poisson count).
      pop.capacity = (pop.desc->flags & GG_DESC_SOURCE) ? 8 * n + 1024 : n;
      for (uint32_t k = 0; k < pop.desc->n_fields; ++k)
        if (pop.desc->fields[k].flags & GG_BOUND_CHECKED) pop.checked.push_back(k);
      if (pop.desc->flags & GG_DESC_RATE) pop.rate_field = field_index(pop.desc, "r");
    }
    std::vector<uint64_t> depth(pops.size(), 1);
    projs.resize(exp.projections.size());
    std::vector<bool> recorded(projs.size(), false); // a recorder reads its synapses
    for (const auto &r : exp.recorders)
      if (r.projection >= 0) recorded[std::size_t(r.projection)] = true;
    for (std::size_t q = 0; q < projs.size(); ++q) {
      auto &proj = projs[q];
      proj.spec = &exp.projections[q];
      proj.desc = proj.spec->synapse->desc;
      const auto &pre = exp.populations[proj.spec->pre];
      const auto &post = exp.populations[proj.spec->post];
      // 2 bytes a synapse where the synapse model reads the compact layout and only it does.
      const bool compact = (proj.desc->flags & GG_DESC_COMPACT_CSR) &&
                           proj.spec->plasticity.empty() && !recorded[q];
      const CsrLayout layout{compact && post.size <= 65536, compact};
      proj.csr = build_connectivity(*proj.spec, pre, post, sim.seed, sim.dt, pool.get(), layout);
      proj.fields.make(proj.desc, post.size, proj.spec->values, sim.seed, post.first_gid);
      pops[proj.spec->post].incoming.push_back(q);
      depth[proj.spec->pre] = std::max(depth[proj.spec->pre], proj.csr.max_delay);
    }
    for (std::size_t p = 0; p < pops.size(); ++p) {
      auto &pop = pops[p];
      pop.history.assign(depth[p], std::vector<uint32_t>(pop.capacity));
      pop.history_count.assign(depth[p], 0);
      pop.view = base_view(pop.spec->size, pop.spec->first_gid);
      pop.fields.bind(pop.view);
      pop.view.input = pop.input.data();
      pop.input_means.assign(pop.incoming.size(), 0.0);
      for (std::size_t q : pop.incoming)
        pop.input_names.push_back(exp.projections[q].name.c_str());
    }
    for (auto &proj : projs) {
      auto &post = pops[proj.spec->post];
      const auto &pre = pops[proj.spec->pre];
      proj.view = base_view(post.spec->size, post.spec->first_gid);
      proj.fields.bind(proj.view);
      proj.view.post_input = post.input.data();
      const int v = field_index(post.desc, "V");
      if (v >= 0) proj.view.post_v = post.fields.ptrs[std::size_t(v)];
      proj.view.row_ptr = proj.csr.row_ptr.data();
      proj.view.post_index = proj.csr.narrow() ? nullptr : proj.csr.post_index.data();
      proj.view.post_index16 = proj.csr.narrow() ? proj.csr.post_index16.data() : nullptr;
      proj.view.weight = proj.csr.weight.data();
      proj.view.n_pre = pre.spec->size;
      if (pre.rate_field >= 0) proj.view.pre_rate = pre.fields.ptrs[std::size_t(pre.rate_field)];
      proj.view.projection = proj.spec->name.c_str();
      if (!proj.spec->plasticity.empty()) build_plasticity(proj);
      // One weight for every synapse, for the whole run: delivery can skip the weight loads (and
      // a compact layout keeps that one value alone).
      const auto &w = proj.csr.weight;
      proj.view.weights_uniform =
          proj.spec->plasticity.empty() && !w.empty() &&
          std::all_of(w.begin(), w.end(), [&](float x) { return x == w[0]; });
    }
    build_tasks();
    recs.resize(exp.recorders.size());
    for (std::size_t r = 0; r < recs.size(); ++r) {
      auto &rec = recs[r];
      rec.spec = &exp.recorders[r];
      rec.desc = rec.spec->plugin->desc;
      auto &pop = pops[rec.spec->population];
      rec.fields.make(rec.desc, pop.spec->size, rec.spec->values, sim.seed, pop.spec->first_gid);
      if (rec.spec->projection >= 0) {
        // A recorder of a projection: its weights, and the synapses chosen to follow.
        auto &proj = projs[std::size_t(rec.spec->projection)];
        for (uint64_t k : rec.spec->synapses)
          if (k >= proj.csr.size())
            throw RunError(rec.spec->pointer + "/synapses: synapse " + std::to_string(k) +
                           " does not exist: projection '" + proj.spec->name + "' has " +
                           std::to_string(proj.csr.size()) + " synapses (0 to " +
                           std::to_string(proj.csr.size() - 1) + ")");
      }
      for (double *f : pop.fields.ptrs)
        rec.pop_fields.push_back(f);
      for (const auto &name : rec.spec->variable_names)
        rec.variable_names.push_back(name.c_str());
      rec.view = base_view(pop.spec->size, pop.spec->first_gid);
      rec.fields.bind(rec.view);
      rec.view.pop_fields = rec.pop_fields.data();
      rec.view.select = rec.spec->neurons.empty() ? nullptr : rec.spec->neurons.data();
      rec.view.n_select = rec.spec->neurons.size();
      rec.view.variables = rec.spec->variables.data();
      rec.view.n_variables = uint32_t(rec.spec->variables.size());
      rec.view.variable_names = rec.variable_names.data();
      rec.view.population = pop.spec->name.c_str();
      rec.view.every = rec.spec->every;
      rec.view.sink = writer ? writer->sink(uint32_t(r)) : rec.null_sink->view();
      rec.view.input_means = pop.input_means.data();
      rec.view.input_names = pop.input_names.data();
      rec.view.n_inputs = uint32_t(pop.input_names.size());
      rec.view.input_unit = pop.desc->input_unit ? pop.desc->input_unit : "";
      if (std::strcmp(rec.desc->name, "inputs") == 0) pop.record_inputs = true;
      if (rec.spec->projection >= 0) {
        auto &proj = projs[std::size_t(rec.spec->projection)];
        rec.view.weight = proj.csr.weight.data();
        rec.view.n_synapses = proj.csr.size();
        rec.view.row_ptr = proj.csr.row_ptr.data();
        rec.view.post_index = proj.csr.post_index.data();
        rec.view.n_pre = pops[proj.spec->pre].spec->size;
        rec.view.projection = proj.spec->name.c_str();
        rec.view.chosen_synapses = rec.spec->synapses.data();
        rec.view.n_chosen_synapses = rec.spec->synapses.size();
      }
    }
    // Plugins derive what they precompute and recorders declare their datasets: a failure here is
    // still before anything ran.
    for (auto &pop : pops)
      call(
          pop.desc->cpu->init, pop.view, [&] { return "population '" + pop.spec->name + "'"; },
          "init");
    for (auto &proj : projs) {
      call(
          proj.desc->cpu->init, proj.view, [&] { return "projection '" + proj.spec->name + "'"; },
          "init");
      if (proj.plasticity)
        call(
            proj.plasticity->desc->cpu->init, proj.plasticity->view,
            [&] { return "plasticity of projection '" + proj.spec->name + "'"; }, "init");
    }
    for (auto &rec : recs) {
      call(
          rec.desc->cpu->init, rec.view, [&] { return "recorder " + rec.spec->pointer; }, "init");
      if (writer) writer->check();
    }
    for (std::size_t p = 0; p < pops.size(); ++p)
      fuse_channels(p);
    setup_s = seconds_since(t0);
  }

  // A synapse's channel form for one view (gg_hooks.channel, ABI 1.3), or GG_CHANNEL_NONE.
  gg_channel channel_of(const Projection &proj, const gg_view &v) {
    gg_channel c{GG_CHANNEL_NONE, nullptr, 0, 0, 0};
    const auto hook = channel_hook(proj.desc->cpu);
    if (!hook) return c;
    HookMessage m;
    if (hook(&v, &c, &m.err) != GG_OK)
      throw RunError("projection '" + proj.spec->name + "': channel failed: " + m.str());
    return c;
  }

  // A neuron that computes its synaptic channels in its own step (GG_DESC_CHANNELS) gets those of
  // its incoming projections whose `current` has a channel form, when they are all of one form and
  // at most GG_MAX_CHANNELS, and no recorder needs the projections' inputs one by one. Their
  // `current` is then not called: the neuron's pass reads and advances their state once.
  void fuse_channels(std::size_t p) {
    auto &pop = pops[p];
    std::vector<std::size_t> chosen;
    if ((pop.desc->flags & GG_DESC_CHANNELS) && !pop.record_inputs) {
      bool one_form = true;
      int form = GG_CHANNEL_NONE;
      for (std::size_t k = 0; k < pop.incoming.size(); ++k) {
        const gg_channel c = channel_of(projs[pop.incoming[k]], projs[pop.incoming[k]].view);
        if (c.form == GG_CHANNEL_NONE) continue;
        one_form = one_form && (form == GG_CHANNEL_NONE || c.form == form);
        form = c.form;
        chosen.push_back(k);
      }
      if (!one_form || chosen.size() > GG_MAX_CHANNELS) chosen.clear();
    }
    for (std::size_t k : chosen)
      projs[pop.incoming[k]].fused = true;
    pop.accumulates = pop.record_inputs || chosen.size() < pop.incoming.size();
    for (auto &sl : slices) {
      if (sl.pop != p) continue;
      // Nothing adds into the input: the slice reads I_app in place, or, where the neuron has
      // channels, no input at all (GG_DESC_CHANNELS allows NULL); others read the zeros.
      if (!pop.accumulates && !pop.i_app.values.empty())
        sl.view.input = pop.i_app.values.data() + sl.begin;
      else if (!pop.accumulates && !chosen.empty())
        sl.view.input = nullptr;
      sl.channels.clear();
      for (std::size_t k : chosen)
        sl.channels.push_back(channel_of(projs[pop.incoming[k]], sl.in_views[k]));
      sl.view.channels = sl.channels.empty() ? nullptr : sl.channels.data();
      sl.view.n_channels = uint32_t(sl.channels.size());
    }
  }

  // Offsets a field table to element `begin` (sequence values stay whole: their offsets move).
  static void offset_fields(const gg_descriptor *d, const std::vector<double *> &all,
                            const std::vector<const uint64_t *> &offs, uint64_t begin,
                            std::vector<double *> &out, std::vector<const uint64_t *> &out_offs) {
    out.resize(all.size());
    out_offs.assign(all.size(), nullptr);
    for (uint32_t k = 0; k < all.size(); ++k) {
      const bool seq = d->fields[k].type == GG_TYPE_SEQUENCE;
      out[k] = seq ? all[k] : all[k] + begin;
      if (offs[k]) out_offs[k] = offs[k] + begin;
    }
  }

  void build_tasks() {
    for (std::size_t p = 0; p < pops.size(); ++p) {
      auto &pop = pops[p];
      const uint64_t n = pop.spec->size;
      for (uint64_t begin = 0; begin < n; begin += kSliceSize) {
        Slice sl;
        sl.pop = p;
        sl.begin = begin;
        sl.end = std::min(n, begin + kSliceSize);
        const uint64_t m = sl.end - begin;
        offset_fields(pop.desc, pop.fields.ptrs, pop.fields.offsets, begin, sl.fields, sl.offsets);
        sl.view = pop.view;
        sl.view.n = m;
        sl.view.first_gid = pop.spec->first_gid + begin;
        sl.view.fields = sl.fields.data();
        sl.view.offsets = sl.offsets.data();
        sl.view.input = pop.input.data() + begin;
        const bool source = pop.desc->flags & GG_DESC_SOURCE;
        sl.spikes.resize(source ? 8 * m + 1024 : m);
        sl.view.spike_capacity = sl.spikes.size();
        sl.in_fields.resize(pop.incoming.size());
        sl.in_offsets.resize(pop.incoming.size());
        for (std::size_t k = 0; k < pop.incoming.size(); ++k) {
          auto &proj = projs[pop.incoming[k]];
          offset_fields(proj.desc, proj.fields.ptrs, proj.fields.offsets, begin, sl.in_fields[k],
                        sl.in_offsets[k]);
        }
        for (std::size_t k = 0; k < pop.incoming.size(); ++k) {
          auto &proj = projs[pop.incoming[k]];
          gg_view v = proj.view;
          v.n = m;
          v.first_gid = pop.spec->first_gid + begin;
          v.fields = sl.in_fields[k].data();
          v.offsets = sl.in_offsets[k].data();
          v.post_input = pop.input.data() + begin;
          if (v.post_v) v.post_v += begin;
          sl.in_views.push_back(v);
        }
        sl.input_sums.assign(pop.incoming.size(), 0.0);
        slices.push_back(std::move(sl));
      }
    }
    // Phase 2: one task per projection, except that projections writing the postsynaptic V share
    // one task per postsynaptic population (file order), and a projection that holds more than
    // its thread's share of the synapses is split into one task per thread (split_delivery).
    uint64_t synapses = 0;
    for (const auto &proj : projs) synapses += proj.csr.size();
    const unsigned threads = pool->size();
    std::vector<long> v_group(pops.size(), -1);
    for (std::size_t q = 0; q < projs.size(); ++q) {
      const std::size_t post = std::size_t(projs[q].spec->post);
      if (projs[q].desc->flags & GG_DESC_WRITES_POST_V) {
        if (v_group[post] < 0) {
          v_group[post] = long(groups.size());
          groups.emplace_back();
        }
        groups[std::size_t(v_group[post])].push_back({q});
      } else if (threads > 1 && (projs[q].csr.size() * threads > synapses || projs[q].plasticity) &&
                 split_delivery(projs[q], threads)) {
        for (std::size_t p = 0; p < projs[q].parts.size(); ++p)
          groups.push_back({{q, int(p)}});
      } else {
        groups.push_back({{q}});
      }
    }
    owner_possible = threads > 1 && !projs.empty();
    for (const auto &proj : projs)
      owner_possible = owner_possible && (proj.desc->flags & GG_DESC_SPLIT_STEP) &&
                       !(proj.desc->flags & GG_DESC_WRITES_POST_V) &&
                       (!proj.plasticity || proj.plasticity->split()) && proj.csr.delay.empty();
    for (const auto &r : exp.recorders)
      owner_possible = owner_possible && (r.plugin->desc->flags & GG_DESC_SPIKES_ONLY);
    slice_cost.assign(slices.size(), 1.0); // equal until the first sample (step 0) replaces it
    group_cost.assign(groups.size(), 0.0);
    group_order.resize(groups.size());
    std::iota(group_order.begin(), group_order.end(), std::size_t(0));
  }

  // Row i's first synapse onto a target >= lo (rows ascend by target within a delay).
  // `n_post`: the population's size (a bound there is the row's end).
  static uint64_t first_onto(const Csr &c, uint64_t i, uint64_t lo, uint64_t n_post) {
    uint64_t a = c.row_ptr[i], b = c.row_ptr[i + 1];
    if (lo == 0) return a; // (the first and last bounds of every cut, without a search)
    if (lo >= n_post || (a < b && c.post(b - 1) < lo)) return b;
    while (a < b) {
      const uint64_t m = a + (b - a) / 2;
      if (c.post(m) < lo) a = m + 1;
      else b = m;
    }
    return a;
  }

  // Cuts a projection's delivery into `parts` tasks by target range, where its synapse model
  // allows it (GG_DESC_SPLIT_STEP: its step only applies arrivals, each to its own target), its
  // plasticity rule (if any) can be cut likewise (GG_DESC_SPLIT_RULE) and its delay is one for all
  // synapses. Rows ascend by target, so each part of a row is one run, and each target still takes
  // its synapses in the arrivals' order: the same sums as one task. Returns whether it split.
  bool split_delivery(Projection &proj, unsigned parts) {
    const Csr &c = proj.csr;
    const uint64_t n_post = pops[proj.spec->post].spec->size, n_pre = c.row_ptr.size() - 1;
    // Rows of fewer than 128 synapses on average (COBA's 80) are not worth the second task: each
    // arrival then costs a part's bookkeeping for a few synapses.
    if (!(proj.desc->flags & GG_DESC_SPLIT_STEP) ||
        (proj.plasticity && !proj.plasticity->split()) || !c.delay.empty() || n_post < 64 * parts ||
        c.size() < kSplitRow * n_pre)
      return false;
    std::vector<uint64_t> bound(parts + 1);
    for (unsigned p = 0; p <= parts; ++p) // whole cache lines of doubles to each part
      bound[p] = p == parts ? n_post : n_post * p / parts / 8 * 8;
    proj.parts = cut_by_target(proj, bound, proj.cuts);
    return true;
  }

  // The parts of a projection's delivery by target range: part t takes each row's synapses onto
  // targets [bound[t], bound[t + 1]) (bound ascending from 0 to the population's size). Their row
  // bounds go to `cuts`, row i's side by side (cuts[i * (parts + 1) + t], its first synapse onto
  // a target >= bound[t]), so that a part's two bounds for a row share a cache line. Where `cuts`
  // already holds the row bounds of `kept` (an earlier cut of as many parts), only the columns
  // whose bound moved are searched again (a search is a cache miss a row). The rows are searched
  // in chunks on the pool.
  std::vector<Part> cut_by_target(const Projection &proj, const std::vector<uint64_t> &bound,
                                  std::vector<uint64_t> &cuts,
                                  const std::vector<uint64_t> &kept = {}) {
    const Csr &c = proj.csr;
    const uint64_t n_pre = c.row_ptr.size() - 1, stride = bound.size();
    const bool reuse = kept.size() == stride && cuts.size() == n_pre * stride;
    cuts.resize(n_pre * stride);
    std::vector<std::size_t> moved;
    for (std::size_t t = 0; t < stride; ++t)
      if (!reuse || kept[t] != bound[t]) moved.push_back(t);
    constexpr uint64_t kRows = 4096;
    if (!moved.empty())
      parallel((n_pre + kRows - 1) / kRows, [&](std::size_t k) {
        const uint64_t end = std::min(n_pre, (k + 1) * kRows);
        for (uint64_t i = k * kRows; i < end; ++i)
          for (std::size_t t : moved)
            cuts[i * stride + t] = first_onto(c, i, bound[t], bound.back());
      });
    std::vector<Part> parts;
    for (std::size_t t = 0; t + 1 < stride; ++t)
      parts.push_back(part_of(proj, cuts.data() + t, stride, bound[t], bound[t + 1]));
    return parts;
  }

  // The part of a projection's delivery onto targets [lo, hi) whose row i is
  // [first[i * stride], first[i * stride + 1]).
  static Part part_of(const Projection &proj, const uint64_t *first, uint64_t stride, uint64_t lo,
                      uint64_t hi) {
    Part part;
    part.first = first;
    part.last = first + 1;
    part.stride = stride;
    part.view = proj.view;
    if (proj.plasticity) {
      part.rule_view = proj.plasticity->view;
      part.rule_view.rule_part = GG_RULE_TARGETS;
      part.rule_view.post_begin = lo;
      part.rule_view.post_end = hi;
    }
    return part;
  }

  void build_plasticity(Projection &proj) {
    auto pl = std::make_unique<Plasticity>();
    pl->spec = &proj.spec->plasticity.front();
    pl->desc = pl->spec->plugin->desc;
    const auto &post = pops[proj.spec->post];
    const auto &pre = pops[proj.spec->pre];
    const uint64_t n_post = post.spec->size, n_pre = pre.spec->size;
    pl->fields.make(pl->desc, n_post, pl->spec->values, exp.simulation.seed, post.spec->first_gid,
                    n_pre);
    const Csr &c = proj.csr;
    pl->col_ptr.assign(n_post + 1, 0);
    for (uint64_t k = 0; k < c.size(); ++k)
      ++pl->col_ptr[c.post_index[k] + 1];
    for (uint64_t j = 0; j < n_post; ++j)
      pl->col_ptr[j + 1] += pl->col_ptr[j];
    pl->col_synapse.resize(c.size());
    pl->col_pre.resize(c.size());
    std::vector<uint64_t> fill(pl->col_ptr.begin(), pl->col_ptr.end() - 1);
    for (uint64_t i = 0; i < n_pre; ++i)
      for (uint64_t k = c.row_ptr[i]; k < c.row_ptr[i + 1]; ++k) {
        const uint64_t at = fill[c.post_index[k]]++;
        pl->col_synapse[at] = k;
        pl->col_pre[at] = uint32_t(i);
      }
    pl->view = proj.view;
    pl->fields.bind(pl->view);
    pl->view.n_pre = n_pre;
    pl->view.plastic_weight = proj.csr.weight.data();
    pl->view.n_synapses = c.size();
    pl->view.col_ptr = pl->col_ptr.data();
    pl->view.col_synapse = pl->col_synapse.data();
    pl->view.col_pre = pl->col_pre.data();
    pl->view.rule_part = GG_RULE_WHOLE;
    pl->view.post_begin = 0;
    pl->view.post_end = n_post;
    pl->pre_view = pl->view;
    pl->pre_view.rule_part = GG_RULE_PRE_TRACES;
    proj.plasticity = std::move(pl);
  }

  // Calls a hook; on failure throws with `who()` (built only then: this runs in the step loop)
  // naming the instance.
  template <class Who>
  void call(gg_status (*hook)(const gg_view *, gg_error *), const gg_view &v, Who &&who,
            const char *what) {
    if (!hook) return;
    HookMessage m;
    const gg_status s = hook(&v, &m.err);
    if (s == GG_OK) return;
    if (s == GG_DIVERGED)
      throw Divergence(who() + " diverged at t = " + format_ms(v.t) + ": " + m.str());
    throw RunError(who() + ": " + what + " failed: " + m.str());
  }

  // A bound-checked state value out of range (or NaN) stops the run with the place and a fix.
  void check_bounds(const Population &pop, uint64_t begin, uint64_t end, double t_end) const {
    for (uint32_t k : pop.checked) {
      const gg_field &f = pop.desc->fields[k];
      const double *x = pop.fields.ptrs[k];
      if (!any_outside(x + begin, end - begin, f.min, f.max)) continue;
      for (uint64_t i = begin; i < end; ++i)
        if (!(x[i] >= f.min && x[i] <= f.max)) {
          char b[512];
          std::snprintf(
              b, sizeof b,
              "population '%s' (%s) diverged at t = %.10g ms: neuron %llu has %s = %g %s, "
              "outside [%g, %g] %s; reduce dt, the weights or the drive (%s)",
              pop.spec->name.c_str(), pop.desc->name, t_end, static_cast<unsigned long long>(i),
              f.name, x[i], f.unit, f.min, f.max, f.unit, pop.spec->pointer.c_str());
          throw Divergence(b);
        }
    }
  }

  // The values in force after each scheduled change, every neuron through the plugin's validate
  // hook before anything runs (on a copy of the fields: the run starts from the initial ones).
  void validate_schedules(const Population &pop) const {
    if (!pop.desc->validate || pop.spec->schedules.empty()) return;
    const uint64_t n = pop.spec->size;
    Fields fields = pop.fields.copy();
    std::vector<uint64_t> steps;
    for (const auto &sched : pop.spec->schedules)
      for (const auto &c : sched.changes)
        steps.push_back(c.step);
    std::sort(steps.begin(), steps.end());
    steps.erase(std::unique(steps.begin(), steps.end()), steps.end());
    for (uint64_t step : steps) {
      for (const auto &sched : pop.spec->schedules)
        for (const auto &c : sched.changes)
          if (c.step == step) fields.set(pop.desc, uint32_t(sched.field), c.value, n);
      validate_elements(pop.desc, fields.ptrs, fields.uniform, n,
                        pop.spec->pointer +
                            " (from t = " + format_ms(double(step) * exp.simulation.dt) +
                            ", with the schedules' values)",
                        "neuron");
    }
  }

  // Scheduled changes of parameters and of I_app that fall on this step, before it is taken.
  void apply_schedules(uint64_t step) {
    for (auto &pop : pops) {
      const uint64_t n = pop.spec->size;
      bool changed = false;
      for (const auto &sched : pop.spec->schedules)
        for (const auto &c : sched.changes)
          if (c.step == step) {
            pop.fields.set(pop.desc, uint32_t(sched.field), c.value, n);
            changed = true;
          }
      for (const auto &c : pop.spec->i_app_changes)
        if (c.step == step) assign_field(pop.i_app, c.value, n);
      if (changed) {
        pop.view.step = step;
        pop.view.t = double(step) * exp.simulation.dt;
        call(
            pop.desc->cpu->update, pop.view, [&] { return "population '" + pop.spec->name + "'"; },
            "update");
      }
    }
  }

  double sum_input(const Population &pop, uint64_t begin, uint64_t end) const {
    double s = 0;
    for (uint64_t i = begin; i < end; ++i)
      s += pop.input[i];
    return s;
  }

  // Phase 1 for one slice: its input (I_app, then each incoming projection's current), then the
  // neurons' step into the slice's own spike list.
  void step_slice(Slice &sl, uint64_t step) {
    Population &pop = pops[sl.pop];
    if (pop.accumulates) { // (otherwise the slice reads I_app, or zeros, in place)
      if (pop.i_app.values.empty())
        std::fill(pop.input.begin() + long(sl.begin), pop.input.begin() + long(sl.end), 0.0);
      else
        std::copy(pop.i_app.values.begin() + long(sl.begin),
                  pop.i_app.values.begin() + long(sl.end), pop.input.begin() + long(sl.begin));
    }
    const double t = double(step) * exp.simulation.dt;
    double before = pop.record_inputs ? sum_input(pop, sl.begin, sl.end) : 0;
    for (std::size_t k = 0; k < pop.incoming.size(); ++k) {
      const auto &proj = projs[pop.incoming[k]];
      if (proj.fused) continue; // the neuron's step computes it
      gg_view &v = sl.in_views[k];
      v.step = step;
      v.t = t;
      call(
          proj.desc->cpu->current, v, [&] { return "projection '" + proj.spec->name + "'"; },
          "current");
      if (pop.record_inputs) {
        const double after = sum_input(pop, sl.begin, sl.end);
        sl.input_sums[k] = after - before;
        before = after;
      }
    }
    sl.count = 0;
    sl.view.spikes = sl.spikes.data();
    sl.view.n_spikes = &sl.count;
    sl.out_of_range = 0;
    sl.view.out_of_range = &sl.out_of_range;
    sl.view.step = step;
    sl.view.t = t;
    call(
        pop.desc->cpu->step, sl.view,
        [&] { return "population '" + pop.spec->name + "' (" + pop.desc->name + ")"; }, "step");
    if (sl.count > sl.spikes.size())
      throw RunError("population '" + pop.spec->name + "' emitted " + std::to_string(sl.count) +
                     " spikes from neurons " + std::to_string(sl.begin) + " to " +
                     std::to_string(sl.end - 1) + " in the step at t = " + format_ms(t) +
                     ", more than their buffer of " + std::to_string(sl.spikes.size()) +
                     "; lower the source's rate or dt");
    // A neuron that checks its own bounds (GG_DESC_CHECKS_BOUNDS) says whether to look.
    if (!(pop.desc->flags & GG_DESC_CHECKS_BOUNDS) || sl.out_of_range)
      check_bounds(pop, sl.begin, sl.end, t + exp.simulation.dt);
  }

  // After phase 1: each population's spikes, slice after slice (so ascending), into its history.
  void gather_spikes(uint64_t step) {
    gathered = step;
    std::size_t i = 0; // the slices, population after population
    for (std::size_t p = 0; p < pops.size(); ++p) {
      Population &pop = pops[p];
      const uint64_t slot = step % pop.history.size();
      auto &out = pop.history[slot];
      uint64_t count = 0;
      if (pop.record_inputs) std::fill(pop.input_means.begin(), pop.input_means.end(), 0.0);
      for (; i < slices.size() && slices[i].pop == p; ++i) {
        const Slice &sl = slices[i];
        if (count + sl.count > out.size()) out.resize(count + sl.count);
        const uint32_t begin = uint32_t(sl.begin);
        for (uint64_t s = 0; s < sl.count; ++s)
          out[count + s] = sl.spikes[s] + begin;
        count += sl.count;
        if (pop.record_inputs)
          for (std::size_t k = 0; k < sl.input_sums.size(); ++k)
            pop.input_means[k] += sl.input_sums[k];
      }
      pop.history_count[slot] = count;
      pop.spikes_total += count;
      if (pop.record_inputs)
        for (double &m : pop.input_means)
          m /= double(pop.spec->size);
    }
  }

  // The synapses whose spike reaches them at the end of this step: spikes emitted at step s
  // reach the postsynaptic neuron at step s + d, so they enter the synaptic state now for
  // s = step + 1 - d.
  // `first`/`last`: row i's synapses are [first[i * stride], last[i * stride]) (the whole row, or
  // a part's run of it; parts only where the delay is one for all synapses).
  void collect_arrivals(const Projection &proj, uint64_t step, std::vector<gg_arrival> &arrivals,
                        const uint64_t *first, const uint64_t *last, uint64_t stride) {
    const auto &pre = pops[proj.spec->pre];
    const Csr &c = proj.csr;
    arrivals.clear();
    const uint64_t depth = pre.history.size();
    if (c.delay.empty()) {
      const uint64_t d = c.max_delay;
      if (step + 1 < d) return;
      const uint64_t slot = (step + 1 - d) % depth;
      const uint32_t *spikes = pre.history[slot].data();
      const uint64_t n = pre.history_count[slot];
      constexpr uint64_t kAhead = 16; // row bounds asked for this many spikes ahead: each a miss
      for (uint64_t s = 0; s < n; ++s) {
        if (s + kAhead < n) __builtin_prefetch(first + spikes[s + kAhead] * stride);
        const uint32_t i = spikes[s];
        const uint64_t a = first[i * stride], b = last[i * stride];
        if (a != b) arrivals.push_back({a, b, i, uint32_t(d)});
      }
      return;
    }
    // Drawn delays: rows are sorted by delay, so the synapses of delay d are one run of the row.
    for (uint64_t d = 1; d <= c.max_delay && d <= step + 1; ++d) {
      const uint64_t slot = (step + 1 - d) % depth;
      for (uint64_t s = 0; s < pre.history_count[slot]; ++s) {
        const uint32_t i = pre.history[slot][s];
        const auto first = c.delay.begin() + long(c.row_ptr[i]);
        const auto last = c.delay.begin() + long(c.row_ptr[i + 1]);
        const auto lo = std::lower_bound(first, last, uint16_t(d));
        const auto hi = std::upper_bound(lo, last, uint16_t(d));
        if (lo != hi)
          arrivals.push_back(
              {uint64_t(lo - c.delay.begin()), uint64_t(hi - c.delay.begin()), i, uint32_t(d)});
      }
    }
  }

  // Phase 2 for one task: its projections' synapses take this step's arrivals, then their
  // plasticity rules act (a part's rule on the part's targets).
  void step_group(const std::vector<Member> &group, uint64_t step) {
    for (const Member &m : group) {
      auto &proj = projs[m.q];
      step_projection(proj, m.part < 0 ? nullptr : &proj.parts[std::size_t(m.part)], step);
    }
  }

  // Projection `proj` in phase 2, whole or one part of its delivery, then its rule (or the part's
  // share of it) unless `rule` is false.
  void step_projection(Projection &proj, Part *part, uint64_t step, bool rule = true) {
    const bool whole = part == nullptr;
    auto &arrivals = whole ? proj.arrivals : part->arrivals;
    gg_view &v = whole ? proj.view : part->view;
    const uint64_t *rows = proj.csr.row_ptr.data();
    collect_arrivals(proj, step, arrivals, whole ? rows : part->first,
                     whole ? rows + 1 : part->last, whole ? 1 : part->stride);
    v.arrivals = arrivals.data();
    v.n_arrivals = arrivals.size();
    v.step = step;
    v.t = double(step) * exp.simulation.dt;
    call(
        proj.desc->cpu->step, v, [&] { return "projection '" + proj.spec->name + "'"; }, "step");
    if (!proj.plasticity || !rule) return;
    if (whole) return step_plasticity(proj, proj.plasticity->view, step);
    step_rule_part(proj, *part, step);
  }

  // A part's share of its projection's rule: the synapses onto its targets (GG_RULE_TARGETS).
  void step_rule_part(Projection &proj, Part &part, uint64_t step) {
    if (!owner.empty()) // task 0 of the batch advances the presynaptic traces
      while (pre_traces_done.load(std::memory_order_acquire) != step)
        std::this_thread::yield();
    // The runs of this step's presynaptic spikes (as emitted) onto the part's targets, one for each
    // spike (GG_RULE_TARGETS: arrivals[i] is pre_spikes[i]'s).
    part.rule_runs.clear();
    const auto &pre = pops[proj.spec->pre];
    const uint64_t slot = step % pre.history.size();
    for (uint64_t s = 0; s < pre.history_count[slot]; ++s) {
      const uint32_t i = pre.history[slot][s];
      const uint64_t at = i * part.stride;
      part.rule_runs.push_back({part.first[at], part.last[at], i, 0});
    }
    part.rule_view.arrivals = part.rule_runs.data();
    part.rule_view.n_arrivals = part.rule_runs.size();
    step_plasticity(proj, part.rule_view, step);
  }

  // Whether projection `proj`'s rule runs by parts this step: in owner mode, or where its delivery
  // is split. Then its presynaptic traces advance first, apart (before phase 2; in owner mode by
  // task 0 of the batch).
  bool rule_by_parts(const Projection &proj) const {
    return proj.plasticity && (!owner.empty() || !proj.parts.empty());
  }
  void advance_pre_traces(uint64_t step) {
    for (auto &proj : projs)
      if (rule_by_parts(proj)) step_plasticity(proj, proj.plasticity->pre_view, step);
  }

  // The rule sees the spikes of this step as emitted, on both sides: view `v` is the whole rule
  // or a part of it (gg_rule_part), which sees only its targets' postsynaptic spikes.
  void step_plasticity(Projection &proj, gg_view &v, uint64_t step) {
    Plasticity &pl = *proj.plasticity;
    const auto &pre = pops[proj.spec->pre];
    const auto &post = pops[proj.spec->post];
    const uint64_t pre_slot = step % pre.history.size(), post_slot = step % post.history.size();
    v.step = step;
    v.t = double(step) * exp.simulation.dt;
    v.pre_spikes = pre.history[pre_slot].data();
    v.n_pre_spikes = pre.history_count[pre_slot];
    const uint32_t *spikes = post.history[post_slot].data();
    const uint32_t *end = spikes + post.history_count[post_slot];
    if (v.rule_part == GG_RULE_TARGETS) { // (the history ascends)
      spikes = std::lower_bound(spikes, end, uint32_t(v.post_begin));
      end = std::lower_bound(spikes, end, uint32_t(v.post_end));
    }
    v.post_spikes = spikes;
    v.n_post_spikes = uint64_t(end - spikes);
    v.learning = pl.learning(step) ? 1 : 0;
    call(
        pl.desc->cpu->step, v, [&] { return "plasticity of projection '" + proj.spec->name + "'"; },
        "step");
  }

  std::vector<std::exception_ptr> errors; // run_all's scratch, kept to allocate nothing per step
  template <class F> void parallel(std::size_t n, F &&task, const std::size_t *split = nullptr) {
    run_all(pool.get(), n, task, errors, split);
  }

  // Phase 1 gives each thread a run of consecutive slices of about equal measured time (running
  // means), the same run step after step, so a slice's neurons and synaptic state stay in the
  // caches of the core that steps them; a thread done early takes the others' slices.
  std::vector<double> slice_cost;
  std::vector<std::size_t> slice_split;
  void balance_slices() { split_costs(slice_cost, pool->size(), slice_split); }
  // Consecutive runs of `cost`'s elements with about equal sums, one per thread.
  static void split_costs(const std::vector<double> &cost, std::size_t threads,
                          std::vector<std::size_t> &split) {
    double total = 0;
    for (double c : cost)
      total += c;
    split.assign(threads + 1, cost.size());
    split[0] = 0;
    double sum = 0;
    std::size_t t = 1;
    for (std::size_t i = 0; i < cost.size() && t < threads; ++i) {
      sum += cost[i];
      while (t < threads && sum >= total * double(t) / double(threads))
        split[t++] = i + 1;
    }
  }

  void call_recorders(uint64_t step, bool finish) {
    for (auto &rec : recs) {
      const auto &pop = pops[rec.spec->population];
      const uint64_t slot = step % pop.history.size();
      rec.view.step = step;
      rec.view.t = double(step) * exp.simulation.dt;
      rec.view.pop_spikes = pop.history[slot].data();
      rec.view.pop_n_spikes = pop.history_count[slot];
      call(
          finish ? rec.desc->cpu->finish : rec.desc->cpu->step, rec.view,
          [&] { return "recorder " + rec.spec->pointer + " (" + rec.desc->name + ")"; },
          finish ? "finish" : "step");
      if (writer) writer->check();
    }
  }

  // The tasks' running mean costs (which balance the threads' loads) are sampled every 16th
  // step: two clock reads per task and step were 4 % of a 2-thread COBA run at N = 16000 (owner
  // mode reads the clock once per task, each task's end the next one's start).
  static bool timed(uint64_t step) { return (step & 15) == 0; }
  // A task's running mean time, or its first sample where `first` (no start value to forget).
  static void add_sample(double &mean, double x, bool first = false) {
    mean = first ? x : 0.75 * mean + 0.25 * x;
  }

  void one_step(uint64_t step) {
    apply_schedules(step);
    phase1(step);
    gather_spikes(step);
    phase2(step);
    call_recorders(step, false);
  }

  void phase1(uint64_t step) {
    if (pool->size() == 1) {
      run_all(nullptr, slices.size(), [&](std::size_t i) { step_slice(slices[i], step); });
    } else {
      if ((step & 63) == 0) balance_slices(); // the costs change slowly
      parallel(
          slices.size(),
          [&](std::size_t i) {
            if (!timed(step)) return step_slice(slices[i], step);
            const auto t0 = Clock::now();
            step_slice(slices[i], step);
            // (the first sample replaces the equal cost the slices start from)
            add_sample(slice_cost[i], seconds_since(t0), step == 0);
          },
          slice_split.data());
    }
  }

  void phase2(uint64_t step) {
    advance_pre_traces(step); // before the rules' parts that read them
    if (pool->size() == 1) {
      run_all(nullptr, groups.size(), [&](std::size_t g) { step_group(groups[g], step); });
    } else {
      if ((step & 63) == 0) // reorder now and then: the costs change slowly
        std::sort(group_order.begin(), group_order.end(),
                  [&](std::size_t a, std::size_t b) { return group_cost[a] > group_cost[b]; });
      parallel(groups.size(), [&](std::size_t k) {
        const std::size_t g = group_order[k];
        if (!timed(step)) return step_group(groups[g], step);
        const auto t0 = Clock::now();
        step_group(groups[g], step);
        add_sample(group_cost[g], seconds_since(t0));
      });
    }
  }

  // Gives each thread a run of slices of about equal measured time (balance_slices) and cuts
  // every projection at the boundaries of its postsynaptic population's runs.
  void enter_owner() {
    balance_slices();
    build_owner(slice_split);
  }

  // Once the deliveries' times are measured too (at 256 steps in owner mode, then every 1024: the
  // loads move, as when a plasticity rule starts to learn), the runs are cut again so that each
  // thread's deliveries and slices take about equal time: a thread's deliveries (and rules)
  // counted evenly to its slices. A new cut moves slices between cores' caches, so it is taken
  // only where it shortens the longest thread's time by 3 % or more. The cut only changes who does
  // what. A new cut costs its build (the row bounds searched again where a bound moved: 0.3 ms at
  // COBA N = 16000 and 0.8 ms at N = 64000, where searching every bound had taken a tenth of a
  // step's time every 1024 steps) and the moved slices' trips between caches, so it is taken only
  // where the time it saves over the next 4096 steps (or the rest of the run) is at least twice
  // its last build's.
  // With GANGLION_TEST_RECUT set (tests only), every check cuts again, each inner bound moved by a
  // slice, whatever the times: the same spikes must follow.
  void rebalance_owner(uint64_t steps_in, uint64_t steps_left) {
    if (steps_in != 256 && (steps_in == 0 || steps_in % 1024 != 0)) return;
    const std::vector<std::size_t> now = owner_runs();
    if (recut_for_tests) {
      std::vector<std::size_t> split = now;
      const bool down = owner_cuts_made % 2; // down at the first check, then up, ...
      for (std::size_t t = 1; t < owner.size(); ++t)
        split[t] = down ? std::max(split[t - 1], split[t] - (split[t] > 0))
                        : std::min(split[t + 1], split[t] + 1);
      return build_owner(split);
    }
    std::vector<double> cost = slice_cost;
    for (const auto &o : owner)
      for (std::size_t i = o.slice_begin; i < o.slice_end; ++i)
        cost[i] += o.delivery_cost / double(o.slice_end - o.slice_begin);
    std::vector<std::size_t> split;
    split_costs(cost, owner.size(), split);
    const auto longest = [&](const std::vector<std::size_t> &runs) { // the longest thread's time
      double most = 0;
      for (std::size_t t = 0; t + 1 < runs.size(); ++t)
        most = std::max(most, std::accumulate(cost.begin() + long(runs[t]),
                                              cost.begin() + long(runs[t + 1]), 0.0));
      return most;
    };
    const double before = longest(now), after = longest(split);
    const double horizon = double(std::min<uint64_t>(4096, steps_left));
    if (after < 0.97 * before && (before - after) * horizon > 2 * owner_build_s) build_owner(split);
  }

  // The threads' current runs of slices as a split: thread t's are [runs[t], runs[t + 1]).
  std::vector<std::size_t> owner_runs() const {
    std::vector<std::size_t> runs(owner.size() + 1, owner.back().slice_end);
    for (std::size_t t = 0; t < owner.size(); ++t)
      runs[t] = owner[t].slice_begin;
    return runs;
  }

  void build_owner(const std::vector<std::size_t> &split) {
    const auto t0 = Clock::now();
    const std::size_t threads = pool->size();
    owner = std::vector<OwnerTask>(threads);
    owner_cuts.resize(projs.size()); // kept from the last cut, with their bounds
    owner_bounds.resize(projs.size());
    slice_errors.assign(slices.size(), nullptr);
    owner_split.resize(threads + 1);
    std::iota(owner_split.begin(), owner_split.end(), std::size_t(0));
    for (std::size_t t = 0; t < threads; ++t) {
      owner[t].slice_begin = split[t];
      owner[t].slice_end = split[t + 1];
    }
    for (std::size_t q = 0; q < projs.size(); ++q) {
      Projection &proj = projs[q];
      const std::size_t post = std::size_t(proj.spec->post);
      const uint64_t n_post = pops[post].spec->size;
      // The population's slices are consecutive: thread t's targets are [bound[t], bound[t + 1]).
      std::size_t first_slice = slices.size(), end_slice = 0;
      for (std::size_t i = 0; i < slices.size(); ++i)
        if (slices[i].pop == post) {
          first_slice = std::min(first_slice, i);
          end_slice = i + 1;
        }
      std::vector<uint64_t> bound(threads + 1);
      for (std::size_t t = 0; t <= threads; ++t) {
        const std::size_t at = std::clamp(split[t], first_slice, end_slice);
        bound[t] = at == end_slice ? n_post : slices[at].begin;
      }
      std::size_t holders = 0, holder = 0; // the threads with targets of this projection
      for (std::size_t t = 0; t < threads; ++t)
        if (bound[t] < bound[t + 1]) ++holders, holder = t;
      if (holders == 1) { // all on one thread: whole rows, as without parts (no cut to look up)
        owner[holder].parts.emplace_back(q, part_of(proj, proj.csr.row_ptr.data(), 1, 0, n_post));
        owner_bounds[q].clear();
        continue;
      }
      std::vector<Part> parts = cut_by_target(proj, bound, owner_cuts[q], owner_bounds[q]);
      owner_bounds[q] = bound;
      for (std::size_t t = 0; t < threads; ++t)
        if (bound[t] < bound[t + 1]) // (no part where no target is on this thread)
          owner[t].parts.emplace_back(q, std::move(parts[t]));
    }
    for (auto &o : owner) {
      const bool rules = std::any_of(o.parts.begin(), o.parts.end(), [&](const auto &p) {
        return projs[p.first].plasticity != nullptr;
      });
      o.slice_open =
          rules ? o.slice_begin : o.slice_end - std::min(o.slice_end - o.slice_begin, kOpenSlices);
    }
    owner_build_s = seconds_since(t0);
    ++owner_cuts_made;
  }

  // Claims slice i of task o's unclaimed ones, the first (its owner) or the last (another
  // thread); false when none is left.
  static bool claim(OwnerTask &o, bool last, std::size_t &i) {
    for (uint64_t u = o.unclaimed.load();;) {
      const uint64_t front = u & 0xffffffffu, back = u >> 32;
      if (front >= back) return false;
      if (o.unclaimed.compare_exchange_weak(u, last ? u - (uint64_t(1) << 32) : u + 1)) {
        i = std::size_t(last ? back - 1 : front);
        return true;
      }
    }
  }

  // Owner mode from a gathered step: one batch that advances its rules' presynaptic traces,
  // delivers its spikes (and runs its rules' parts) and steps the next step's neurons, then its
  // recorders (spikes only), then the next step's spikes gathered. A divergence in the next step's
  // neurons leaves `step` at that step (the run records it).
  void owner_step(uint64_t &step) {
    const uint64_t now = step;
    const bool next = now + 1 < exp.simulation.n_steps;
    if (next) apply_schedules(now + 1);
    const bool time = timed(now);
    // Slice i, timed from `since` (the end of what the thread did before) where the step is timed.
    const auto run_slice = [&](std::size_t i, Clock::time_point &since) {
      try { // every slice steps, as in phase 1; the lowest's error is reported
        if (!time) return step_slice(slices[i], now + 1);
        step_slice(slices[i], now + 1);
        const auto end = Clock::now();
        add_sample(slice_cost[i], seconds_between(since, end));
        since = end;
      } catch (...) {
        slice_errors[i] = std::current_exception();
        any_slice_error.store(true, std::memory_order_relaxed);
      }
    };
    parallel(
        owner.size(),
        [&](std::size_t t) {
          // Each task's own words, written by the thread that runs it (no cache line of a task is
          // written by the other thread in every step): its slices open to others only once
          // `ready` says so, after this; an error ends the run, so none is left from before.
          OwnerTask &o = owner[t];
          o.unclaimed.store(uint64_t(o.slice_end) << 32 | o.slice_open);
          auto since = time ? Clock::now() : Clock::time_point{};
          try {
            if (t == 0) { // the rules' presynaptic traces, awaited by the rules' parts
              try {
                advance_pre_traces(now);
              } catch (...) {
                pre_traces_done.store(now, std::memory_order_release);
                throw;
              }
              pre_traces_done.store(now, std::memory_order_release);
            }
            for (auto &[q, part] : o.parts)
              step_projection(projs[q], &part, now, false);
            // The slices may be taken from here on: the rules' parts touch no neuron's state.
            if (next) o.ready.store(now + 1, std::memory_order_release);
            for (auto &[q, part] : o.parts)
              if (projs[q].plasticity) step_rule_part(projs[q], part, now);
            if (time) {
              const auto end = Clock::now();
              add_sample(o.delivery_cost, seconds_between(since, end), !o.delivery_timed);
              o.delivery_timed = true;
              since = end;
            }
          } catch (...) {
            o.delivery_error = std::current_exception();
            return;
          }
          if (!next) return;
          for (std::size_t i = o.slice_begin; i < o.slice_open; ++i) // its own, then the open ones
            run_slice(i, since);
          for (std::size_t i; claim(o, false, i);) // (from the front)
            run_slice(i, since);
          for (std::size_t k = 1; k < owner.size(); ++k) { // others' last slices, once ready
            OwnerTask &other = owner[(t + k) % owner.size()];
            if (other.ready.load(std::memory_order_acquire) != now + 1) continue;
            for (std::size_t i; claim(other, true, i);)
              run_slice(i, since);
          }
        },
        owner_split.data());
    // The deliveries came first: their error before any of the next step's.
    for (const auto &o : owner)
      if (o.delivery_error) std::rethrow_exception(o.delivery_error);
    // Step `now` is whole: its recorders (spikes only: the history still holds its spikes, and its
    // rules have acted on the weights), before any error of the next step's neurons.
    call_recorders(now, false);
    if (any_slice_error.load()) {
      for (auto &e : slice_errors)
        if (e) {
          step = now + 1;
          std::rethrow_exception(e);
        }
    }
    if (next) gather_spikes(now + 1);
  }

  RunReport run(const std::function<void(double)> &progress) {
    RunReport rep;
    rep.setup_s = setup_s;
    rep.threads = pool->size();
    const auto t0 = Clock::now();
    auto last_progress = t0;
    const uint64_t n_steps = exp.simulation.n_steps;
    uint64_t step = 0;
    try {
      for (; step < n_steps; ++step) {
        if (!owner_possible || step < kOwnerFrom) {
          one_step(step);
        } else {
          if (owner.empty()) { // the step's first half as before, then owner steps
            enter_owner();
            rep.owner_from = step;
            apply_schedules(step);
            phase1(step);
            gather_spikes(step);
          }
          rebalance_owner(step - rep.owner_from, n_steps - step);
          owner_step(step);
        }
        if (progress && (step & 63) == 0 && seconds_since(last_progress) > 0.2) {
          last_progress = Clock::now();
          progress(double(step + 1) * exp.simulation.dt);
        }
      }
    } catch (const Divergence &d) {
      rep.diverged = true;
      rep.divergence = d.what();
      // The diverging step ran: record it too (its out-of-range value helps the diagnosis), so the
      // file holds every step the report counts. A recorder failing now must not hide the cause.
      try {
        if (gathered != step) gather_spikes(step); // a divergence in phase 1
        call_recorders(step, false);
      } catch (const std::exception &) {
      }
      ++step;
    }
    rep.owner_cuts = owner_cuts_made;
    rep.steps_done = std::min(step, n_steps);
    rep.simulated_ms = double(rep.steps_done) * exp.simulation.dt;
    if (rep.steps_done > 0) call_recorders(rep.steps_done - 1, true);
    rep.run_s = seconds_since(t0);
    if (progress) progress(rep.simulated_ms);

    for (const auto &pop : pops) {
      PopulationReport r;
      r.name = pop.spec->name;
      r.model = pop.desc->name;
      r.size = pop.spec->size;
      r.spikes = pop.spikes_total;
      if (pop.rate_field >= 0) { // a rate unit: its mean rate now
        const double *x = pop.fields.ptrs[std::size_t(pop.rate_field)];
        double s = 0;
        for (uint64_t i = 0; i < r.size; ++i)
          s += x[i];
        r.rate_hz = r.size ? s / double(r.size) : 0;
      } else {
        r.rate_hz = rep.simulated_ms > 0
                        ? double(r.spikes) / double(r.size) / (rep.simulated_ms * 1e-3)
                        : 0;
      }
      rep.populations.push_back(r);
    }
    for (const auto &proj : projs)
      rep.projections.push_back({proj.spec->name, proj.csr.size(), proj.csr.bytes(),
                                 unsigned(std::max<std::size_t>(1, proj.parts.size())),
                                 proj.fused});
    return rep;
  }
};

Simulation::Simulation(const Experiment &exp, Hdf5Writer *writer)
    : impl_(std::make_unique<Impl>(exp, writer)) {
  impl_->build();
}

Simulation::~Simulation() = default;

RunReport Simulation::run(const std::function<void(double)> &progress) {
  return impl_->run(progress);
}

const double *Simulation::field(const std::string &pop, const std::string &field) const {
  for (const auto &p : impl_->pops) {
    if (p.spec->name != pop) continue;
    const int k = field_index(p.desc, field.c_str());
    if (k >= 0) return p.fields.ptrs[std::size_t(k)];
  }
  throw std::out_of_range("no field '" + field + "' in population '" + pop + "'");
}

uint64_t Simulation::synapse_count(std::size_t projection) const {
  return impl_->projs.at(projection).csr.size();
}

} // namespace ganglion
