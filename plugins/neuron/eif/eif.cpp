// Exponential integrate-and-fire neuron (SCIENCE.md), forward Euler in the reference order:
// V += dt (-(V - E_L)/tau_m + Delta_T/tau_m exp((V - V_T)/Delta_T) + I + I_e); V = max(V, V_lb);
// spike where V >= V_th; V = V_re (held for tau_ref).
#include <cmath>

#include "ganglion/plugin.hpp"

namespace {

using ganglion::inf;

struct Eif {
  static constexpr const char *name = "eif";
  static constexpr gg_kind kind = GG_KIND_NEURON;
  static constexpr const char *doc =
      "Exponential integrate-and-fire: C dV/dt = -g_L (V - E_L) + g_L Delta_T exp((V - V_T)/"
      "Delta_T) + I, written with tau_m = C/g_L and the input I in mV/ms (current over "
      "capacitance). Forward Euler in the reference order of SCIENCE.md: integrate, clamp at "
      "V_lb, spike at V >= V_th, reset to V_re, hold for tau_ref. Defaults are the reference "
      "parameters (tau_m 15 ms, E_L -72, V_T -55, Delta_T 1, V_th -50, V_re -75, V_lb -100 mV).";

  enum Field { tau_m, E_L, V_T, Delta_T, V_th, V_re, V_lb, tau_ref, I_e, V, refractory, count };
  static constexpr gg_field fields[] = {
      ganglion::param("tau_m", "ms", 15, 0, inf, "membrane time constant C/g_L", GG_MIN_EXCLUSIVE),
      ganglion::param("E_L", "mV", -72, -inf, inf, "leak reversal potential"),
      ganglion::param("V_T", "mV", -55, -inf, inf, "soft threshold of the exponential term"),
      ganglion::param("Delta_T", "mV", 1, 0, inf, "slope factor", GG_MIN_EXCLUSIVE),
      ganglion::param("V_th", "mV", -50, -inf, inf, "spike detection threshold"),
      ganglion::param("V_re", "mV", -75, -inf, inf, "reset potential"),
      ganglion::param("V_lb", "mV", -100, -inf, inf, "lower bound of V (-inf: none)"),
      ganglion::param("tau_ref", "ms", 0, 0, inf, "refractory period"),
      ganglion::param("I_e", "mV/ms", 0, -inf, inf, "constant bias current"),
      ganglion::state("V", "mV", -72, -1e3, 1e3, "membrane potential", GG_BOUND_CHECKED),
      ganglion::trace("refractory", "1", "steps of refractoriness left"),
  };

  static std::string validate(const double *v) {
    if (v[V_re] >= v[V_th])
      return "V_re (" + std::to_string(v[V_re]) + " mV) must be below V_th (" +
             std::to_string(v[V_th]) + " mV): lower V_re or raise V_th";
    if (v[V_lb] > v[V_re])
      return "V_lb (" + std::to_string(v[V_lb]) + " mV) must not be above V_re (" +
             std::to_string(v[V_re]) + " mV): lower V_lb";
    return {};
  }

  static void step(const gg_view &v) {
    double *V_ = v.fields[V], *ref = v.fields[refractory];
    const double *tau = v.fields[tau_m], *el = v.fields[E_L], *vt = v.fields[V_T],
                 *dT = v.fields[Delta_T], *th = v.fields[V_th], *re = v.fields[V_re],
                 *lb = v.fields[V_lb], *tr = v.fields[tau_ref], *ie = v.fields[I_e];
    const double dt = v.dt;
    for (uint64_t i = 0; i < v.n; ++i) {
      if (ref[i] > 0) {
        ref[i] -= 1;
        V_[i] = re[i];
        continue;
      }
      const double leak = (el[i] - V_[i]) + dT[i] * std::exp((V_[i] - vt[i]) / dT[i]);
      double x = V_[i] + dt * (leak / tau[i] + v.input[i] + ie[i]);
      x = std::max(x, lb[i]);
      if (x >= th[i]) {
        ganglion::emit_spike(v, i);
        x = re[i];
        ref[i] = std::round(tr[i] / dt);
      }
      V_[i] = x;
    }
  }
};

} // namespace

GANGLION_PLUGIN(Eif)
