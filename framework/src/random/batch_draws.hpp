// Draws many at a time, for the loops that need tens of millions of them (connectivity), computed
// in batches that the compiler vectorises. On x86-64 with GCC each batch function is built for
// AVX-512, AVX2 and the baseline, and the loader picks the widest the CPU has (target_clones);
// every version returns the same bits, and so would a GPU (ganglion/elementary.h).
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>

#include "ganglion/hd.h"
#include "ganglion/philox.h"
#include "random/transforms.hpp"

namespace ganglion {

// The Philox key of (seed, stream), computed once rather than per block as Draws does.
struct PhiloxKey {
  uint32_t k0, k1;
  GG_HD PhiloxKey(uint64_t seed, uint64_t stream) { gg_philox_key(seed, stream, &k0, &k1); }
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
  using Kind = Dist;
  Kind kind = Kind::Uniform;
  // Uniform: a + (b - a) u. Normal: a + b z. LogNormal: sign exp(a + b z) (a, b: the log's mean
  // and sd, LogNormal of random/transforms.hpp).
  double a = 0, b = 0, sign = 1;
  double lo = -HUGE_VAL, hi = HUGE_VAL, fallback = 0;
};

// out[0 .. n) = the values of items 0 .. n - 1 of row `id`, a row at a time (vectorised).
void draw_items(const ItemDraw &d, PhiloxKey key, uint64_t id, std::size_t n, double *out);

// One item at a time, for the host's redraws and a device's threads (GG_HD); draw_items' batches
// are the same operations, so the same bits.

// The Philox block of counter (id, salt, block) under key.
GG_HD gg_u32x4 block_of(PhiloxKey key, uint64_t id, uint32_t salt, uint32_t block) {
  return gg_philox4x32(gg_u32x4{{uint32_t(id), uint32_t(id >> 32), salt, block}}, key.k0, key.k1);
}

// Item 2b + half's value from its block w (ItemDraw's mapping).
GG_HD double item_value(const ItemDraw &d, const gg_u32x4 &w, int half) {
  const double u0 = gg_uniform(w.v[0], w.v[1]), u1 = gg_uniform(w.v[2], w.v[3]);
  if (d.kind == ItemDraw::Kind::Uniform) return d.a + (d.b - d.a) * (half ? u1 : u0);
  double z0, z1;
  normal_pair(u0, u1, z0, z1);
  const double z = half ? z1 : z0;
  if (d.kind == ItemDraw::Kind::Normal) return d.a + d.b * z;
  return d.sign * gg_exp(d.a + d.b * z);
}

GG_HD bool inside(const ItemDraw &d, double x) {
  return (x >= d.lo) & (x <= d.hi);
}

// Item k of row id from attempt `from` on: the first value inside [lo, hi], else the fallback
// (from 0: the item's value as draw_items gives it).
GG_HD double item_from(const ItemDraw &d, PhiloxKey key, uint64_t id, uint64_t k, uint32_t from) {
  for (uint32_t attempt = from; attempt < 1000; ++attempt) {
    const double y = item_value(d, block_of(key, id, attempt, uint32_t(k / 2)), int(k % 2));
    if (inside(d, y)) return y;
  }
  return d.fallback;
}

} // namespace ganglion
