// Uniforms turned into the distributions ganglion draws (normal, log-normal), each in
// one place and through ganglion/elementary.h only, so that Draws (one value at a time), the
// batched per-synapse draws and a device build give the same bits for the same Philox words.
#pragma once

#include <cmath>

#include "ganglion/elementary.h"
#include "ganglion/philox.h"

namespace ganglion {

// The distributions of drawn values (a synapse's weight or delay, an element's initial value).
enum class Dist { Uniform, Normal, LogNormal };

// Two independent standard normals from two uniforms in (0, 1) (Box-Muller):
// sqrt(-2 log u1) (cos 2 pi u2, sin 2 pi u2). sqrt is exact in IEEE arithmetic.
GG_HD void normal_pair(double u1, double u2, double &z0, double &z1) {
  const double radius = std::sqrt(-2.0 * gg_log(u1));
  double s, c;
  gg_sincospi(2.0 * u2, &s, &c);
  z0 = radius * c;
  z1 = radius * s;
}

// The log-normal of the given mean and standard deviation (of the value itself) as
// exp(mu + sigma z) for a standard normal z.
struct LogNormal {
  double mu = 0, sigma = 0;
  GG_HD LogNormal(double mean, double sd) {
    const double s2 = gg_log1p((sd * sd) / (mean * mean));
    mu = gg_log(mean) - 0.5 * s2;
    sigma = std::sqrt(s2);
  }
  GG_HD double operator()(double z) const { return gg_exp(mu + sigma * z); }
};

// floor(x) for 0 <= x < 2^51 in plain arithmetic, so that a loop calling it vectorises (GCC's
// std::floor does not without -fno-trapping-math): the nearest integer by adding and subtracting
// 2^52, less one where that lies above x.
GG_HD double floor_nonneg(double x) {
  const double n = (x + 0x1p52) - 0x1p52;
  return n > x ? n - 1.0 : n;
}

// std::round(x) (halves away from zero) for 0 <= x < 2^51, likewise: the nearest integer rounds
// halves to even, so a half it rounded down goes up.
GG_HD double round_nonneg(double x) {
  const double n = (x + 0x1p52) - 0x1p52;
  return x - n == 0.5 ? n + 1.0 : n;
}

// An integer below c (cd: c as a double) for uniform u: floor(u c), kept below c (u < 1, but u c
// can round up to c). The picks of the connectivity rules and Draws::below.
GG_HD uint64_t scale_pick(double u, double cd, uint64_t c) {
  const uint64_t x = uint64_t(u * cd);
  return x < c ? x : c - 1;
}

// A drawn delay in whole steps of dt: round(ms / dt), and one step for anything below 1.5 steps
// (a delay is at least one step).
GG_HD double delay_step(double ms, double dt) {
  const double x = ms / dt;
  return x < 1.5 ? 1.0 : round_nonneg(x);
}

// The gap before the next target of a Bernoulli(p) row for uniform u: floor(log u / log(1 - p)),
// at most 2^51 (beyond any row), with inv_log_q = 1 / log(1 - p) (fixed_probability's rows).
GG_HD double geometric_gap(double u, double inv_log_q) {
  const double y = gg_log(u) * inv_log_q; // > 0
  return y < 0x1p51 ? floor_nonneg(y) : 0x1p51;
}

} // namespace ganglion
