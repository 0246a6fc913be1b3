// See discrete.hpp.
#include "random/discrete.hpp"

#include <algorithm>
#include <cmath>

#include "ganglion/elementary.h"
#include "ganglion/simd.hpp"

namespace ganglion {

namespace {

// log(k!) - ((k + 1/2) log(k + 1) - (k + 1) + log(2 pi) / 2): Stirling's correction at k.
double stirling_tail(double k) {
  static constexpr double small[] = {
      0.08106146679532726,  0.0413406959554093,   0.02767792568499834, 0.020790672103765093,
      0.016644691189821193, 0.013876128823070748, 0.01189670994589177, 0.010411265261972096,
      0.009255462182712733, 0.00833056343336287};
  if (k <= 9) return small[int(k)];
  const double k1 = k + 1, k1sq = k1 * k1;
  return (1.0 / 12 - (1.0 / 360 - 1.0 / 1260 / k1sq) / k1sq) / k1;
}

// Sequential search from 0 (p <= 1/2, n p < 10): a few steps on average.
uint64_t binomial_inversion(Draws &draws, uint64_t n, double p) {
  const double q = 1.0 - p, start = gg_exp(double(n) * gg_log1p(-p));
  const double np = double(n) * p;
  const double bound = std::min(double(n), np + 10.0 * std::sqrt(np * q + 1.0));
  return search_from_zero(draws, start, bound, [&](double px, uint64_t x) {
    return (double(n - x + 1) * p * px) / (double(x) * q);
  });
}

// BTRS (p <= 1/2, n p >= 10), as TensorFlow and JAX draw it.
uint64_t binomial_btrs(Draws &draws, uint64_t n_int, double p) {
  const double n = double(n_int), sd = std::sqrt(n * p * (1.0 - p));
  const double b = 1.15 + 2.53 * sd, a = -0.0873 + 0.0248 * b + 0.01 * p, c = n * p + 0.5;
  const double v_r = 0.92 - 4.2 / b, r = p / (1.0 - p), alpha = (2.83 + 5.1 / b) * sd;
  const double m = std::floor((n + 1.0) * p);
  for (;;) {
    const double u = draws.uniform() - 0.5;
    double v = draws.uniform();
    const double us = 0.5 - std::fabs(u);
    const double k = std::floor((2.0 * a / us + b) * u + c);
    if (k < 0 || k > n) continue;
    if (us >= 0.07 && v <= v_r) return uint64_t(k);
    v = gg_log(v * alpha / (a / (us * us) + b));
    const double bound = (m + 0.5) * gg_log((m + 1.0) / (r * (n - m + 1.0))) +
                         (n + 1.0) * gg_log((n - m + 1.0) / (n - k + 1.0)) +
                         (k + 0.5) * gg_log(r * (n - k + 1.0) / (k + 1.0)) + stirling_tail(m) +
                         stirling_tail(n - m) - stirling_tail(k) - stirling_tail(n - k);
    if (v <= bound) return uint64_t(k);
  }
}

// The urn, one item at a time, for the smaller of the sample and its complement.
uint64_t hypergeometric_urn(Draws &draws, uint64_t good, uint64_t bad, uint64_t sample) {
  const uint64_t total = good + bad;
  const bool complement = sample > total / 2;
  uint64_t left = complement ? total - sample : sample, remaining = total, good_left = good;
  while (left > 0 && good_left > 0 && remaining > good_left) {
    if (draws.below(remaining) < good_left) --good_left;
    --remaining;
    --left;
  }
  if (remaining == good_left) good_left -= left; // only good items remain: all are drawn
  return complement ? good_left : good - good_left;
}

// HRUA (Stadlober 1989), NumPy's variant.
uint64_t hypergeometric_hrua(Draws &draws, uint64_t good, uint64_t bad, uint64_t sample) {
  const uint64_t popsize = good + bad, n = std::min(sample, popsize - sample);
  const uint64_t min_gb = std::min(good, bad), max_gb = std::max(good, bad);
  const double p = double(min_gb) / double(popsize), q = double(max_gb) / double(popsize);
  const double a = double(n) * p + 0.5;
  const double var = double(popsize - n) * double(n) * p * q / double(popsize - 1);
  const double c = std::sqrt(var + 0.5), h = 1.7155277699214135 * c + 0.8989161620588988;
  const auto m = uint64_t(std::floor(double(n + 1) * double(min_gb + 1) / double(popsize + 2)));
  const auto log_weight = [&](uint64_t k) {
    return log_factorial(k) + log_factorial(min_gb - k) + log_factorial(n - k) +
           log_factorial(max_gb - n + k);
  };
  const double g = log_weight(m);
  const double b = std::min(double(std::min(n, min_gb) + 1), std::floor(a + 16.0 * c));
  uint64_t k = 0;
  for (;;) {
    const double u = draws.uniform(), v = draws.uniform();
    const double x = a + h * (v - 0.5) / u;
    if (x < 0.0 || x >= b) continue;
    k = uint64_t(std::floor(x));
    const double t = g - log_weight(k);
    if (u * (4.0 - u) - 3.0 <= t) break;
    if (u * (u - t) >= 1.0) continue;
    if (2.0 * gg_log(u) <= t) break;
  }
  if (good > bad) k = n - k;
  if (n < sample) k = good - k;
  return k;
}

} // namespace

namespace {

// search_once's steps in n lanes at once, the table's first `steps` probabilities: c[j] the count
// so far, r[j] what is left of u[j] (-1 once the lane's search has stopped). The lanes step
// together until none goes on: the same subtractions as search_once, so the same counts.
GANGLION_SIMD
void search_lanes(const double *__restrict u, std::size_t n, const double *__restrict p,
                  uint64_t steps, double *__restrict r, double *__restrict c) {
  for (std::size_t j = 0; j < n; ++j) {
    r[j] = u[j];
    c[j] = 0;
  }
  for (uint64_t x = 0; x < steps; ++x) {
    const double px = p[x];
    int on = 0;
    for (std::size_t j = 0; j < n; ++j) {
      const bool go = r[j] > px;
      c[j] += go ? 1.0 : 0.0;
      r[j] = go ? r[j] - px : -1.0;
      on |= int(go);
    }
    if (!on) return;
  }
}

} // namespace

void Poisson::from_uniforms(const double *u, std::size_t n, uint64_t *counts) const {
  if (!(mean() > 0) || mean() >= kPtrsFrom) {
    std::fill(counts, counts + n, mean() > 0 ? kAnother : 0);
    return;
  }
  // A lane still going after steps() steps passes the search's bound: it needs another draw.
  const uint64_t steps = this->steps();
  double r[kLanes], c[kLanes];
  search_lanes(u, n, table(), steps, r, c);
  for (std::size_t j = 0; j < n; ++j)
    counts[j] = r[j] > table()[steps] ? kAnother : uint64_t(c[j]);
}

uint64_t binomial(Draws &draws, uint64_t n, double p) {
  if (n == 0 || p <= 0) return 0;
  if (p >= 1) return n;
  if (p > 0.5) return n - binomial(draws, n, 1.0 - p);
  if (double(n) * p < 10) return binomial_inversion(draws, n, p);
  return binomial_btrs(draws, n, p);
}

uint64_t hypergeometric(Draws &draws, uint64_t good, uint64_t bad, uint64_t sample) {
  if (sample >= 10 && sample + 10 <= good + bad)
    return hypergeometric_hrua(draws, good, bad, sample);
  return hypergeometric_urn(draws, good, bad, sample);
}

} // namespace ganglion
