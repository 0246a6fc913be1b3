// framework/src/random/discrete: binomial, hypergeometric and Poisson variates against their
// distributions
// (mean and variance of many draws in every method's regime, and a chi-square test of the whole
// probability function where it is small enough to list), and log_factorial against lgamma.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "random/batch_draws.hpp"
#include "random/discrete.hpp"
#include "random/drive_count.hpp"

using namespace ganglion;

namespace {

struct Sample {
  double mean = 0, var = 0;
};

template <class Draw> Sample sample(int n, Draw &&draw) {
  std::vector<double> x(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i)
    x[std::size_t(i)] = double(draw(i));
  Sample s;
  for (double v : x)
    s.mean += v;
  s.mean /= n;
  for (double v : x)
    s.var += (v - s.mean) * (v - s.mean);
  s.var /= n - 1;
  return s;
}

// Whether a sample's mean and variance fit a distribution of this mean and variance: the mean
// within 5 sd / sqrt(n), the variance within 5 times its sd, about var sqrt(2 / n) for the
// near-normal shapes tested here (plus a small floor for a variance near 0).
void check_fits(const Sample &s, int n, double mean, double var) {
  CHECK(std::fabs(s.mean - mean) < 5 * std::sqrt(var / n) + 1e-12);
  CHECK(std::fabs(s.var - var) < 5 * var * std::sqrt(3.0 / n) + 1e-9);
}

// Pearson's chi-square of observed counts against expected ones (cells of expectation below 5
// pooled into their neighbour), and its degrees of freedom.
std::pair<double, int> chi_square(const std::vector<double> &observed,
                                  const std::vector<double> &expected) {
  double chi = 0, o = 0, e = 0;
  int cells = 0;
  for (std::size_t k = 0; k < expected.size(); ++k) {
    o += observed[k];
    e += expected[k];
    if (e < 5 && k + 1 < expected.size()) continue;
    chi += (o - e) * (o - e) / e;
    ++cells;
    o = e = 0;
  }
  return {chi, cells - 1};
}

} // namespace

TEST_CASE("random: log_factorial equals lgamma(k + 1) to 1e-15") {
  for (uint64_t k : {0ull, 1ull, 2ull, 10ull, 22ull, 23ull, 24ull, 100ull, 12345ull, 1000000000ull,
                     400000000000ull}) {
    CAPTURE(k);
    const double exact = std::lgamma(double(k) + 1.0);
    CHECK(std::fabs(log_factorial(k) - exact) <= 1e-15 * std::max(1.0, exact));
  }
}

TEST_CASE("random: binomial draws have the binomial's mean and variance in every regime") {
  // Inversion (n p < 10), BTRS (n p >= 10), p above 1/2 by symmetry, and the sizes of
  // fixed_total_number's per-row counts (4.5e7 synapses over 2e4 rows).
  struct Case {
    uint64_t n;
    double p;
  };
  for (const Case c : {Case{20, 0.1}, Case{1000, 0.005}, Case{100, 0.3}, Case{100, 0.5},
                       Case{50, 0.9}, Case{45000000, 1.0 / 21915}, Case{1000000, 0.25}}) {
    CAPTURE(c.n);
    CAPTURE(c.p);
    const int n = 200000;
    const Sample s = sample(n, [&](int i) {
      Draws draws(4, 5, uint64_t(i), 1);
      return binomial(draws, c.n, c.p);
    });
    check_fits(s, n, double(c.n) * c.p, double(c.n) * c.p * (1 - c.p));
  }
  Draws draws(1, 1, 1);
  CHECK(binomial(draws, 0, 0.5) == 0);
  CHECK(binomial(draws, 17, 0.0) == 0);
  CHECK(binomial(draws, 17, 1.0) == 17);
}

TEST_CASE("random: binomial draws follow the binomial probabilities (chi-square)") {
  // 200000 draws for each of an inversion and a BTRS case, against the exact probabilities; the
  // chi-square must lie below the 99.99th percentile of its distribution (about dof + 3.7
  // sqrt(2 dof) + 8 for the 20-40 degrees of freedom here), so a correct sampler fails it once
  // in 10^4 seeds, and this seed is fixed.
  for (const auto &[nn, p] : {std::pair<uint64_t, double>{30, 0.2}, {400, 0.1}}) {
    CAPTURE(nn);
    std::vector<double> observed(nn + 1, 0), expected(nn + 1, 0);
    const int n = 200000;
    for (int i = 0; i < n; ++i) {
      Draws draws(12, 13, uint64_t(i), 1);
      ++observed[binomial(draws, nn, p)];
    }
    for (uint64_t k = 0; k <= nn; ++k)
      expected[k] = n * std::exp(std::lgamma(nn + 1.0) - std::lgamma(k + 1.0) -
                                 std::lgamma(double(nn - k) + 1) + double(k) * std::log(p) +
                                 double(nn - k) * std::log1p(-p));
    const auto [chi, dof] = chi_square(observed, expected);
    MESSAGE("binomial(" << nn << ", " << p << "): chi-square " << chi << " on " << dof << " dof");
    CHECK(chi < dof + 3.7 * std::sqrt(2.0 * dof) + 8);
  }
}

