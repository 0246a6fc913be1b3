// Pair-based STDP for excitatory (E->E) synapses (docs/science.md, "Pair STDP (`stdp`)"), with
// traces as in Morrison, Diesmann & Gerstner 2008 and amplitudes in units of w_max as in Song,
// Miller & Abbott 2000. A presynaptic trace x_pre (tau_plus) and a postsynaptic trace y_post
// (tau_minus) count the recent spikes; a postsynaptic spike potentiates each of its synapses by
// A_plus f_+(w) x_pre, a presynaptic spike depresses each of its synapses by A_minus f_-(w) y_post.
// For one pair with post - pre = dt > 0 that is A_plus f_+ e^{-dt/tau_plus}; for
// pre - post = dt > 0, A_minus f_- e^{-dt/tau_minus}.
#include <cmath>
#include <string>

#include "ganglion/plugin.hpp"

#include "stdp_model.hpp"

namespace {

using ganglion::inf;

struct Stdp {
  static constexpr const char *name = "stdp";
  static constexpr gg_kind kind = GG_KIND_PLASTICITY;
  static constexpr bool batch = true; // element by element; draws by gg_element_*
  static constexpr const char *acts_on = "exp_current|exp_conductance|delta";
  static constexpr const char *doc =
      "Pair-based STDP for excitatory synapses, with traces (Morrison et al. 2008) and amplitudes "
      "in units of w_max (Song, Miller & Abbott 2000). x_pre (per presynaptic neuron, decay "
      "tau_plus) and y_post (per postsynaptic neuron, decay tau_minus) are dimensionless. At a "
      "presynaptic spike: w -= A_minus f_-(w) y_post; at a postsynaptic spike: w += A_plus f_+(w) "
      "x_pre. form 'additive': f_+ = f_- = w_max (A_plus, A_minus are fractions of w_max); form "
      "'multiplicative' (soft bounds): f_+ = w_max - w, f_- = w - w_min. The result is always "
      "clipped to [w_min, w_max] (hard bounds). pairing 'all_to_all': a spike adds 1 to its trace "
      "(every pre-post pair counts); 'nearest': a spike resets its trace to 1 (each spike pairs "
      "only with the nearest earlier spike of the other side, symmetric nearest-spike). A single "
      "pair with post - pre = dt > 0 changes w by +A_plus f_+ e^{-dt/tau_plus}; with pre - post = "
      "dt > 0 by -A_minus f_- e^{-dt/tau_minus}. Each step: traces decay by exp(-dt/tau), then "
      "this step's presynaptic spikes act, then its postsynaptic spikes; a pre and a post spike "
      "in the same step count as pre before post (dt = 0, potentiation A_plus f_+). Weights are in "
      "the projection's weight unit w (mV for exp_current and delta, 1 for exp_conductance), must "
      "be >= 0 (an excitatory rule: init refuses a negative weight; use istdp for inhibition) and "
      "start within [w_min, w_max]. Outside the rule's active phases traces run and weights stay. "
      "tau_plus must be the same for every postsynaptic neuron (x_pre is one per presynaptic "
      "neuron).";

  using enum ganglion::stdp::Field; // shared with stdp.cu (stdp_model.hpp)
  static constexpr gg_field fields[] = {
      ganglion::param("A_plus", "1", 0.01, 0, inf,
                      "potentiation amplitude, a fraction of w_max (additive) or of w_max - w"),
      ganglion::param("A_minus", "1", 0.0105, 0, inf,
                      "depression amplitude, a fraction of w_max (additive) or of w - w_min"),
      ganglion::param("tau_plus", "ms", 20, 0, inf, "decay of the presynaptic trace x_pre",
                      GG_MIN_EXCLUSIVE),
      ganglion::param("tau_minus", "ms", 20, 0, inf, "decay of the postsynaptic trace y_post",
                      GG_MIN_EXCLUSIVE),
      ganglion::choice("form", "additive|multiplicative", 0,
                       "weight dependence: none (additive) or soft bounds (multiplicative)"),
      ganglion::choice("pairing", "all_to_all|nearest", 0,
                       "a spike adds 1 to its trace (all_to_all) or resets it to 1 (nearest)"),
      ganglion::param("w_min", "w", 0, 0, inf, "lower hard bound of the weight, weight's unit"),
      ganglion::param("w_max", "w", 1, 0, inf, "upper hard bound of the weight, weight's unit",
                      GG_MIN_EXCLUSIVE | GG_MAX_EXCLUSIVE),
      ganglion::pre_trace("x_pre", "1", "presynaptic trace: +1 (or =1) per spike, decays"),
      ganglion::trace("y_post", "1", "postsynaptic trace: +1 (or =1) per spike, decays"),
      ganglion::trace("decay_plus", "1", "per-step decay exp(-dt/tau_plus), precomputed"),
      ganglion::trace("decay_minus", "1", "per-step decay exp(-dt/tau_minus), precomputed"),
  };

