// Binomial and hypergeometric variates, exact (up to the rounding of their log-probabilities) for
// any size, from the uniforms of one Draws stream taken in order: fixed_total_number's per-row
// counts. Their arithmetic is ganglion/elementary.h's, so a GPU draws the same values.
#pragma once

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

// log(k!), to about 1e-16 relative (for the tests as well).
double log_factorial(uint64_t k);

} // namespace ganglion
