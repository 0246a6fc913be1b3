// qif: the quadratic integrate-and-fire neuron, a ganglion plugin built out of tree against the
// installed SDK. It is the template for a new neuron model: one struct with a field table, a
// `step` and a `validate`, turned into the plugin's C tables by GANGLION_PLUGIN.
//
// The model (Latham et al. 2000 form, rest E_L and critical voltage V_c > E_L):
//
//   tau_m dV/dt = (V - E_L)(V - V_c) / (V_c - E_L) + tau_m (I + I_e)
//   V >= V_peak  ->  spike, V = V_reset
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
// The defaults with I_e = 1.5 mV/ms give T = 22.27 ms (44.9 Hz).
//
// Integration: forward Euler, one step of dt per call; its period runs about 1% longer than T at
// dt = 0.1 ms and 0.1% at dt = 0.01 ms (the error is first order in dt).
#include <cmath>
#include <cstdio>
#include <string>

#include <ganglion/plugin.hpp>

namespace {

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
  static constexpr const char *doc =
      "Quadratic integrate-and-fire: tau_m dV/dt = (V - E_L)(V - V_c)/(V_c - E_L) + tau_m (I + I_e); "
      "at V >= V_peak a spike and V = V_reset. Rests at E_L, runs away above V_c. Under a constant "
      "bias above the rheobase (V_c - E_L)/(4 tau_m) it fires with period tau_m sqrt(D/c) "
      "[atan((V_peak - V_m)/sqrt(cD)) - atan((V_reset - V_m)/sqrt(cD))], D = V_c - E_L, "
      "V_m = (E_L + V_c)/2, c = tau_m I_e - D/4. Forward Euler.";

  // Field indices, in the order of the table below: v.fields[tau_m] is the tau_m array.
  enum Field { tau_m, E_L, V_c, V_peak, V_reset, I_e, V, count };

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
      ganglion::state("V", "mV", -65, -1000, 1000, "membrane potential", GG_BOUND_CHECKED)};

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

  // One forward-Euler step of dt for every neuron; spikes are emitted in ascending index order.
  static void step(const gg_view &v) {
    const double *tau = v.fields[tau_m], *el = v.fields[E_L], *vc = v.fields[V_c];
    const double *peak = v.fields[V_peak], *reset = v.fields[V_reset], *ie = v.fields[I_e];
    double *vm = v.fields[V];
    const double dt = v.dt;
    for (uint64_t i = 0; i < v.n; ++i) {
      const double x = vm[i];
      const double dvdt = (x - el[i]) * (x - vc[i]) / ((vc[i] - el[i]) * tau[i]) + v.input[i] + ie[i];
      double next = x + dt * dvdt;
      if (!std::isfinite(next))
        throw ganglion::Diverged("qif: V of neuron " + std::to_string(i) + " is not finite at t = " +
                                 num(v.t) + " ms (input " + num(v.input[i]) +
                                 " mV/ms): reduce dt or the input");
      if (next >= peak[i]) {
        next = reset[i];
        ganglion::emit_spike(v, i);
      }
      vm[i] = next;
    }
  }
};

} // namespace

GANGLION_PLUGIN(Qif)
