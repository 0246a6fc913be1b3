// The batched draws of framework/src/random/batch_draws: batch_uniforms gives Draws' uniforms, in
// order, from any even start; geometric_gaps is floor(gg_log(u) / log(1 - p)) (by the inverse);
// draw_items gives each item the value its own counter defines (whatever the batch), redraws
// outside the range, and its normal, uniform and log-normal values have the asked moments.
#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include "ganglion/elementary.h"
#include "random/batch_draws.hpp"
#include "random/draws.hpp"
#include "random/transforms.hpp"

using namespace ganglion;

namespace {

// Item k of row id at attempt a, by ItemDraw's definition, one at a time.
double item_by_definition(const ItemDraw &d, uint64_t seed, uint64_t stream, uint64_t id,
                          uint32_t attempt, uint64_t k) {
  const gg_u32x4 w =
      gg_random4(seed, stream, uint32_t(id), uint32_t(id >> 32), attempt, uint32_t(k / 2));
  const double u0 = gg_uniform(w.v[0], w.v[1]), u1 = gg_uniform(w.v[2], w.v[3]);
  if (d.kind == ItemDraw::Kind::Uniform) return d.a + (d.b - d.a) * (k % 2 ? u1 : u0);
  double z0, z1;
  normal_pair(u0, u1, z0, z1);
  const double z = k % 2 ? z1 : z0;
  return d.kind == ItemDraw::Kind::Normal ? d.a + d.b * z : d.sign * gg_exp(d.a + d.b * z);
}

struct Moments {
  double mean = 0, var = 0;
};

Moments moments(const std::vector<double> &x) {
  Moments m;
  for (double v : x)
    m.mean += v;
  m.mean /= double(x.size());
  for (double v : x)
    m.var += (v - m.mean) * (v - m.mean);
  m.var /= double(x.size() - 1);
  return m;
}

// 400 rows of 2500 items each (10^6 values) of one draw.
std::vector<double> many(const ItemDraw &d) {
  std::vector<double> all, row(2500);
  for (uint64_t id = 0; id < 400; ++id) {
    draw_items(d, PhiloxKey(3, 17), 1000 + id, row.size(), row.data());
    all.insert(all.end(), row.begin(), row.end());
  }
  return all;
}

} // namespace

TEST_CASE("random: batch_uniforms gives Draws' uniforms from any even start") {
  const uint64_t seed = 9, stream = streams::kConnect + 3;
  for (const uint64_t id : {0ull, 5ull, (1ull << 32) + 7, (3ull << 40) + 12345}) {
    Draws draws(seed, stream, id);
    std::vector<double> one_by_one(600);
    for (double &u : one_by_one)
      u = draws.uniform();
    for (const uint64_t first : {0ull, 2ull, 64ull})
      for (const std::size_t n : {1ul, 2ul, 7ul, 64ul, 500ul}) {
        std::vector<double> batch(n);
        batch_uniforms(PhiloxKey(seed, stream), id, first, n, batch.data());
        for (std::size_t k = 0; k < n; ++k)
          REQUIRE(batch[k] == one_by_one[first + k]);
      }
  }
}

TEST_CASE("random: geometric_gaps is floor(gg_log(u) * inv_log_q), and geometric") {
  std::vector<double> u(200000), gaps(u.size());
  Draws draws(1, 2, 3);
  for (double &x : u)
    x = draws.uniform();
  for (const double p : {0.5, 0.1, 1e-3, 1e-6, 0.999, 1.0 - 1e-7}) {
    CAPTURE(p);
    const double inv_log_q = 1.0 / gg_log1p(-p);
    geometric_gaps(u.data(), u.size(), inv_log_q, gaps.data());
    double sum = 0;
    for (std::size_t k = 0; k < u.size(); ++k) {
      REQUIRE(gaps[k] == std::floor(gg_log(u[k]) * inv_log_q));
      sum += gaps[k];
    }
    // A geometric count of failures has mean q / p and sd sqrt(q) / p: the mean of 200000 lies
    // within 5 sd / sqrt(200000) of it.
    const double q = 1 - p, mean = q / p, sd = std::sqrt(q) / p;
    CHECK(std::fabs(sum / double(u.size()) - mean) < 5 * sd / std::sqrt(double(u.size())) + 1e-12);
  }
}

