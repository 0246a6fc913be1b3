// eif's element arithmetic, for the host and a CUDA device (GG_HD): one forward Euler step of
// tau_m dV/dt = -(V - E_L) + Delta_T exp((V - V_T)/Delta_T) + tau_m (I + I_e), clamped below at
// V_lb, with the divisions by Delta_T and tau_m as multiplications by their inverses (a vector
// loop then divides only where the parameters differ between elements). eif's vector loop calls
// it, and its CUDA step (eif.cu) runs `Step` for each element (with_step), so the two give the same
// bits (the tests hold Step equal to the CPU step, and the device's to Step); e^x is exp_simd,
// plain arithmetic.
#pragma once

#include <cstdint>
#include <type_traits>

#include "ganglion/hd.h"
#include "ganglion/integrate_and_fire_element.hpp"
#include "ganglion/plugin_abi.h"
#include "ganglion/sdk/channels.hpp"
#include "ganglion/sdk/params.hpp"
#include "ganglion/simd.hpp"

namespace ganglion::eif {

// The fields, in the table's order (eif.cpp), shared by both backends.
enum Field { tau_m, E_L, V_T, Delta_T, V_th, V_re, V_lb, tau_ref, I_e, V, refractory_until, count };
inline constexpr double kVMax = 1e3; // V's bound check: |V| <= 1000 mV

struct Params {
  double E_L, V_T, Delta_T, inv_Delta_T, inv_tau_m, I_e, V_lb;
};

GG_HD double next(double V, double I, double dt, const Params &p) {
  const double leak = (p.E_L - V) + p.Delta_T * exp_simd((V - p.V_T) * p.inv_Delta_T);
  const double stepped = V + dt * (leak * p.inv_tau_m + I + p.I_e);
  return stepped < p.V_lb ? p.V_lb : stepped;
}

// Element i's Params from with_params' values p: the inverses of Delta_T and tau_m are inv_dT0
// and inv_tau0 (computed once) where the parameters are uniform, else computed per element (the
// same value where they are the same).
template <class P> GG_HD Params params_of(const P &p, uint64_t i, double inv_dT0, double inv_tau0) {
  constexpr bool same = P::is_uniform;
  const double dT = p(Delta_T, i);
  return Params{
      p(E_L, i), p(V_T, i), dT, same ? inv_dT0 : 1.0 / dT, same ? inv_tau0 : 1.0 / p(tau_m, i),
      p(I_e, i), p(V_lb, i)};
}

// One element's step, as the CPU's vector loop takes it. P: ganglion::with_params' values of the
// nine parameters (UniformParams or ArrayParams). Syn: with_channels' input (syn(i, V) advances
// the channels).
template <class P, class Syn> struct Step {
  P p;
  Syn syn;
  double *V, *until;
  double inv_dT0, inv_tau0, hold0, dt; // the uniform inverses and hold (used where P is)
  GG_HD integrate_and_fire::Outcome operator()(uint64_t i, double now) const {
    const double x = V[i];
    const double integrated = next(x, syn(i, x), dt, params_of(p, i, inv_dT0, inv_tau0));
    const double hold = P::is_uniform ? hold0 : integrate_and_fire::hold_steps(p(tau_ref, i), dt);
    return integrate_and_fire::element_step(V[i], until[i], integrated, now, p(V_th, i), p(V_re, i),
                                            hold, kVMax);
  }
};

// Step for a view, passed to body(step): the uniform parameters read from `values`, the arrays
// the step works on taken from `arrays`. On the CPU both are the view; a CUDA hook passes its
// host copies and its device view (eif.cu), and the kernel runs the step.
template <class Body> void with_step(const gg_view &values, const gg_view &arrays, Body &&body) {
  const double dt = arrays.dt;
  const double *const *f = values.fields;
  ganglion::with_params_and_channels(
      values, arrays, {tau_m, E_L, V_T, Delta_T, V_th, V_re, V_lb, tau_ref, I_e},
      [&](const auto &p, const auto &syn) {
        using P = std::remove_cvref_t<decltype(p)>;
        using S = std::remove_cvref_t<decltype(syn)>;
        body(Step<P, S>{p, syn, arrays.fields[V], arrays.fields[refractory_until],
                        1.0 / f[Delta_T][0], 1.0 / f[tau_m][0],
                        integrate_and_fire::hold_steps(f[tau_ref][0], dt), dt});
      });
}

} // namespace ganglion::eif
