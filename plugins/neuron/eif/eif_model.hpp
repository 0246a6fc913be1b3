// eif's element arithmetic, for the host and a CUDA device (GG_HD): one forward Euler step of
// tau_m dV/dt = -(V - E_L) + Delta_T exp((V - V_T)/Delta_T) + tau_m (I + I_e), clamped below at
// V_lb, with the divisions by Delta_T and tau_m as multiplications by their inverses (a vector
// loop then divides only where the parameters differ between elements). eif's vector loop calls
// it, as a device kernel will, so the two give the same bits; e^x is exp_simd, plain arithmetic.
#pragma once

#include "ganglion/hd.h"
#include "ganglion/simd.hpp"

namespace ganglion::eif {

struct Params {
  double E_L, V_T, Delta_T, inv_Delta_T, inv_tau_m, I_e, V_lb;
};

GG_HD double next(double V, double I, double dt, const Params &p) {
  const double leak = (p.E_L - V) + p.Delta_T * exp_simd((V - p.V_T) * p.inv_Delta_T);
  const double stepped = V + dt * (leak * p.inv_tau_m + I + p.I_e);
  return stepped < p.V_lb ? p.V_lb : stepped;
}

} // namespace ganglion::eif
