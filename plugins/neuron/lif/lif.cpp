// Leaky integrate-and-fire neuron (SCIENCE.md): tau_m dV/dt = -(V - E_L) + tau_m (I + I_e);
// at V >= V_th a spike, V = V_re, held there for tau_ref.
#include <cmath>
#include <type_traits>

#include "ganglion/plugin.hpp"

#include "../integrate_and_fire.hpp"

namespace {

using ganglion::inf;
namespace integrate_and_fire = ganglion::integrate_and_fire;

struct Lif {
  static constexpr const char *name = "lif";
  static constexpr gg_kind kind = GG_KIND_NEURON;
  static constexpr bool channels = true; // step fuses its synaptic channels (with_channels)
  static constexpr bool checks_bounds = true; // integrate_and_fire::step checks V as it stores it
  static constexpr const char *doc =
      "Leaky integrate-and-fire: tau_m dV/dt = -(V - E_L) + tau_m (I + I_e), I the synaptic "
      "input in mV/ms (current over capacitance). At V >= V_th: a spike, V = V_re, held for "
      "tau_ref. scheme 'exact' integrates the step exactly for input constant over it (the "
      "default); 'euler' is forward Euler.";

  enum Field { tau_m, E_L, V_th, V_re, tau_ref, I_e, scheme, V, refractory_until, decay, count };
  static constexpr gg_field fields[] = {
      ganglion::param("tau_m", "ms", 10, 0, inf, "membrane time constant", GG_MIN_EXCLUSIVE),
      ganglion::param("E_L", "mV", -65, -inf, inf, "resting (leak reversal) potential"),
      ganglion::param("V_th", "mV", -50, -inf, inf, "spike threshold"),
      ganglion::param("V_re", "mV", -65, -inf, inf, "reset potential"),
      ganglion::param("tau_ref", "ms", 2, 0, inf, "refractory period"),
      ganglion::param("I_e", "mV/ms", 0, -inf, inf, "constant bias current"),
      ganglion::choice("scheme", "exact|euler", 0, "integration scheme"),
      ganglion::state("V", "mV", -65, -1e3, 1e3, "membrane potential", GG_BOUND_CHECKED),
      ganglion::trace("refractory_until", "1",
                      "the step from which V integrates again after a spike (held before it)"),
      ganglion::trace("decay", "1", "exp(-dt/tau_m), precomputed"),
  };

  static constexpr integrate_and_fire::Fields kFields{
      V, refractory_until, V_th, V_re, tau_ref, fields[V].min, fields[V].max};

  static std::string validate(const double *v) {
    if (v[V_re] >= v[V_th])
      return "V_re (" + std::to_string(v[V_re]) + " mV) must be below V_th (" +
             std::to_string(v[V_th]) + " mV): lower V_re or raise V_th";
    return {};
  }

  static void init(const gg_view &v) {
    for (uint64_t i = 0; i < v.n; ++i)
      v.fields[decay][i] = std::exp(-v.dt / v.fields[tau_m][i]);
  }
  // A schedule changed parameters: decay follows tau_m.
  static void update(const gg_view &v) { init(v); }

  // In parts (ganglion::step_chunks): a branch-free integration that vectorises, then the
  // threshold and reset only where an element crossed. V_re < V_th (validate), so an element held
  // at V_re is never taken for a spike.
  GANGLION_SIMD static void step(const gg_view &v) {
    const double *const dec = v.fields[decay];
    const double dt = v.dt;
    ganglion::with_params(
        v, {tau_m, E_L, V_th, V_re, tau_ref, I_e}, [&](const auto &p) GANGLION_INLINE {
          // decay derives from tau_m alone: with uniform parameters one value serves all.
          constexpr bool same = std::remove_cvref_t<decltype(p)>::is_uniform;
          const double dec0 = dec[0], k0 = dt / p(tau_m, 0);
          // One loop per scheme (a constant in it), the synaptic channels fused in.
          const auto integrate = [&](auto euler, const auto &syn) GANGLION_INLINE {
            integrate_and_fire::step<kFields>(v, p, [&](uint64_t i, double x) GANGLION_INLINE {
              const double tau = p(tau_m, i);
              const double v_inf = p(E_L, i) + tau * (syn(i, x) + p(I_e, i));
              // Euler as x + (v_inf - x) dt/tau: a division per element only where tau varies.
              return euler ? x + (v_inf - x) * (same ? k0 : dt / tau)
                           : v_inf + (x - v_inf) * (same ? dec0 : dec[i]);
            });
          };
          ganglion::with_channels(v, [&](const auto &syn) GANGLION_INLINE {
            if (v.fields[scheme][0] != 0)
              integrate(std::true_type{}, syn);
            else
              integrate(std::false_type{}, syn);
          });
        });
  }
};

} // namespace

GANGLION_PLUGIN(Lif)
