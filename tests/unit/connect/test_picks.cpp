// framework/src/connect/picks: a row's picks are sorted, as many as asked, distinct where asked
// (also when drawn as a complement), skip the autapse, are floor(u c) of the row's uniforms with
// multapses, and are uniform over the candidates (chi-square); sort_below sorts by counting.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <set>
#include <vector>

#include "connect/picks.hpp"
#include "random/draws.hpp"

using namespace ganglion;

TEST_CASE("picks: sorted, k of them, distinct when asked, never the skipped index") {
  const PhiloxKey key(3, 4);
  for (const bool multapses : {true, false})
    for (const uint64_t n : {1ull, 2ull, 63ull, 64ull, 65ull, 1000ull, 70000ull})
      for (const uint64_t k : {0ull, 1ull, 5ull, 40ull, 63ull, 100ull, 999ull}) {
        for (const uint64_t skip : {kNoSkip, n / 2}) {
          const uint64_t candidates = n - (skip < n ? 1 : 0);
          if (candidates == 0 || (!multapses && k > candidates)) continue;
          CAPTURE(multapses);
          CAPTURE(n);
          CAPTURE(k);
          std::vector<uint32_t> out = {7}; // picks are appended
          pick_sorted(key, n * 1000 + k, n, k, skip, multapses, out);
          REQUIRE(out.size() == k + 1);
          CHECK(out[0] == 7);
          CHECK(std::is_sorted(out.begin() + 1, out.end()));
          for (std::size_t i = 1; i < out.size(); ++i) {
            CHECK(out[i] < n);
            CHECK(out[i] != skip);
          }
          if (!multapses) CHECK(std::set<uint32_t>(out.begin() + 1, out.end()).size() == k);
        }
      }
}

TEST_CASE("picks: with multapses, the sorted floor(u c) of the row's uniforms") {
  const PhiloxKey key(5, 6);
  const uint64_t n = 5000, k = 700, skip = 1234;
  std::vector<uint32_t> out;
  pick_sorted(key, 99, n, k, skip, true, out);
  Draws draws(5, 6, 99);
  std::vector<uint32_t> expected;
  for (uint64_t i = 0; i < k; ++i) {
    const uint64_t x = draws.below(n - 1);
    expected.push_back(uint32_t(x + (x >= skip)));
  }
  std::sort(expected.begin(), expected.end());
  CHECK(out == expected);
  // One pick at a time (multapse_pick, what a device's threads draw), sorted: the same row, with
  // and without a skip, for rows of odd and even length.
  for (const uint64_t s : {skip, kNoSkip})
    for (const uint64_t len : {k, k + 1}) {
      out.clear();
      pick_sorted(key, 99, n, len, s, true, out);
      std::vector<uint32_t> one;
      for (uint64_t i = 0; i < len; ++i)
        one.push_back(multapse_pick(5, 6, 99, n, i, s));
      std::sort(one.begin(), one.end());
      CHECK(out == one);
    }
}

TEST_CASE("picks: distinct_row (one uniform at a time, a device's) gives pick_sorted's rows "
          "without multapses") {
  // Both ways of pick_sorted: the picks kept (k at most half the candidates) and the complement
  // (more than half), with and without a skip, and rows that end inside a word of the bitmap.
  const PhiloxKey key(5, 6);
  for (const uint64_t n : {130ul, 1000ul})
    for (const uint64_t k : {1ul, n / 3, n / 2, n - n / 4, n - 1})
      for (const uint64_t skip : {uint64_t(7), kNoSkip}) {
        CAPTURE(n);
        CAPTURE(k);
        std::vector<uint32_t> out;
        pick_sorted(key, 42, n, k, skip, false, out);
        std::vector<uint64_t> taken((n + 63) / 64, 0);
        std::vector<uint32_t> one(k);
        distinct_row(5, 6, 42, n, k, skip, taken.data(), one.data());
        std::sort(one.begin(), one.end());
        CHECK(out == one);
        CHECK(std::count(taken.begin(), taken.end(), 0u) == long(taken.size())); // left clear
      }
}

TEST_CASE("picks: every candidate equally likely, with and without multapses (chi-square)") {
  // 20000 rows of picks from 50 candidates (the 51st skipped): 30 picks each without multapses
  // (more than half: the complement), 10 with; each candidate's count has expectation
  // 20000 k / 50. The chi-square on 49 degrees of freedom must lie below 49 + 3.7 sqrt(98) + 8
  // (its 99.99th percentile, about), which a correct sampler fails once in 10^4 seeds.
  const PhiloxKey key(7, 8);
  for (const auto &[multapses, k] : {std::pair<bool, uint64_t>{false, 30}, {true, 10}}) {
    std::vector<double> count(51, 0);
    std::vector<uint32_t> out;
    for (uint64_t row = 0; row < 20000; ++row) {
      out.clear();
      pick_sorted(key, row, 51, k, 50, multapses, out);
      for (uint32_t x : out)
        ++count[x];
    }
    CHECK(count[50] == 0);
    const double expected = 20000.0 * double(k) / 50;
    double chi = 0;
    for (int j = 0; j < 50; ++j)
      chi += (count[j] - expected) * (count[j] - expected) / expected;
    // Without multapses each row's counts are 0 or 1 with a fixed total, which shrinks the
    // variance by (50 - 30) / 49: scale the statistic back to chi-square's.
    if (!multapses) chi *= 49.0 / 20.0;
    MESSAGE("picks (multapses " << multapses << "): chi-square " << chi << " on 49 dof");
    CHECK(chi < 49 + 3.7 * std::sqrt(98.0) + 8);
  }
}

TEST_CASE("picks: sort_below sorts, in one or several counting passes") {
  std::mt19937_64 rng(1);
  for (const uint64_t bound : {1ull, 200ull, 256ull, 257ull, 70000ull, 1ull << 32})
    for (const std::size_t k : {0ul, 10ul, 63ul, 64ul, 5000ul}) {
      std::vector<uint32_t> v(k);
      for (uint32_t &x : v)
        x = uint32_t(rng() % bound);
      std::vector<uint32_t> expected = v;
      std::sort(expected.begin(), expected.end());
      sort_below(v.data(), k, bound);
      CHECK(v == expected);
    }
}