  static std::string validate(const double *values) {
    if (values[w_min] >= values[w_max])
      return "w_min (" + std::to_string(values[w_min]) + ") must be below w_max (" +
             std::to_string(values[w_max]) + ")";
    return {};
  }

  static void derive(const gg_view &v) {
    for (uint64_t j = 0; j < v.n; ++j) {
      if (v.fields[tau_plus][j] != v.fields[tau_plus][0])
        throw ganglion::Failure(
            std::string("stdp on projection '") + (v.projection ? v.projection : "?") +
            "': tau_plus differs between postsynaptic neurons 0 (" +
            std::to_string(v.fields[tau_plus][0]) + " ms) and " + std::to_string(j) + " (" +
            std::to_string(v.fields[tau_plus][j]) +
            " ms); give one value: the presynaptic trace is shared by all of a neuron's synapses");
      v.fields[decay_plus][j] = std::exp(-v.dt / v.fields[tau_plus][j]);
      v.fields[decay_minus][j] = std::exp(-v.dt / v.fields[tau_minus][j]);
    }
  }

  static void init(const gg_view &v) {
    derive(v);
    const char *proj = v.projection ? v.projection : "?";
    for (uint64_t j = 0; j < v.n; ++j)
      for (uint64_t c = v.col_ptr[j]; c < v.col_ptr[j + 1]; ++c) {
        const double w = v.plastic_weight[v.col_synapse[c]];
        if (w < 0)
          throw ganglion::Failure(
              std::string("stdp on projection '") + proj + "': a weight of postsynaptic neuron " +
              std::to_string(j) + " is " + std::to_string(w) +
              "; stdp is for excitatory projections and keeps weights >= 0: give non-negative "
              "weights, or use istdp for an inhibitory projection");
        // Compared as floats: a weight of 0.3 in a config is stored as float(0.3) > 0.3.
        if (float(w) < float(v.fields[w_min][j]) || float(w) > float(v.fields[w_max][j]))
          throw ganglion::Failure(
              std::string("stdp on projection '") + proj + "': a weight of postsynaptic neuron " +
              std::to_string(j) + " is " + std::to_string(w) + ", outside [w_min, w_max] = [" +
              std::to_string(v.fields[w_min][j]) + ", " + std::to_string(v.fields[w_max][j]) +
              "]; widen the bounds or change the weights");
      }
  }

  static void update(const gg_view &v) { derive(v); }

  // Whole, or by parts (split_rule: the presynaptic traces, then each target range's share).
  static constexpr bool split_rule = true;
  static void step(const gg_view &v) {
    if (v.n == 0) return;
    double *x = v.fields[x_pre], *y = v.fields[y_post];
    const bool nearest = v.fields[pairing][0] != 0;
    if (ganglion::rule_pre_traces(v)) {
      const double dp = v.fields[decay_plus][0];
      for (uint64_t k = 0; k < v.n_pre; ++k) x[k] *= dp;
      for (uint64_t p = 0; p < v.n_pre_spikes; ++p) {
        const uint32_t k = v.pre_spikes[p];
        x[k] = nearest ? 1.0 : x[k] + 1.0;
      }
    }
    if (!ganglion::rule_targets(v)) return;
    const double *dm = v.fields[decay_minus];
    const auto range = ganglion::rule_range(v);
    for (uint64_t j = range.first; j < range.last; ++j) y[j] *= dm[j];

    if (v.learning != 0) {
      const auto ch = ganglion::stdp::changes_of(v, v);
      // presynaptic spikes depress, reading y_post before this step's postsynaptic spikes
      ganglion::for_each_pre_synapse(v, [&](uint32_t j, uint64_t syn) { ch.pre(j, syn, 1); });
      // postsynaptic spikes potentiate, reading x_pre
      ganglion::for_each_post_synapse(
          v, [&](uint32_t j, uint64_t syn, uint32_t k) { ch.post(j, syn, k); });
    }
    // then add to y_post (the changes above read x_pre only)
    for (uint64_t p = 0; p < v.n_post_spikes; ++p) {
      const uint32_t j = v.post_spikes[p];
      y[j] = nearest ? 1.0 : y[j] + 1.0;
    }
  }
};

} // namespace

GANGLION_PLUGIN(Stdp)
