// qif's element arithmetic, for the host and a CUDA device (GG_HD): the plugin's vector loop
// (qif.cpp) integrates V with `next`, and its CUDA step (qif.cu) runs `Step`, the same
// integration followed by the same hold, threshold and reset, one element a thread (with_step), so
// both backends give the same bits. Keep the arithmetic here and only here.
#pragma once

#include <cstdint>
#include <type_traits>

#include <ganglion/hd.h>
#include <ganglion/integrate_and_fire_element.hpp>
#include <ganglion/plugin_abi.h>
#include <ganglion/sdk/channels.hpp>
#include <ganglion/sdk/params.hpp>

namespace qif {

namespace integrate_and_fire = ganglion::integrate_and_fire;

// Field indices, in the order of qif.cpp's table: v.fields[tau_m] is the tau_m array. tau_ref
// comes after V so that V keeps the index it had before qif had a hold: the seed of a field's
// drawn initial values depends on its index, so runs give the spikes they gave then.
enum Field { tau_m, E_L, V_c, V_peak, V_reset, I_e, V, tau_ref, refractory_until, count };
inline constexpr double kVMax = 1000; // V's range, |V| <= 1000 mV (see qif.cpp)

// Element i's V one forward-Euler step of dt on from x, under synaptic input I. p: with_params'
// values (uniform or per element).
template <class P> GG_HD double next(const P &p, uint64_t i, double x, double I, double dt) {
  const double el = p(E_L, i), vc = p(V_c, i);
  const double dvdt = (x - el) * (x - vc) / ((vc - el) * p(tau_m, i)) + I + p(I_e, i);
  return x + dt * dvdt;
}

// One element's whole step: integrate (advancing the synaptic channels), then hold, fire and reset
// as integrate_and_fire::step does in the vector loop.
template <class P, class Syn> struct Step {
  P p;
  Syn syn;
  double *V, *until;
  double hold0, dt; // the hold in steps where tau_ref is uniform
  GG_HD integrate_and_fire::Outcome operator()(uint64_t i, double now) const {
    const double x = V[i];
    const double integrated = next(p, i, x, syn(i, x), dt);
    const double hold = P::is_uniform ? hold0 : integrate_and_fire::hold_steps(p(tau_ref, i), dt);
    return integrate_and_fire::element_step(V[i], until[i], integrated, now, p(V_peak, i),
                                            p(V_reset, i), hold, kVMax);
  }
};

// Step for a view, passed to body(step): the uniform parameters read from `values`, the arrays
// from `arrays` (a CUDA hook passes its host copies and its device view).
template <class Body> void with_step(const gg_view &values, const gg_view &arrays, Body &&body) {
  const double dt = arrays.dt;
  ganglion::with_params_and_channels(
      values, arrays, {tau_m, E_L, V_c, V_peak, V_reset, tau_ref, I_e},
      [&](const auto &p, const auto &syn) {
        using P = std::remove_cvref_t<decltype(p)>;
        using S = std::remove_cvref_t<decltype(syn)>;
        body(Step<P, S>{p, syn, arrays.fields[V], arrays.fields[refractory_until],
                        integrate_and_fire::hold_steps(values.fields[tau_ref][0], dt), dt});
      });
}

} // namespace qif
