// Exponential conductance synapse (docs/science.md): tau dg/dt = -g, each presynaptic spike adds
// J/tau to g, and the neuron receives g (E_syn - V). Conductances are over the membrane capacitance
// (1/ms), so g (E_syn - V) is in mV/ms like every input: 1 nS onto a 250 pF cell is 0.004/ms, and
// for hh (C = 1 uF/cm^2) 1 mS/cm^2 is 1/ms. With convention "peak" (NEST's), J is the jump of g.
#include <cmath>

#include "ganglion/plugin.hpp"

#include "exp_conductance_fields.hpp"

#include "ganglion/exponential.hpp"

namespace {

using ganglion::inf;

struct ExpConductance {
  static constexpr const char *name = "exp_conductance";
  static constexpr gg_kind kind = GG_KIND_SYNAPSE;
  static constexpr bool batch = true;       // element by element; draws by gg_element_*
  static constexpr bool compact_csr = true; // delivers through ganglion::for_each_arrival
  static constexpr bool counts = true;      // and takes its arrivals' counts (a drive's)
  static constexpr bool split_step = true;  // step only delivers (the decay is in current)
  static constexpr const char *weight_unit = "1";
  static constexpr const char *peak_weight_unit = "1/ms";
  static constexpr const char *doc =
      "Exponential conductance synapse: tau dg/dt = -g; the neuron receives g (E_syn - V), "
      "conductances over capacitance (1/ms). convention 'integral' (default): a spike of weight "
      "J (dimensionless: the area of g) adds J/tau to g; 'peak' (NEST's): J (1/ms) is the jump "
      "of g. Weights are >= 0; inhibition comes from E_syn below rest. scheme 'exact' decays g "
      "by exp(-dt/tau) and uses g's exact mean over the step, g (1 - exp(-dt/tau)) tau/dt; "
      "'euler' decays by (1 - dt/tau) and uses g. The current uses V at the start of the step.";

  using enum ganglion::exp_conductance::Field; // shared with exp_conductance.cu
  static constexpr gg_field fields[] = {
      ganglion::param("tau", "ms", 5, 0, inf, "decay time constant", GG_MIN_EXCLUSIVE),
      ganglion::param("E_syn", "mV", 0, -inf, inf, "reversal potential"),
      ganglion::choice("scheme", "exact|euler", 0, "decay scheme"),
      ganglion::choice("convention", "integral|peak", 0,
                       "weight = area of the conductance (integral) or its jump (peak, NEST)"),
      ganglion::state("g", "1/ms", 0, 0, inf, "conductance over capacitance"),
      ganglion::trace("decay", "1", "per-step decay factor, precomputed"),
      ganglion::trace("jump", "1/ms", "jump of g per unit weight: 1/tau (integral) or 1 (peak)"),
      ganglion::trace("average", "1", "the step's mean of g over its start value"),
  };

  static constexpr ganglion::exponential::Fields shared{tau,   scheme, convention,
                                                        decay, jump,   average};

  static void init(const gg_view &v) {
    ganglion::exponential::precompute(v, shared);
    // With uniform weights the kernel may keep the one value alone (GG_DESC_COMPACT_CSR).
    const uint64_t weights = ganglion::weights_uniform(v) ? 1 : v.row_ptr[v.n_pre];
    for (uint64_t k = 0; k < weights && k < v.row_ptr[v.n_pre]; ++k)
      if (v.weight[k] < 0)
        throw ganglion::Failure("a conductance weight is negative (" + std::to_string(v.weight[k]) +
                                "): conductances are >= 0; make a synapse inhibitory with an "
                                "E_syn below rest (e.g. -80 mV)");
  }

  // The neuron's input for this step, g's mean over it times (E_syn - V); then g decays by the
  // step (see exponential.hpp), and `step` adds the arrivals.
  GANGLION_SIMD static void current(const gg_view &v) {
    const ganglion::exponential::Factors k(v, shared);
    double *__restrict g_ = v.fields[g], *__restrict in = v.post_input;
    const double *__restrict e = v.fields[E_syn], *__restrict avg = k.average_,
                             *__restrict dec = k.decay_, *__restrict post_v = v.post_v;
    using ganglion::channel_element;
    if (k.same && ganglion::uniform(v, E_syn)) {
      const double a = avg[0], d = dec[0], e0 = e[0];
      for (uint64_t j = 0; j < v.n; ++j)
        channel_element<GG_CHANNEL_CONDUCTANCE>(in[j], g_[j], a, d, e0, post_v[j]);
    } else {
      for (uint64_t j = 0; j < v.n; ++j)
        channel_element<GG_CHANNEL_CONDUCTANCE>(in[j], g_[j], avg[j], dec[j], e[j], post_v[j]);
    }
  }

  // With one tau and one E_syn, current is g * average * (E_syn - V), then g *= decay: a
  // conductance channel that a neuron's step may compute in its own pass (GG_DESC_CHANNELS).
  static gg_channel channel(const gg_view &v) {
    return ganglion::exponential::channel(v, shared, v.fields[g], E_syn);
  }

  GANGLION_SIMD static void step(const gg_view &v) {
    ganglion::exponential::deliver(v, shared, v.fields[g]);
  }
};

} // namespace

GANGLION_PLUGIN(ExpConductance)
