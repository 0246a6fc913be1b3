// Header-only C++ helpers that turn a plain struct into a ganglion plugin (fills the C tables of
// plugin_abi.h). A neuron is written as:
//
//   struct Leaky {
//     static constexpr const char *name = "leaky";
//     static constexpr gg_kind kind = GG_KIND_NEURON;
//     static constexpr const char *doc = "tau dV/dt = -(V - E_L) + tau I";
//     enum Field { tau_m, E_L, V, count };               // indices, in table order
//     static constexpr gg_field fields[] = {
//         ganglion::param("tau_m", "ms", 10, 0, ganglion::inf, "membrane time constant",
//                         GG_MIN_EXCLUSIVE),
//         ganglion::param("E_L", "mV", -65, -ganglion::inf, ganglion::inf, "rest"),
//         ganglion::state("V", "mV", -65, -1000, 1000, "membrane potential", GG_BOUND_CHECKED)};
//     static void step(const gg_view &v);                 // required for neurons
//   };
//   GANGLION_PLUGIN(Leaky)
//
// Optional members, found by name: `init(const gg_view&)`, `current(const gg_view&)` (synapses),
// `finish(const gg_view&)`, `update(const gg_view&)` (parameters changed by a schedule),
// `validate(const double *values)` returning a std::string that is empty when the values are
// fine, `version`, `input_unit` (neurons; default "mV/ms"), `weight_unit` and `peak_weight_unit`
// (synapses), `source` (true: takes no input), `rate` (true: a rate unit, or a synapse carrying
// rates), `records_projection` (true: a recorder of a projection's weights), `acts_on`
// (plasticity: "exp_current|delta", the synapse models it can act on), `writes_post_v` (a
// synapse whose step moves the postsynaptic V, as delta does), `compact_csr` (a synapse whose
// hooks read targets and weights only through ganglion::for_each_arrival, or that otherwise honour
// GG_DESC_COMPACT_CSR: the kernel may then store its synapses in 2 bytes each), `split_step` (a
// synapse whose step does nothing but apply the arrivals, each to its own target: the kernel may
// then deliver a large projection on several threads at once, by target range), `channel(const
// gg_view&)` (a synapse whose `current` has a channel form: returns the gg_channel), `channels` (a
// neuron whose step fuses the channels it is handed, through ganglion::with_channels),
// `checks_bounds` (a neuron whose step sets v.out_of_range where its bound-checked state may have
// left its range: the kernel scans the state only then), `spikes_only` (a recorder that reads
// nothing but the population's spikes, or a projection's weights: the kernel may step the state
// further before calling it), `split_rule` (a plasticity rule whose step honours v.rule_part,
// through the ganglion::rule_* helpers: the kernel may then run it by target range).
// Hooks report failure by throwing ganglion::Failure (or ganglion::Diverged); the wrapper turns it
// into a status and a message, so no exception crosses the C boundary.
#ifndef GANGLION_PLUGIN_HPP
#define GANGLION_PLUGIN_HPP

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstddef>
#include <cstdio>
#include <cstring>
#include <exception>
#include <initializer_list>
#include <iterator>
#include <stdexcept>
#include <string>

#include "ganglion/philox.h"
#include "ganglion/plugin_abi.h"
#include "ganglion/simd.hpp"

