// The lif population that both tests of lif's element step use (test_lif_element.cpp against the
// CPU plugin, tests/gpu/test_lif_cuda_gpu.cpp on a device): its values, its synaptic channels and
// its input, element by element. Plain functions, so the standalone GPU build includes it too.
#pragma once

#include <cmath>
#include <cstdint>

#include "ganglion/plugin_abi.h"

namespace ganglion::test::lif_case {

inline double V0(uint64_t i) {
  return -70 + 0.43 * double(i % 41);
}

// I_e (mV/ms), tau_m and tau_ref (ms): one value for all where `same` (V_inf = -40 mV, a spike
// every 9 ms or so), else varied per element.
struct Params {
  double I_e, tau_m, tau_ref;
};
inline Params params(uint64_t i, bool same) {
  if (same) return {2.5, 10, 2};
  return {2.4 + 0.03 * double(i % 13), 8 + 0.25 * double(i % 7), 1.0 + 0.1 * double(i % 5)};
}

// Channel k's state at the start and the channel itself (a conductance's E alternates between
// excitation and inhibition; channel 1's scale is 1).
inline double g0(uint64_t i, int k) {
  return 0.05 * double((i * 7 + uint64_t(k) * 3) % 11);
}
inline gg_channel channel(int form, int k, double *g) {
  const double E = form == GG_CHANNEL_CONDUCTANCE ? (k % 2 ? -80.0 : 0.0) : 0.0;
  return {form, g, k == 1 ? 1.0 : 0.7 + 0.1 * k, E, 0.96 - 0.01 * k};
}

inline double input(uint64_t step, uint64_t i) {
  return 0.3 * std::sin(0.01 * double(step * (i % 97 + 1)));
}

} // namespace ganglion::test::lif_case
