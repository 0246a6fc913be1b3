// Inhibitory STDP (docs/science.md, "Inhibitory STDP (`istdp`)"; Vogels et al. 2011) on the I->E
// synapses of one projection. Each neuron has a trace x that jumps by 1/tau at its spikes and
// decays with tau, so x (1/ms) estimates its rate. At a presynaptic spike of k every synapse J_jk
// of k moves by eta J_jk (x_j - 2 r0); at a postsynaptic spike of j every synapse J_jk of j moves
// by eta J_jk x_k. With independent trains the mean drift is 2 eta J r_k (r_j - r0): the
// postsynaptic rate is pulled to r0. Weights keep their sign (Dale) and may be held within
// magnitude bounds.
#include <cmath>
#include <string>

#include "ganglion/plugin.hpp"

#include "istdp_model.hpp"

namespace {

using ganglion::inf;

struct Istdp {
  static constexpr const char *name = "istdp";
  static constexpr gg_kind kind = GG_KIND_PLASTICITY;
  static constexpr bool batch = true; // element by element; draws by gg_element_*
  static constexpr const char *acts_on = "exp_current|exp_conductance|delta";
  static constexpr const char *doc =
      "Inhibitory STDP (Vogels et al. 2011). Traces: x jumps by 1/tau at each spike of its neuron "
      "and decays with tau, so x (1/ms) estimates the neuron's rate; x_pre is kept per "
      "presynaptic neuron, x_post per postsynaptic neuron. form 'multiplicative' (the rule as "
      "written): at a presynaptic spike of k, J_jk += eta J_jk (x_j - 2 r0) for each synapse of k; "
      "at a postsynaptic spike of j, J_jk += eta J_jk x_k for each synapse of j (eta in ms, so "
      "eta x is a relative change). form 'additive': J_jk += s eta (x_j - 2 r0) and J_jk += s eta "
      "x_k, with s the sign of the projection's weights (-1 for an inhibitory projection, so a "
      "positive change strengthens it in magnitude); the change is then in the weight's unit w "
      "and eta reads as w*ms. Mean drift of |J|: 2 eta |J| r_k (r_j - r0) (multiplicative), "
      "2 eta r_k (r_j - r0) (additive): the postsynaptic rate is pulled to r0. r0 is given in Hz "
      "and compared as 2 r0 in 1/ms. A weight never changes sign: a step that would cross zero "
      "stops at 0, where the multiplicative form keeps it (0 times anything is 0) unless J_min > "
      "0. |J| is held in [J_min, J_max] (w: the projection's weight unit, mV for exp_current and "
      "delta, 1 for exp_conductance); initial weights must lie within them. The projection's "
      "weights must all have one sign (all zero counts as s = +1). Each step: traces decay by "
      "exp(-dt/tau), then this step's presynaptic spikes act (they see x_post before this step's "
      "postsynaptic spikes), then its postsynaptic spikes (they see x_pre with this step's "
      "presynaptic spikes). Outside the rule's active phases the traces run and weights stay. tau "
      "must be the same for every postsynaptic neuron (x_pre is one trace per presynaptic "
      "neuron).";

  using enum ganglion::istdp::Field; // shared with istdp.cu (istdp_model.hpp)
  static constexpr gg_field fields[] = {
      ganglion::param("eta", "ms", 0.05, 0, inf,
                      "learning rate: relative change eta x per spike (multiplicative); in the "
                      "additive form the change s eta x is in w, eta then in w*ms"),
      ganglion::param("tau", "ms", 200, 0, inf, "time constant of the traces x_pre and x_post",
                      GG_MIN_EXCLUSIVE),
      ganglion::param("r0", "Hz", 10, 0, inf, "target postsynaptic rate (compared as 2 r0 with x)"),
      ganglion::choice("form", "multiplicative|additive", 0,
                       "weight change proportional to J (multiplicative) or not (additive)"),
      ganglion::param("J_min", "w", 0, 0, inf, "lower bound of |J|, in the weight's unit"),
      ganglion::param("J_max", "w", inf, 0, inf, "upper bound of |J|, in the weight's unit"),
      ganglion::trace("x_post", "1/ms", "postsynaptic trace: +1/tau per spike, decays with tau"),
      ganglion::pre_trace("x_pre", "1/ms", "presynaptic trace: +1/tau per spike, decays with tau"),
      ganglion::trace("decay", "1", "per-step decay factor exp(-dt/tau), precomputed"),
      ganglion::trace("alpha", "1/ms", "2 r0 in 1/ms, precomputed"),
      ganglion::trace("sign", "1", "s: the sign of the projection's weights (+1 or -1)"),
  };

