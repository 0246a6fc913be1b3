// Poisson counts drawn exactly from uniforms, for the kernel (the drive's counts) and for plugins
// (the poisson source's count per step at high rates): inversion by sequential search from 0
// below a mean of 10, else Hormann's transformed rejection with squeeze (PTRS, 1993), as NumPy
// draws them. The arithmetic is ganglion/elementary.h's, so a GPU draws the same counts from the
// same uniforms (host and device: GG_HD; device code built with --expt-relaxed-constexpr).
#ifndef GANGLION_POISSON_COUNT_HPP
#define GANGLION_POISSON_COUNT_HPP

#include <array>
#include <cmath>
#include <cstdint>

#include "ganglion/elementary.h"
#include "ganglion/hd.h"

namespace ganglion {

// log(k!), to about 1e-16 relative. k! is a double exactly up to 22! (its odd part is below 2^53);
// beyond, Stirling's series, whose first term left out, 691 / (360360 k^11), is below 1e-17 there.
GG_HD double log_factorial(uint64_t k) {
  if (k <= 22) {
    double f = 1;
    for (uint64_t i = 2; i <= k; ++i)
      f *= double(i);
    return gg_log(f);
  }
  const double x = double(k), r = 1.0 / x, r2 = r * r;
  const double series =
      r * (1.0 / 12 - r2 * (1.0 / 360 - r2 * (1.0 / 1260 - r2 * (1.0 / 1680 - r2 / 1188))));
  return (x + 0.5) * gg_log(x) - x + 0.9189385332046728 + series;
}

// What search_once returns for a search that passed its bound.
inline constexpr uint64_t kSearchPassed = UINT64_MAX;

// Inversion of the uniform u by sequential search from 0: P(0) = start, P(x) = next(P(x - 1), x);
// kSearchPassed where the search passes `bound` (the mean plus 10 sd).
template <class Next>
GG_HD uint64_t search_once(double u, double start, double bound, Next &&next) {
  uint64_t x = 0;
  double px = start;
  while (u > px) {
    ++x;
    if (double(x) > bound) return kSearchPassed;
    u -= px;
    px = next(px, x);
  }
  return x;
}

// Poisson(mean) counts. Made once per mean (exp(-mean) and the inversion's table, or PTRS's
// constants), then drawn many times: `draw(uniform)` takes uniforms in (0, 1) from `uniform()`
// in order, about one a draw below a mean of 10 and two above.
class PoissonCount {
public:
  static constexpr double kPtrsFrom = 10;

  GG_HD explicit PoissonCount(double mean) : mean_(mean) {
    if (!(mean > 0)) return;
    const double sd = std::sqrt(mean);
    if (mean < kPtrsFrom) {
      bound_ = mean + 10.0 * sd + 10.0;
      p_[0] = gg_exp(-mean);
      for (uint64_t x = 1; double(x) <= bound_; ++x)
        p_[x] = p_[x - 1] * mean / double(x);
      return;
    }
    log_mean_ = gg_log(mean);
    b_ = 0.931 + 2.53 * sd;
    a_ = -0.059 + 0.02483 * b_;
    log_inv_alpha_ = gg_log(1.1239 + 1.1328 / (b_ - 3.4));
    v_r_ = 0.9277 - 3.6224 / (b_ - 2);
  }

  GG_HD double mean() const { return mean_; }

  // A count. A search that passes its bound starts again with a new uniform, as NumPy's does.
  template <class Uniform> GG_HD uint64_t draw(Uniform &&uniform) const {
    if (!(mean_ > 0)) return 0;
    if (mean_ >= kPtrsFrom) return ptrs(uniform);
    for (;;)
      if (const uint64_t x = from_uniform(uniform()); x != kSearchPassed) return x;
  }

  // The count `draw` gives from uniforms whose first is u, where the inversion needs no other;
  // kSearchPassed where it does (a search past its bound, or a mean for PTRS).
  GG_HD uint64_t from_uniform(double u) const {
    if (!(mean_ > 0)) return 0;
    if (mean_ >= kPtrsFrom) return kSearchPassed;
    return search_once(u, p_[0], bound_, [this](double, uint64_t x) { return p_[x]; });
  }

  // The inversion's table, P(0) .. P(steps()), for a search run in vector lanes: a search still
  // going after steps() steps passes its bound.
  const double *table() const { return p_.data(); }
  uint64_t steps() const { return uint64_t(bound_); }

private:
  // PTRS (mean >= 10), NumPy's random_poisson_ptrs.
  template <class Uniform> GG_HD uint64_t ptrs(Uniform &uniform) const {
    for (;;) {
      const double u = uniform() - 0.5, v = uniform();
      const double us = 0.5 - std::fabs(u);
      const double k = std::floor((2 * a_ / us + b_) * u + mean_ + 0.43);
      if (us >= 0.07 && v <= v_r_) return uint64_t(k);
      if (k < 0 || (us < 0.013 && v > us)) continue;
      if (gg_log(v) + log_inv_alpha_ - gg_log(a_ / (us * us) + b_) <=
          -mean_ + k * log_mean_ - log_factorial(uint64_t(k)))
        return uint64_t(k);
    }
  }

  double mean_ = 0, bound_ = 0; // the inversion's bound: where to start again
  // P(0) .. P(floor(bound_)), P(x) = P(x - 1) mean / x (bound_ < 52 below kPtrsFrom)
  std::array<double, 53> p_{};
  double log_mean_ = 0, a_ = 0, b_ = 0, log_inv_alpha_ = 0, v_r_ = 0; // PTRS
};

} // namespace ganglion

#endif
