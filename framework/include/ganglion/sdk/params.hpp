// Parameters that may have one value for every element: whether one does (uniform), and
// with_params, an element loop written once for uniform parameters (values loaded once) and for
// per-element ones (the arrays); check_rate_per_step, the sources' bound on a rate.
#ifndef GANGLION_SDK_PARAMS_HPP
#define GANGLION_SDK_PARAMS_HPP

#include <cstdint>
#include <cstdio>
#include <initializer_list>
#include <string>

#include "ganglion/hd.h"
#include "ganglion/plugin_abi.h"
#include "ganglion/sdk/errors.hpp"
#include "ganglion/sdk/view.hpp"

namespace ganglion {

// Whether parameter field f has the same value in every element of the instance (the kernel says
// so since ABI 1.1; false when it does not know).
inline bool uniform(const gg_view &v, int f) {
  return GANGLION_VIEW_HAS(v, uniform) && v.uniform && v.uniform[f] != 0;
}

// Parameters for an element loop written once for two cases:
//
//   ganglion::with_params(v, {tau_m, E_L, V_th}, [&](const auto &p) {
//     for (uint64_t i = 0; i < v.n; ++i) ... p(tau_m, i) ...
//   });
//
// p(f, i) is parameter f of element i, for the fields listed. When all of them are uniform the body
// gets their values loaded once (scalars in the loop: no per-element loads, and the loop
// vectorises); otherwise it reads the per-element arrays. The body is instantiated for both.
//
// Both are plain structs that a CUDA hook may pass to its kernel by value (p(f, i) is GG_HD): it
// calls with_params with its host view (the values and the `uniform` flags, in host memory) and
// its device view (the arrays the kernel reads), as ganglion::cuda::with_params does.
inline constexpr int kMaxFields = 64;
struct UniformParams {
  static constexpr bool is_uniform = true; // so are values derived from these parameters alone
  double value[kMaxFields];
  GG_HD double operator()(int f, uint64_t) const { return value[f]; }
};
struct ArrayParams {
  static constexpr bool is_uniform = false;
  const double *array[kMaxFields];
  GG_HD double operator()(int f, uint64_t i) const { return array[f][i]; }
};
// The uniform values are read from `values`, the arrays taken from `arrays` (the same view on the
// CPU).
template <class Body>
[[gnu::always_inline]] inline void with_params(const gg_view &values, const gg_view &arrays,
                                               std::initializer_list<int> which, Body &&body) {
  bool all = true;
  for (int f : which) {
    if (f < 0 || f >= kMaxFields)
      throw Failure("with_params: field index " + std::to_string(f) + " is outside [0, " +
                    std::to_string(kMaxFields) + "): a plugin with more fields cannot use it");
    all = all && uniform(values, f);
  }
  if (all) {
    UniformParams p;
    for (int f : which)
      p.value[f] = values.fields[f][0];
    body(p);
  } else {
    ArrayParams p;
    for (int f : which)
      p.array[f] = arrays.fields[f];
    body(p);
  }
}
template <class Body>
[[gnu::always_inline]] inline void with_params(const gg_view &v, std::initializer_list<int> which,
                                               Body &&body) {
  with_params(v, v, which, static_cast<Body &&>(body));
}

// Refuses a rate field (Hz) whose mean count per step, rate dt, exceeds `max` (or is infinite or
// NaN) in any element: "rate R Hz gives C <counted> of DT ms, above the supported MAX: <fix>".
inline void check_rate_per_step(const gg_view &v, int rate, double max, const char *counted,
                                const char *fix) {
  for (uint64_t i = 0; i < v.n; ++i) {
    const double lambda = v.fields[rate][i] * 1e-3 * v.dt;
    if (!(lambda <= max)) {
      char why[256];
      std::snprintf(why, sizeof why, "rate %g Hz gives %g %s of %g ms, above the supported %g: %s",
                    v.fields[rate][i], lambda, counted, v.dt, max, fix);
      throw Failure(why);
    }
  }
}

} // namespace ganglion

#endif
