// lif's element arithmetic, for the host and a CUDA device (GG_HD): a step is linear in V and in
// the input I, V <- c_V V + c_0 + c_I I, with the coefficients lif's init derives once from the
// parameters (exact or Euler; lif.cpp). lif's vector loop calls `next`, and its CUDA step
// (lif.cu) runs `Step` for each element (with_step), so the two give the same bits (the tests hold
// Step equal to the CPU step, and the device's to Step).
#pragma once

#include <cmath>
#include <cstdint>
#include <type_traits>

#include "ganglion/hd.h"
#include "ganglion/integrate_and_fire_element.hpp"
#include "ganglion/plugin_abi.h"
#include "ganglion/sdk/channels.hpp"
#include "ganglion/sdk/params.hpp"

namespace ganglion::lif {

// The fields, in the table's order (lif.cpp), shared by both backends.
enum Field {
  tau_m,
  E_L,
  V_th,
  V_re,
  tau_ref,
  I_e,
  scheme,
  V,
  refractory_until,
  c_V,
  c_0,
  c_I,
  count
};
inline constexpr double kVMax = 1e3; // V's bound check: |V| <= 1000 mV

GG_HD double next(double V, double c_V, double c_0, double c_I, double I) {
  return (V * c_V + c_0) + c_I * I;
}

// One element's step, as the CPU's vector loop takes it. Params: ganglion::with_params' values of
// the seven parameters (UniformParams or ArrayParams); where they are uniform, so are the
// coefficients, given as scalars. Syn: with_channels' input (syn(i, V) advances the channels).
template <class Params, class Syn> struct Step {
  Params p;
  Syn syn;
  double *V, *until;
  const double *cV, *c0, *cI;
  double cV0, c00, cI0, hold0, dt; // the uniform coefficients and hold (used where Params is)
  GG_HD integrate_and_fire::Outcome operator()(uint64_t i, double now) const {
    constexpr bool same = Params::is_uniform;
    const double x = V[i];
    const double integrated =
        next(x, same ? cV0 : cV[i], same ? c00 : c0[i], same ? cI0 : cI[i], syn(i, x));
    const double hold = same ? hold0 : integrate_and_fire::hold_steps(p(tau_ref, i), dt);
    return integrate_and_fire::element_step(V[i], until[i], integrated, now, p(V_th, i), p(V_re, i),
                                            hold, kVMax);
  }
};

// A step is linear in V and in the input I: V <- c_V V + c_0 + c_I I, with coefficients that
// depend on the parameters alone, computed once (four operations an element in the loop where the
// two schemes' own forms took six). exact: V_inf = E_L + tau_m (I + I_e) reached with the factor
// e^(-dt/tau_m); euler: V + dt (-(V - E_L)/tau_m + I + I_e). lif's init, on the host only (the
// CUDA backend runs it there too and uploads the coefficients).
inline void init(const gg_view &v) {
  const double dt = v.dt;
  for (uint64_t i = 0; i < v.n; ++i) {
    const double tau = v.fields[tau_m][i], drive = v.fields[E_L][i] + tau * v.fields[I_e][i];
    if (v.fields[scheme][i] != 0) {
      v.fields[c_V][i] = 1 - dt / tau;
      v.fields[c_0][i] = dt * (drive / tau);
      v.fields[c_I][i] = dt;
    } else {
      const double rise = -std::expm1(-dt / tau); // 1 - e^(-dt/tau_m), without cancellation
      v.fields[c_V][i] = std::exp(-dt / tau);
      v.fields[c_0][i] = drive * rise;
      v.fields[c_I][i] = tau * rise;
    }
  }
}

// Step for a view, passed to body(step): the uniform parameters, coefficients and hold read from
// `values`, the arrays the step works on taken from `arrays`. On the CPU both are the view; a CUDA
// hook passes its host copies and its device view (lif.cu), and the kernel runs the step.
template <class Body> void with_step(const gg_view &values, const gg_view &arrays, Body &&body) {
  const double dt = arrays.dt;
  const double *const *f = values.fields;
  ganglion::with_params_and_channels(
      values, arrays, {tau_m, E_L, V_th, V_re, tau_ref, I_e, scheme},
      [&](const auto &p, const auto &syn) {
        using P = std::remove_cvref_t<decltype(p)>;
        using S = std::remove_cvref_t<decltype(syn)>;
        body(Step<P, S>{p, syn, arrays.fields[V], arrays.fields[refractory_until],
                        arrays.fields[c_V], arrays.fields[c_0], arrays.fields[c_I], f[c_V][0],
                        f[c_0][0], f[c_I][0], integrate_and_fire::hold_steps(f[tau_ref][0], dt),
                        dt});
      });
}

} // namespace ganglion::lif
