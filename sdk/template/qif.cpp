// qif: the quadratic integrate-and-fire neuron, a ganglion plugin built out of tree against the
// installed SDK. It is the template for a new neuron model: one struct with a field table, a
// `step` and a `validate`, turned into the plugin's C tables by GANGLION_PLUGIN. Its step is the
// SDK's integrate-and-fire fast path (ganglion/integrate_and_fire.hpp), as the built-in lif's and
// eif's: one vector loop that computes the incoming exponential synapses in the neuron's pass
// (`channels`) and checks V's range as it stores it (`checks_bounds`); the model gives only V's
// integration over a step.
//
// The model (Latham et al. 2000 form, rest E_L and critical voltage V_c > E_L):
//
//   tau_m dV/dt = (V - E_L)(V - V_c) / (V_c - E_L) + tau_m (I + I_e)
//   V >= V_peak  ->  spike, V = V_reset, held there for tau_ref (default 0: none)
//
// I is the synaptic input and I_e a constant bias, both in mV/ms (the capacitance is folded into
// the current, so each adds to dV/dt directly). Without input V rests at E_L; V_c is the unstable
// fixed point beyond which V runs away to V_peak.
//
// Period under a constant bias. With D = V_c - E_L, V_m = (E_L + V_c)/2 and
// c = tau_m I_e - D/4 > 0 (I_e above the rheobase D / (4 tau_m)), u = V - V_m obeys
// tau_m du/dt = u^2/D + c, whose solution is a tangent, so the time from V_reset to V_peak is
//
//   T = tau_m sqrt(D/c) [atan((V_peak - V_m)/sqrt(c D)) - atan((V_reset - V_m)/sqrt(c D))].
//
// The defaults with I_e = 1.5 mV/ms give T = 22.27 ms (44.9 Hz). A tau_ref adds its hold (tau_ref
// rounded to whole steps) to each period.
//
// Integration: forward Euler, one step of dt per call; its period runs about 1% longer than T at
// dt = 0.1 ms and 0.1% at dt = 0.01 ms (the error is first order in dt). The arithmetic of one
// element is in qif_model.hpp, which the CUDA implementation (qif.cu) runs too.
#include <cstdint>
#include <cstdio>
#include <string>

#include <ganglion/integrate_and_fire.hpp>
#include <ganglion/plugin.hpp>

#include "qif_model.hpp"

namespace {

namespace integrate_and_fire = ganglion::integrate_and_fire;

// "%g" of a value, for messages (std::format is not in every C++20 library yet).
std::string num(double x) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", x);
  return buf;
}

struct Qif {
  static constexpr const char *name = "qif";
  static constexpr gg_kind kind = GG_KIND_NEURON;
  static constexpr const char *version = "1.0";
  static constexpr bool channels = true;      // step fuses its synaptic channels (with_channels)
  static constexpr bool checks_bounds = true; // integrate_and_fire::step checks V as it stores it
  static constexpr bool batch = true; // element by element, no draws: may hold a sweep's batch
  static constexpr const char *doc =
      "Quadratic integrate-and-fire: tau_m dV/dt = (V - E_L)(V - V_c)/(V_c - E_L) + "
      "tau_m (I + I_e); at V >= V_peak a spike and V = V_reset, held for tau_ref. Rests at E_L, "
      "runs away above V_c. Under a constant bias above the rheobase (V_c - E_L)/(4 tau_m) it "
      "fires with period tau_m sqrt(D/c) [atan((V_peak - V_m)/sqrt(cD)) - atan((V_reset - "
      "V_m)/sqrt(cD))], D = V_c - E_L, V_m = (E_L + V_c)/2, c = tau_m I_e - D/4 (tau_ref = 0). "
      "Forward Euler.";

  // Field indices (qif_model.hpp, shared with the CUDA step), in the order of the table below.
  using enum qif::Field;

  static constexpr gg_field fields[] = {
      ganglion::param("tau_m", "ms", 10, 0, ganglion::inf, "membrane time constant",
                      GG_MIN_EXCLUSIVE),
      ganglion::param("E_L", "mV", -65, -200, 200, "resting potential (stable fixed point)"),
      ganglion::param("V_c", "mV", -50, -200, 200,
                      "critical potential (unstable fixed point), above E_L"),
      ganglion::param("V_peak", "mV", 20, -200, 200, "spike cut-off: a spike when V reaches it"),
      ganglion::param("V_reset", "mV", -65, -200, 200, "V after a spike, below V_peak"),
      ganglion::param("I_e", "mV/ms", 0, -ganglion::inf, ganglion::inf,
                      "constant bias current (capacitance folded in)"),
      // Stored V never reaches V_peak (it is reset in the same step), so leaving [-1000, 1000]
      // mV can only mean the integration blew up: the kernel stops the run and says so.
      ganglion::state("V", "mV", -65, -qif::kVMax, qif::kVMax, "membrane potential",
                      GG_BOUND_CHECKED),
      ganglion::param("tau_ref", "ms", 0, 0, ganglion::inf, "refractory period: V held at V_reset"),
      // The hold's end, written by integrate_and_fire::step at each spike (a trace: no config
      // sets it).
      ganglion::trace("refractory_until", "1",
                      "the step from which V integrates again after a spike (held before it)")};

  // The fields integrate_and_fire::step works on: V_peak is its threshold, V_reset its reset.
  // V's range must be symmetric (|V| <= 1000: one comparison of magnitudes checks it).
  static constexpr integrate_and_fire::Fields kFields{
      V, refractory_until, V_peak, V_reset, tau_ref, fields[V].min, fields[V].max};

  // One element's values, in table order, before anything runs. Empty string: fine.
  static std::string validate(const double *x) {
    if (!(x[V_c] > x[E_L]))
      return "V_c (" + num(x[V_c]) + " mV) must be above E_L (" + num(x[E_L]) +
             " mV): raise V_c or lower E_L";
    if (!(x[V_reset] < x[V_peak]))
      return "V_reset (" + num(x[V_reset]) + " mV) must be below V_peak (" + num(x[V_peak]) +
             " mV): lower V_reset or raise V_peak";
    return {};
  }

  // One forward-Euler step of dt for every neuron; integrate_and_fire::step then holds, fires
  // (in ascending index order) and resets. syn(i, x) is neuron i's synaptic input at potential x:
  // the kernel's input plus the exponential synapses it hands this step. GANGLION_SIMD builds the
  // step for AVX-512, AVX2 and the baseline, and GANGLION_INLINE puts each lambda into them.
  GANGLION_SIMD static void step(const gg_view &v) {
    const double dt = v.dt;
    ganglion::with_params(
        v, {tau_m, E_L, V_c, V_peak, V_reset, tau_ref, I_e}, [&](const auto &p) GANGLION_INLINE {
          ganglion::with_channels(v, [&](const auto &syn) GANGLION_INLINE {
            integrate_and_fire::step<kFields>(v, p, [&](uint64_t i, double x) GANGLION_INLINE {
              return qif::next(p, i, x, syn(i, x), dt);
            });
          });
        });
  }
};

} // namespace

GANGLION_PLUGIN(Qif)
