// See batch_draws.hpp.
#include "random/batch_draws.hpp"

#include <bit>
#include <cmath>

#include "ganglion/philox.h"
#include "ganglion/simd.hpp"

// The batch functions come in one version per x86 vector width (GANGLION_SIMD,
// ganglion/simd.hpp), chosen when the library loads; built without contraction, they give the
// same bits.

namespace ganglion {

PhiloxKey::PhiloxKey(uint64_t seed, uint64_t stream) { gg_philox_key(seed, stream, &k0, &k1); }

GANGLION_SIMD
void batch_uniforms(PhiloxKey key, uint64_t id, uint64_t first, std::size_t n, double *out) {
  // Draws' counter: (id low, id high, salt 0, block); two uniforms per block, words (0, 1) first.
  const uint32_t id_lo = uint32_t(id), id_hi = uint32_t(id >> 32), block0 = uint32_t(first / 2);
  const auto block = [&](std::size_t b) {
    return gg_philox4x32(gg_u32x4{{id_lo, id_hi, 0u, block0 + uint32_t(b)}}, key.k0, key.k1);
  };
  for (std::size_t b = 0; b < n / 2; ++b) {
    const gg_u32x4 w = block(b);
    out[2 * b] = gg_uniform(w.v[0], w.v[1]);
    out[2 * b + 1] = gg_uniform(w.v[2], w.v[3]);
  }
  if (n % 2) {
    const gg_u32x4 w = block(n / 2);
    out[n - 1] = gg_uniform(w.v[0], w.v[1]);
  }
}

namespace {

// A double from the integer in the low 52 bits of x: exact, and vectorisable without AVX-512.
inline double from_low_bits(uint64_t x) {
  constexpr uint64_t kTwo52Bits = 0x4330000000000000ull; // 2^52
  return std::bit_cast<double>(x | kTwo52Bits) - 0x1p52;
}

// log(u) for a positive normal double, to a few ulp: u = 2^e m with m in [sqrt(1/2), sqrt(2)),
// log(m) = 2 atanh(s) with s = (m - 1) / (m + 1), |s| < 0.172, summed as its Taylor series
// 2 (s + s^3/3 + ... + s^19/19); the first term left out is below 2.4e-17 of the sum.
inline double fast_log(double u) {
  // Counting the exponent from sqrt(1/2)'s bit pattern puts m in [sqrt(1/2), sqrt(2)); the
  // added 1023 (the exponent bias) keeps the difference positive, so logical shifts will do.
  constexpr uint64_t kSqrtHalfBits = 0x3FE6A09E667F3BCDull, kBias = 1023ull << 52;
  const uint64_t bits = std::bit_cast<uint64_t>(u);
  const uint64_t biased_e = (bits - kSqrtHalfBits + kBias) >> 52; // e + 1023
  const double m = std::bit_cast<double>(bits - (biased_e << 52) + kBias);
  const double e = from_low_bits(biased_e) - 1023.0;
  const double f = m - 1.0; // exact
  const double s = f / (2.0 + f), z = s * s;
  // 2/3 + 2/5 z + ... + 2/19 z^8, by Horner's rule.
  double series = 2.0 / 19;
  series = 2.0 / 17 + z * series;
  series = 2.0 / 15 + z * series;
  series = 2.0 / 13 + z * series;
  series = 2.0 / 11 + z * series;
  series = 2.0 / 9 + z * series;
  series = 2.0 / 7 + z * series;
  series = 2.0 / 5 + z * series;
  series = 2.0 / 3 + z * series;
  constexpr double kLn2 = 0.6931471805599453094;
  return e * kLn2 + (2.0 * s + s * z * series);
}

// How far (relative) a quotient must lie from an integer for the fast log to decide its floor.
// The fast quotient and the C library's differ by a few ulp (1e-15), far inside this margin.
constexpr double kMargin = 1e-9;

GANGLION_SIMD
std::size_t fast_gaps(const double *__restrict u, std::size_t n, double inv_log_q,
                      double *__restrict gaps) {
  std::size_t undecided = 0;
  for (std::size_t k = 0; k < n; ++k) {
    const double y = fast_log(u[k]) * inv_log_q; // > 0
    // The nearest integer by the 2^52 trick (exact below 2^51; a larger y is left to std::log),
    // then the floor from which side of it y lies.
    const double nearest = (y + 0x1p52) - 0x1p52, d = y - nearest;
    const double margin = kMargin * (y + 1.0);
    const bool close = ((d < margin) & (d > -margin)) | (y > 0x1p51);
    gaps[k] = close ? -1.0 : d > 0 ? nearest : nearest - 1.0; // -1: too close to call
    undecided += close;
  }
  return undecided;
}

} // namespace

void geometric_gaps(const double *u, std::size_t n, double log_q, double *gaps) {
  if (fast_gaps(u, n, 1.0 / log_q, gaps) == 0) return;
  for (std::size_t k = 0; k < n; ++k)
    if (gaps[k] < 0) gaps[k] = std::floor(std::log(u[k]) / log_q);
}

} // namespace ganglion