TEST_CASE("random: hypergeometric draws have the hypergeometric's mean and variance") {
  // The urn (samples within 10 of either end) and HRUA, with good and bad either way round, and
  // fixed_total_number's sizes without multapses (a row of 20000 candidates among 2e4 rows).
  struct Case {
    uint64_t good, bad, sample;
  };
  for (const Case c : {Case{30, 70, 8}, Case{30, 70, 95}, Case{300, 700, 400}, Case{700, 300, 100},
                       Case{20000, 20000 * 21914ull, 45000000}, Case{5, 100000, 50000}}) {
    CAPTURE(c.good);
    CAPTURE(c.sample);
    const double total = double(c.good + c.bad), p = double(c.good) / total;
    const double mean = double(c.sample) * p;
    const double var = mean * (1 - p) * (total - double(c.sample)) / (total - 1);
    const int n = 200000;
    const Sample s = sample(n, [&](int i) {
      Draws draws(6, 7, uint64_t(i), 1);
      return hypergeometric(draws, c.good, c.bad, c.sample);
    });
    check_fits(s, n, mean, var);
  }
  Draws draws(1, 1, 1);
  CHECK(hypergeometric(draws, 0, 50, 20) == 0);
  CHECK(hypergeometric(draws, 50, 0, 20) == 20);
  CHECK(hypergeometric(draws, 40, 60, 100) == 40);
}

TEST_CASE("random: hypergeometric draws follow the hypergeometric probabilities (chi-square)") {
  // As the binomial's chi-square test: HRUA at 60 good, 140 bad, samples of 50.
  const uint64_t good = 60, bad = 140, m = 50;
  std::vector<double> observed(m + 1, 0), expected(m + 1, 0);
  const int n = 200000;
  for (int i = 0; i < n; ++i) {
    Draws draws(14, 15, uint64_t(i), 1);
    ++observed[hypergeometric(draws, good, bad, m)];
  }
  const auto log_choose = [](double a, double b) {
    return std::lgamma(a + 1) - std::lgamma(b + 1) - std::lgamma(a - b + 1);
  };
  for (uint64_t k = 0; k <= m; ++k)
    expected[k] = n * std::exp(log_choose(good, double(k)) + log_choose(bad, double(m - k)) -
                               log_choose(good + bad, m));
  const auto [chi, dof] = chi_square(observed, expected);
  MESSAGE("hypergeometric(60, 140, 50): chi-square " << chi << " on " << dof << " dof");
  CHECK(chi < dof + 3.7 * std::sqrt(2.0 * dof) + 8);
}

TEST_CASE("random: Poisson draws have the Poisson's mean and variance in both regimes") {
  // Inversion (mean < 10: the drive's 8 Hz x 2000 inputs at dt = 0.1 ms is 1.6), its edge, and
  // PTRS (mean >= 10) up to a large mean.
  // The sample variance's sd is sqrt((mu4 - var^2) / n), mu4 = mu (1 + 3 mu) for the Poisson:
  // both moments within 5 of their sd (the skewed small means need this, not check_fits' normal
  // shape).
  for (const double mu : {0.0008, 0.05, 1.6, 9.99, 10.0, 37.5, 1000.0, 1e6}) {
    CAPTURE(mu);
    const Poisson poisson(mu);
    const int n = 200000;
    const Sample s = sample(n, [&](int i) {
      Draws draws(4, 6, uint64_t(i), 1);
      return poisson(draws);
    });
    CHECK(std::fabs(s.mean - mu) < 5 * std::sqrt(mu / n));
    CHECK(std::fabs(s.var - mu) < 5 * std::sqrt((mu + 2 * mu * mu) / n));
  }
  Draws draws(1, 1, 1);
  CHECK(Poisson(0.0)(draws) == 0);
}

TEST_CASE("random: Poisson draws follow the Poisson probabilities (chi-square)") {
  // 200000 draws for each of two inversion and two PTRS means against exp(k log mu - mu -
  // log k!), tail beyond the listed cells pooled into the last; the chi-square's bound is the
  // binomial test's (the 99.99th percentile, about), for a fixed seed.
  for (const double mu : {1.6, 7.0, 10.0, 60.0}) {
    CAPTURE(mu);
    const std::size_t cells = std::size_t(mu + 12 * std::sqrt(mu) + 12);
    std::vector<double> observed(cells, 0), expected(cells, 0);
    const Poisson poisson(mu);
    const int n = 200000;
    for (int i = 0; i < n; ++i) {
      Draws draws(12, 14, uint64_t(i), 1);
      ++observed[std::min<std::size_t>(cells - 1, poisson(draws))];
    }
    double below = 0;
    for (std::size_t k = 0; k + 1 < cells; ++k) {
      expected[k] = n * std::exp(double(k) * std::log(mu) - mu - std::lgamma(double(k) + 1));
      below += expected[k];
    }
    expected[cells - 1] = n - below;
    const auto [chi, dof] = chi_square(observed, expected);
    MESSAGE("Poisson(" << mu << "): chi-square " << chi << " on " << dof << " dof");
    CHECK(chi < dof + 3.7 * std::sqrt(2.0 * dof) + 8);
  }
}

