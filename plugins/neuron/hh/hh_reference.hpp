// A fine reference for the `hh` plugin's tests: classic RK4 on the Hodgkin-Huxley equations of
// docs/science.md, written independently of the plugin's scheme and of its rate functions (the
// alphas here are the textbook quotients, with their first-order series only within 1e-6 mV of the
// removable singularities, where the quotient would be 0/0). At h = 0.001 ms it is converged:
// halving h moves spike times by < 3e-7 ms (measured over 200 ms trains, I = 7..20 uA/cm^2). Not
// used by the plugin itself; included by tests/models/test_hh.cpp and the hh config tests.
#pragma once

#include <cmath>
#include <functional>
#include <vector>

namespace ganglion::hh_reference {

inline double alpha_m(double V) {
  const double u = V + 40.0;
  return std::abs(u) < 1e-6 ? 1.0 + u / 20.0 : 0.1 * u / (1.0 - std::exp(-u / 10.0));
}
inline double beta_m(double V) { return 4.0 * std::exp(-(V + 65.0) / 18.0); }
inline double alpha_h(double V) { return 0.07 * std::exp(-(V + 65.0) / 20.0); }
inline double beta_h(double V) { return 1.0 / (1.0 + std::exp(-(V + 35.0) / 10.0)); }
inline double alpha_n(double V) {
  const double u = V + 55.0;
  return std::abs(u) < 1e-6 ? 0.1 + u / 200.0 : 0.01 * u / (1.0 - std::exp(-u / 10.0));
}
inline double beta_n(double V) { return 0.125 * std::exp(-(V + 65.0) / 80.0); }

struct Y {
  double V, m, h, n;
};

// Classic parameters (C = 1 uF/cm^2, g in mS/cm^2, E in mV).
struct Model {
  double C = 1, g_Na = 120, g_K = 36, g_L = 0.3, E_Na = 50, E_K = -77, E_L = -54.387;

  Y rest(double V) const {
    return {V, alpha_m(V) / (alpha_m(V) + beta_m(V)), alpha_h(V) / (alpha_h(V) + beta_h(V)),
            alpha_n(V) / (alpha_n(V) + beta_n(V))};
  }
  Y f(const Y &y, double I) const {
    const double I_ion = g_Na * y.m * y.m * y.m * y.h * (y.V - E_Na) +
                         g_K * y.n * y.n * y.n * y.n * (y.V - E_K) + g_L * (y.V - E_L);
    return {(-I_ion + I) / C, alpha_m(y.V) * (1 - y.m) - beta_m(y.V) * y.m,
            alpha_h(y.V) * (1 - y.h) - beta_h(y.V) * y.h,
            alpha_n(y.V) * (1 - y.n) - beta_n(y.V) * y.n};
  }
  static Y axpy(const Y &y, const Y &k, double a) {
    return {y.V + a * k.V, y.m + a * k.m, y.h + a * k.h, y.n + a * k.n};
  }
  Y rk4(const Y &y, double I, double h) const {
    const Y k1 = f(y, I), k2 = f(axpy(y, k1, h / 2), I), k3 = f(axpy(y, k2, h / 2), I),
            k4 = f(axpy(y, k3, h), I);
    return {y.V + h / 6 * (k1.V + 2 * k2.V + 2 * k3.V + k4.V),
            y.m + h / 6 * (k1.m + 2 * k2.m + 2 * k3.m + k4.m),
            y.h + h / 6 * (k1.h + 2 * k2.h + 2 * k3.h + k4.h),
            y.n + h / 6 * (k1.n + 2 * k2.n + 2 * k3.n + k4.n)};
  }
};

struct Trajectory {
  std::vector<double> crossings; // upward crossings of `detect`, linearly interpolated (ms)
  std::vector<double> V;         // V at t = k * dt_out, k = 1, 2, ... (the state recorder's times)
  double peak = -1e300;          // the largest V over all fine steps
};

// Integrates from y0 over [0, T] with RK4 at h = dt_out / sub; I(t) is held over each output
// step [k dt_out, (k+1) dt_out) as the engine does. Keeps V every dt_out.
inline Trajectory run(const Model &model, Y y, double T, double dt_out, int sub,
                      const std::function<double(double)> &I, double detect = 0) {
  Trajectory out;
  const long steps = std::lround(T / dt_out);
  const double h = dt_out / sub;
  for (long k = 0; k < steps; ++k) {
    const double Ik = I(double(k) * dt_out);
    for (int j = 0; j < sub; ++j) {
      const Y next = model.rk4(y, Ik, h);
      if (y.V < detect && next.V >= detect)
        out.crossings.push_back(double(k) * dt_out + (j + (detect - y.V) / (next.V - y.V)) * h);
      out.peak = std::max(out.peak, next.V);
      y = next;
    }
    out.V.push_back(y.V);
  }
  return out;
}

} // namespace ganglion::hh_reference
