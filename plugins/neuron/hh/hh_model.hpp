// The Hodgkin-Huxley rate functions and one integration sub-step, shared by the `hh` plugin and
// its tests (tests/models/test_hh.cpp includes this header to check the rate functions and the
// scheme directly). V_rest = -65 mV convention of docs/science.md; V in mV, t in ms, rates in 1/ms.
// Host and device (GG_HD): e^x and e^x - 1 are ganglion's own (ganglion/elementary.h), so a CUDA
// build of this arithmetic gives the CPU's bits. The plugin's step and its CUDA step (hh.cu) both
// run `Step` for each element.
#pragma once

#include <cstdint>

#include "ganglion/elementary.h"
#include "ganglion/integrate_and_fire_element.hpp"
#include "ganglion/plugin_abi.h"

namespace ganglion::hh {

// x / (e^x - 1), continuous through its removable singularity at x = 0 (limit 1). expm1 keeps
// full relative precision for small |x|, so the quotient loses nothing near 0; for large x it
// underflows to 0 and for very negative x it tends to -x, both as the true function does.
GG_HD double x_over_expm1(double x) { return x == 0.0 ? 1.0 : x / gg_expm1(x); }

// alpha_m = 0.1 (V+40) / (1 - exp(-(V+40)/10)) = x/(e^x - 1) with x = -(V+40)/10; limit 1 at -40.
GG_HD double alpha_m(double V) { return x_over_expm1(-(V + 40.0) / 10.0); }
GG_HD double beta_m(double V) { return 4.0 * gg_exp(-(V + 65.0) / 18.0); }
GG_HD double alpha_h(double V) { return 0.07 * gg_exp(-(V + 65.0) / 20.0); }
GG_HD double beta_h(double V) { return 1.0 / (1.0 + gg_exp(-(V + 35.0) / 10.0)); }
// alpha_n = 0.01 (V+55) / (1 - exp(-(V+55)/10)) = 0.1 x/(e^x - 1), x = -(V+55)/10; limit 0.1 at -55.
GG_HD double alpha_n(double V) { return 0.1 * x_over_expm1(-(V + 55.0) / 10.0); }
GG_HD double beta_n(double V) { return 0.125 * gg_exp(-(V + 65.0) / 80.0); }

GG_HD double m_inf(double V) { return alpha_m(V) / (alpha_m(V) + beta_m(V)); }
GG_HD double h_inf(double V) { return alpha_h(V) / (alpha_h(V) + beta_h(V)); }
GG_HD double n_inf(double V) { return alpha_n(V) / (alpha_n(V) + beta_n(V)); }

struct Params {
  double C, g_Na, g_K, g_L, E_Na, E_K, E_L;
};

struct State {
  double V, m, h, n;
};

// Exponential Euler for one gate over h with V frozen: exact for dx/dt = a (1 - x) - b x.
GG_HD double gate_step(double x, double a, double b, double h) {
  const double s = a + b, x_inf = a / s;
  return x_inf + (x - x_inf) * gg_exp(-h * s);
}

// (1 - e^{-z}) / z, continuous at z = 0 (limit 1), without loss of precision for small z.
GG_HD double phi1(double z) { return z == 0.0 ? 1.0 : -gg_expm1(-z) / z; }

// Exponential Euler for V over h with the conductances frozen: C dV/dt = J - G V with
// G = g_Na m^3 h + g_K n^4 + g_L and J = g_Na m^3 h E_Na + g_K n^4 E_K + g_L E_L + I, i.e.
// V(h) = V + (J - G V) (h/C) phi1(h G / C). Exact for frozen gates; V moves toward J/G and never
// past it, for any h (unconditionally stable); G = 0 (all conductances 0) is the plain
// V + h I / C, with no division by zero.
GG_HD double voltage_step(const Params &p, double V, double m, double hh, double n, double I,
                           double h) {
  const double gna = p.g_Na * m * m * m * hh, gk = p.g_K * (n * n) * (n * n);
  const double G = gna + gk + p.g_L;
  const double J = gna * p.E_Na + gk * p.E_K + p.g_L * p.E_L + I;
  return V + (J - G * V) * (h / p.C) * phi1(h * G / p.C);
}

// One sub-step of length h with the current I (uA/cm^2) held constant over it: the gates by
// exponential Euler with the rates of the sub-step's starting V, then V by exponential Euler
// with the conductances of the UPDATED gates. Using the new gates for V staggers the two halves
// of the system (gates lead V by the step), which makes the global error second order in h
// (measured: the spike-time error falls ~4x per halving of h; see hh.cpp), while every stage is
// an exact solution of a frozen linear equation, so m, h, n stay in [0, 1] and V between the
// reversal potentials (plus I/G) for any h.
GG_HD State substep(const Params &p, const State &s, double I, double h) {
  State out;
  out.m = gate_step(s.m, alpha_m(s.V), beta_m(s.V), h);
  out.h = gate_step(s.h, alpha_h(s.V), beta_h(s.V), h);
  out.n = gate_step(s.n, alpha_n(s.V), beta_n(s.V), h);
  out.V = voltage_step(p, s.V, out.m, out.h, out.n, I, h);
  return out;
}

// The fields, in the table's order (hh.cpp), shared by both backends.
enum Field { C, g_Na, g_K, g_L, E_Na, E_K, E_L, V_detect, I_e, substeps, V, m, h, n, count };

// One element's step: `substeps` sub-steps of dt / substeps with the input and I_e held over the
// step, and a spike where V crossed V_detect upwards. hh does not check V's range itself (the
// kernel scans its bound-checked fields), so `outside` is always false.
struct Step {
  double *f[count]; // the fields' arrays
  const double *input;
  double dt;
  GG_HD integrate_and_fire::Outcome operator()(uint64_t i, double) const {
    const Params p{f[C][i], f[g_Na][i], f[g_K][i], f[g_L][i], f[E_Na][i], f[E_K][i], f[E_L][i]};
    const int k = static_cast<int>(f[substeps][i]);
    const double hstep = dt / k, I = input[i] + f[I_e][i], before = f[V][i];
    State s{f[V][i], f[m][i], f[h][i], f[n][i]};
    for (int j = 0; j < k; ++j)
      s = substep(p, s, I, hstep);
    f[V][i] = s.V;
    f[m][i] = s.m;
    f[h][i] = s.h;
    f[n][i] = s.n;
    return {before < f[V_detect][i] && s.V >= f[V_detect][i], false};
  }
};

// The step over a view's arrays (on the CPU the view, in a CUDA hook its device view).
inline Step step_of(const gg_view &v) {
  Step s{{}, v.input, v.dt};
  for (int k = 0; k < count; ++k)
    s.f[k] = v.fields[k];
  return s;
}

} // namespace ganglion::hh
