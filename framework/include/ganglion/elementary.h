/* ganglion's own elementary functions: log, log1p, exp and sin/cos of pi x, written once in plain
 * IEEE double arithmetic (no C library call, no fused multiply-add) so that the host's compilers
 * and CUDA give the same bits for the same argument, and a loop that calls them vectorises. Every
 * random value behind a network and its input passes through them (docs/design.md, "Randomness"),
 * which is what lets a GPU reproduce a CPU's network bit for bit.
 *
 * Accuracy, measured against long double over the whole domain (tests/unit/random/
 * test_elementary.cpp): below 1 ulp for each. The methods are fdlibm's (Sun Microsystems, 1993) for
 * log, log1p and exp; sin and cos of pi x reduce x exactly to |r| <= 1/4 and sum Taylor series.
 *
 * Compile the caller with -ffp-contract=off (ganglion does; CUDA code with -fmad=false): a fused
 * multiply-add would change the bits. Header-only, C and C++, host and device (GG_HD). */
#ifndef GANGLION_ELEMENTARY_H
#define GANGLION_ELEMENTARY_H

#include <stdint.h>
#include <string.h>

#include "ganglion/hd.h"

GG_HD uint64_t gg_bits_of(double x) {
  uint64_t b;
  memcpy(&b, &x, sizeof b);
  return b;
}

GG_HD double gg_double_of(uint64_t b) {
  double x;
  memcpy(&x, &b, sizeof x);
  return x;
}

/* The double of a non-negative integer below 2^52, by its bits: exact, and vectorisable where a
 * conversion from a 64-bit integer is not (x86 before AVX-512). */
GG_HD double gg_from_small(uint64_t k) {
  return gg_double_of(k | 0x4330000000000000ull) - 4503599627370496.0; /* 2^52 */
}

/* ln 2 in two parts: the high part has 32 significant bits, so k ln2_hi is exact for |k| < 2^21. */
#define GG_LN2_HI 6.93147180369123816490e-01
#define GG_LN2_LO 1.90821492927058770002e-10

/* log(1 + f) + k ln 2 + c for 1 + f in [sqrt(1/2), sqrt(2)), c a small correction (fdlibm's
 * kernel): s = f / (2 + f), log(1 + f) = f - s (f - R(s^2)) with R a minimax polynomial. */
GG_HD double gg_log_kernel(double f, double k, double c) {
  const double s = f / (2.0 + f), z = s * s, w = z * z;
  const double t1 = w * (3.999999999940941908e-01 +
                         w * (2.222219843214978396e-01 + w * 1.531383769920937332e-01));
  const double t2 = z * (6.666666666666735130e-01 +
                         w * (2.857142874366239149e-01 +
                              w * (1.818357216161805012e-01 + w * 1.479819860511658591e-01)));
  const double r = t2 + t1, hfsq = 0.5 * f * f;
  return k * GG_LN2_HI - ((hfsq - (s * (hfsq + r) + (k * GG_LN2_LO + c))) - f);
}

/* x = 2^k (1 + f) with 1 + f in [sqrt(1/2), sqrt(2)), for x a positive normal finite double:
 * returns f (exact) and sets *k. Counting the exponent from sqrt(1/2)'s bit pattern puts 1 + f
 * there, and the added bias keeps the difference positive. */
GG_HD double gg_log_reduce(double x, double *k) {
  const uint64_t sqrt_half = 0x3FE6A09E667F3BCDull, bias = 1023ull << 52;
  const uint64_t bits = gg_bits_of(x);
  const uint64_t biased_k = (bits - sqrt_half + bias) >> 52; /* k + 1023 */
  *k = gg_from_small(biased_k) - 1023.0;
  return gg_double_of(bits - (biased_k << 52) + bias) - 1.0;
}

/* The natural logarithm of a positive normal finite double (0, subnormals, inf and NaN are outside
 * its domain). */
GG_HD double gg_log(double x) {
  double k;
  const double f = gg_log_reduce(x, &k);
  return gg_log_kernel(f, k, 0.0);
}

/* log(1 + x) for x > -1, accurate also where x is tiny. Where 1 + x lies in [sqrt(1/2), sqrt(2))
 * the kernel takes x itself; elsewhere u = 1 + x is rounded, and the rounding error, divided by u,
 * is the kernel's correction (fdlibm's log1p). Scalar: it serves per-projection constants. */
GG_HD double gg_log1p(double x) {
  if (x > -0.2928932188134524 && x < 0.4142135623730950) return gg_log_kernel(x, 0.0, 0.0);
  const double u = 1.0 + x;
  /* u - x is exact where u >= 2, u - 1 where u < 2: each difference recovers the rounding. */
  const double c = (u >= 2.0 ? 1.0 - (u - x) : x - (u - 1.0)) / u;
  double k;
  const double f = gg_log_reduce(u, &k);
  return gg_log_kernel(f, k, c);
}

