// The walks of a plasticity rule: its parts (GG_DESC_SPLIT_RULE: rule_pre_traces, rule_targets,
// rule_range, pre_synapses) and the synapses of its presynaptic and postsynaptic spikes
// (for_each_pre_synapse, for_each_post_synapse), with the cache asked for what comes next.
#ifndef GANGLION_SDK_RULES_HPP
#define GANGLION_SDK_RULES_HPP

#include <cstdint>

#include "ganglion/hd.h"
#include "ganglion/plugin_abi.h"
#include "ganglion/sdk/prefetch.hpp"
#include "ganglion/simd.hpp"

namespace ganglion {

// A plasticity rule by parts (GG_DESC_SPLIT_RULE, gg_rule_part): whether this call advances the
// presynaptic traces, whether it acts on targets, which ones (rule_range, below), and the synapses
// (a run [first, last) of the CSR) of this step's i-th presynaptic spike onto them. A rule
// written as
//   if (rule_pre_traces(v)) { decay x_pre; add pre_spikes }
//   if (!rule_targets(v)) return;
//   decay x_post over rule_range(v); pre spikes' changes over pre_synapses(v, i);
//   post_spikes' changes (reading x_pre), adding to x_post
// is whole when called whole, and the same bits when called by parts.
inline bool rule_pre_traces(const gg_view &v) {
  return v.rule_part != GG_RULE_TARGETS;
}
inline bool rule_targets(const gg_view &v) {
  return v.rule_part != GG_RULE_PRE_TRACES;
}
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
// spikes ahead, and for its weights one by one along the updates of the spike before (spread
// among the updates, the requests wait less than in a loop of them before the updates).
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

// ---- pieces of a rule's step for both backends (GG_HD; ganglion/cuda_rules.cuh walks them) ----

// How many times list[i] repeats from i on, where i starts a run of equal indices; 0 where it
// does not (list[i - 1] is the same neuron). A step's spike list holds a neuron's repeats in a row.
GG_HD uint32_t run_at(const uint32_t *list, uint32_t n, uint32_t i) {
  if (i > 0 && list[i - 1] == list[i]) return 0;
  uint32_t c = 1;
  while (i + c < n && list[i + c] == list[i])
    ++c;
  return c;
}

// A trace's decay over a step: x[i] *= d, or d_each[i] where the factor differs between neurons.
struct TraceDecay {
  double *x;
  double d;
  const double *d_each = nullptr;
  GG_HD void operator()(uint64_t i) const { x[i] *= d_each ? d_each[i] : d; }
};

// A trace's spikes: each adds `jump` (all-to-all), or sets the trace to `jump` (reset, nearest
// spike); c spikes of one neuron in a step act one after the other, as the CPU's loop takes them.
struct TraceSpike {
  double *x;
  double jump;
  bool reset = false;
  GG_HD void operator()(uint32_t k, uint32_t c = 1) const {
    for (uint32_t r = 0; r < c; ++r)
      x[k] = reset ? jump : x[k] + jump;
  }
};

} // namespace ganglion

#endif
