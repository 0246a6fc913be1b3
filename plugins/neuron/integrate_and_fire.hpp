// What lif and eif share: the end of an integrate-and-fire step, written for the parts of
// ganglion::step_chunks. `until` (the refractory_until field) is the first step after a spike's
// hold of V at V_re: a step earlier than it is held. Kept as a step number rather than a count
// down, it is written only at a spike, not in every step.
#pragma once

#include <cmath>
#include <cstdint>

#include "ganglion/plugin.hpp"

namespace ganglion::integrate_and_fire {

// In the vectorised loop: an element held at step `now` stays at V_re, any other takes the
// integrated value `next`. Returns 1 where V reached V_th (an int: see step_chunks).
[[gnu::always_inline]] inline int settle(double &V, double until, double now, double next,
                                         double V_re, double V_th) {
  const double out = now < until ? V_re : next; // compared from the register: reading V back
  V = out;                                      // after the store makes GCC's loop 3x slower
  return out >= V_th;
}

// step_chunks' crossed: whether V reached V_th after the step (a comparison that vectorises).
[[gnu::always_inline]] inline bool crossed(double V, double V_th) {
  return V >= V_th;
}

// step_chunks' fire: at V >= V_th a spike at step `now`, V = V_re, held for tau_ref (rounded to
// steps) from the next step on.
inline bool fire(double &V, double &until, double now, double V_th, double V_re, double tau_ref,
                 double dt) {
  if (!crossed(V, V_th)) return false;
  V = V_re;
  until = now + 1 + std::round(tau_ref / dt);
  return true;
}

// The field indices the whole step needs, in the plugin's table.
struct Fields {
  int V, until, V_th, V_re, tau_ref;
};

// The whole step through ganglion::step_chunks: next(i, V) is element i's integrated potential
// from V (its value at the start of the step), branch-free and inlined into the vector loop
// (GANGLION_INLINE); then settle, and the threshold and reset only where an element crossed.
// p is with_params' parameters (with at least V_th, V_re and tau_ref).
template <Fields F, class Params, class Next>
[[gnu::always_inline]] inline void step(const gg_view &v, const Params &p, Next &&next) {
  double *const V_ = v.fields[F.V], *const until = v.fields[F.until];
  const double now = double(v.step), dt = v.dt;
  ganglion::step_chunks(
      v,
      [&](uint64_t begin, uint64_t end) GANGLION_INLINE {
        double *__restrict x = V_;
        const double *__restrict u = until;
        int any = 0;
#pragma GCC ivdep // next may read and advance synaptic channels (ganglion::with_channels)
        for (uint64_t i = begin; i < end; ++i)
          any |= settle(x[i], u[i], now, next(i, x[i]), p(F.V_re, i), p(F.V_th, i));
        return any != 0;
      },
      [&](uint64_t i) GANGLION_INLINE { return crossed(V_[i], p(F.V_th, i)); },
      [&](uint64_t i) {
        return fire(V_[i], until[i], now, p(F.V_th, i), p(F.V_re, i), p(F.tau_ref, i), dt);
      });
}

} // namespace ganglion::integrate_and_fire