/* e^x for x in [-708, 709]; outside, the nearer end's value (no overflow, no subnormal); NaN gives
 * NaN. x = k ln2 + r with |r| <= ln2 / 2 (k by rounding, ln 2 in two parts), then fdlibm's
 * e^r = 1 + r + r c / (2 - c) with c = r - r^2 P(r^2), P a minimax polynomial, times 2^k. */
GG_HD double gg_exp(double x) {
  x = x < -708.0 ? -708.0 : x; /* NaN passes both comparisons unchanged */
  x = x > 709.0 ? 709.0 : x;
  const double shifter = 6755399441055744.0; /* 1.5 * 2^52: adding it rounds to an integer */
  const double t = x * 1.44269504088896338700e+00 + shifter;
  const double k = t - shifter;
  const uint64_t biased_k = gg_bits_of(t) - gg_bits_of(shifter) + 1023; /* k + 1023 > 0 */
  const double hi = x - k * GG_LN2_HI, lo = k * GG_LN2_LO, r = hi - lo, z = r * r;
  const double c =
      r - z * (1.66666666666666019037e-01 +
               z * (-2.77777777770155933842e-03 +
                    z * (6.61375632143793436117e-05 +
                         z * (-1.65339022054652515390e-06 + z * 4.13813679705723846039e-08))));
  const double y = 1.0 - ((lo - (r * c) / (2.0 - c)) - hi);
  return y * gg_double_of(biased_k << 52);
}

/* e^x - 1 without cancellation near 0, for x up to 709 (above: the value at 709, as gg_exp); below
 * -38.9 (56 ln 2) it is -1 to the last bit; NaN gives NaN. fdlibm's method: x = k ln2 + r with
 * |r| <= ln2 / 2 (k = 0 where |x| <= ln2 / 2) and c the rounding error of r; e^r - 1 from a
 * rational form in r with a minimax polynomial in r^2 (Q1 .. Q5), then 2^k (e^r - 1) + 2^k - 1
 * formed so that its largest terms are exact. Branches, not a vector loop's arithmetic: its
 * callers (hh's rate functions, tanh) are per element. */
GG_HD double gg_expm1(double x) {
  if (x != x) return x;
  if (x < -38.816242111356935) return -1.0; /* e^x below 2^-56: -1 + e^x rounds to -1 */
  x = x > 709.0 ? 709.0 : x;
  const double ax = x < 0 ? -x : x;
  if (ax < 5.551115123125783e-17) return x; /* 2^-54: x^2 / 2 is below half an ulp */
  double r = x, c = 0.0, k = 0.0;
  if (ax > 0.34657359027997264) { /* ln2 / 2 */
    const double shifter = 6755399441055744.0;
    k = (x * 1.44269504088896338700e+00 + shifter) - shifter;
    const double hi = x - k * GG_LN2_HI, lo = k * GG_LN2_LO;
    r = hi - lo;
    c = (hi - r) - lo;
  }
  const double half = 0.5 * r, hr2 = r * half; /* r^2 / 2 */
  const double q = 1.0 + hr2 * (-3.33333333333331316428e-02 +
                                hr2 * (1.58730158725481460165e-03 +
                                       hr2 * (-7.93650757867487942473e-05 +
                                              hr2 * (4.00821782732936239552e-06 +
                                                     hr2 * -2.01099218183624371326e-07))));
  const double t = 3.0 - q * half;
  double e = hr2 * ((q - t) / (6.0 - r * t));
  if (k == 0.0) return r - (r * e - hr2);
  e = (r * (e - c) - c) - hr2; /* e^r - 1 = r - e, c folded in */
  if (k == -1.0) return 0.5 * (r - e) - 0.5;
  if (k == 1.0) return r < -0.25 ? -2.0 * (e - (r + 0.5)) : 1.0 + 2.0 * (r - e);
  const double two_k = gg_double_of((uint64_t)(int64_t)(k + 1023.0) << 52);
  if (k <= -2.0 || k > 56.0) return (1.0 - (e - r)) * two_k - 1.0;
  if (k < 20.0) return ((1.0 - 1.0 / two_k) - (e - r)) * two_k; /* 1 - 2^-k is exact */
  return ((r - (e + 1.0 / two_k)) + 1.0) * two_k;
}

/* tanh x from e^{2|x|} - 1 (fdlibm's method): -t / (t + 2) with t = e^{-2|x|} - 1 below |x| = 1,
 * 1 - 2 / (t + 2) with t = e^{2|x|} - 1 from 1 to 22, 1 beyond (tanh 22 rounds to 1); x itself
 * below 2^-55; the sign of x; NaN gives NaN. */
