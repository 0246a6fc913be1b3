// The populations that both tests of a plugin's element step use (tests/models/ against the CPU
// plugin, tests/gpu/test_companions_gpu.cpp on a device), for the plugins whose CUDA companions
// followed lif's (lif_case.hpp): their values element by element. Plain functions, so the
// standalone GPU build includes it too.
#pragma once

#include <cmath>
#include <cstdint>

namespace ganglion::test {

namespace eif_case {

inline double V0(uint64_t i) {
  return -75 + 0.5 * double(i % 41);
}

// One value for all where `same` (well above the rheobase: a spike every 5 ms or so), else varied
// per element (Delta_T and tau_m too: their inverses per element).
struct Params {
  double I_e, tau_m, Delta_T, tau_ref;
};
inline Params params(uint64_t i, bool same) {
  if (same) return {4, 15, 1, 2};
  return {3.8 + 0.05 * double(i % 13), 12 + 0.5 * double(i % 7), 0.8 + 0.1 * double(i % 5),
          1.0 + 0.1 * double(i % 5)};
}

} // namespace eif_case

namespace hh_case {

// Values of every element (above the rheobase at most inputs: a train of spikes), the number of
// sub-steps varied too, and its input (uA/cm^2) at a step.
struct Params {
  double V0, C, I_e, substeps;
};
inline Params params(uint64_t i) {
  return {-70 + 0.7 * double(i % 23), 1 + 0.05 * double(i % 3), 5 + 0.4 * double(i % 17),
          double(4 + i % 9)};
}
inline double input(uint64_t step, uint64_t i) {
  return 2 * std::sin(0.013 * double(step * (i % 31 + 1)));
}

} // namespace hh_case

namespace rate_case {

// Values of every element, and its input (Hz) at a step.
struct Params {
  double r0, tau, X, gain, theta, sigma, r_max, exponent;
};
inline Params params(uint64_t i) {
  return {0.5 * double(i % 13),      5 + 0.5 * double(i % 11), -5 + 0.9 * double(i % 19),
          0.5 + 0.1 * double(i % 5), 2 + 0.3 * double(i % 7),  3 + 0.2 * double(i % 4),
          80 + double(i % 9),        1.5 + 0.1 * double(i % 6)};
}
inline double input(uint64_t step, uint64_t i) {
  return 20 * std::sin(0.02 * double(step * (i % 29 + 1)));
}

} // namespace rate_case

namespace poisson_case {

// Rates (Hz) at dt = 0.1 ms over blocks of 64 neurons: the first two blocks slow (most steps
// skip them), the next two faster, then counted (rate dt a spike a step or more, by inversion
// and by PTRS), every tenth neuron silent (rate 0).
inline double rate(uint64_t i) {
  if (i % 10 == 9) return 0;
  if (i < 128) return 5 + double(i % 7);
  if (i < 256) return 200 + 30 * double(i % 11);
  return i % 5 == 0 ? 1.2e5 : 1e4 + 5e3 * double(i % 4);
}
inline constexpr uint64_t kSeed = 11, kStream = (3ull << 40) + 7, kFirstGid = 1000;

} // namespace poisson_case

namespace spike_times_case {

// Element i's times (ms), ascending: some on the step grid of 0.1 ms, some between its points,
// some several in one step, one at 0; element i % 7 == 6 has none.
inline uint64_t n_times(uint64_t i) {
  return i % 7 == 6 ? 0 : 5 + i % 11;
}
inline double time(uint64_t i, uint64_t k) {
  if (k == 0 && i % 3 == 0) return 0.0;
  return 0.1 * double(k * (i % 5 + 1) / 3) + 0.013 * double(i % 4) + 0.002 * double(k);
}

} // namespace spike_times_case

} // namespace ganglion::test
