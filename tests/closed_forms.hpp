// Reference results the tests compare against, shared by more than one test file.
#pragma once

#include <cmath>

namespace ganglion::test {

// ---- EIF reference parameters (docs/science.md, "Exponential integrate-and-fire (`eif`)";
// the eif plugin's defaults) ----
inline constexpr double eif_tau = 15, eif_EL = -72, eif_VT = -55, eif_DT = 1, eif_Vth = -50,
                        eif_Vre = -75;

// dV/dt of the EIF neuron at V with input I (mV/ms).
inline double eif_drift(double V, double I) {
  return (-(V - eif_EL) + eif_DT * std::exp((V - eif_VT) / eif_DT)) / eif_tau + I;
}

// The EIF period: composite Simpson on [V_re, V_th] with 20000 intervals of 1.25e-3 mV. 1/f is
// smooth there (f >= (tau_m I - 16)/tau_m > 0 above rheobase) and Simpson's error is
// h^4 (b - a) max|(1/f)''''| / 180 ~ 1e-12 * 25 * O(1e3) / 180: far below the 1e-4 ms that matters.
inline double eif_period(double I) {
  const int n = 20000;
  const double h = (eif_Vth - eif_Vre) / n;
  double s = 1 / eif_drift(eif_Vre, I) + 1 / eif_drift(eif_Vth, I);
  for (int k = 1; k < n; ++k)
    s += (k % 2 ? 4 : 2) / eif_drift(eif_Vre + k * h, I);
  return s * h / 3;
}

} // namespace ganglion::test
