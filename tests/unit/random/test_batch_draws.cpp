// The batched draws of framework/src/random/batch_draws: batch_uniforms gives Draws' uniforms, in
// order, from any even start; geometric_gaps gives floor(log(u) / log(1 - p)) exactly as std::log
// does, on random uniforms and on the uniforms where the quotient is closest to an integer (q^k
// and its neighbours, where the fast log hands the decision to std::log).
#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include "random/batch_draws.hpp"
#include "random/draws.hpp"

using namespace ganglion;

TEST_CASE("random: batch_uniforms gives Draws' uniforms from any even start") {
  const uint64_t seed = 9, stream = streams::kConnect + 3;
  for (const uint64_t id : {0ull, 5ull, (1ull << 32) + 7, (3ull << 40) + 12345}) {
    Draws draws(seed, stream, id);
    std::vector<double> one_by_one(600);
    for (double &u : one_by_one) u = draws.uniform();
    for (const uint64_t first : {0ull, 2ull, 64ull})
      for (const std::size_t n : {1ul, 2ul, 7ul, 64ul, 500ul}) {
        std::vector<double> batch(n);
        batch_uniforms(PhiloxKey(seed, stream), id, first, n, batch.data());
        for (std::size_t k = 0; k < n; ++k) REQUIRE(batch[k] == one_by_one[first + k]);
      }
  }
}

TEST_CASE("random: geometric_gaps equals floor(std::log(u) / log_q), bit for bit") {
  std::vector<double> u(200000), gaps(u.size());
  Draws draws(1, 2, 3);
  for (double &x : u) x = draws.uniform();
  for (const double p : {0.5, 0.1, 1e-3, 1e-6, 0.999, 1.0 - 1e-7}) {
    CAPTURE(p);
    const double log_q = std::log1p(-p);
    geometric_gaps(u.data(), u.size(), log_q, gaps.data());
    for (std::size_t k = 0; k < u.size(); ++k)
      REQUIRE(gaps[k] == std::floor(std::log(u[k]) / log_q));
    // u = q^k puts the quotient at k, the nearest any u comes to a boundary; its neighbours
    // either side too. Down to 2^-60, below the smallest uniform Draws gives (2^-54).
    std::vector<double> edge;
    for (int k = 1; k < 5000; ++k) {
      const double v = std::exp(log_q * k);
      if (v < 0x1p-60) break;
      for (const double w : {std::nextafter(v, 0.0), v, std::nextafter(v, 1.0)})
        if (w < 1) edge.push_back(w);
    }
    std::vector<double> edge_gaps(edge.size());
    geometric_gaps(edge.data(), edge.size(), log_q, edge_gaps.data());
    for (std::size_t k = 0; k < edge.size(); ++k)
      REQUIRE(edge_gaps[k] == std::floor(std::log(edge[k]) / log_q));
  }
}
