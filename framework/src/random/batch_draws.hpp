// Draws many at a time, for the loops that need tens of millions of them (connectivity): the same
// numbers as Draws gives one by one, computed in batches that the compiler vectorises. On x86-64
// with GCC each batch function is built for AVX-512, AVX2 and the baseline, and the loader picks
// the widest the CPU has (target_clones); every version returns the same bits.
#pragma once

#include <cstddef>
#include <cstdint>

namespace ganglion {

// The Philox key of (seed, stream), computed once rather than per block as Draws does.
struct PhiloxKey {
  uint32_t k0, k1;
  PhiloxKey(uint64_t seed, uint64_t stream);
};

// out[0 .. n) = the draws first .. first + n - 1 of Draws(seed, stream, id).uniform(), where key
// is PhiloxKey(seed, stream). first must be even (a Philox block holds two uniforms); n may be odd.
void batch_uniforms(PhiloxKey key, uint64_t id, uint64_t first, std::size_t n, double *out);

// gaps[k] = std::floor(std::log(u[k]) / log_q) for u[k] a normal double in (0, 1) (Draws'
// uniforms are at least 2^-54) and log_q = log(1 - p) < 0: the failures before the next success
// in Bernoulli(p) trials (geometric, exact up to the rounding of u). The result is bit for bit
// what that expression gives with the C library's log: a fast log (a few ulp) decides every gap
// whose quotient lies more than 1e-9 (relative) from an integer, and std::log decides the rest
// (about two draws in 10^9).
void geometric_gaps(const double *u, std::size_t n, double log_q, double *gaps);

} // namespace ganglion
