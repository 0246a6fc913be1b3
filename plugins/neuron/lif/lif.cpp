// Leaky integrate-and-fire neuron (SCIENCE.md): tau_m dV/dt = -(V - E_L) + tau_m (I + I_e);
// at V >= V_th a spike, V = V_re, held there for tau_ref.
#include <cmath>

#include "ganglion/plugin.hpp"

namespace {

using ganglion::inf;

struct Lif {
  static constexpr const char *name = "lif";
  static constexpr gg_kind kind = GG_KIND_NEURON;
  static constexpr const char *doc =
      "Leaky integrate-and-fire: tau_m dV/dt = -(V - E_L) + tau_m (I + I_e), I the synaptic "
      "input in mV/ms (current over capacitance). At V >= V_th: a spike, V = V_re, held for "
      "tau_ref. scheme 'exact' integrates the step exactly for input constant over it (the "
      "default); 'euler' is forward Euler.";

  enum Field { tau_m, E_L, V_th, V_re, tau_ref, I_e, scheme, V, refractory, decay, count };
  static constexpr gg_field fields[] = {
      ganglion::param("tau_m", "ms", 10, 0, inf, "membrane time constant", GG_MIN_EXCLUSIVE),
      ganglion::param("E_L", "mV", -65, -inf, inf, "resting (leak reversal) potential"),
      ganglion::param("V_th", "mV", -50, -inf, inf, "spike threshold"),
      ganglion::param("V_re", "mV", -65, -inf, inf, "reset potential"),
      ganglion::param("tau_ref", "ms", 2, 0, inf, "refractory period"),
      ganglion::param("I_e", "mV/ms", 0, -inf, inf, "constant bias current"),
      ganglion::choice("scheme", "exact|euler", 0, "integration scheme"),
      ganglion::state("V", "mV", -65, -1e3, 1e3, "membrane potential", GG_BOUND_CHECKED),
      ganglion::trace("refractory", "1", "steps of refractoriness left"),
      ganglion::trace("decay", "1", "exp(-dt/tau_m), precomputed"),
  };

  static std::string validate(const double *v) {
    if (v[V_re] >= v[V_th])
      return "V_re (" + std::to_string(v[V_re]) + " mV) must be below V_th (" +
             std::to_string(v[V_th]) + " mV): lower V_re or raise V_th";
    return {};
  }

  static void init(const gg_view &v) {
    for (uint64_t i = 0; i < v.n; ++i) v.fields[decay][i] = std::exp(-v.dt / v.fields[tau_m][i]);
  }

  static void step(const gg_view &v) {
    double *V_ = v.fields[V], *ref = v.fields[refractory];
    const double *tau = v.fields[tau_m], *el = v.fields[E_L], *th = v.fields[V_th],
                 *re = v.fields[V_re], *tr = v.fields[tau_ref], *ie = v.fields[I_e],
                 *dec = v.fields[decay];
    const bool euler = v.fields[scheme][0] != 0;
    for (uint64_t i = 0; i < v.n; ++i) {
      if (ref[i] > 0) {
        ref[i] -= 1;
        V_[i] = re[i];
        continue;
      }
      const double v_inf = el[i] + tau[i] * (v.input[i] + ie[i]);
      V_[i] = euler ? V_[i] + v.dt * ((v_inf - V_[i]) / tau[i]) : v_inf + (V_[i] - v_inf) * dec[i];
      if (V_[i] >= th[i]) {
        ganglion::emit_spike(v, i);
        V_[i] = re[i];
        ref[i] = std::round(tr[i] / v.dt);
      }
    }
  }
};

} // namespace

GANGLION_PLUGIN(Lif)
