// Hodgkin-Huxley neuron (docs/science.md), V_rest = -65 mV convention:
//   C dV/dt = -g_L (V - E_L) - g_K n^4 (V - E_K) - g_Na m^3 h (V - E_Na) + I + I_e,
//   dx/dt = alpha_x(V) (1 - x) - beta_x(V) x for x in {m, h, n},
// with I the input (synaptic current plus I_app) in uA/cm^2. A spike is an upward crossing of
// V_detect (V before the step < V_detect <= V after it); there is no reset.
//
// Scheme (hh_model.hpp): each step dt is split into `substeps` sub-steps of h = dt/substeps, the
// input held constant over the step. In each sub-step the gates advance by exponential Euler
// with the rates of the sub-step's starting V (x_inf + (x - x_inf) e^{-h/tau_x}: exact for frozen
// V), then V advances by exponential Euler with the conductances of the updated gates frozen
// (exact for frozen gates). Every stage is the exact solution of a linear equation, so the scheme
// is unconditionally stable (gates in [0, 1], V toward the conductance-weighted reversal
// potential) and, the gates leading V by the sub-step, second order in h.
// The alphas' removable singularities (V = -40 for alpha_m, -55 for alpha_n) are evaluated as
// x/expm1(x): no 0/0 and no cancellation nearby (the limits are 1 and 0.1 per ms).
//
// Accuracy at dt = 0.1 ms, default substeps = 10 (h = 0.01 ms), against RK4 at 0.001 ms (itself
// converged to < 1e-6 ms; tests/models/test_hh.cpp holds the reference and re-checks these):
//   - single spike (V = -50 mV at t = 0, gates at rest; crossing at 0.9226 ms): crossing time
//     (interpolated within the step) off by 0.009 ms; V sampled at the step points peaks at
//     39.95 mV against 40.08 mV for the reference sampled at the same points (true peak 40.41);
//   - spike train, I_e = 10 uA/cm^2 from rest, 200 ms (14 spikes, 68.3 Hz): every crossing
//     within 0.009 ms of the reference's (0.012 ms at I_e = 20, 18 spikes); sampled peaks within
//     0.01 mV; the steady rate within 0.005 % (68.320 vs 68.324 Hz).
//   With substeps = 1 the same train drifts by up to 0.96 ms, with 4 by 0.06 ms, 20 by 0.002 ms
//   (the error falls ~4x per halving of h). The spike's timestamp is the end of the step in
//   which V crossed, i.e. the crossing rounded up to the 0.1 ms grid.
//
// Initial gates: m, h, n are state variables whose default -1 means "the steady state
// x_inf(V) at the neuron's initial V", computed in `init`; a value in [0, 1] given in "init" is
// used as is (e.g. gates at rest with a displaced V: the response to a brief current shock).
#include <cmath>
#include <string>

#include "ganglion/plugin.hpp"
#include "hh_model.hpp"

namespace {

using ganglion::inf;

std::string num(double x) {
  char b[64];
  std::snprintf(b, sizeof b, "%g", x);
  return b;
}

struct Hh {
  static constexpr const char *name = "hh";
  // 1.1: e^x, e^x - 1, tanh and x^y by ganglion/elementary.h (the same bits on a GPU), not libm
  static constexpr const char *version = "1.1";
  static constexpr gg_kind kind = GG_KIND_NEURON;
  static constexpr bool batch = true; // element by element; draws by gg_element_*
  static constexpr const char *input_unit = "uA/cm^2";
  static constexpr const char *doc =
      "Hodgkin-Huxley neuron, V_rest = -65 mV convention: C dV/dt = -g_L (V - E_L) - g_K n^4 "
      "(V - E_K) - g_Na m^3 h (V - E_Na) + I + I_e, dx/dt = alpha_x (1 - x) - beta_x x for x in "
      "{m, h, n}; the input I (synaptic current and I_app) in uA/cm^2. A spike is an upward "
      "crossing of V_detect; there is no reset. Each step is split into `substeps` sub-steps: "
      "gates by exponential Euler at the sub-step's starting V, then V by exponential Euler with "
      "the new gates' conductances frozen (unconditionally stable, second order). At dt = 0.1 ms "
      "with 10 sub-steps spike times are within 0.012 ms of a fine RK4 reference. m, h, n = -1 "
      "(the default): their steady state at the initial V.";