namespace ganglion {

inline constexpr double inf = HUGE_VAL;

// Whether view `v` carries member `m` (one appended by a later minor version of the ABI: read it
// only then). A macro, since offsetof takes the member's name.
#define GANGLION_VIEW_HAS(v, m) ((v).struct_size >= offsetof(gg_view, m) + sizeof(v).m)

struct Failure : std::runtime_error {
  using std::runtime_error::runtime_error;
};
struct Diverged : std::runtime_error {
  using std::runtime_error::runtime_error;
};

constexpr gg_field param(const char *name, const char *unit, double def, double min, double max,
                         const char *doc, uint32_t flags = 0) {
  return gg_field{name, unit, GG_ROLE_PARAM, GG_TYPE_F64, def, min, max, flags, nullptr, doc};
}
constexpr gg_field state(const char *name, const char *unit, double def, double min, double max,
                         const char *doc, uint32_t flags = 0) {
  return gg_field{name, unit, GG_ROLE_STATE, GG_TYPE_F64, def, min, max, flags, nullptr, doc};
}
constexpr gg_field trace(const char *name, const char *unit, const char *doc) {
  return gg_field{name, unit, GG_ROLE_TRACE, GG_TYPE_F64, 0, -inf, inf, 0, nullptr, doc};
}
// Plasticity: a trace with one value per presynaptic neuron.
constexpr gg_field pre_trace(const char *name, const char *unit, const char *doc) {
  return gg_field{name, unit, GG_ROLE_PRE_TRACE, GG_TYPE_F64, 0, -inf, inf, 0, nullptr, doc};
}
// `choices` is "a|b|c"; `def` the index of the default word.
constexpr gg_field choice(const char *name, const char *choices, int def, const char *doc) {
  return gg_field{name, "1", GG_ROLE_PARAM, GG_TYPE_CHOICE, double(def), 0, 0, 0, choices, doc};
}

// Append a spike of element i to a neuron view's spike list. Past the list's capacity the spike is
// still counted (not written), so the kernel sees the overflow and stops with a clear error.
inline void emit_spike(const gg_view &v, uint64_t i) {
  if (*v.n_spikes < v.spike_capacity) v.spikes[*v.n_spikes] = static_cast<uint32_t>(i);
  ++*v.n_spikes;
}

// Whether every weight of a synapse view's projection is weight[0] for the whole run (since ABI
// 1.1; false when the kernel does not say).
inline bool weights_uniform(const gg_view &v) {
  return GANGLION_VIEW_HAS(v, weights_uniform) && v.weights_uniform != 0;
}

// The 16-bit targets of a synapse view (since ABI 1.2, for a plugin that declares
// `compact_csr`), or NULL where the targets are the 32-bit post_index.
inline const uint16_t *post_index16(const gg_view &v) {
  return GANGLION_VIEW_HAS(v, post_index16) ? v.post_index16 : nullptr;
}

// Asks the cache for the targets `post` (and, unless NULL, the weights) of synapses [begin, end)
// of the CSR, or for entries [begin, end) of any index array `post`. Rows of a few hundred
// synapses are too short for the hardware prefetcher to get going, so a hook that works through
// one row while the next one's come in hides most of the memory latency.
template <class Index>
inline void prefetch_synapses(const Index *post, const float *weight, uint64_t begin,
                              uint64_t end) {
  constexpr uint64_t per_line = 64 / sizeof(Index);
  for (uint64_t s = begin; s < end; s += per_line) {
    __builtin_prefetch(post + s);
    if (weight) // four-byte weights: two lines per line of 16-bit targets
      for (uint64_t w = s; w < s + per_line; w += 16) __builtin_prefetch(weight + w);
    // C++ lets the compiler delete a loop without side effects, and prefetches do not count.
    asm volatile("");
  }
  if (begin < end) { // the last line, where [begin, end) does not start at a line's start
    __builtin_prefetch(post + end - 1);
    if (weight) __builtin_prefetch(weight + end - 1);
  }
}

// A plasticity rule by parts (GG_DESC_SPLIT_RULE, gg_rule_part): whether this call advances the
// presynaptic traces, whether it acts on targets, which ones (rule_range, below), and the synapses
// (a run [first, last) of the CSR) of this step's i-th presynaptic spike onto them. A rule
// written as
//   if (rule_pre_traces(v)) { decay x_pre; add pre_spikes }
//   if (!rule_targets(v)) return;
//   decay x_post over rule_range(v); pre spikes' changes over pre_synapses(v, i);
//   post_spikes' changes (reading x_pre), adding to x_post
// is whole when called whole, and the same bits when called by parts.
inline bool rule_pre_traces(const gg_view &v) { return v.rule_part != GG_RULE_TARGETS; }
inline bool rule_targets(const gg_view &v) { return v.rule_part != GG_RULE_PRE_TRACES; }
struct SynapseRun {
  uint64_t first, last;
};
// The postsynaptic neurons this call acts on: [0, n) whole, [post_begin, post_end) in a part.
inline SynapseRun rule_range(const gg_view &v) {
  if (v.rule_part == GG_RULE_TARGETS) return {v.post_begin, v.post_end};
  return {0, v.n};
}
inline SynapseRun pre_synapses(const gg_view &v, uint64_t i) {
  if (v.rule_part == GG_RULE_TARGETS) return {v.arrivals[i].begin, v.arrivals[i].end};
  const uint32_t k = v.pre_spikes[i];
  return {v.row_ptr[k], v.row_ptr[k + 1]};
}

// A rule's presynaptic spikes: f(j, s) for every synapse s of pre_synapses(v, i), i in spike
// order, j its postsynaptic neuron (post_index). The next spike's run (targets and weights) is
// asked for while one is walked.
template <class F>
[[gnu::always_inline]] inline void for_each_pre_synapse(const gg_view &v, F &&f) {
  for (uint64_t i = 0; i < v.n_pre_spikes; ++i) {
    if (i + 1 < v.n_pre_spikes) {
      const SynapseRun next = pre_synapses(v, i + 1);
      prefetch_synapses(v.post_index, v.plastic_weight, next.first, next.last);
    }
    const SynapseRun run = pre_synapses(v, i);
    for (uint64_t s = run.first; s < run.last; ++s)
      f(v.post_index[s], s);
  }
}

// A rule's postsynaptic spikes: f(j, s, k) for every synapse s onto each spike of post_spikes (in
// order; j the spike's neuron, k the synapse's presynaptic neuron), through the by-post index
// (col_ptr, col_synapse, col_pre). Each spike's column lies elsewhere in memory and its weights
// lie scattered, a miss each where they outgrow L2: the cache is asked for a spike's column two
// spikes ahead, and for its weights one by one along the updates of the spike before (a loop of
// them before the updates was 15 % slower: a micro-benchmark of Vogels' columns at N = 4000).
template <class F>
[[gnu::always_inline]] inline void for_each_post_synapse(const gg_view &v, F &&f) {
  const uint64_t n = v.n_post_spikes;
  const auto column = [&](uint64_t p) GANGLION_INLINE {
    const uint32_t j = v.post_spikes[p];
    return SynapseRun{v.col_ptr[j], v.col_ptr[j + 1]};
  };
  const auto ask_column = [&](uint64_t p) GANGLION_INLINE {
    if (p >= n) return;
    const SynapseRun c = column(p);
    prefetch_synapses(v.col_synapse, nullptr, c.first, c.last);
    prefetch_synapses(v.col_pre, nullptr, c.first, c.last);
  };
  const auto ask_weight = [&](uint64_t c) GANGLION_INLINE {
    __builtin_prefetch(v.plastic_weight + v.col_synapse[c], 1);
    asm volatile(""); // keeps a loop of them: prefetches are no side effect to C++
  };
  if (n == 0) return;
  ask_column(1);
  const SynapseRun first = column(0);
  for (uint64_t s = first.first; s < first.last; ++s)
    ask_weight(s);
  for (uint64_t p = 0; p < n; ++p) {
    ask_column(p + 2);
    const uint32_t j = v.post_spikes[p];
    const SynapseRun c = column(p);
    SynapseRun next = p + 1 < n ? column(p + 1) : SynapseRun{0, 0};
    for (uint64_t s = c.first; s < c.last; ++s, ++next.first) {
      if (next.first < next.last)
        __builtin_prefetch(v.plastic_weight + v.col_synapse[next.first], 1);
      f(j, v.col_synapse[s], v.col_pre[s]);
    }
    for (; next.first < next.last; ++next.first) // the rest of a longer next column
      ask_weight(next.first);
  }
}

// Arrivals with at least kBlockedRun synapses per block of kDeliveryBlock postsynaptic elements
// on average are delivered block by block (for_each_arrival). Below that, walking every arrival's
// cursor through every block costs more than the cache misses it saves (a micro-benchmark: 32 per
// block 1.9 against 1.6 ns a synapse, 64 even, 128 1.2 against 1.4).
inline constexpr uint64_t kDeliveryBlock = 2048; // elements: 16 KiB of doubles, L1-sized
inline constexpr uint64_t kBlockedRun = 128;
// The plain walk asks for the synapses of arrivals about kPrefetchSynapses synapses ahead (by the
// mean row length), at least one arrival and at most kPrefetchArrivals: a row of 32 to 80 synapses
// is delivered in 10 to 30 ns, less than a miss to L3 or memory takes, so asking only for the
// next one left most of each miss exposed (COBA N = 64000, rows of 80, one thread: the loop
// 0.70 -> 0.55-0.60 s).
inline constexpr uint64_t kPrefetchSynapses = 1024, kPrefetchArrivals = 8;

// Calls f(j, s) for every synapse s whose spike arrives now (the view's arrivals, in their
// order), j its postsynaptic index, whichever width the kernel stored the targets in; f is
// instantiated once per width. Later arrivals' synapses are prefetched while one is delivered
// (kPrefetchSynapses), weights too unless `weights_uniform` says f need not load them.
//
// Where the arrivals bring many synapses per postsynaptic element, the elements are taken in
// blocks of kDeliveryBlock and each arrival's run is walked as far as the block reaches, so the
// state f scatters into stays in the L1 cache. The kernel builds rows ascending by target (within
// a delay), so each element then still sees its synapses in the arrivals' order, and the sums are
// the same bit for bit; for rows in any other order every synapse is still visited once.
template <class F> [[gnu::always_inline]] inline void for_each_arrival(const gg_view &v, F &&f) {
  const float *weight = weights_uniform(v) ? nullptr : v.weight;
  const auto walk = [&](const auto *__restrict post) GANGLION_INLINE {
    const gg_arrival *const arr = v.arrivals;
    const uint64_t na = v.n_arrivals;
    uint64_t synapses = 0;
    for (uint64_t a = 0; a < na; ++a) synapses += arr[a].end - arr[a].begin;
    const uint64_t blocks = (v.n + kDeliveryBlock - 1) / kDeliveryBlock;
    if (blocks < 2 || synapses < kBlockedRun * na * blocks) {
      const uint64_t ahead = std::clamp<uint64_t>(
          kPrefetchSynapses * na / std::max<uint64_t>(synapses, 1), 1, kPrefetchArrivals);
      for (uint64_t a = 0; a < std::min(na, ahead); ++a)
        prefetch_synapses(post, weight, arr[a].begin, arr[a].end);
      for (uint64_t a = 0; a < na; ++a) {
        if (a + ahead < na)
          prefetch_synapses(post, weight, arr[a + ahead].begin, arr[a + ahead].end);
        // Unrolled: the scatter's few instructions a synapse (load the target, add, store) are
        // otherwise as many as the loop's own, and the core's issue width is the bound.
#pragma GCC unroll 4
        for (uint64_t s = arr[a].begin; s < arr[a].end; ++s) f(uint32_t(post[s]), s);
      }
      return;
    }
    for (uint64_t a = 0; a < na; ++a) // the first block's run of every arrival
      prefetch_synapses(post, weight, arr[a].begin,
                        arr[a].begin + std::min(arr[a].end - arr[a].begin, 2 * kBlockedRun));
    constexpr uint64_t kCursors = 256; // arrivals walked together (a stack array)
    uint64_t at[kCursors];
    for (uint64_t first = 0; first < na; first += kCursors) {
      const uint64_t group = std::min(kCursors, na - first);
      for (uint64_t a = 0; a < group; ++a) at[a] = arr[first + a].begin;
      for (uint64_t hi = kDeliveryBlock;; hi += kDeliveryBlock) {
        for (uint64_t a = 0; a < group; ++a) {
          uint64_t s = at[a];
          const uint64_t end = arr[first + a].end;
          for (; s < end && post[s] < hi; ++s) f(uint32_t(post[s]), s);
          at[a] = s;
        }
        if (hi >= v.n) break;
      }
    }
  };
  if (const uint16_t *p16 = post_index16(v)) walk(p16);
  else walk(v.post_index);
}

// Whether parameter field f has the same value in every element of the instance (the kernel says
// so since ABI 1.1; false when it does not know).
inline bool uniform(const gg_view &v, int f) {
  return GANGLION_VIEW_HAS(v, uniform) && v.uniform && v.uniform[f] != 0;
}

// Parameters for an element loop written once for two cases:
//
//   ganglion::with_params(v, {tau_m, E_L, V_th}, [&](const auto &p) {
//     for (uint64_t i = 0; i < v.n; ++i) ... p(tau_m, i) ...
//   });
//
// p(f, i) is parameter f of element i, for the fields listed. When all of them are uniform the body
// gets their values loaded once (scalars in the loop: no per-element loads, and the loop
// vectorises); otherwise it reads the per-element arrays. The body is instantiated for both.
inline constexpr int kMaxFields = 64;
struct UniformParams {
  static constexpr bool is_uniform = true; // so are values derived from these parameters alone
  double value[kMaxFields];
  double operator()(int f, uint64_t) const { return value[f]; }
};
struct ArrayParams {
  static constexpr bool is_uniform = false;
  const double *array[kMaxFields];
  double operator()(int f, uint64_t i) const { return array[f][i]; }
};
template <class Body>
[[gnu::always_inline]] inline void with_params(const gg_view &v, std::initializer_list<int> which,
                                               Body &&body) {
  bool all = true;
  for (int f : which) {
    if (f < 0 || f >= kMaxFields)
      throw Failure("with_params: field index " + std::to_string(f) + " is outside [0, " +
                    std::to_string(kMaxFields) + "): a plugin with more fields cannot use it");
    all = all && uniform(v, f);
  }
  if (all) {
    UniformParams p;
    for (int f : which)
      p.value[f] = v.fields[f][0];
    body(p);
  } else {
    ArrayParams p;
    for (int f : which)
      p.array[f] = v.fields[f];
    body(p);
  }
}

// A neuron step in parts, so that the element loop vectorises (a loop that calls emit_spike
// cannot). The elements are taken in chunks of kChunk: integrate(begin, end) updates elements
// [begin, end) without branches and returns whether any of them may spike (computed as an int
// reduction, `any |= x >= threshold`, which vectorises where a bool one does not). Only in such a
// chunk, crossed(i) is asked for every element, 64 at a time in a loop that vectorises (so it must
// be a plain comparison of the new state, no branches or calls), into a bit mask; fire(i) then runs
// for each set bit in ascending order and returns true for a spike (after resetting the element),
// which is emitted. Spikes are rare, so few chunks are looked at twice, and in those only the
// elements that crossed reach fire.
inline constexpr uint64_t kChunk = 128;
template <class Integrate, class Crossed, class Fire>
[[gnu::always_inline]] inline void step_chunks(const gg_view &v, Integrate &&integrate,
                                               Crossed &&crossed, Fire &&fire) {
  for (uint64_t begin = 0; begin < v.n; begin += kChunk) {
    const uint64_t end = begin + kChunk < v.n ? begin + kChunk : v.n;
    if (!integrate(begin, end)) continue;
    for (uint64_t first = begin; first < end; first += 64) {
      const uint64_t m = end - first < 64 ? end - first : 64;
      uint64_t mask = 0; // bit j: element first + j crossed
      for (uint64_t j = 0; j < m; ++j)
        mask |= uint64_t(crossed(first + j)) << j;
      for (; mask != 0; mask &= mask - 1) {
        const uint64_t i = first + uint64_t(std::countr_zero(mask));
        if (fire(i)) emit_spike(v, i);
      }
    }
  }
}

// The input of a neuron step that fuses its synaptic channels (GG_DESC_CHANNELS, a neuron
// declaring `channels = true`): the incoming projections whose current the step computes in its own
// element loop, in place of their `current` hooks, so that the synapses' state is read and written
// once per step, in the neuron's pass. Written once for every case:
//
//   ganglion::with_channels(v, [&](const auto &syn) GANGLION_INLINE {
//     #pragma GCC ivdep
//     for (uint64_t i = ...) {
//       const double I = syn(i, V[i]); // before V[i] changes
//       ...
//
// syn(i, V) is element i's input: the kernel's `input` (none where it is NULL) plus each channel's
// current at potential V (gg_channel's forms, in the channels' order and with their rounding: the
// same values as the synapses' `current` hooks add to a cleared input, to the sign of a zero sum
// where there is no input); it advances the channels' state over the step, so call it once per
// element and step. The body is instantiated for each case (no channel, 1 to GG_MAX_CHANNELS of
// either form, with and without `input`, and without `input` also for scales all exactly 1), with
// the channels' constants loaded once. `#pragma GCC ivdep`: the channels' state arrays come as
// pointers the compiler cannot prove apart from the neuron's own.
template <int Form, int N, bool Input, bool UnitScale = false> struct Channels {
  const double *input;
  double *g[N > 0 ? N : 1];
  double scale[N > 0 ? N : 1], E[N > 0 ? N : 1], decay[N > 0 ? N : 1];
  [[gnu::always_inline]] double operator()(uint64_t i, double V) const {
    static_assert(N <= 3, "Channels: at most 3");
    // Without an input the sum starts from the first channel, not from 0 + it: the same value
    // but for the sign of a zero sum (one vector operation less an element).
    double x = 0;
    if constexpr (Input) x = input[i];
    if constexpr (N >= 1) x = Input ? x + current<0>(i, V) : current<0>(i, V);
    if constexpr (N >= 2) x = x + current<1>(i, V);
    if constexpr (N >= 3) x = x + current<2>(i, V);
    return x;
  }
  // Channel K's current at V; advances its state over the step. Where every scale is exactly 1
  // (the Euler scheme's), its multiplication is left out: s * 1.0 is s, bit for bit.
  template <int K> [[gnu::always_inline]] double current(uint64_t i, double V) const {
    const double s = g[K][i];
    g[K][i] = s * decay[K];
    const double scaled = UnitScale ? s : s * scale[K];
    if constexpr (Form == GG_CHANNEL_CONDUCTANCE) return scaled * (E[K] - V);
    else return scaled;
  }
};

namespace detail {
template <int Form, int N, bool Input, bool UnitScale = false, class Body>
[[gnu::always_inline]] inline void call_with_channels(const gg_view &v, Body &body) {
  Channels<Form, N, Input, UnitScale> c{};
  c.input = v.input;
  for (int k = 0; k < N; ++k) {
    c.g[k] = v.channels[k].g;
    c.scale[k] = v.channels[k].scale;
    c.E[k] = v.channels[k].E;
    c.decay[k] = v.channels[k].decay;
  }
  body(c);
}
template <int Form, bool Input, bool UnitScale, class Body>
[[gnu::always_inline]] inline void channels_of_form(const gg_view &v, uint32_t n, Body &body) {
  static_assert(GG_MAX_CHANNELS == 3, "with_channels instantiates 1 to 3 channels");
  if (n == 1) call_with_channels<Form, 1, Input, UnitScale>(v, body);
  else if (n == 2) call_with_channels<Form, 2, Input, UnitScale>(v, body);
  else call_with_channels<Form, 3, Input, UnitScale>(v, body);
}
inline bool unit_scales(const gg_view &v, uint32_t n) {
  for (uint32_t k = 0; k < n; ++k)
    if (v.channels[k].scale != 1.0) return false;
  return true;
}
template <int Form, class Body>
[[gnu::always_inline]] inline void channels_of_form(const gg_view &v, uint32_t n, Body &body) {
  // Unit scales get their own loop only without an input (the common, fused case): each case
  // is a loop version compiled per instruction set.
  if (v.input) channels_of_form<Form, true, false>(v, n, body);
  else if (unit_scales(v, n)) channels_of_form<Form, false, true>(v, n, body);
  else channels_of_form<Form, false, false>(v, n, body);
}
} // namespace detail

template <class Body>
[[gnu::always_inline]] inline void with_channels(const gg_view &v, Body &&body) {
  const uint32_t n = GANGLION_VIEW_HAS(v, n_channels) ? v.n_channels : 0;
  if (n == 0) {
    if (!v.input)
      throw Failure("with_channels: neither input nor channels; the kernel and the SDK disagree");
    detail::call_with_channels<GG_CHANNEL_NONE, 0, true>(v, body);
    return;
  }
  const int form = v.channels[0].form;
  bool valid =
      n <= GG_MAX_CHANNELS && (form == GG_CHANNEL_CURRENT || form == GG_CHANNEL_CONDUCTANCE);
  for (uint32_t k = 1; k < n && valid; ++k)
    valid = v.channels[k].form == form;
  if (!valid)
    throw Failure("with_channels: the kernel handed " + std::to_string(n) +
                  " channels that are not all of one form, or more than " +
                  std::to_string(GG_MAX_CHANNELS) + "; the kernel and the SDK disagree");
  if (form == GG_CHANNEL_CONDUCTANCE) detail::channels_of_form<GG_CHANNEL_CONDUCTANCE>(v, n, body);
  else detail::channels_of_form<GG_CHANNEL_CURRENT>(v, n, body);
}

namespace detail {

inline gg_status report(gg_error *err, gg_status status, const char *what) {
  if (err && err->message && err->capacity) std::snprintf(err->message, err->capacity, "%s", what);
  return status;
}

template <class F> gg_status guarded(gg_error *err, F &&f) {
  try {
    f();
    return GG_OK;
  } catch (const Diverged &e) {
    return report(err, GG_DIVERGED, e.what());
  } catch (const std::exception &e) {
    return report(err, GG_ERROR, e.what());
  } catch (...) {
    return report(err, GG_ERROR, "unknown error in plugin");
  }
}

template <class P> struct Tables {
  static gg_status init(const gg_view *v, gg_error *e) {
    return guarded(e, [&] {
      if constexpr (requires { P::init(*v); }) P::init(*v);
    });
  }
  static gg_status current(const gg_view *v, gg_error *e) {
    return guarded(e, [&] {
      if constexpr (requires { P::current(*v); }) P::current(*v);
    });
  }
  static gg_status step(const gg_view *v, gg_error *e) {
    return guarded(e, [&] { P::step(*v); });
  }
  static gg_status finish(const gg_view *v, gg_error *e) {
    return guarded(e, [&] {
      if constexpr (requires { P::finish(*v); }) P::finish(*v);
    });
  }
  static gg_status update(const gg_view *v, gg_error *e) {
    return guarded(e, [&] {
      if constexpr (requires { P::update(*v); }) P::update(*v);
    });
  }
  static gg_status channel(const gg_view *v, gg_channel *out, gg_error *e) {
    return guarded(e, [&] {
      *out = gg_channel{GG_CHANNEL_NONE, nullptr, 0, 0, 0};
      if constexpr (requires { P::channel(*v); }) *out = P::channel(*v);
    });
  }
  static gg_status validate(const double *values, gg_error *e) {
    std::string why;
    gg_status s = guarded(e, [&] {
      if constexpr (requires { P::validate(values); }) why = P::validate(values);
    });
    if (s != GG_OK) return s;
    return why.empty() ? GG_OK : report(e, GG_ERROR, why.c_str());
  }

  static constexpr gg_hooks cpu_hooks{sizeof(gg_hooks),
                                      requires { P::init(std::declval<const gg_view &>()); } ? &init
                                                                                             : nullptr,
                                      requires { P::current(std::declval<const gg_view &>()); }
                                          ? &current
                                          : nullptr,
                                      &step,
                                      requires { P::finish(std::declval<const gg_view &>()); }
                                          ? &finish
                                          : nullptr,
                                      requires { P::update(std::declval<const gg_view &>()); }
                                          ? &update
                                          : nullptr,
                                      requires { P::channel(std::declval<const gg_view &>()); }
                                          ? &channel
                                          : nullptr};

  static constexpr const char *version() {
    if constexpr (requires { P::version; }) return P::version;
    else return "1.0";
  }
  static constexpr const char *weight_unit() {
    if constexpr (requires { P::weight_unit; }) return P::weight_unit;
    else return nullptr;
  }
  static constexpr uint32_t flags() {
    uint32_t f = 0;
    if constexpr (requires { P::source; }) f |= P::source ? GG_DESC_SOURCE : 0u;
    if constexpr (requires { P::rate; }) f |= P::rate ? GG_DESC_RATE : 0u;
    if constexpr (requires { P::writes_post_v; })
      f |= P::writes_post_v ? GG_DESC_WRITES_POST_V : 0u;
    if constexpr (requires { P::compact_csr; }) f |= P::compact_csr ? GG_DESC_COMPACT_CSR : 0u;
    if constexpr (requires { P::split_step; }) f |= P::split_step ? GG_DESC_SPLIT_STEP : 0u;
    if constexpr (requires { P::channels; }) f |= P::channels ? GG_DESC_CHANNELS : 0u;
    if constexpr (requires { P::checks_bounds; })
      f |= P::checks_bounds ? GG_DESC_CHECKS_BOUNDS : 0u;
    if constexpr (requires { P::records_projection; })
      f |= P::records_projection ? GG_DESC_PROJECTION : 0u;
    if constexpr (requires { P::spikes_only; }) f |= P::spikes_only ? GG_DESC_SPIKES_ONLY : 0u;
    if constexpr (requires { P::split_rule; }) f |= P::split_rule ? GG_DESC_SPLIT_RULE : 0u;
    return f;
  }
  static constexpr const char *input_unit() {
    if constexpr (P::kind != GG_KIND_NEURON) return nullptr;
    else if constexpr (requires { P::input_unit; }) return P::input_unit;
    else if constexpr (requires { P::source; }) return P::source ? nullptr : "mV/ms";
    else return "mV/ms";
  }
  static constexpr const char *acts_on() {
    if constexpr (requires { P::acts_on; }) return P::acts_on;
    else return nullptr;
  }
  static constexpr const char *peak_weight_unit() {
    if constexpr (requires { P::peak_weight_unit; }) return P::peak_weight_unit;
    else return nullptr;
  }

  // A plugin with no fields (a recorder, say) declares `enum Field { count };` and no table.
  static constexpr const gg_field *field_table() {
    if constexpr (P::count == 0) return nullptr;
    else {
      static_assert(std::size(P::fields) == static_cast<std::size_t>(P::count),
                    "the field table and the Field enum must list the same fields in the same "
                    "order");
      return P::fields;
    }
  }

  static constexpr gg_descriptor descriptor{sizeof(gg_descriptor),
                                            GG_ABI_MAJOR,
                                            GG_ABI_MINOR,
                                            P::name,
                                            P::kind,
                                            version(),
                                            P::doc,
                                            weight_unit(),
                                            flags(),
                                            input_unit(),
                                            peak_weight_unit(),
                                            acts_on(),
                                            field_table(),
                                            static_cast<uint32_t>(P::count),
                                            requires { P::validate(nullptr); } ? &validate : nullptr,
                                            &cpu_hooks,
                                            nullptr};
};

} // namespace detail
} // namespace ganglion

// Exports the one entry symbol of a plugin library built from struct `Type`.
#define GANGLION_PLUGIN(Type)                                                                      \
  extern "C" GG_EXPORT const gg_descriptor *ganglion_plugin_v1(void) {                             \
    return &::ganglion::detail::Tables<Type>::descriptor;                                          \
  }

#endif
