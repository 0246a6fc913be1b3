// ganglion/simd.hpp: exp_simd's accuracy against a long double exp, its edges, and that a
// GANGLION_SIMD loop (vectorised where the CPU has AVX2 or AVX-512) gives the same bits as the
// scalar code.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <random>
#include <vector>

#include "ganglion/simd.hpp"

namespace {

GANGLION_SIMD void exp_all(const double *__restrict x, double *__restrict y, uint64_t n) {
  for (uint64_t i = 0; i < n; ++i)
    y[i] = ganglion::exp_simd(x[i]);
}

// One element at a time, through a call the compiler cannot merge into a vector loop.
[[gnu::noinline]] double exp_one(double x) {
  return ganglion::exp_simd(x);
}

} // namespace

TEST_CASE("exp_simd: relative error below 5e-16 on [-708, 709]") {
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> wide(-708, 709), narrow(-30, 10);
  const uint64_t n = 1 << 20;
  std::vector<double> x(n), y(n);
  for (uint64_t i = 0; i < n; ++i) // half over the whole range, half where eif uses it
    x[i] = i % 2 ? wide(rng) : narrow(rng);
  exp_all(x.data(), y.data(), n);
  long double worst = 0;
  for (uint64_t i = 0; i < n; ++i) {
    const long double exact = std::exp(static_cast<long double>(x[i]));
    worst = std::max(worst, std::fabs((static_cast<long double>(y[i]) - exact) / exact));
  }
  CHECK(worst < 5e-16L);
  MESSAGE("largest relative error " << static_cast<double>(worst));
}

TEST_CASE("exp_simd: exact at 0, saturates outside [-708, 709], passes NaN") {
  CHECK(ganglion::exp_simd(0.0) == 1.0);
  CHECK(ganglion::exp_simd(1000.0) == ganglion::exp_simd(709.0));
  CHECK(std::isfinite(ganglion::exp_simd(1000.0)));
  CHECK(ganglion::exp_simd(709.0) == doctest::Approx(std::exp(709.0)).epsilon(1e-15));
  CHECK(ganglion::exp_simd(-1000.0) == ganglion::exp_simd(-708.0));
  CHECK(ganglion::exp_simd(-708.0) > 0);
  CHECK(std::isnan(ganglion::exp_simd(std::nan(""))));
}

TEST_CASE("exp_simd: a GANGLION_SIMD loop gives the same bits as one call per element") {
  std::mt19937_64 rng(11);
  std::uniform_real_distribution<double> u(-50, 50);
  const uint64_t n = 4099; // not a multiple of any vector width: the remainder loop too
  std::vector<double> x(n), y(n);
  for (auto &v : x)
    v = u(rng);
  exp_all(x.data(), y.data(), n);
  uint64_t differ = 0;
  for (uint64_t i = 0; i < n; ++i) {
    const double one = exp_one(x[i]);
    differ += std::memcmp(&one, &y[i], sizeof one) != 0;
  }
  CHECK(differ == 0);
}
