// ganglion/elementary.h: each function's largest error in ulps against long double over its domain
// (random points across every binade, and the edges where a method switches), its exact values,
// and that a GANGLION_SIMD loop gives the same bits as one call per element.
#include <doctest/doctest.h>

#include <cfloat>
#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include "ganglion/elementary.h"
#include "ganglion/simd.hpp"

namespace {

// |y - exact| in units of the last place of the double nearest to exact.
double ulps(double y, long double exact) {
  const double nearest = double(exact);
  const double ulp = std::nextafter(std::fabs(nearest), HUGE_VAL) - std::fabs(nearest);
  return double(std::fabs(static_cast<long double>(y) - exact) / ulp);
}

// 2^e m, m uniform in [1, 2), e uniform in [lo, hi]: every binade of the range alike.
std::vector<double> across_binades(int lo, int hi, std::size_t n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> m(1.0, 2.0);
  std::uniform_int_distribution<int> e(lo, hi);
  std::vector<double> x(n);
  for (double &v : x)
    v = std::ldexp(m(rng), e(rng));
  return x;
}

// x itself and its 8 neighbours either side.
void add_around(std::vector<double> &x, double v) {
  double up = v, down = v;
  x.push_back(v);
  for (int k = 0; k < 8; ++k) {
    up = std::nextafter(up, HUGE_VAL);
    down = std::nextafter(down, -HUGE_VAL);
    x.push_back(up);
    x.push_back(down);
  }
}

constexpr long double kPi = 3.141592653589793238462643383279502884L;

// sin and cos of pi x in long double, reducing x exactly as the function under test does not
// need to: r = x - j/2 is exact in long double too, and sinl/cosl of pi r are then accurate.
void sincospi_exact(double x, long double &s, long double &c) {
  const long double j = std::nearbyint(2.0L * x), r = x - j / 2;
  const long double sr = std::sin(kPi * r), cr = std::cos(kPi * r);
  const int q = int(std::fmod(std::fmod(j, 4.0L) + 4.0L, 4.0L));
  const long double a = q % 2 ? cr : sr, b = q % 2 ? sr : cr;
  s = q >= 2 ? -a : a;
  c = q == 1 || q == 2 ? -b : b;
}

GANGLION_SIMD void log_all(const double *__restrict x, double *__restrict y, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i)
    y[i] = gg_log(x[i]);
}

GANGLION_SIMD void exp_all(const double *__restrict x, double *__restrict y, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i)
    y[i] = gg_exp(x[i]);
}

GANGLION_SIMD void sincospi_all(const double *__restrict x, double *__restrict s,
                                double *__restrict c, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i)
    gg_sincospi(x[i], &s[i], &c[i]);
}

// One element at a time, through calls the compiler cannot merge into a vector loop.
[[gnu::noinline]] double log_one(double x) {
  return gg_log(x);
}
[[gnu::noinline]] double exp_one(double x) {
  return gg_exp(x);
}
[[gnu::noinline]] void sincospi_one(double x, double *s, double *c) {
  gg_sincospi(x, s, c);
}

} // namespace

TEST_CASE("elementary: gg_log below 1 ulp over every positive normal double") {
  std::vector<double> x = across_binades(-1022, 1023, 1 << 20, 1);
  std::mt19937_64 rng(2);
  std::uniform_real_distribution<double> unit(0.0, 1.0), near_one(0.5, 2.0);
  for (int k = 0; k < (1 << 19); ++k) {
    x.push_back(unit(rng)); // where the random draws take it
    x.push_back(near_one(rng));
  }
  for (const double v : {1.0, 0.7071067811865476, 1.4142135623730951, 0.5, 2.0, DBL_MIN, DBL_MAX,
                         0x1p-54, 1.0 - 0x1p-53})
    add_around(x, v);
  std::vector<double> y(x.size());
  log_all(x.data(), y.data(), x.size());
  double worst = 0;
  for (std::size_t i = 0; i < x.size(); ++i)
    if (x[i] >= DBL_MIN && x[i] <= DBL_MAX)
      worst = std::max(worst, ulps(y[i], std::log(static_cast<long double>(x[i]))));
  MESSAGE("gg_log: largest error " << worst << " ulp");
  CHECK(worst < 1.0);
  CHECK(gg_log(1.0) == 0.0);
}