TEST_CASE("random: draw_items gives each item its own counter's value, in any batch, as item_from "
          "does one at a time") {
  const uint64_t seed = 5, stream = streams::kWeights + 2;
  ItemDraw normal;
  normal.kind = ItemDraw::Kind::Normal;
  normal.a = 1.0;
  normal.b = 0.5;
  ItemDraw uniform;
  uniform.a = -2.0;
  uniform.b = 3.0;
  ItemDraw lognormal;
  lognormal.kind = ItemDraw::Kind::LogNormal;
  const LogNormal ln(2.0, 0.5);
  lognormal.a = ln.mu;
  lognormal.b = ln.sigma;
  lognormal.sign = -1;
  for (const ItemDraw &d : {normal, uniform, lognormal})
    for (const std::size_t n : {1ul, 2ul, 7ul, 1000ul, 1001ul}) {
      std::vector<double> out(n);
      draw_items(d, PhiloxKey(seed, stream), 77, n, out.data());
      for (std::size_t k = 0; k < n; ++k) {
        REQUIRE(out[k] == item_by_definition(d, seed, stream, 77, 0, k));
        // item_from, one item at a time (a device's): the same bits
        REQUIRE(out[k] == item_from(d, PhiloxKey(seed, stream), 77, k, 0));
      }
    }
  // Outside [lo, hi]: the next attempts, item by item; never inside: the fallback.
  ItemDraw kept = normal;
  kept.lo = 1.0;
  std::vector<double> out(1000);
  draw_items(kept, PhiloxKey(seed, stream), 77, out.size(), out.data());
  for (std::size_t k = 0; k < out.size(); ++k) {
    double expected = 0;
    for (uint32_t a = 0;; ++a) {
      expected = item_by_definition(kept, seed, stream, 77, a, k);
      if (expected >= 1.0) break;
    }
    REQUIRE(out[k] == expected);
    REQUIRE(out[k] == item_from(kept, PhiloxKey(seed, stream), 77, k, 0));
  }
  kept.lo = 100.0;
  kept.fallback = 100.0;
  draw_items(kept, PhiloxKey(seed, stream), 77, 3, out.data());
  CHECK(out[0] == 100.0);
  CHECK(item_from(kept, PhiloxKey(seed, stream), 77, 0, 0) == 100.0);
}

TEST_CASE("random: draw_items' normal, uniform and log-normal values have the asked moments") {
  // 10^6 values each. The mean lies within 5 sd / 1000 of the asked one; the sample variance,
  // whose sd is about var sqrt((kurtosis - 1) / n), within 5 of its sds (kurtosis 3 for a
  // normal, 1.8 for a uniform; a log-normal of sd/mean 0.25 has kurtosis 4.1).
  ItemDraw normal;
  normal.kind = ItemDraw::Kind::Normal;
  normal.a = 1.5;
  normal.b = 0.75;
  Moments m = moments(many(normal));
  CHECK(std::fabs(m.mean - 1.5) < 5 * 0.75 / 1000);
  CHECK(std::fabs(m.var - 0.5625) < 5 * 0.5625 * std::sqrt(2.0) / 1000);

  ItemDraw uniform;
  uniform.a = 2.0;
  uniform.b = 5.0;
  m = moments(many(uniform));
  CHECK(std::fabs(m.mean - 3.5) < 5 * std::sqrt(0.75) / 1000);
  CHECK(std::fabs(m.var - 0.75) < 5 * 0.75 * std::sqrt(0.8) / 1000);

  ItemDraw lognormal;
  lognormal.kind = ItemDraw::Kind::LogNormal;
  const LogNormal ln(2.0, 0.5);
  lognormal.a = ln.mu;
  lognormal.b = ln.sigma;
  m = moments(many(lognormal));
  CHECK(std::fabs(m.mean - 2.0) < 5 * 0.5 / 1000);
  CHECK(std::fabs(m.var - 0.25) < 5 * 0.25 * std::sqrt(3.1) / 1000);
}

TEST_CASE("random: Box-Muller's pair is two uncorrelated standard normals") {
  // 10^6 pairs from Draws' uniforms: each mean within 5 / 1000 of 0, each variance within
  // 5 sqrt(2) / 1000 of 1, the correlation within 5 / 1000 of 0; and the share beyond 3 sd,
  // 0.0027 (sd 5.2e-5 over 10^6), within 5 sd of it.
  Draws draws(8, 9, 10);
  double s0 = 0, s1 = 0, q0 = 0, q1 = 0, cross = 0, beyond = 0;
  const int n = 1000000;
  for (int i = 0; i < n; ++i) {
    const double u1 = draws.uniform(), u2 = draws.uniform();
    double z0, z1;
    normal_pair(u1, u2, z0, z1);
    s0 += z0;
    s1 += z1;
    q0 += z0 * z0;
    q1 += z1 * z1;
    cross += z0 * z1;
    beyond += std::fabs(z0) > 3;
  }
  CHECK(std::fabs(s0 / n) < 5e-3);
  CHECK(std::fabs(s1 / n) < 5e-3);
  CHECK(std::fabs(q0 / n - 1) < 5 * std::sqrt(2.0) / 1000);
  CHECK(std::fabs(q1 / n - 1) < 5 * std::sqrt(2.0) / 1000);
  CHECK(std::fabs(cross / n) < 5e-3);
  CHECK(std::fabs(beyond / n - 0.0026998) < 5 * 5.2e-5);
}

TEST_CASE("random: first_uniforms gives each id's first Draws uniform") {
  const PhiloxKey key(42, 9);
  // Ids of any size, fewer and more than a batch of lanes.
  for (std::size_t n : {1u, 31u, 32u, 33u, 100u}) {
    CAPTURE(n);
    std::vector<uint32_t> low(n);
    for (std::size_t j = 0; j < n; ++j)
      low[j] = uint32_t(j * 2654435761u);
    std::vector<double> u(n);
    first_uniforms(key, 5, low.data(), 77, n, u.data());
    for (std::size_t j = 0; j < n; ++j)
      CHECK(u[j] == Draws(42, 9, uint64_t(5) << 32 | low[j], 77).uniform());
  }
}