  static std::string validate(const double *values) {
    if (values[J_min] > values[J_max])
      return "J_min (" + std::to_string(values[J_min]) + ") must not exceed J_max (" +
             std::to_string(values[J_max]) + "): they bound |J| from below and above";
    return {};
  }

  // What init and update derive from the parameters.
  static void derive(const gg_view &v) {
    for (uint64_t j = 0; j < v.n; ++j) {
      if (v.fields[tau][j] != v.fields[tau][0])
        throw ganglion::Failure(
            std::string("istdp on projection '") + (v.projection ? v.projection : "?") +
            "': tau differs between postsynaptic neurons 0 (" + std::to_string(v.fields[tau][0]) +
            " ms) and " + std::to_string(j) + " (" + std::to_string(v.fields[tau][j]) +
            " ms); give one value: the presynaptic trace is shared by all of a neuron's synapses");
      v.fields[decay][j] = std::exp(-v.dt / v.fields[tau][j]);
      v.fields[alpha][j] = 2.0 * v.fields[r0][j] * 1e-3; // Hz -> 1/ms
    }
  }

  static void init(const gg_view &v) {
    derive(v);
    const char *proj = v.projection ? v.projection : "?";
    bool negative = false, positive = false;
    for (uint64_t s = 0; s < v.n_synapses; ++s) {
      negative |= v.plastic_weight[s] < 0;
      positive |= v.plastic_weight[s] > 0;
    }
    if (negative && positive)
      throw ganglion::Failure(std::string("istdp on projection '") + proj +
                              "': its weights have both signs; the rule keeps each weight's sign "
                              "and needs one sign per projection (Dale): split the projection or "
                              "draw weights of one sign");
    const double s_sign = negative ? -1.0 : 1.0;
    for (uint64_t j = 0; j < v.n; ++j) v.fields[sign][j] = s_sign;
    for (uint64_t j = 0; j < v.n; ++j)
      for (uint64_t c = v.col_ptr[j]; c < v.col_ptr[j + 1]; ++c) {
        const float m = std::abs(v.plastic_weight[v.col_synapse[c]]);
        // Compared as floats: a weight of 0.3 in a config is stored as float(0.3) > 0.3.
        if (m < float(v.fields[J_min][j]) || m > float(v.fields[J_max][j]))
          throw ganglion::Failure(
              std::string("istdp on projection '") + proj + "': a weight of postsynaptic neuron " +
              std::to_string(j) + " has |J| = " + std::to_string(m) + ", outside [J_min, J_max] = [" +
              std::to_string(v.fields[J_min][j]) + ", " + std::to_string(v.fields[J_max][j]) +
              "]; widen the bounds or change the weights");
      }
  }

  static void update(const gg_view &v) { derive(v); }

  // Whole, or by parts (split_rule: the presynaptic traces, then each target range's share).
  static constexpr bool split_rule = true;
  GANGLION_SIMD static void step(const gg_view &v) {
    if (v.n == 0) return;
    double *xp = v.fields[x_post], *xq = v.fields[x_pre];
    const double d = v.fields[decay][0], jump = 1.0 / v.fields[tau][0];
    if (ganglion::rule_pre_traces(v)) {
      for (uint64_t k = 0; k < v.n_pre; ++k) xq[k] *= d;
      for (uint64_t i = 0; i < v.n_pre_spikes; ++i) xq[v.pre_spikes[i]] += jump;
    }
    if (!ganglion::rule_targets(v)) return;
    const auto range = ganglion::rule_range(v);
    for (uint64_t j = range.first; j < range.last; ++j) xp[j] *= d;

    const bool learn = v.learning != 0;
    // With uniform parameters the rule's constants are loaded once, not per synapse (a pre spike
    // visits postsynaptic neurons in no useful order: each would be a scattered load).
    // GANGLION_INLINE: a lambda GCC leaves out of line runs the baseline build on every CPU.
    ganglion::with_params(v, {eta, r0, J_min, J_max}, [&](const auto &p) GANGLION_INLINE {
      if (!learn) return;
      const auto ch = ganglion::istdp::changes_of(p, v, v);
      // presynaptic spikes: they see x_post before this step's postsynaptic spikes
      ganglion::for_each_pre_synapse(v, [&](uint32_t j, uint64_t syn)
                                            GANGLION_INLINE { ch.pre(j, syn, 1); });
      ganglion::for_each_post_synapse(v, [&](uint32_t j, uint64_t syn, uint32_t k)
                                             GANGLION_INLINE { ch.post(j, syn, k); });
    });
    // This step's postsynaptic spikes add to x_post, after the changes (which read x_pre only).
    for (uint64_t i = 0; i < v.n_post_spikes; ++i)
      xp[v.post_spikes[i]] += jump;
  }
};

} // namespace

GANGLION_PLUGIN(Istdp)
