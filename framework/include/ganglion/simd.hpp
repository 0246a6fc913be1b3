// What makes a plugin's element loop fast, with results that do not depend on the machine.
//
// GANGLION_SIMD, before a hook's definition, compiles it for AVX-512 (x86-64-v4), AVX2
// (x86-64-v3) and the baseline (SSE2); the loader picks the best the CPU has, so one build runs
// everywhere and uses wide vectors where they exist. Functions the hook calls are compiled into
// each version when they are inlined (templates and lambdas defined in headers are).
//
// Results stay the same on every version: ganglion builds with -ffp-contract=off (no fused
// multiply-add is introduced behind the code's back), and loops that act element by element give
// the same bits whatever the vector width. Reductions (sums over elements) are the exception; keep
// them out of vectorised loops where bit-identity matters.
//
// ganglion::exp_simd is an exp written as plain arithmetic so that it vectorises inside such a
// loop (a call to std::exp does not); it is identical on every CPU and compiler that follow IEEE
// double arithmetic without contraction.
#ifndef GANGLION_SIMD_HPP
#define GANGLION_SIMD_HPP

#include <bit>
#include <cstdint>

#include "ganglion/hd.h"

// target_clones needs GCC >= 12 (for the x86-64-v3/v4 levels) and the ifunc resolvers of glibc.
// Not in a sanitizer's build: the resolvers run before its runtime starts, and crash there.
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && __GNUC__ >= 12 &&           \
    defined(__ELF__) && defined(__GLIBC__) && !defined(__CUDACC__) &&                              \
    !defined(__SANITIZE_THREAD__) && !defined(__SANITIZE_ADDRESS__)
#define GANGLION_SIMD __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define GANGLION_SIMD
#endif

// GANGLION_INLINE, after a lambda's parameter list, has it inlined wherever it is called, so that
// a lambda given to with_params, with_channels or step_chunks inside a GANGLION_SIMD hook is built
// into each of the hook's versions (a lambda left out of line is built for the baseline only).
#if defined(__GNUC__)
#define GANGLION_INLINE __attribute__((always_inline))
#else
#define GANGLION_INLINE
#endif

namespace ganglion {

// e^x for double x: relative error below 5e-16 (at most 4.1e-16, about 2 ulp, over 4 million
// points against a long double exp; tests/unit/sdk/test_simd.cpp) for x in [-708, 709]. Outside:
// x > 709 gives e^709 (about 8.2e307) instead of overflowing, and x < -708 gives e^-708 (about
// 3.3e-308) instead of a subnormal or 0. NaN gives NaN. A loop that calls it vectorises, where a
// call of libm's exp keeps the loop scalar.
//
// Method: x = k ln2 + r with k = round(x / ln2) and |r| <= ln2 / 2 (Cody-Waite: ln2 split in a
// high part exact in 32 bits and a low part), e^r by its Taylor series to r^13 (truncation below
// 4e-18 relative) evaluated by Estrin's scheme (pairs, then powers r^2, r^4, r^8: a shorter
// dependency chain than Horner's), times 2^k built in the exponent bits. Host and device (GG_HD;
// device code built with --expt-relaxed-constexpr for std::bit_cast).
GG_HD double exp_simd(double x) {
  constexpr double lo = -708.0, hi = 709.0;
  x = x < lo ? lo : x; // NaN passes both comparisons unchanged
  x = x > hi ? hi : x;
  constexpr double inv_ln2 = 1.4426950408889634074;
  constexpr double ln2_hi = 6.93147180369123816490e-01; // ln 2, the top 32 bits of its mantissa
  constexpr double ln2_lo = 1.90821492927058770002e-10; // ln 2 - ln2_hi
  constexpr double shifter = 0x1.8p52; // adding it rounds to an integer held in the low bits
  const double t = x * inv_ln2 + shifter;
  const double kd = t - shifter;
  const int64_t k = std::bit_cast<int64_t>(t) - std::bit_cast<int64_t>(shifter);
  const double r = (x - kd * ln2_hi) - kd * ln2_lo;
  const double r2 = r * r, r4 = r2 * r2, r8 = r4 * r4;
  // Coefficients 1/n!, n = 0 .. 13, in pairs c_n + c_{n+1} r.
  const double p0 = 1.0 + r, p2 = 1.0 / 2 + r * (1.0 / 6), p4 = 1.0 / 24 + r * (1.0 / 120),
               p6 = 1.0 / 720 + r * (1.0 / 5040), p8 = 1.0 / 40320 + r * (1.0 / 362880),
               p10 = 1.0 / 3628800 + r * (1.0 / 39916800),
               p12 = 1.0 / 479001600 + r * (1.0 / 6227020800.0);
  const double q0 = p0 + r2 * p2, q4 = p4 + r2 * p6, q8 = p8 + r2 * p10;
  const double p = (q0 + r4 * q4) + r8 * (q8 + r4 * p12);
  return p * std::bit_cast<double>(uint64_t(k + 1023) << 52);
}

} // namespace ganglion

#endif
