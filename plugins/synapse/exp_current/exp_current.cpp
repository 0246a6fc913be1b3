// Exponential current synapse (docs/science.md): tau dI/dt = -I, each presynaptic spike adds J/tau
// to the postsynaptic I, the neuron receives I. The kernel exp(-t/tau)/tau integrates to 1, so a
// train of rate r gives a mean current J r. I is kept per postsynaptic neuron and projection. With
// convention "peak" (NEST's), J is the jump of I itself.
#include <cmath>

#include "ganglion/plugin.hpp"

#include "exp_current_fields.hpp"

#include "ganglion/exponential.hpp"

namespace {

using ganglion::inf;

struct ExpCurrent {
  static constexpr const char *name = "exp_current";
  static constexpr gg_kind kind = GG_KIND_SYNAPSE;
  static constexpr bool batch = true;       // element by element; draws by gg_element_*
  static constexpr bool compact_csr = true; // delivers through ganglion::for_each_arrival
  static constexpr bool counts = true;      // and takes its arrivals' counts (a drive's)
  static constexpr bool split_step = true;  // step only delivers (the decay is in current)
  static constexpr const char *weight_unit = "mV";
  static constexpr const char *peak_weight_unit = "mV/ms";
  static constexpr const char *doc =
      "Exponential current synapse: tau dI/dt = -I; the postsynaptic neuron receives I. "
      "convention 'integral' (default): a spike of weight J (mV: charge over capacitance) adds "
      "J/tau (mV/ms) to I, so its integral is J and a train of rate r gives a mean input J r. "
      "convention 'peak' (NEST's): J (mV/ms) is the jump of I itself. scheme 'exact' decays I "
      "by exp(-dt/tau) per step and hands the neuron I's exact mean over the step, "
      "I (1 - exp(-dt/tau)) tau/dt, so one spike delivers exactly J; 'euler' decays by "
      "(1 - dt/tau) and hands on I itself, the reference scheme of docs/science.md (also "
      "exactly J).";

  using enum ganglion::exp_current::Field; // shared with exp_current.cu
  static constexpr gg_field fields[] = {
      ganglion::param("tau", "ms", 5, 0, inf, "decay time constant", GG_MIN_EXCLUSIVE),
      ganglion::choice("scheme", "exact|euler", 0, "decay scheme"),
      ganglion::choice("convention", "integral|peak", 0,
                       "weight = area of the current (integral) or its jump (peak, NEST)"),
      ganglion::state("I", "mV/ms", 0, -inf, inf, "synaptic current"),
      ganglion::trace("decay", "1", "per-step decay factor, precomputed"),
      ganglion::trace("jump", "1/ms", "jump of I per unit weight: 1/tau (integral) or 1 (peak)"),
      ganglion::trace("average", "1", "the step's mean of I over its start value"),
  };

  static constexpr ganglion::exponential::Fields shared{tau,   scheme, convention,
                                                        decay, jump,   average};

  static void init(const gg_view &v) { ganglion::exponential::precompute(v, shared); }

  // The neuron's input for this step, I's mean over it; then I decays by the step (see
  // exponential.hpp), and `step` adds the arrivals.
  GANGLION_SIMD static void current(const gg_view &v) {
    const ganglion::exponential::Factors k(v, shared);
    double *__restrict i_syn = v.fields[I], *__restrict in = v.post_input;
    const double *__restrict avg = k.average_, *__restrict dec = k.decay_;
    using ganglion::channel_element;
    if (k.same) {
      const double a = avg[0], d = dec[0];
      for (uint64_t j = 0; j < v.n; ++j)
        channel_element<GG_CHANNEL_CURRENT>(in[j], i_syn[j], a, d, 0, 0);
    } else {
      for (uint64_t j = 0; j < v.n; ++j)
        channel_element<GG_CHANNEL_CURRENT>(in[j], i_syn[j], avg[j], dec[j], 0, 0);
    }
  }

  // With one tau, current is I * average, then I *= decay: a current channel that a neuron's
  // step may compute in its own pass (GG_DESC_CHANNELS).
  static gg_channel channel(const gg_view &v) {
    return ganglion::exponential::channel(v, shared, v.fields[I], -1);
  }

  GANGLION_SIMD static void step(const gg_view &v) {
    ganglion::exponential::deliver(v, shared, v.fields[I]);
  }
};

} // namespace

GANGLION_PLUGIN(ExpCurrent)