TEST_CASE("elementary: gg_log1p below 1 ulp from -1 to 1e300, tiny arguments included") {
  std::vector<double> x = across_binades(-1000, 996, 1 << 19, 3);
  const std::vector<double> negative = across_binades(-1000, -1, 1 << 19, 4);
  for (const double v : negative)
    x.push_back(-v); // (-1, 0)
  for (const double v : {-0.2928932188134524, 0.4142135623730950, 1.0, -0.5, 0x1p-30, -0x1p-30,
                         1e-300, -1e-300, 1.0 - 0x1p-53, -(1.0 - 0x1p-53), 0x1p52, 0x1p53})
    add_around(x, v);
  double worst = 0;
  for (const double v : x)
    if (v > -1.0 && v <= 1e300)
      worst = std::max(worst, ulps(gg_log1p(v), std::log1p(static_cast<long double>(v))));
  MESSAGE("gg_log1p: largest error " << worst << " ulp");
  CHECK(worst < 1.0);
  CHECK(gg_log1p(0.0) == 0.0);
}

TEST_CASE("elementary: gg_exp below 1 ulp from -708 to 709, saturating outside") {
  std::mt19937_64 rng(5);
  std::uniform_real_distribution<double> wide(-708, 709), narrow(-40, 10);
  std::vector<double> x;
  for (int k = 0; k < (1 << 20); ++k) {
    x.push_back(wide(rng));
    x.push_back(narrow(rng));
  }
  const std::vector<double> tiny = across_binades(-1000, -2, 1 << 18, 6);
  for (const double v : tiny) {
    x.push_back(v);
    x.push_back(-v);
  }
  for (const double v : {0.0, 0.34657359027997264, -0.34657359027997264, 708.0, -708.0, 1.0})
    add_around(x, v);
  std::vector<double> y(x.size());
  exp_all(x.data(), y.data(), x.size());
  double worst = 0;
  for (std::size_t i = 0; i < x.size(); ++i)
    if (x[i] >= -708.0 && x[i] <= 709.0)
      worst = std::max(worst, ulps(y[i], std::exp(static_cast<long double>(x[i]))));
  MESSAGE("gg_exp: largest error " << worst << " ulp");
  CHECK(worst < 1.0);
  CHECK(gg_exp(0.0) == 1.0);
  CHECK(gg_exp(1000.0) == gg_exp(709.0));
  CHECK(gg_exp(-1000.0) == gg_exp(-708.0));
  CHECK(gg_exp(-708.0) > 0);
  CHECK(std::isnan(gg_exp(std::nan(""))));
}

TEST_CASE("elementary: gg_expm1 below 1 ulp from -40 to 709, tiny arguments and -1 included") {
  std::mt19937_64 rng(11);
  std::uniform_real_distribution<double> wide(-40, 709), narrow(-3, 3);
  std::vector<double> x;
  for (int k = 0; k < (1 << 20); ++k) {
    x.push_back(wide(rng));
    x.push_back(narrow(rng));
  }
  const std::vector<double> small = across_binades(-1074, 0, 1 << 18, 12);
  for (const double v : small) {
    x.push_back(v);
    x.push_back(-v);
  }
  // Where the method switches: ln2 / 2, 3 ln2 / 2, k = 20 and 56, -56 ln2, 2^-54, -0.25 (k = 1).
  for (const double v : {0.34657359027997264, -0.34657359027997264, 1.0397207708399179,
                         -1.0397207708399179, 13.862943611198906, 38.816242111356935,
                         -38.816242111356935, 0x1p-54, -0x1p-54, 709.0, -0.25})
    add_around(x, v);
  double worst = 0;
  for (const double v : x)
    if (v <= 709.0)
      worst = std::max(worst, ulps(gg_expm1(v), std::expm1(static_cast<long double>(v))));
  MESSAGE("gg_expm1: largest error " << worst << " ulp");
  CHECK(worst < 1.0);
  CHECK(gg_expm1(0.0) == 0.0);
  CHECK(gg_expm1(-50.0) == -1.0);
  CHECK(gg_expm1(1000.0) == gg_expm1(709.0));
  CHECK(std::isnan(gg_expm1(std::nan(""))));
}

TEST_CASE("elementary: gg_tanh below 2.5 ulp, odd, 1 from 22 on") {
  std::mt19937_64 rng(13);
  std::uniform_real_distribution<double> wide(-30, 30);
  std::vector<double> x;
  for (int k = 0; k < (1 << 20); ++k)
    x.push_back(wide(rng));
  for (const double v : across_binades(-1074, 4, 1 << 19, 14)) {
    x.push_back(v);
    x.push_back(-v);
  }
  for (const double v : {1.0, -1.0, 22.0, -22.0, 0x1p-55, -0x1p-55}) // where the method switches
    add_around(x, v);
  double worst = 0;
  for (const double v : x)
    worst = std::max(worst, ulps(gg_tanh(v), std::tanh(static_cast<long double>(v))));
  MESSAGE("gg_tanh: largest error " << worst << " ulp");
  CHECK(worst < 2.5); // fdlibm's method; 2.07 ulp measured
  CHECK(gg_tanh(0.0) == 0.0);
  CHECK(gg_tanh(-0.7) == -gg_tanh(0.7));
  CHECK(gg_tanh(30.0) == 1.0);
  CHECK(std::isnan(gg_tanh(std::nan(""))));
}

