// See batch_draws.hpp.
#include "random/batch_draws.hpp"

#include <algorithm>

#include "ganglion/elementary.h"
#include "ganglion/philox.h"
#include "ganglion/simd.hpp"
#include "random/transforms.hpp"

// The batch functions come in one version per x86 vector width (GANGLION_SIMD,
// ganglion/simd.hpp), chosen when the library loads; built without contraction, they give the
// same bits.

namespace ganglion {

namespace {

// Philox blocks are made kLanes at a time.
constexpr std::size_t kLanes = 32;

// The four words of kLanes consecutive Philox blocks, one array per word.
struct Lanes {
  uint64_t w[4][kLanes]; // 32-bit words in 64-bit lanes
  double uniform(int pair, std::size_t j) const {
    return gg_uniform(uint32_t(w[2 * pair][j]), uint32_t(w[2 * pair + 1][j]));
  }
};

// gg_philox4x32's rounds on the counters in `out`, the blocks side by side, each word in a 64-bit
// lane holding 32 bits, so that the compiler makes each multiply one 32 x 32 -> 64-bit vector
// multiply and the rounds vectorise across blocks.
GANGLION_INLINE inline void philox_rounds(PhiloxKey key, Lanes &out) {
  constexpr uint64_t kLow = 0xFFFFFFFFull;
  uint64_t(&c)[4][kLanes] = out.w;
  uint64_t k0 = key.k0, k1 = key.k1;
  for (int round = 0; round < 10; ++round) {
    for (std::size_t j = 0; j < kLanes; ++j) {
      const uint64_t p0 = 0xD2511F53ull * (c[0][j] & kLow), p1 = 0xCD9E8D57ull * (c[2][j] & kLow);
      const uint64_t r0 = (p1 >> 32) ^ c[1][j] ^ k0, r2 = (p0 >> 32) ^ c[3][j] ^ k1;
      c[0][j] = r0;
      c[1][j] = p1 & kLow;
      c[2][j] = r2;
      c[3][j] = p0 & kLow;
    }
    k0 = (k0 + 0x9E3779B9u) & kLow;
    k1 = (k1 + 0xBB67AE85u) & kLow;
  }
}

// The blocks of counters (id, salt, block0 + j), j < kLanes.
GANGLION_INLINE inline void philox_lanes(PhiloxKey key, uint64_t id, uint32_t salt, uint32_t block0,
                                         Lanes &out) {
  for (std::size_t j = 0; j < kLanes; ++j) {
    out.w[0][j] = uint32_t(id);
    out.w[1][j] = uint32_t(id >> 32);
    out.w[2][j] = salt;
    out.w[3][j] = uint32_t(block0 + j);
  }
  philox_rounds(key, out);
}

// The uniform items 0 .. 2 m - 1 (blocks 0 .. m - 1) at attempt 0; returns how many fell outside
// [lo, hi].
GANGLION_SIMD std::size_t uniform_pairs(const ItemDraw &d, PhiloxKey key, uint64_t id,
                                        std::size_t m, double *__restrict out) {
  const double a = d.a, width = d.b - d.a;
  std::size_t outside = 0;
  Lanes lanes;
  for (std::size_t first = 0; first < m; first += kLanes) {
    philox_lanes(key, id, 0, uint32_t(first), lanes);
    const std::size_t len = std::min(kLanes, m - first);
    double *to = out + 2 * first;
    for (std::size_t j = 0; j < len; ++j) {
      const double x0 = a + width * lanes.uniform(0, j), x1 = a + width * lanes.uniform(1, j);
      to[2 * j] = x0;
      to[2 * j + 1] = x1;
      outside += !inside(d, x0) + !inside(d, x1);
    }
  }
  return outside;
}

// The normal (or log-normal) items 0 .. 2 m - 1 at attempt 0, kLanes blocks at a time: the logs
// and angles of Box-Muller in one vectorised loop, the square roots in a scalar one (GCC keeps a
// loop that calls sqrt scalar, for errno), and the values in a vectorised loop again; the same
// operations as normal_pair, so the same bits.
template <bool log_normal>
GANGLION_SIMD std::size_t normal_pairs(const ItemDraw &d, PhiloxKey key, uint64_t id, std::size_t m,
                                       double *__restrict out) {
  double radius[kLanes], cos_t[kLanes], sin_t[kLanes];
  const double a = d.a, scale = d.b, sign = d.sign;
  std::size_t outside = 0;
  Lanes lanes;
  for (std::size_t first = 0; first < m; first += kLanes) {
    philox_lanes(key, id, 0, uint32_t(first), lanes);
    for (std::size_t j = 0; j < kLanes; ++j) {
      radius[j] = -2.0 * gg_log(lanes.uniform(0, j));
      gg_sincospi(2.0 * lanes.uniform(1, j), &sin_t[j], &cos_t[j]);
    }
    for (std::size_t j = 0; j < kLanes; ++j)
      radius[j] = std::sqrt(radius[j]);
    const std::size_t len = std::min(kLanes, m - first);
    double *to = out + 2 * first;
    for (std::size_t j = 0; j < len; ++j) {
      double x0 = a + scale * (radius[j] * cos_t[j]), x1 = a + scale * (radius[j] * sin_t[j]);
      if constexpr (log_normal) {
        x0 = sign * gg_exp(x0);
        x1 = sign * gg_exp(x1);
      }
      to[2 * j] = x0;
      to[2 * j + 1] = x1;
      outside += !inside(d, x0) + !inside(d, x1);
    }
  }
  return outside;
}

// Items outside [lo, hi] drawn again, attempt by attempt.
void redraw(const ItemDraw &d, PhiloxKey key, uint64_t id, std::size_t n, double *out) {
  for (std::size_t k = 0; k < n; ++k)
    if (!inside(d, out[k])) out[k] = item_from(d, key, id, k, 1);
}

} // namespace

GANGLION_SIMD
void first_uniforms(PhiloxKey key, uint32_t id_high, const uint32_t *id_low, uint32_t salt,
                    std::size_t n, double *out) {
  Lanes lanes;
  for (std::size_t first = 0; first < n; first += kLanes) {
    const std::size_t len = std::min(kLanes, n - first);
    for (std::size_t j = 0; j < kLanes; ++j) { // (lanes past n: any counter)
      lanes.w[0][j] = id_low[first + std::min(j, len - 1)];
      lanes.w[1][j] = id_high;
      lanes.w[2][j] = salt;
      lanes.w[3][j] = 0;
    }
    philox_rounds(key, lanes);
    for (std::size_t j = 0; j < len; ++j)
      out[first + j] = lanes.uniform(0, j);
  }
}

GANGLION_SIMD
void batch_uniforms(PhiloxKey key, uint64_t id, uint64_t first, std::size_t n, double *out) {
  // Draws' counter: (id low, id high, salt 0, block); two uniforms per block, words (0, 1) first.
  const std::size_t blocks = (n + 1) / 2;
  Lanes lanes;
  for (std::size_t b = 0; b < blocks; b += kLanes) {
    philox_lanes(key, id, 0, uint32_t(first / 2 + b), lanes);
    const std::size_t len = std::min(kLanes, n / 2 - std::min(n / 2, b));
    double *to = out + 2 * b;
    for (std::size_t j = 0; j < len; ++j) {
      to[2 * j] = lanes.uniform(0, j);
      to[2 * j + 1] = lanes.uniform(1, j);
    }
    if (n % 2 && b + len == n / 2 && len < kLanes) out[n - 1] = lanes.uniform(0, len);
  }
}

GANGLION_SIMD
void geometric_gaps(const double *__restrict u, std::size_t n, double inv_log_q,
                    double *__restrict gaps) {
  for (std::size_t k = 0; k < n; ++k)
    gaps[k] = geometric_gap(u[k], inv_log_q);
}

void draw_items(const ItemDraw &d, PhiloxKey key, uint64_t id, std::size_t n, double *out) {
  const std::size_t m = n / 2;
  std::size_t outside = 0;
  switch (d.kind) {
  case ItemDraw::Kind::Uniform: outside = uniform_pairs(d, key, id, m, out); break;
  case ItemDraw::Kind::Normal: outside = normal_pairs<false>(d, key, id, m, out); break;
  case ItemDraw::Kind::LogNormal: outside = normal_pairs<true>(d, key, id, m, out); break;
  }
  if (n % 2) { // the last item, the first half of its block
    out[n - 1] = item_value(d, block_of(key, id, 0, uint32_t(m)), 0);
    outside += !inside(d, out[n - 1]);
  }
  if (outside) redraw(d, key, id, n, out);
}

} // namespace ganglion
