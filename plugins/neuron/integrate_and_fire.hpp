// What lif and eif share: the end of an integrate-and-fire step, written for the parts of
// ganglion::step_chunks. `hold` (the refractory field) counts the steps left to hold V at V_re.
#pragma once

#include <cmath>

namespace ganglion::integrate_and_fire {

// In the vectorised loop: a held element stays at V_re (one step of its hold used), any other takes
// the integrated value `next`. Returns 1 where V reached V_th (an int: see step_chunks).
[[gnu::always_inline]] inline int settle(double &V, double &hold, double next, double V_re,
                                         double V_th) {
  const bool held = hold > 0;
  const double out = held ? V_re : next; // compared from the register: reading V back after the
  V = out;                               // store makes GCC's vector loop three times slower
  hold = held ? hold - 1 : hold;
  return out >= V_th;
}

// step_chunks' crossed: whether V reached V_th after the step (a comparison that vectorises).
[[gnu::always_inline]] inline bool crossed(double V, double V_th) {
  return V >= V_th;
}

// step_chunks' fire: at V >= V_th a spike, V = V_re, held for tau_ref (rounded to steps).
inline bool fire(double &V, double &hold, double V_th, double V_re, double tau_ref, double dt) {
  if (!crossed(V, V_th)) return false;
  V = V_re;
  hold = std::round(tau_ref / dt);
  return true;
}

} // namespace ganglion::integrate_and_fire
