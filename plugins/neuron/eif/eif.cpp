// Exponential integrate-and-fire neuron (docs/science.md), forward Euler in the reference order:
// V += dt (-(V - E_L)/tau_m + Delta_T/tau_m exp((V - V_T)/Delta_T) + I + I_e); V = max(V, V_lb);
// spike where V >= V_th; V = V_re (held for tau_ref).
#include <cmath>

#include "ganglion/plugin.hpp"

#include "eif_model.hpp"
#include "ganglion/integrate_and_fire.hpp"

namespace {

using ganglion::inf;
namespace integrate_and_fire = ganglion::integrate_and_fire;

struct Eif {
  static constexpr const char *name = "eif";
  static constexpr gg_kind kind = GG_KIND_NEURON;
  static constexpr bool batch = true;    // element by element; draws by gg_element_*
  static constexpr bool channels = true; // step fuses its synaptic channels (with_channels)
  static constexpr bool checks_bounds = true; // integrate_and_fire::step checks V as it stores it
  static constexpr const char *doc =
      "Exponential integrate-and-fire: C dV/dt = -g_L (V - E_L) + g_L Delta_T exp((V - V_T)/"
      "Delta_T) + I, written with tau_m = C/g_L and the input I in mV/ms (current over "
      "capacitance). Forward Euler in the reference order of docs/science.md: integrate, clamp at "
      "V_lb, spike at V >= V_th, reset to V_re, hold for tau_ref. Defaults are the reference "
      "parameters (tau_m 15 ms, E_L -72, V_T -55, Delta_T 1, V_th -50, V_re -75, V_lb -100 mV).";

  using enum ganglion::eif::Field; // shared with eif.cu (eif_model.hpp)
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
      ganglion::state("V", "mV", -72, -ganglion::eif::kVMax, ganglion::eif::kVMax,
                      "membrane potential", GG_BOUND_CHECKED),
      ganglion::trace("refractory_until", "1",
                      "the step from which V integrates again after a spike (held before it)"),
  };

  static constexpr integrate_and_fire::Fields kFields{
      V, refractory_until, V_th, V_re, tau_ref, fields[V].min, fields[V].max};

  static std::string validate(const double *v) {
    if (v[V_re] >= v[V_th])
      return "V_re (" + std::to_string(v[V_re]) + " mV) must be below V_th (" +
             std::to_string(v[V_th]) + " mV): lower V_re or raise V_th";
    if (v[V_lb] > v[V_re])
      return "V_lb (" + std::to_string(v[V_lb]) + " mV) must not be above V_re (" +
             std::to_string(v[V_re]) + " mV): lower V_lb";
    return {};
  }

  // In parts (ganglion::step_chunks): a branch-free integration that vectorises (exp_simd in
  // place of std::exp, which a vector loop cannot call), then the threshold and reset only where an
  // element crossed. V_re < V_th (validate), so an element held at V_re is never taken for a spike.
  GANGLION_SIMD static void step(const gg_view &v) {
    const double dt = v.dt;
    ganglion::with_params(
        v, {tau_m, E_L, V_T, Delta_T, V_th, V_re, V_lb, tau_ref, I_e},
        [&](const auto &p) GANGLION_INLINE {
          // (The enumerators qualified: g++ 12 fails on a `using enum` one in a generic lambda.)
          const double inv_dT0 = 1.0 / p(ganglion::eif::Delta_T, 0),
                       inv_tau0 = 1.0 / p(ganglion::eif::tau_m, 0);
          ganglion::with_channels(v, [&](const auto &syn) GANGLION_INLINE {
            integrate_and_fire::step<kFields>(v, p, [&](uint64_t i, double x) GANGLION_INLINE {
              // Divisions by parameters as multiplications by their inverses: no vector division
              // where the parameters are uniform.
              return ganglion::eif::next(x, syn(i, x), dt,
                                         ganglion::eif::params_of(p, i, inv_dT0, inv_tau0));
            });
          });
        });
  }
};

} // namespace

GANGLION_PLUGIN(Eif)
