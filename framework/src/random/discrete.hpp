// Binomial, hypergeometric and Poisson variates, exact (up to the rounding of their
// log-probabilities) for any size, from the uniforms of one Draws stream taken in order:
// fixed_total_number's per-row counts, and the Poisson drive's per-synapse counts. Their
// arithmetic is ganglion/elementary.h's, so a GPU draws the same values.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

#include "ganglion/poisson_count.hpp"
#include "random/draws.hpp"

namespace ganglion {

// The number of successes in n Bernoulli(p) trials. Inversion where n min(p, 1 - p) < 10, else
// Hormann's transformed rejection with squeeze (BTRS, 1993); about two uniforms a draw.
uint64_t binomial(Draws &draws, uint64_t n, double p);

// The number of good items in `sample` drawn without replacement from `good` good and `bad` bad
// ones. The urn itself for samples within 10 of either end, else Stadlober's ratio-of-uniforms
// method (HRUA, 1989), as NumPy draws it.
uint64_t hypergeometric(Draws &draws, uint64_t good, uint64_t bad, uint64_t sample);

// search_once from the draws' uniforms: a search that passes its bound starts again with a new
// uniform, as NumPy's does.
template <class Next>
uint64_t search_from_zero(Draws &draws, double start, double bound, Next &&next) {
  for (;;)
    if (const uint64_t x = search_once(draws.uniform(), start, bound, next); x != kSearchPassed)
      return x;
}

// PoissonCount (ganglion/poisson_count.hpp) from a Draws, and the drive's counts of many synapses
// at once.
class Poisson : public PoissonCount {
public:
  using PoissonCount::PoissonCount;
  uint64_t operator()(Draws &draws) const {
    return draw([&] { return draws.uniform(); });
  }
  // from_uniform's answer where the draw needs more than its first uniform.
  static constexpr uint64_t kAnother = kSearchPassed;
  // from_uniform of n uniforms at once (n <= kLanes), the search run in every lane together:
  // no branch per step to mispredict (the drive draws one count per synapse and step).
  static constexpr std::size_t kLanes = 64;
  void from_uniforms(const double *u, std::size_t n, uint64_t *counts) const;
};

} // namespace ganglion
