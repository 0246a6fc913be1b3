// One element's integrate-and-fire step, for the host and a CUDA device (GG_HD): what
// integrate_and_fire::step (integrate_and_fire.hpp) does to each element in its vector loop and at
// its spikes, written for a kernel that takes one element per thread. The tests hold the two
// equal, bit for bit, for lif and eif.
#ifndef GANGLION_INTEGRATE_AND_FIRE_ELEMENT_HPP
#define GANGLION_INTEGRATE_AND_FIRE_ELEMENT_HPP

#include <cmath>

#include "ganglion/hd.h"

namespace ganglion::integrate_and_fire {

struct Outcome {
  bool spiked;  // V reached V_th: V is V_re now, held until `until`
  bool outside; // V left [-V_max, V_max] or is NaN (before a reset, or V_re itself after one)
};

// `integrated` is V integrated over the step from its value at the start; an element held
// (until > now) stays at V_re instead. At V >= V_th a spike: V = V_re, held for `hold` steps from
// the next step on (tau_ref / dt rounded).
GG_HD Outcome element_step(double &V, double &until, double integrated, double now, double V_th,
                           double V_re, double hold, double V_max) {
  const double x = until <= now ? integrated : V_re;
  Outcome o{false, !(fabs(x) <= V_max)};
  if (x >= V_th) {
    V = V_re;
    until = now + 1 + hold;
    o.spiked = true;
    o.outside = o.outside || !(V_re >= -V_max && V_re <= V_max);
  } else {
    V = x;
  }
  return o;
}

// The hold after a spike in steps: tau_ref / dt rounded half away from zero.
GG_HD double hold_steps(double tau_ref, double dt) {
  return round(tau_ref / dt);
}

} // namespace ganglion::integrate_and_fire

#endif