GG_HD double gg_tanh(double x) {
  if (x != x) return x;
  const double ax = x < 0 ? -x : x;
  double z;
  if (ax < 2.7755575615628914e-17) /* 2^-55 */
    return x;
  if (ax < 1.0) {
    const double t = gg_expm1(-2.0 * ax);
    z = -t / (t + 2.0);
  } else if (ax < 22.0) {
    z = 1.0 - 2.0 / (gg_expm1(2.0 * ax) + 2.0);
  } else {
    z = 1.0;
  }
  return x < 0 ? -z : z;
}

/* x^y for x >= 0 (the rate model's power law): x for y = 1, x x for y = 2 (both correctly rounded,
 * as the C library's pow), else e^{y ln x}, whose relative error grows with |y ln x|: below
 * (1 + |y ln x|) 2^-52 (not correctly rounded, but the same bits on host and device), and which
 * saturates as gg_exp does (at e^709 and e^-708). 0^y is 0 for y > 0; a negative x or a NaN gives
 * NaN. */
GG_HD double gg_pow(double x, double y) {
  if (y == 1.0) return x;
  if (y == 2.0) return x * x;
  if (x < 0 || x != x || y != y) return gg_double_of(0x7ff8000000000000ull);
  if (x == 0) return y > 0 ? 0.0 : (y == 0 ? 1.0 : 1.0 / x);
  /* gg_log takes normal numbers: a subnormal x is scaled by 2^54 first */
  const double ln_x =
      x < 2.2250738585072014e-308 ? gg_log(x * 18014398509481984.0) - 37.42994775023705 : gg_log(x);
  return gg_exp(y * ln_x);
}

/* The high half of x: its top 26 significant bits (the low 27 bits of the mantissa cleared). The
 * product of two such halves, or of one and a 27-bit rest x - high, is exact. */
GG_HD double gg_high_half(double x) {
  return gg_double_of(gg_bits_of(x) & 0xFFFFFFFFF8000000ull);
}

/* sin(pi x) and cos(pi x) for |x| <= 2^49. x = j/2 + r with j = round(2x): r is exact and
 * |r| <= 1/4, where the Taylor series of sin(pi r) to r^19 and of cos(pi r) to r^18 leave out
 * less than 1e-19; j mod 4 picks and signs the results. The leading terms, pi r and (pi r)^2 / 2,
 * are carried in two doubles (split products, exact without a fused multiply-add), so that the
 * only rounding of size is each result's last addition. */
GG_HD void gg_sincospi(double x, double *s, double *c) {
  const double shifter = 6755399441055744.0;
  const double t = 2.0 * x + shifter;
  const double j = t - shifter;
  const uint64_t quadrant = (gg_bits_of(t) - gg_bits_of(shifter)) & 3u;
  const double r = x - 0.5 * j, z = r * r;
  /* pi r = a + b: pi_hi has 25 bits, so a = pi_hi r_hi and pi_hi r_lo are exact. */
  const double pi_hi = 3.1415926218032837, pi_lo = 3.178650954705639e-08;
  const double r_hi = gg_high_half(r), r_lo = r - r_hi;
  const double a = r_hi * pi_hi, b = r_lo * pi_hi + r * pi_lo;
  const double sin_tail =
      z *
      (-5.16771278004997 +
       z * (2.5501640398773455 +
            z * (-0.5992645293207921 +
                 z * (0.08214588661112823 + z * (-0.0073704309457143504 +
                                                 z * (0.00046630280576761255 +
                                                      z * (-2.1915353447830217e-05 +
                                                           z * (7.952054001475513e-07 +
                                                                z * -2.2948428997269873e-08))))))));
  const double sin_r = a + (b + r * sin_tail);
  /* (pi r)^2 / 2 = h + l with h = y_hi^2 / 2 exact (y = pi r = y_hi + y_lo); cos = 1 - h - l +
   * the terms from r^4 on, with 1 - h's rounding error recovered as fdlibm's cos kernel does. */
  const double y = a + b, y_rest = (a - y) + b;
  const double y_hi = gg_high_half(y), y_lo = y - y_hi;
  const double h = 0.5 * (y_hi * y_hi), l = y_hi * y_lo + 0.5 * (y_lo * y_lo) + y * y_rest;
  const double cos_tail =
      z * z *
      (4.0587121264167685 +
       z * (-1.3352627688545895 +
            z * (0.2353306303588932 +
                 z * (-0.02580689139001406 +
                      z * (0.0019295743094039231 +
                           z * (-0.0001046381049248457 +
                                z * (4.303069587032947e-06 + z * -1.3878952462213771e-07)))))));
  const double w = 1.0 - h;
  const double cos_r = w + ((((1.0 - w) - h) - l) + cos_tail);
  /* x = r + quadrant/2 (mod 2): sin(pi (r + 1/2)) = cos(pi r), cos(pi (r + 1/2)) = -sin(pi r). */
  const double p = (quadrant & 1u) ? cos_r : sin_r, q = (quadrant & 1u) ? sin_r : cos_r;
  *s = (quadrant & 2u) ? -p : p;
  *c = ((quadrant + 1u) & 2u) ? -q : q;
}

#endif