TEST_CASE("random: Poisson::from_uniform gives the count the draw gives, or says it needs more") {
  // Every mean of the inversion's range and PTRS's: from the first uniform of a Draws, the same
  // count as the draw from that Draws wherever it answers; PTRS always asks for the draw.
  for (double mean : {1e-4, 0.16, 1.6, 5.0, 9.99, 10.0, 60.0}) {
    CAPTURE(mean);
    const Poisson poisson(mean);
    uint64_t answered = 0;
    for (uint64_t id = 0; id < 20000; ++id) {
      Draws first(7, 3, id, 11), draws(7, 3, id, 11);
      const uint64_t count = poisson.from_uniform(first.uniform());
      if (count == Poisson::kAnother) continue;
      ++answered;
      REQUIRE(count == poisson(draws));
    }
    if (mean < Poisson::kPtrsFrom)
      CHECK(answered == 20000); // a restart needs a count beyond mean + 10 sd + 10
    else
      CHECK(answered == 0);
  }
}

TEST_CASE("random: Poisson::from_uniforms gives from_uniform's counts in every lane") {
  // Batches of every length up to 64, with uniforms that reach deep into the tail (1 - 1e-16
  // needs more than the bound) and the edges of the first steps, for means of the inversion,
  // PTRS and none.
  for (double mean : {0.0, 1e-4, 0.16, 1.6, 2.32, 5.0, 9.99, 10.0, 60.0}) {
    CAPTURE(mean);
    const Poisson poisson(mean);
    const double start = std::exp(-mean);
    std::vector<double> u;
    for (uint64_t id = 0; id < 4000; ++id)
      u.push_back(Draws(7, 3, id, 11).uniform());
    for (double edge : {start, std::nextafter(start, 2.0), 1 - 1e-16, 1e-300, 0.999999})
      u.push_back(edge);
    for (std::size_t n = 1, at = 0; at < u.size(); at += n, n = n % Poisson::kLanes + 1) {
      const std::size_t len = std::min(n, u.size() - at);
      uint64_t counts[Poisson::kLanes];
      poisson.from_uniforms(u.data() + at, len, counts);
      for (std::size_t j = 0; j < len; ++j)
        REQUIRE(counts[j] == poisson.from_uniform(u[at + j]));
    }
  }
}

TEST_CASE("random: a drive's counts one synapse at a time (drive_count, the device's) are the "
          "engine's batched counts") {
  // collect_drive: the first uniforms of 64 synapses at once (first_uniforms), searched in vector
  // lanes (from_uniforms), the rare count that needs more uniforms drawn again whole. drive_count
  // draws each synapse's count from its own stream; every count must agree, for means of the
  // inversion and of PTRS, over many generator elements, targets and steps.
  const uint64_t seed = 5, stream = 1234567;
  const PhiloxKey key(seed, stream);
  for (double mean : {0.05, 1.28, 1.6, 9.5, 10.0, 37.0}) {
    CAPTURE(mean);
    const Poisson poisson(mean);
    uint64_t mismatches = 0, total = 0;
    uint32_t target[Poisson::kLanes];
    double u[Poisson::kLanes];
    uint64_t drawn[Poisson::kLanes];
    for (uint32_t i = 0; i < 3; ++i)
      for (uint32_t step = 0; step < 40; ++step)
        for (uint32_t t0 = 0; t0 < 1000; t0 += Poisson::kLanes) {
          const std::size_t n = std::min<std::size_t>(Poisson::kLanes, 1000 - t0);
          for (std::size_t j = 0; j < n; ++j)
            target[j] = 900000 + t0 + uint32_t(j);
          first_uniforms(key, i, target, step, n, u);
          poisson.from_uniforms(u, n, drawn);
          for (std::size_t j = 0; j < n; ++j) {
            uint64_t count = drawn[j];
            if (count == Poisson::kAnother) {
              Draws draws(seed, stream, uint64_t(i) << 32 | target[j], step);
              count = poisson(draws);
            }
            mismatches += count != drive_count(poisson, seed, stream, i, target[j], step);
            ++total;
          }
        }
    CHECK(total == 120000);
    CHECK(mismatches == 0);
  }
}
