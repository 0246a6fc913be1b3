// Leaky integrate-and-fire neuron (docs/science.md): tau_m dV/dt = -(V - E_L) + tau_m (I + I_e);
// at V >= V_th a spike, V = V_re, held there for tau_ref.
#include <cmath>
#include <type_traits>

#include "ganglion/plugin.hpp"

#include "ganglion/integrate_and_fire.hpp"
#include "lif_model.hpp"

namespace {

using ganglion::inf;
namespace integrate_and_fire = ganglion::integrate_and_fire;

struct Lif {
  static constexpr const char *name = "lif";
  static constexpr gg_kind kind = GG_KIND_NEURON;
  static constexpr bool batch = true;    // element by element; draws by gg_element_*
  static constexpr bool channels = true; // step fuses its synaptic channels (with_channels)
  static constexpr bool checks_bounds = true; // integrate_and_fire::step checks V as it stores it
  static constexpr const char *doc =
      "Leaky integrate-and-fire: tau_m dV/dt = -(V - E_L) + tau_m (I + I_e), I the synaptic "
      "input in mV/ms (current over capacitance). At V >= V_th: a spike, V = V_re, held for "
      "tau_ref. scheme 'exact' integrates the step exactly for input constant over it (the "
      "default); 'euler' is forward Euler.";

  using enum ganglion::lif::Field; // shared with lif.cu (lif_model.hpp)
  static constexpr gg_field fields[] = {
      ganglion::param("tau_m", "ms", 10, 0, inf, "membrane time constant", GG_MIN_EXCLUSIVE),
      ganglion::param("E_L", "mV", -65, -inf, inf, "resting (leak reversal) potential"),
      ganglion::param("V_th", "mV", -50, -inf, inf, "spike threshold"),
      ganglion::param("V_re", "mV", -65, -inf, inf, "reset potential"),
      ganglion::param("tau_ref", "ms", 2, 0, inf, "refractory period"),
      ganglion::param("I_e", "mV/ms", 0, -inf, inf, "constant bias current"),
      ganglion::choice("scheme", "exact|euler", 0, "integration scheme"),
      ganglion::state("V", "mV", -65, -ganglion::lif::kVMax, ganglion::lif::kVMax,
                      "membrane potential", GG_BOUND_CHECKED),
      ganglion::trace("refractory_until", "1",
                      "the step from which V integrates again after a spike (held before it)"),
      ganglion::trace("c_V", "1", "V's factor in a step, V <- c_V V + c_0 + c_I I (precomputed)"),
      ganglion::trace("c_0", "mV", "the step's constant term (precomputed)"),
      ganglion::trace("c_I", "ms", "the synaptic input's factor (precomputed)"),
  };

  static constexpr integrate_and_fire::Fields kFields{
      V, refractory_until, V_th, V_re, tau_ref, fields[V].min, fields[V].max};

  static std::string validate(const double *v) {
    if (v[V_re] >= v[V_th])
      return "V_re (" + std::to_string(v[V_re]) + " mV) must be below V_th (" +
             std::to_string(v[V_th]) + " mV): lower V_re or raise V_th";
    return {};
  }

  // The step's coefficients from the parameters (lif_model.hpp): also what the CUDA backend runs
  // on the host before it uploads them.
  static void init(const gg_view &v) { ganglion::lif::init(v); }
  // A schedule changed parameters: the coefficients follow.
  static void update(const gg_view &v) { init(v); }

  // In parts (ganglion::step_chunks): a branch-free integration that vectorises, then the
  // threshold and reset only where an element crossed. V_re < V_th (validate), so an element held
  // at V_re is never taken for a spike.
  GANGLION_SIMD static void step(const gg_view &v) {
    const double *const cV = v.fields[c_V], *const c0 = v.fields[c_0], *const cI = v.fields[c_I];
    // Every parameter the coefficients derive from is listed: uniform ones make them uniform.
    ganglion::with_params(
        v, {tau_m, E_L, V_th, V_re, tau_ref, I_e, scheme}, [&](const auto &p) GANGLION_INLINE {
          constexpr bool same = std::remove_cvref_t<decltype(p)>::is_uniform;
          const double a0 = cV[0], b0 = c0[0], s0 = cI[0];
          ganglion::with_channels(v, [&](const auto &syn) GANGLION_INLINE {
            integrate_and_fire::step<kFields>(v, p, [&](uint64_t i, double x) GANGLION_INLINE {
              return ganglion::lif::next(x, same ? a0 : cV[i], same ? b0 : c0[i], same ? s0 : cI[i],
                                         syn(i, x));
            });
          });
        });
  }
};

} // namespace

GANGLION_PLUGIN(Lif)
