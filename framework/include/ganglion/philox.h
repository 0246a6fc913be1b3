/* Philox-4x32-10 (Salmon et al., SC'11): a counter-based generator. The same (key, counter) gives
 * the same numbers on any thread, backend or process, so results never depend on the thread count
 * and CPU and GPU draw identical Poisson input and connectivity for one seed.
 * Key: (seed, stream). Counter: four 32-bit words chosen by the caller, e.g. (element, step, draw).
 * Header-only and usable from CUDA (GG_HD marks host+device functions). */
#ifndef GANGLION_PHILOX_H
#define GANGLION_PHILOX_H

#include <stdint.h>

#include "ganglion/hd.h"

typedef struct gg_u32x4 {
  uint32_t v[4];
} gg_u32x4;

GG_HD uint32_t gg_mulhilo32(uint32_t a, uint32_t b, uint32_t *hi) {
  uint64_t p = (uint64_t)a * (uint64_t)b;
  *hi = (uint32_t)(p >> 32);
  return (uint32_t)p;
}

/* Ten rounds of Philox-4x32 on counter c with key (k0, k1). */
GG_HD gg_u32x4 gg_philox4x32(gg_u32x4 c, uint32_t k0, uint32_t k1) {
  for (int round = 0; round < 10; ++round) {
    uint32_t hi0, hi1;
    uint32_t lo0 = gg_mulhilo32(0xD2511F53u, c.v[0], &hi0);
    uint32_t lo1 = gg_mulhilo32(0xCD9E8D57u, c.v[2], &hi1);
    gg_u32x4 r;
    r.v[0] = hi1 ^ c.v[1] ^ k0;
    r.v[1] = lo1;
    r.v[2] = hi0 ^ c.v[3] ^ k1;
    r.v[3] = lo0;
    c = r;
    k0 += 0x9E3779B9u;
    k1 += 0xBB67AE85u;
  }
  return c;
}

/* The key of stream `stream` under `seed`: both folded to 32 bits each by a fixed mix. */
GG_HD void gg_philox_key(uint64_t seed, uint64_t stream, uint32_t *k0, uint32_t *k1) {
  uint64_t x = seed * 0x9E3779B97F4A7C15ull ^ (stream + 0x632BE59BD9B4E019ull);
  x ^= x >> 31;
  x *= 0xBF58476D1CE4E5B9ull;
  x ^= x >> 29;
  *k0 = (uint32_t)x;
  *k1 = (uint32_t)(x >> 32);
}

/* Four 32-bit words for (seed, stream; a, b, c, d). */
GG_HD gg_u32x4 gg_random4(uint64_t seed, uint64_t stream, uint32_t a, uint32_t b, uint32_t c,
                          uint32_t d) {
  uint32_t k0, k1;
  gg_philox_key(seed, stream, &k0, &k1);
  gg_u32x4 ctr = {{a, b, c, d}};
  return gg_philox4x32(ctr, k0, k1);
}

/* A double in (0, 1) from two words (53 random bits, never 0 or 1). */
GG_HD double gg_uniform(uint32_t lo, uint32_t hi) {
  uint64_t bits = ((uint64_t)hi << 21) ^ (uint64_t)(lo >> 11);
  bits &= (1ull << 53) - 1ull;
  return ((double)bits + 0.5) * (1.0 / 9007199254740992.0);
}

#endif
