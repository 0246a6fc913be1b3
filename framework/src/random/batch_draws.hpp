// Draws many at a time, for the loops that need tens of millions of them (connectivity), computed
// in batches that the compiler vectorises. On x86-64 with GCC each batch function is built for
// AVX-512, AVX2 and the baseline, and the loader picks the widest the CPU has (target_clones);
// every version returns the same bits, and so would a GPU (ganglion/elementary.h).
#pragma once

#include <cmath>
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

// out[j] = Draws(seed, stream, id_high << 32 | id_low[j], salt).uniform(), the first uniform of
// each of n ids, for j < n (key = PhiloxKey(seed, stream)): one draw for each of many items.
void first_uniforms(PhiloxKey key, uint32_t id_high, const uint32_t *id_low, uint32_t salt,
                    std::size_t n, double *out);

// gaps[k] = floor(gg_log(u[k]) * inv_log_q) for u[k] in (0, 1) and inv_log_q = 1 / gg_log1p(-p)
// (negative): the failures before the next success in Bernoulli(p) trials (geometric, exact up
// to rounding), capped at 2^51.
void geometric_gaps(const double *u, std::size_t n, double inv_log_q, double *gaps);

// A value drawn per item (a synapse's weight or delay), independently for each: item k of the
// row `id`, at attempt a, takes the Philox block with counter (id, a, k / 2), words 0-1 or 2-3 by
// the parity of k (two items share a block, and a normal pair from Box-Muller). An item whose
// value falls outside [lo, hi] is drawn again at the next attempt, up to 1000 attempts, after
// which it takes `fallback`. So an item's value depends on the seed, the stream, its row and its
// place in the row only, and the draws of a row vectorise.
struct ItemDraw {
  enum class Kind { Uniform, Normal, LogNormal };
  Kind kind = Kind::Uniform;
  // Uniform: a + (b - a) u. Normal: a + b z. LogNormal: sign exp(a + b z) (a, b: the log's mean
  // and sd, LogNormal of random/transforms.hpp).
  double a = 0, b = 0, sign = 1;
  double lo = -HUGE_VAL, hi = HUGE_VAL, fallback = 0;
};

// out[0 .. n) = the values of items 0 .. n - 1 of row `id`.
void draw_items(const ItemDraw &d, PhiloxKey key, uint64_t id, std::size_t n, double *out);

} // namespace ganglion