TEST_CASE("elementary: gg_pow within (1 + |y ln x|) 2^-52, exact for y = 1 and 2") {
  std::mt19937_64 rng(15);
  std::uniform_real_distribution<double> unit_y(0.01, 5.0), rates(0.0, 1000.0);
  const std::vector<double> wide = across_binades(-1074, 100, 1 << 19, 16);
  double worst = 0; // relative error over (1 + |y ln x|) 2^-52
  for (std::size_t k = 0; k < wide.size(); ++k) {
    const double x = k % 2 ? rates(rng) : wide[k], y = unit_y(rng);
    const long double exact = std::pow(static_cast<long double>(x), static_cast<long double>(y));
    if (!(exact > 1e-300L && exact < 1e300L)) continue; // gg_exp's range
    const double rel = double(std::fabs(static_cast<long double>(gg_pow(x, y)) - exact) / exact);
    worst = std::max(worst, rel / ((1 + std::fabs(y * std::log(x))) * 0x1p-52));
  }
  MESSAGE("gg_pow: largest relative error " << worst << " (1 + |y ln x|) 2^-52");
  CHECK(worst < 1.0);
  for (const double v : wide) {
    if (gg_pow(v, 1.0) != v || gg_pow(v, 2.0) != v * v) {
      FAIL("gg_pow(x, 1) or (x, 2) is not exact at " << v);
      break;
    }
  }
  CHECK(gg_pow(0.0, 1.5) == 0.0);
  CHECK(std::isnan(gg_pow(-1.0, 1.5)));
}

TEST_CASE("elementary: gg_sincospi below 1 ulp, exact at the multiples of 1/2") {
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> turn(-4.0, 4.0), unit(0.0, 1.0);
  std::vector<double> x;
  for (int k = 0; k < (1 << 20); ++k) {
    x.push_back(turn(rng));
    x.push_back(2.0 * unit(rng)); // Box-Muller's angle
  }
  const std::vector<double> tiny = across_binades(-1000, -3, 1 << 18, 8);
  for (const double v : tiny)
    for (const double j : {0.0, 0.5, 1.0, 1.5, -0.5})
      x.push_back(j + v);
  for (const double v : {0.25, 0.75, -0.25, 1.25, 0x1p40 + 0.25, 0x1p49})
    add_around(x, v);
  std::vector<double> s(x.size()), c(x.size());
  sincospi_all(x.data(), s.data(), c.data(), x.size());
  double worst_sin = 0, worst_cos = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    long double es, ec;
    sincospi_exact(x[i], es, ec);
    if (es != 0) worst_sin = std::max(worst_sin, ulps(s[i], es));
    if (ec != 0) worst_cos = std::max(worst_cos, ulps(c[i], ec));
  }
  MESSAGE("gg_sincospi: largest error " << worst_sin << " ulp (sin), " << worst_cos
                                        << " ulp (cos)");
  CHECK(worst_sin < 1.0);
  CHECK(worst_cos < 1.0);
  for (int j = -8; j <= 8; ++j) { // sin and cos of multiples of pi/2 are exact
    double sv, cv;
    gg_sincospi(0.5 * j, &sv, &cv);
    const int q = ((j % 4) + 4) % 4;
    CHECK(std::fabs(sv) == (q % 2 ? 1.0 : 0.0));
    CHECK(std::fabs(cv) == (q % 2 ? 0.0 : 1.0));
  }
}

TEST_CASE("elementary: a GANGLION_SIMD loop gives the same bits as one call per element") {
  std::mt19937_64 rng(11);
  std::uniform_real_distribution<double> u(0.0, 1.0), w(-50, 50);
  const std::size_t n = 4099; // not a multiple of any vector width: the remainder loop too
  std::vector<double> x(n), xe(n), y(n), ye(n), s(n), c(n);
  for (std::size_t i = 0; i < n; ++i) {
    x[i] = u(rng);
    xe[i] = w(rng);
  }
  log_all(x.data(), y.data(), n);
  exp_all(xe.data(), ye.data(), n);
  sincospi_all(xe.data(), s.data(), c.data(), n);
  bool same = true;
  for (std::size_t i = 0; i < n; ++i) {
    double so, co;
    sincospi_one(xe[i], &so, &co);
    same &= y[i] == log_one(x[i]) && ye[i] == exp_one(xe[i]) && s[i] == so && c[i] == co;
  }
  CHECK(same);
}