  using enum ganglion::hh::Field; // shared with hh.cu (hh_model.hpp)
  static constexpr gg_field fields[] = {
      ganglion::param("C", "uF/cm^2", 1, 0, inf, "membrane capacitance", GG_MIN_EXCLUSIVE),
      ganglion::param("g_Na", "mS/cm^2", 120, 0, inf, "peak sodium conductance"),
      ganglion::param("g_K", "mS/cm^2", 36, 0, inf, "peak potassium conductance"),
      ganglion::param("g_L", "mS/cm^2", 0.3, 0, inf, "leak conductance"),
      ganglion::param("E_Na", "mV", 50, -inf, inf, "sodium reversal potential"),
      ganglion::param("E_K", "mV", -77, -inf, inf, "potassium reversal potential"),
      ganglion::param("E_L", "mV", -54.387, -inf, inf, "leak reversal potential"),
      ganglion::param("V_detect", "mV", 0, -inf, inf, "spike detection level (upward crossing)"),
      ganglion::param("I_e", "uA/cm^2", 0, -inf, inf, "constant bias current"),
      ganglion::param("substeps", "1", 10, 1, 1e6,
                      "sub-steps per step (a whole number; 10 at dt = 0.1 ms: h = 0.01 ms)"),
      ganglion::state("V", "mV", -65, -1e3, 1e3, "membrane potential", GG_BOUND_CHECKED),
      ganglion::state("m", "1", -1, -1, 1,
                      "Na activation; -1: its steady state at the initial V", GG_BOUND_CHECKED),
      ganglion::state("h", "1", -1, -1, 1,
                      "Na inactivation; -1: its steady state at the initial V", GG_BOUND_CHECKED),
      ganglion::state("n", "1", -1, -1, 1,
                      "K activation; -1: its steady state at the initial V", GG_BOUND_CHECKED),
  };

  // A gate's initial value is -1 (steady state) or a fraction in [0, 1]; "" when it is.
  static std::string gate_problem(const char *gate, double x) {
    if (x == -1 || (x >= 0 && x <= 1)) return {};
    return std::string("initial ") + gate + " (" + num(x) +
           ") must be a fraction in [0, 1], or -1 for its steady state at the initial V";
  }

  static std::string validate(const double *v) {
    if (v[E_Na] <= v[E_K])
      return "E_Na (" + num(v[E_Na]) + " mV) must be above E_K (" + num(v[E_K]) +
             " mV): sodium depolarises and potassium repolarises the membrane";
    if (v[substeps] != std::floor(v[substeps]))
      return "substeps (" + num(v[substeps]) + ") must be a whole number of sub-steps per step";
    for (auto [gate, k] : {std::pair{"m", m}, std::pair{"h", h}, std::pair{"n", n}})
      if (std::string why = gate_problem(gate, v[k]); !why.empty()) return why;
    return {};
  }

  static void init(const gg_view &v) {
    double *V_ = v.fields[V], *m_ = v.fields[m], *h_ = v.fields[h], *n_ = v.fields[n];
    for (uint64_t i = 0; i < v.n; ++i) {
      // Per-element check: a distribution in "init" reaches validate only by its low end.
      for (auto [gate, x] : {std::pair{"m", m_[i]}, std::pair{"h", h_[i]}, std::pair{"n", n_[i]}})
        if (std::string why = gate_problem(gate, x); !why.empty())
          throw ganglion::Failure("neuron " + std::to_string(i) + ": " + why);
      if (m_[i] == -1) m_[i] = ganglion::hh::m_inf(V_[i]);
      if (h_[i] == -1) h_[i] = ganglion::hh::h_inf(V_[i]);
      if (n_[i] == -1) n_[i] = ganglion::hh::n_inf(V_[i]);
    }
  }

  static void step(const gg_view &v) {
    const ganglion::hh::Step s = ganglion::hh::step_of(v);
    const double now = double(v.step);
    for (uint64_t i = 0; i < v.n; ++i)
      if (s(i, now).spiked) ganglion::emit_spike(v, i);
  }
};

} // namespace

GANGLION_PLUGIN(Hh)
