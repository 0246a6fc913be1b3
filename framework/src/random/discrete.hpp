// Binomial, hypergeometric and Poisson variates, exact (up to the rounding of their
// log-probabilities) for any size, from the uniforms of one Draws stream taken in order:
// fixed_total_number's per-row counts, and the Poisson drive's per-synapse counts. Their
// arithmetic is ganglion/elementary.h's, so a GPU draws the same values.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

#include "random/draws.hpp"

namespace ganglion {

// The number of successes in n Bernoulli(p) trials. Inversion where n min(p, 1 - p) < 10, else
// Hormann's transformed rejection with squeeze (BTRS, 1993); about two uniforms a draw.
uint64_t binomial(Draws &draws, uint64_t n, double p);

// The number of good items in `sample` drawn without replacement from `good` good and `bad` bad
// ones. The urn itself for samples within 10 of either end, else Stadlober's ratio-of-uniforms
// method (HRUA, 1989), as NumPy draws it.
uint64_t hypergeometric(Draws &draws, uint64_t good, uint64_t bad, uint64_t sample);

// What search_once returns for a search that passed its bound.
inline constexpr uint64_t kSearchPassed = UINT64_MAX;

// Inversion of the uniform u by sequential search from 0: P(0) = start, P(x) = next(P(x - 1), x);
// kSearchPassed where the search passes `bound` (the mean plus 10 sd).
template <class Next> uint64_t search_once(double u, double start, double bound, Next &&next) {
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

// search_once from the draws' uniforms: a search that passes its bound starts again with a new
// uniform, as NumPy's does.
template <class Next>
uint64_t search_from_zero(Draws &draws, double start, double bound, Next &&next) {
  for (;;)
    if (const uint64_t x = search_once(draws.uniform(), start, bound, next); x != kSearchPassed)
      return x;
}

// Poisson(mean) counts: inversion (sequential search from 0, one uniform a draw on average)
// below a mean of 10, else Hormann's transformed rejection with squeeze (PTRS, 1993), as NumPy
// draws it. Made once per mean (exp(-mean), or PTRS's constants), then drawn many times: the
// inversion inline, since the drive draws one count per synapse and step.
class Poisson {
public:
  explicit Poisson(double mean);
  uint64_t operator()(Draws &draws) const {
    if (mean_ <= 0) return 0;
    if (mean_ >= kPtrsFrom) return ptrs(draws);
    return search_from_zero(draws, start_, bound_, table());
  }
  static constexpr double kPtrsFrom = 10;

  // The count operator() draws from a Draws whose first uniform is u, where the inversion needs
  // no other; kAnother where it does
  // (a search that passed its bound, or a mean for PTRS): then draw with operator().
  static constexpr uint64_t kAnother = kSearchPassed;
  uint64_t from_uniform(double u) const {
    if (mean_ <= 0) return 0;
    if (mean_ >= kPtrsFrom) return kAnother;
    return search_once(u, start_, bound_, table());
  }
  // from_uniform of n uniforms at once (n <= kLanes), the search run in every lane together:
  // no branch per step to mispredict (the drive draws one count per synapse and step).
  static constexpr std::size_t kLanes = 64;
  void from_uniforms(const double *u, std::size_t n, uint64_t *counts) const;

private:
  // The search's next probability, from the table.
  struct Table {
    const double *p;
    double operator()(double, uint64_t x) const { return p[x]; }
  };
  Table table() const { return {p_.data()}; }
  uint64_t ptrs(Draws &draws) const;
  double mean_ = 0, start_ = 1, bound_ = 0; // inversion: exp(-mean), where to start again
  // P(0) .. P(floor(bound_)), P(x) = P(x - 1) mean / x (bound_ < 52 below kPtrsFrom)
  std::array<double, 53> p_{};
  double log_mean_ = 0, a_ = 0, b_ = 0, log_inv_alpha_ = 0, v_r_ = 0; // PTRS
};

// log(k!), to about 1e-16 relative (for the tests as well).
double log_factorial(uint64_t k);

} // namespace ganglion
