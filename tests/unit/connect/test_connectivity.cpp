// Connectivity rules, weights and delays of framework/src/connect: the counts each rule promises
// (exact where the rule fixes them, within binomial tolerances where it draws them), multapses
// and autapses as asked, one sign per projection, drawn delays in whole steps of at least one
// (with an index of each delay's run of a row that agrees with a search), the same synapses for
// the same seed, and the same CSR, bit for bit, for any thread count.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <set>
#include <stdexcept>
#include <tuple>
#include <utility>
#include <vector>

#include "../../gpu/reference_row_builder.hpp"
#include "../../gpu/reference_rows.hpp"
#include "connect/connectivity.hpp"
#include "connect/picks.hpp"
#include "connect/synapse_values.hpp"
#include "engine/thread_pool.hpp"
#include "ganglion/elementary.h"
#include "random/batch_draws.hpp"
#include "random/draws.hpp"
#include "random/transforms.hpp"

using namespace ganglion;

namespace {

PopulationSpec population(uint64_t size, uint64_t first_gid) {
  PopulationSpec p;
  p.size = size;
  p.first_gid = first_gid;
  return p;
}

ProjectionSpec projection(ConnectRule rule, bool self = false) {
  ProjectionSpec q;
  q.pointer = "/projections/0";
  q.rule = rule;
  q.pre = 0;
  q.post = self ? 0 : 1;
  q.weight = 0.5;
  q.weight_dist.a = 0.5;
  q.delay_steps = 1;
  q.stream = 1;
  return q;
}

// c's targets, 16- or 32-bit, as 32-bit values; and its row offsets.
std::vector<uint32_t> targets_of(const Csr &c) {
  std::vector<uint32_t> t(c.size());
  for (uint64_t s = 0; s < c.size(); ++s)
    t[s] = uint32_t(c.post(s));
  return t;
}

std::vector<uint64_t> offsets_of(const Csr &c) {
  return {c.row_ptr.begin(), c.row_ptr.end()};
}

std::vector<uint64_t> in_degrees(const Csr &c, uint64_t n_post) {
  std::vector<uint64_t> d(n_post, 0);
  for (uint32_t j : c.post_index)
    ++d[j];
  return d;
}

std::set<std::pair<uint64_t, uint32_t>> pairs(const Csr &c) {
  std::set<std::pair<uint64_t, uint32_t>> s;
  for (uint64_t i = 0; i + 1 < c.row_ptr.size(); ++i)
    for (uint64_t k = c.row_ptr[i]; k < c.row_ptr[i + 1]; ++k)
      s.insert({i, c.post_index[k]});
  return s;
}

void check_same(const Csr &a, const Csr &b) {
  CHECK(a.row_ptr == b.row_ptr);
  CHECK(std::equal(a.delay_ends16.begin(), a.delay_ends16.end(), b.delay_ends16.begin(),
                   b.delay_ends16.end()));
  CHECK(std::equal(a.delay_ends.begin(), a.delay_ends.end(), b.delay_ends.begin(),
                   b.delay_ends.end()));
  CHECK(std::equal(a.post_index.begin(), a.post_index.end(), b.post_index.begin(),
                   b.post_index.end()));
  CHECK(std::equal(a.weight.begin(), a.weight.end(), b.weight.begin(), b.weight.end()));
  CHECK(std::equal(a.delay.begin(), a.delay.end(), b.delay.begin(), b.delay.end()));
  CHECK(a.max_delay == b.max_delay);
}

} // namespace

TEST_CASE("connect: fixed_indegree gives every postsynaptic neuron exactly K sources") {
  const PopulationSpec pre = population(300, 0), post = population(200, 300);
  ProjectionSpec q = projection(ConnectRule::FixedIndegree);
  q.indegree = 40;
  for (const bool multapses : {true, false}) {
    q.allow_multapses = multapses;
    const Csr c = build_connectivity(q, pre, post, 7, 0.1);
    CHECK(c.size() == 200 * 40);
    for (uint64_t d : in_degrees(c, 200))
      CHECK(d == 40);
    if (!multapses) CHECK(pairs(c).size() == c.size()); // no pair twice
  }
}

TEST_CASE("connect: fixed_outdegree gives every presynaptic neuron exactly K targets") {
  const PopulationSpec pre = population(150, 0);
  ProjectionSpec q = projection(ConnectRule::FixedOutdegree, true);
  q.outdegree = 149;
  q.allow_multapses = false;
  q.allow_autapses = false;
  const Csr c = build_connectivity(q, pre, pre, 7, 0.1);
  for (uint64_t i = 0; i < 150; ++i) {
    CHECK(c.row_ptr[i + 1] - c.row_ptr[i] == 149);
    for (uint64_t k = c.row_ptr[i]; k < c.row_ptr[i + 1]; ++k)
      CHECK(c.post_index[k] != i);
  }
  CHECK(pairs(c).size() == c.size()); // every other neuron exactly once
  q.outdegree = 150;                  // one more than there are targets without autapses
  CHECK_THROWS_WITH(build_connectivity(q, pre, pre, 7, 0.1),
                    doctest::Contains("cannot be drawn from 149 targets"));
}

TEST_CASE("connect: fixed_total_number makes exactly M synapses, distinct without multapses") {
  const PopulationSpec pre = population(40, 0), post = population(30, 40);
  ProjectionSpec q = projection(ConnectRule::FixedTotalNumber);
  q.total = 1000;
  q.allow_multapses = false;
  const Csr c = build_connectivity(q, pre, post, 3, 0.1);
  CHECK(c.size() == 1000);
  CHECK(pairs(c).size() == 1000);
  q.total = 40 * 30 + 1;
  CHECK_THROWS_WITH(build_connectivity(q, pre, post, 3, 0.1),
                    doctest::Contains("cannot be drawn without multapses"));
}

namespace {

// The mean and the sample variance of the row lengths (out-degrees) or of the in-degrees.
std::pair<double, double> mean_var(const std::vector<uint64_t> &x) {
  double mean = 0, var = 0;
  for (uint64_t v : x)
    mean += double(v);
  mean /= double(x.size());
  for (uint64_t v : x)
    var += (double(v) - mean) * (double(v) - mean);
  return {mean, var / double(x.size() - 1)};
}

std::vector<uint64_t> out_degrees(const Csr &c) {
  std::vector<uint64_t> d;
  for (uint64_t i = 0; i + 1 < c.row_ptr.size(); ++i)
    d.push_back(c.row_ptr[i + 1] - c.row_ptr[i]);
  return d;
}

} // namespace

TEST_CASE("connect: fixed_total_number's rows are multinomial, its targets uniform") {
  // 200000 synapses from 2000 onto 1000 neurons with multapses: row counts are multinomial,
  // each Binomial(200000, 1/2000) (mean 100, variance 99.95), in-degrees each
  // Binomial(200000, 1/1000) (mean 200, variance 199.8). The sample mean of the 2000 out-degrees is
  // exactly 100; their sample variance has sd about var sqrt(2 / 2000), so it lies within 5 of
  // those of the binomial's variance; likewise the in-degrees' (1000 of them), whose mean is 200.
  const PopulationSpec pre = population(2000, 0), post = population(1000, 2000);
  ProjectionSpec q = projection(ConnectRule::FixedTotalNumber);
  q.total = 200000;
  ThreadPool two(2);
  const Csr c = build_connectivity(q, pre, post, 17, 0.1, &two);
  REQUIRE(c.size() == 200000);
  const auto [row_mean, row_var] = mean_var(out_degrees(c));
  CHECK(row_mean == doctest::Approx(100.0));
  CHECK(std::fabs(row_var - 99.95) < 5 * 99.95 * std::sqrt(2.0 / 2000));
  const auto [in_mean, in_var] = mean_var(in_degrees(c, 1000));
  CHECK(in_mean == doctest::Approx(200.0));
  CHECK(std::fabs(in_var - 199.8) < 5 * 199.8 * std::sqrt(2.0 / 1000));
  // Multapses occur: a row of about 100 picks among 1000 repeats one with probability 0.99.
  CHECK(pairs(c).size() < c.size());
  for (uint64_t i = 0; i < 2000; ++i) // rows ascend
    for (uint64_t k = c.row_ptr[i] + 1; k < c.row_ptr[i + 1]; ++k)
      REQUIRE(c.post_index[k - 1] <= c.post_index[k]);
}

TEST_CASE("connect: fixed_total_number without multapses: hypergeometric rows, distinct pairs") {
  // 40000 of the 300 x 299 = 89700 pairs of a population onto itself, without autapses or
  // multapses: each row's count is hypergeometric, mean 40000 / 300 = 133.33, variance
  // 133.33 (1 - 1/300) (89700 - 40000) / (89700 - 1) = 73.62; the sample variance of 300 rows has
  // sd about var sqrt(2 / 300), and lies within 5 of them. No pair twice, no neuron onto itself;
  // the same at 1 and at 3 threads; one synapse more than there are pairs is refused.
  const PopulationSpec pop = population(300, 10);
  ProjectionSpec q = projection(ConnectRule::FixedTotalNumber, true);
  q.total = 40000;
  q.allow_multapses = false;
  q.allow_autapses = false;
  ThreadPool one(1), three(3);
  const Csr c = build_connectivity(q, pop, pop, 23, 0.1, &three);
  REQUIRE(c.size() == 40000);
  CHECK(pairs(c).size() == 40000);
  for (const auto &[i, j] : pairs(c))
    REQUIRE(i != j);
  const auto [mean, var] = mean_var(out_degrees(c));
  const double expected = (40000.0 / 300) * (1 - 1.0 / 300) * (89700.0 - 40000) / (89700 - 1);
  CHECK(mean == doctest::Approx(40000.0 / 300));
  CHECK(std::fabs(var - expected) < 5 * expected * std::sqrt(2.0 / 300));
  check_same(c, build_connectivity(q, pop, pop, 23, 0.1, &one));
  q.total = 89700; // every pair
  CHECK(build_connectivity(q, pop, pop, 23, 0.1, &three).size() == 89700);
  q.total = 89701;
  CHECK_THROWS_WITH(build_connectivity(q, pop, pop, 23, 0.1),
                    doctest::Contains("cannot be drawn without multapses"));
}

TEST_CASE("connect: fixed_probability draws each pair with probability p") {
  // 500 x 400 pairs at p = 0.1: the count is binomial, mean 20000, sd sqrt(20000 * 0.9) = 134;
  // within 4 sd. Without autapses on a self-projection the diagonal stays empty.
  const PopulationSpec pre = population(500, 0), post = population(400, 500);
  ProjectionSpec q = projection(ConnectRule::FixedProbability);
  q.p = 0.1;
  const Csr c = build_connectivity(q, pre, post, 11, 0.1);
  CHECK(std::abs(double(c.size()) - 20000.0) < 4 * std::sqrt(20000.0 * 0.9));
  ProjectionSpec self = projection(ConnectRule::FixedProbability, true);
  self.p = 1.0;
  self.allow_autapses = false;
  const Csr d = build_connectivity(self, pre, pre, 11, 0.1);
  CHECK(d.size() == 500 * 499);
  for (const auto &[i, j] : pairs(d))
    CHECK(i != j);
}

TEST_CASE("connect: one_to_one and all_to_all") {
  const PopulationSpec pre = population(20, 0), post = population(20, 20);
  const Csr one = build_connectivity(projection(ConnectRule::OneToOne), pre, post, 1, 0.1);
  CHECK(one.size() == 20);
  for (uint64_t i = 0; i < 20; ++i)
    CHECK(one.post_index[one.row_ptr[i]] == i);
  const Csr all = build_connectivity(projection(ConnectRule::AllToAll), pre, post, 1, 0.1);
  CHECK(all.size() == 400);
}

TEST_CASE("connect: the same seed gives the same synapses, another seed others") {
  const PopulationSpec pre = population(200, 0), post = population(200, 200);
  ProjectionSpec q = projection(ConnectRule::FixedProbability);
  q.p = 0.2;
  const Csr a = build_connectivity(q, pre, post, 5, 0.1),
            b = build_connectivity(q, pre, post, 5, 0.1);
  const Csr other = build_connectivity(q, pre, post, 6, 0.1);
  CHECK(a.row_ptr == b.row_ptr);
  CHECK(std::equal(a.post_index.begin(), a.post_index.end(), b.post_index.begin()));
  CHECK(pairs(a) != pairs(other));
}

TEST_CASE("connect: drawn weights keep the projection's sign and have the asked mean") {
  // Normal(-1, 1) weights on 40000 synapses, redrawn where positive: the truncated normal's mean
  // is -1 - phi(1)/Phi(1) = -1.2876 (phi, Phi of the standard normal at 1); its sd is 0.62, so
  // the sample mean is within 4 * 0.62 / 200 = 0.012.
  const PopulationSpec pre = population(200, 0), post = population(200, 200);
  ProjectionSpec q = projection(ConnectRule::AllToAll);
  q.weight = -1;
  q.weight_dist.kind = ValueSpec::Kind::Normal;
  q.weight_dist.a = -1;
  q.weight_dist.b = 1;
  const Csr c = build_connectivity(q, pre, post, 9, 0.1);
  double sum = 0;
  for (float w : c.weight) {
    CHECK(w <= 0);
    sum += w;
  }
  CHECK(sum / double(c.size()) == doctest::Approx(-1.2876).epsilon(0.012 / 1.2876));
}

TEST_CASE("connect: fixed_probability's rows walked one gap at a time (the device's code) are "
          "the CPU's, bit for bit") {
  // BernoulliRow (bernoulli_row.hpp) is what a device build walks; the CPU draws its uniforms and
  // gaps in vectorised batches. Both must make the same synapses, with and without autapses, for
  // sparse and dense rows, short and long.
  struct Case {
    uint64_t n_pre, n_post;
    double p;
    bool self;
  };
  for (const Case &k : {Case{300, 200, 0.05, false}, Case{300, 300, 0.5, true},
                        Case{50, 20000, 0.002, false}, Case{400, 400, 0.95, true}}) {
    CAPTURE(k.p);
    const PopulationSpec pre = population(k.n_pre, 7), post = population(k.n_post, 1000000);
    ProjectionSpec q = projection(ConnectRule::FixedProbability, k.self);
    q.p = k.p;
    q.allow_autapses = false;
    const Csr c = build_connectivity(q, pre, k.self ? pre : post, 9, 0.1);
    const ganglion::test::Rows walked = ganglion::test::bernoulli_rows(
        9, streams::kConnect + q.stream, k.p, k.n_pre, k.n_post, pre.first_gid, k.self);
    REQUIRE(c.size() > 0);
    CHECK(offsets_of(c) == walked.row_ptr);
    CHECK(targets_of(c) == walked.post);
  }
}

TEST_CASE("connect: all_to_all's and one_to_one's rows are the closed form the device fills "
          "(AllToAllRows)") {
  for (const bool self : {false, true}) {
    CAPTURE(self);
    const uint64_t n_pre = 37, n_post = self ? 37 : 53;
    const PopulationSpec pre = population(n_pre, 3), post = population(n_post, 5000);
    ProjectionSpec q = projection(ConnectRule::AllToAll, self);
    q.allow_autapses = false;
    const Csr c = build_connectivity(q, pre, self ? pre : post, 21, 0.1);
    const ganglion::test::Rows expected = ganglion::test::all_to_all_rows(n_pre, n_post, self);
    CHECK(offsets_of(c) == expected.row_ptr);
    CHECK(targets_of(c) == expected.post);
    CHECK(c.size() == n_pre * n_post - (self ? n_pre : 0));
  }
  // More rows than targets, without autapses: the rows past the last target have none to skip.
  const AllToAllRows tall{5, true};
  CHECK(tall.row_start(9) == 9 * 5 - 5);
  CHECK(tall.place(7, 4) == 7 * 5 - 5 + 4);
  const PopulationSpec n = population(40, 3);
  const Csr one =
      build_connectivity(projection(ConnectRule::OneToOne), n, population(40, 90), 21, 0.1);
  std::vector<uint64_t> diagonal(41);
  std::iota(diagonal.begin(), diagonal.end(), 0);
  CHECK(offsets_of(one) == diagonal);
  CHECK(targets_of(one) == std::vector<uint32_t>(diagonal.begin(), diagonal.end() - 1));
}

TEST_CASE("connect: fixed_indegree is each column's picks by the device's code (multapse_pick, "
          "distinct_row) put into rows in column order") {
  // What gpu/connect does: column j's k picks, pair (pick, j) in column order, then a stable sort
  // by source. The CPU's CSR must be exactly that, with and without multapses and autapses.
  for (const bool multapses : {true, false})
    for (const bool self : {false, true}) {
      CAPTURE(multapses);
      CAPTURE(self);
      const uint64_t n_pre = 700, n_post = self ? 700 : 900, k = multapses ? 60 : 500;
      const PopulationSpec pre = population(n_pre, 3), post = population(n_post, 5000);
      ProjectionSpec q = projection(ConnectRule::FixedIndegree, self);
      q.indegree = k;
      q.allow_autapses = false;
      q.allow_multapses = multapses;
      const Csr c = build_connectivity(q, pre, self ? pre : post, 21, 0.1);
      const uint64_t stream = streams::kConnect + q.stream, first = (self ? pre : post).first_gid;
      const ganglion::test::Rows expected =
          ganglion::test::column_rows(21, stream, n_pre, n_post, k, first, self, multapses);
      CHECK(offsets_of(c) == expected.row_ptr);
      CHECK(targets_of(c) == expected.post);
    }
}

TEST_CASE("connect: drawn weights and delays are each synapse's item_from, rows stably sorted by "
          "delay (the device's construction)") {
  // The CPU draws a row's values in vectorised batches and sorts the row by counting; the device
  // draws each synapse alone and sorts each row stably (reference_rows.hpp's delayed_rows). Both
  // must give the same targets, weights and delays, normal weights and delays with a "min" here.
  const PopulationSpec pre = population(300, 11), post = population(400, 900);
  ProjectionSpec q = projection(ConnectRule::FixedProbability);
  q.p = 0.2;
  q.weight = -1.4;
  q.weight_dist.kind = ValueSpec::Kind::Normal;
  q.weight_dist.a = -1.4;
  q.weight_dist.b = 0.5; // a draw of the other sign is drawn again: some are
  q.delay_dist.kind = ValueSpec::Kind::Normal;
  q.delay_dist.a = 0.85;
  q.delay_dist.b = 0.375;
  q.delay_min = 0.2;
  const Csr c = build_connectivity(q, pre, post, 31, 0.1);
  REQUIRE(c.delay.size() == c.size());
  // The rows' targets before the sort by delay: fixed_probability's, ascending.
  const ganglion::test::Rows rows = ganglion::test::bernoulli_rows(
      31, streams::kConnect + q.stream, q.p, pre.size, post.size, pre.first_gid, false);
  ItemDraw weight, delay;
  weight.kind = delay.kind = ItemDraw::Kind::Normal;
  weight.a = -1.4;
  weight.b = 0.5;
  weight.lo = -HUGE_VAL;
  weight.hi = 0.0;
  weight.fallback = -1.4;
  delay.a = 0.85;
  delay.b = 0.375;
  delay.lo = 0.2;
  delay.fallback = 0.85;
  const ganglion::test::DelayedRows ref = ganglion::test::delayed_rows(
      rows.row_ptr, rows.post, weight, PhiloxKey(31, streams::kWeights + q.stream), delay,
      PhiloxKey(31, streams::kDelays + q.stream), pre.first_gid, 0.1);
  CHECK(targets_of(c) == ref.post);
  CHECK(std::vector<float>(c.weight.begin(), c.weight.end()) == ref.weight);
  CHECK(std::vector<uint16_t>(c.delay.begin(), c.delay.end()) == ref.delay);
}

TEST_CASE("connect: drawn delays are whole steps of at least one, rows sorted by delay") {
  const PopulationSpec pre = population(100, 0), post = population(100, 100);
  ProjectionSpec q = projection(ConnectRule::AllToAll);
  q.delay_dist.kind = ValueSpec::Kind::Uniform;
  q.delay_dist.a = 0.0; // ms: the lower part rounds to 0 steps and is raised to one
  q.delay_dist.b = 2.0;
  const Csr c = build_connectivity(q, pre, post, 4, 0.1);
  REQUIRE(c.delay.size() == c.size());
  uint64_t ones = 0;
  for (uint64_t i = 0; i < 100; ++i)
    for (uint64_t k = c.row_ptr[i]; k < c.row_ptr[i + 1]; ++k) {
      CHECK(c.delay[k] >= 1);
      CHECK(c.delay[k] <= 20);
      if (k > c.row_ptr[i]) CHECK(c.delay[k - 1] <= c.delay[k]);
      ones += c.delay[k] == 1;
    }
  CHECK(c.max_delay == 20);
  // Draws below 0.15 ms round to 0 or 1 step: a share of 0.075 of 10000, sd 26; within 4 sd.
  CHECK(std::abs(double(ones) - 750.0) < 4 * 26.3);
}

TEST_CASE("connect: a normal delay with a smallest value draws again below it (NEST's redraw)") {
  const PopulationSpec pre = population(100, 0), post = population(100, 100);
  ProjectionSpec q = projection(ConnectRule::AllToAll);
  q.delay_dist.kind = ValueSpec::Kind::Normal;
  q.delay_dist.a = 0.85; // ms
  q.delay_dist.b = 0.375;
  q.delay_min = 0.2;
  const Csr c = build_connectivity(q, pre, post, 4, 0.1);
  REQUIRE(c.delay.size() == c.size());
  uint64_t twos = 0;
  double sum = 0;
  for (uint16_t d : c.delay) {
    CHECK(d >= 2);
    twos += d == 2;
    sum += d;
  }
  // The normal truncated at 0.2 ms, in steps of 0.1 ms: 2 steps with probability 0.013856 (138.6
  // of 10000, sd 11.7), a mean of 8.8465 steps (standard error 0.0343); within 4 standard errors.
  CHECK(std::abs(double(twos) - 138.6) < 4 * 11.7);
  CHECK(std::abs(sum / double(c.size()) - 8.8465) < 4 * 0.0343);
}

namespace {

// How many (row, delay) runs of c's delay index differ from the binary searches for the delay in
// the row's sorted delays, over every row and every delay 1 .. max_delay; `nonempty` counts the
// runs that hold synapses, `at_ends` those of delay 1 and of max_delay.
template <class T>
uint64_t index_mismatches(const Csr &c, const T *ends, uint64_t &nonempty, uint64_t &at_ends) {
  uint64_t bad = 0;
  nonempty = at_ends = 0;
  for (uint64_t i = 0; i + 1 < c.row_ptr.size(); ++i) {
    const auto first = c.delay.begin() + long(c.row_ptr[i]);
    const auto last = c.delay.begin() + long(c.row_ptr[i + 1]);
    for (uint64_t d = 1; d <= c.max_delay; ++d) {
      const auto lo = std::lower_bound(first, last, uint16_t(d));
      const auto hi = std::upper_bound(lo, last, uint16_t(d));
      const SynapseRun run = delay_run(c, ends, i, d);
      bad +=
          run.first != uint64_t(lo - c.delay.begin()) || run.last != uint64_t(hi - c.delay.begin());
      nonempty += lo != hi;
      at_ends += lo != hi && (d == 1 || d == c.max_delay);
    }
  }
  return bad;
}

} // namespace

TEST_CASE("connect: the delay index gives each row's run of each delay, as a search would") {
  ThreadPool two(2);
  // Sparse rows (about 8 synapses) with delays over 1 .. about 40 steps: most rows have no synapse
  // of most delays, some none at all; normal(1 ms, 0.8 ms) puts 14 % of draws at one step.
  const PopulationSpec pre = population(400, 0), post = population(200, 400);
  ProjectionSpec q = projection(ConnectRule::FixedProbability);
  q.p = 0.04;
  q.delay_dist.kind = ValueSpec::Kind::Normal;
  q.delay_dist.a = 1.0;
  q.delay_dist.b = 0.8;
  const Csr c = build_connectivity(q, pre, post, 8, 0.1, &two);
  REQUIRE(c.max_delay > 30);
  CHECK(c.delay_ends.empty());
  CHECK(c.delay_ends16.size() == 400 * (c.max_delay - 1));
  CHECK(c.bytes() == 401 * 8 + c.size() * (4 + 4 + 2) + 400 * (c.max_delay - 1) * 2);
  uint64_t nonempty = 0, at_ends = 0;
  CHECK(index_mismatches(c, c.delay_ends16.data(), nonempty, at_ends) == 0);
  // Most (row, delay) pairs have no synapse (at most 3,200 synapses in 400 * 30 pairs or more);
  // about 71 % of rows have a delay of one step, and one row at least has max_delay.
  CHECK(400 * c.max_delay - nonempty > 400 * 20);
  CHECK(at_ends > 200);
  // Rows of 70,000 synapses take 32-bit entries.
  const PopulationSpec two_rows = population(2, 0), wide = population(70000, 2);
  ProjectionSpec all = projection(ConnectRule::AllToAll);
  all.delay_dist = q.delay_dist;
  const Csr w = build_connectivity(all, two_rows, wide, 8, 0.1, &two);
  CHECK(w.delay_ends16.empty());
  CHECK(w.delay_ends.size() == 2 * (w.max_delay - 1));
  CHECK(index_mismatches(w, w.delay_ends.data(), nonempty, at_ends) == 0);
  CHECK(nonempty > 2 * 30); // each delay up to 30 steps: 150 draws or more a row
  // Every delay one step: no index, each row one run.
  q.delay_dist.kind = ValueSpec::Kind::Uniform;
  q.delay_dist.a = 0.0;
  q.delay_dist.b = 0.1;
  const Csr ones = build_connectivity(q, pre, post, 8, 0.1, &two);
  REQUIRE(ones.max_delay == 1);
  CHECK(ones.delay_ends16.empty());
  CHECK(ones.delay_ends.empty());
  CHECK(index_mismatches(ones, ones.delay_ends16.data(), nonempty, at_ends) == 0);
}

// Every rule, with drawn weights and delays on one of them, (projection, onto itself). Between a
// presynaptic population of 600 and a postsynaptic one of 500, large enough that each rule's rows
// (or fixed_indegree's columns) make several chunks and the rows several waves of chunks (about
// 2000 synapses a chunk at 2 threads), so the joins between chunks and waves are exercised.
namespace {

std::vector<std::pair<ProjectionSpec, bool>> every_rule() {
  std::vector<std::pair<ProjectionSpec, bool>> cases;
  ProjectionSpec q = projection(ConnectRule::FixedProbability, true);
  q.p = 0.1;
  q.allow_autapses = false;
  q.weight_dist.kind = ValueSpec::Kind::Normal;
  q.weight_dist.a = 0.5;
  q.weight_dist.b = 0.2;
  q.delay_dist.kind = ValueSpec::Kind::Uniform;
  q.delay_dist.a = 0.1; // ms
  q.delay_dist.b = 3.0;
  cases.push_back({q, true});
  q = projection(ConnectRule::FixedProbability);
  q.p = 0.01; // rows of 5 synapses: short batches of draws
  cases.push_back({q, false});
  q = projection(ConnectRule::FixedOutdegree);
  q.outdegree = 60;
  q.allow_multapses = false;
  cases.push_back({q, false});
  q = projection(ConnectRule::FixedIndegree, true);
  q.indegree = 70;
  q.allow_autapses = false;
  cases.push_back({q, true});
  q = projection(ConnectRule::FixedTotalNumber);
  q.total = 20000;
  q.weight_dist.kind = ValueSpec::Kind::LogNormal;
  q.weight_dist.a = 0.5;
  q.weight_dist.b = 0.1;
  q.delay_dist.kind = ValueSpec::Kind::Normal;
  q.delay_dist.a = 1.5; // ms
  q.delay_dist.b = 0.75;
  cases.push_back({q, false});
  q = projection(ConnectRule::FixedTotalNumber, true);
  q.total = 250000; // 70 % of the pairs: rows drawn as the complement of what they leave out
  q.allow_multapses = false;
  q.allow_autapses = false;
  cases.push_back({q, true});
  cases.push_back({projection(ConnectRule::AllToAll), false});
  cases.push_back({projection(ConnectRule::OneToOne), false});
  return cases;
}

} // namespace

TEST_CASE("connect: the CSR is the same bit for bit without a pool, with 1, 2 and 3 threads") {
  const PopulationSpec pre = population(600, 0), post = population(500, 600);
  ThreadPool one(1), two(2), three(3);
  for (const auto &[proj, self] : every_rule()) {
    CAPTURE(int(proj.rule));
    const PopulationSpec &target = self ? pre : post;
    const Csr alone = build_connectivity(proj, pre, target, 21, 0.1);
    REQUIRE(alone.size() > 0);
    check_same(alone, build_connectivity(proj, pre, target, 21, 0.1, &one));
    check_same(alone, build_connectivity(proj, pre, target, 21, 0.1, &two));
    check_same(alone, build_connectivity(proj, pre, target, 21, 0.1, &three));
  }
}

namespace {

using ReferenceRows = test::ReferenceRowBuilder;

} // namespace

TEST_CASE("connect: rows drawn elsewhere (the device's builders) give the host's CSR bit for bit") {
  // Each rule's rows drawn by the device's code, with the streams, global ids, counts and flags
  // build_connectivity hands over, then weights, delays and the delay index made on the host:
  // the same CSR as the host's own rows, for every rule (and both sides of multapses).
  const PopulationSpec pre = population(600, 0), post = population(500, 600);
  auto cases = every_rule();
  ProjectionSpec q = projection(ConnectRule::FixedOutdegree);
  q.outdegree = 60; // with multapses
  cases.push_back({q, false});
  q = projection(ConnectRule::FixedIndegree);
  q.indegree = 70;
  q.allow_multapses = false;
  q.delay_dist.kind = ValueSpec::Kind::Uniform; // drawn delays: rows sorted after the draw
  q.delay_dist.a = 0.1;
  q.delay_dist.b = 2.0;
  cases.push_back({q, false});
  q = projection(ConnectRule::FixedProbability);
  q.p = 1; // all_to_all
  cases.push_back({q, false});
  cases.push_back({projection(ConnectRule::OneToOne), true});
  ThreadPool two(2);
  for (const auto &[proj, self] : cases) {
    CAPTURE(int(proj.rule));
    CAPTURE(proj.allow_multapses);
    const PopulationSpec &target = self ? pre : post;
    ReferenceRows elsewhere;
    const Csr host = build_connectivity(proj, pre, target, 21, 0.1, &two);
    REQUIRE(host.size() > 0);
    check_same(host, build_connectivity(proj, pre, target, 21, 0.1, &two, {}, {}, {}, &elsewhere));
    // (one_to_one between populations of different sizes stays on the host)
    CHECK(elsewhere.calls == (proj.rule == ConnectRule::OneToOne && !self ? 0 : 1));
  }
}

TEST_CASE("connect: synapses kept where they were drawn (a GPU's memory) are the host's, values "
          "included, and the host holds none of them") {
  // build_connectivity's refusals and a fixed_total_number's counts stay on the host; the rows
  // and then their weights and delays are made by the builder (here the device's code run on the
  // host), which keeps them: the host's Csr says how many, whether their delays are drawn, and
  // the longest; the kept arrays equal the host's CSR for every rule.
  const PopulationSpec pre = population(600, 0), post = population(500, 600);
  auto cases = every_rule();
  ProjectionSpec q = projection(ConnectRule::FixedIndegree);
  q.indegree = 70; // drawn delays with constant weights
  q.delay_dist.kind = ValueSpec::Kind::Uniform;
  q.delay_dist.a = 0.1;
  q.delay_dist.b = 2.0;
  cases.push_back({q, false});
  ThreadPool two(2);
  for (const auto &[proj, self] : cases) {
    CAPTURE(int(proj.rule));
    const PopulationSpec &target = self ? pre : post;
    ReferenceRows elsewhere;
    elsewhere.keep = true;
    const Csr host = build_connectivity(proj, pre, target, 21, 0.1, &two);
    const Csr c = build_connectivity(proj, pre, target, 21, 0.1, &two, {}, {}, {}, &elsewhere);
    if (elsewhere.calls == 0) { // (one_to_one between populations of different sizes)
      check_same(host, c);
      continue;
    }
    REQUIRE(elsewhere.kept.size() == 1);
    CHECK(c.size() == host.size());
    CHECK(c.held.count == host.size());
    CHECK(c.bytes() == 0);
    CHECK(c.row_ptr.empty());
    CHECK(c.post_index.empty());
    CHECK(c.weight.empty());
    CHECK(c.max_delay == host.max_delay);
    CHECK(c.drawn_delays() == host.drawn_delays());
    const ReferenceRows::Kept &k = elsewhere.kept[0];
    CHECK(k.rows.row_ptr == host.row_ptr);
    CHECK(std::equal(k.rows.post.begin(), k.rows.post.end(), host.post_index.begin(),
                     host.post_index.end()));
    CHECK(std::equal(k.weight.begin(), k.weight.end(), host.weight.begin(), host.weight.end()));
    CHECK(std::equal(k.delay.begin(), k.delay.end(), host.delay.begin(), host.delay.end()));
  }
  // No synapse: nothing kept, the host's empty CSR.
  ProjectionSpec none = projection(ConnectRule::FixedTotalNumber);
  none.total = 0;
  ReferenceRows elsewhere;
  elsewhere.keep = true;
  const Csr empty = build_connectivity(none, pre, post, 21, 0.1, nullptr, {}, {}, {}, &elsewhere);
  CHECK(elsewhere.kept.empty());
  CHECK(empty.row_ptr == std::vector<uint64_t>(pre.size + 1, 0));
  // The host's refusals still come first, and a delay over 65535 steps as the host refuses it.
  ProjectionSpec wide = projection(ConnectRule::FixedOutdegree);
  wide.outdegree = 501;
  wide.allow_multapses = false;
  CHECK_THROWS_WITH_AS(
      build_connectivity(wide, pre, post, 21, 0.1, nullptr, {}, {}, {}, &elsewhere),
      doctest::Contains("an out-degree of 501 cannot be drawn from 500 targets"),
      std::runtime_error);
  ProjectionSpec far = projection(ConnectRule::AllToAll);
  far.delay_dist.kind = ValueSpec::Kind::Uniform;
  far.delay_dist.a = 7000.0; // ms: 70000 steps of 0.1 ms
  far.delay_dist.b = 7001.0;
  CHECK_THROWS_WITH_AS(build_connectivity(far, pre, post, 21, 0.1, nullptr, {}, {}, {}, &elsewhere),
                       doctest::Contains("/delay: a drawn delay of 7000."), std::runtime_error);
  CHECK_THROWS_WITH_AS(build_connectivity(far, pre, post, 21, 0.1, nullptr, {}, {}, {}, &elsewhere),
                       doctest::Contains(" ms is over 65535 steps; shorten it or raise dt"),
                       std::runtime_error);
}

TEST_CASE("connect: built by parts of the targets (MPI ranks), each part holds the whole "
          "projection's synapses onto its targets, in order, weights and delays included") {
  // A rank builds the synapses onto its range of targets; `places` turns its rows' counts into the
  // counts of the ranks below it (an exclusive prefix sum across ranks, played here in order).
  const PopulationSpec pre = population(600, 0), post = population(500, 600);
  ThreadPool two(2);
  for (const auto &[proj, self] : every_rule()) {
    CAPTURE(int(proj.rule));
    const PopulationSpec &target = self ? pre : post;
    const Csr whole = build_connectivity(proj, pre, target, 21, 0.1);
    const std::vector<uint64_t> bounds = {0, 128, 128, 300, target.size}; // (one part empty)
    std::vector<uint64_t> below(pre.size, 0);
    uint64_t synapses = 0;
    for (std::size_t r = 0; r + 1 < bounds.size(); ++r) {
      CAPTURE(r);
      const uint64_t lo = bounds[r], hi = bounds[r + 1];
      const RowPlaces places = [&](std::vector<uint64_t> &counts) {
        for (uint64_t i = 0; i < counts.size(); ++i)
          std::swap(counts[i], below[i]), below[i] += counts[i];
      };
      const Csr part = build_connectivity(proj, pre, target, 21, 0.1, &two, {}, {lo, hi}, places);
      synapses += part.size();
      // Row by row, the whole rows' synapses onto [lo, hi), as (row, target, weight, delay).
      using Synapse = std::tuple<uint64_t, uint64_t, float, uint16_t>;
      std::vector<Synapse> want, got;
      const auto of = [](const Csr &c, uint64_t i, uint64_t k) {
        return Synapse{i, c.post(k), c.weight[k], c.delay.empty() ? 0 : c.delay[k]};
      };
      for (uint64_t i = 0; i < pre.size; ++i) {
        for (uint64_t k = whole.row_ptr[i]; k < whole.row_ptr[i + 1]; ++k)
          if (whole.post(k) >= lo && whole.post(k) < hi) want.push_back(of(whole, i, k));
        for (uint64_t k = part.row_ptr[i]; k < part.row_ptr[i + 1]; ++k)
          got.push_back(of(part, i, k));
      }
      CHECK(got == want);
    }
    CHECK(synapses == whole.size());
  }
}

TEST_CASE(
    "connect: the compact layout (16-bit targets, one constant weight) holds the same network") {
  const PopulationSpec pre = population(600, 0), post = population(500, 600);
  ThreadPool two(2);
  for (const auto &[proj, self] : every_rule()) {
    CAPTURE(int(proj.rule));
    const PopulationSpec &target = self ? pre : post;
    const Csr wide = build_connectivity(proj, pre, target, 21, 0.1, &two);
    for (const CsrLayout layout : {CsrLayout{true, true}, CsrLayout{true, false}}) {
      const Csr c = build_connectivity(proj, pre, target, 21, 0.1, &two, layout);
      REQUIRE(c.narrow());
      CHECK(c.post_index.empty());
      REQUIRE(c.size() == wide.size());
      CHECK(c.row_ptr == wide.row_ptr);
      bool same_targets = true;
      for (uint64_t k = 0; k < c.size(); ++k)
        same_targets &= c.post(k) == wide.post_index[k];
      CHECK(same_targets);
      CHECK(std::equal(c.delay.begin(), c.delay.end(), wide.delay.begin(), wide.delay.end()));
      CHECK(c.max_delay == wide.max_delay);
      if (layout.one_weight && proj.weight_dist.kind == ValueSpec::Kind::Constant) {
        REQUIRE(c.weight.size() == 1); // the one value all of wide's weights have
        CHECK(std::all_of(wide.weight.begin(), wide.weight.end(),
                          [&](float w) { return w == c.weight[0]; }));
      } else { // drawn weights are kept per synapse
        CHECK(std::equal(c.weight.begin(), c.weight.end(), wide.weight.begin(), wide.weight.end()));
      }
    }
  }
  // The last target a 16-bit index holds, and a population one larger refused.
  const ProjectionSpec all = projection(ConnectRule::AllToAll);
  const Csr edge = build_connectivity(all, population(1, 0), population(65536, 1), 1, 0.1, nullptr,
                                      CsrLayout{true, true});
  CHECK(edge.post(65535) == 65535);
  CHECK_THROWS_AS(build_connectivity(all, population(1, 0), population(65537, 1), 1, 0.1, nullptr,
                                     CsrLayout{true, true}),
                  std::logic_error);
}

TEST_CASE("connect: fixed_probability's rows are the geometric gaps of each row's draws") {
  // The definition, one draw at a time: from candidate j, skip floor(gg_log(u) / gg_log1p(-p)) (the
  // quotient as a product by the inverse) candidates (each pair is then made with probability p,
  // independently), u the row's next uniform from Draws(seed, connect stream, its gid). The batched
  // rows must be exactly these.
  const PopulationSpec pre = population(300, 1000);
  ProjectionSpec q = projection(ConnectRule::FixedProbability, true);
  q.p = 0.05;
  q.allow_autapses = false;
  ThreadPool two(2);
  const Csr c = build_connectivity(q, pre, pre, 13, 0.1, &two);
  const double inv_log_q = 1.0 / gg_log1p(-q.p);
  for (uint64_t i = 0; i < 300; ++i) {
    Draws draws(13, streams::kConnect + q.stream, pre.first_gid + i);
    std::vector<uint32_t> row;
    for (uint64_t j = 0;; ++j) {
      const double gap = std::floor(gg_log(draws.uniform()) * inv_log_q);
      if (gap >= double(300 - j)) break;
      j += uint64_t(gap);
      if (j != i) row.push_back(uint32_t(j));
    }
    REQUIRE(std::equal(row.begin(), row.end(), c.post_index.begin() + long(c.row_ptr[i]),
                       c.post_index.begin() + long(c.row_ptr[i + 1])));
  }
}

TEST_CASE("connect: an error in a row made on another thread reaches the caller") {
  const PopulationSpec pre = population(300, 0), post = population(300, 300);
  ProjectionSpec q = projection(ConnectRule::AllToAll);
  q.delay_dist.kind = ValueSpec::Kind::Uniform;
  q.delay_dist.a = 7000.0; // ms: 70000 steps of 0.1 ms, beyond a 16-bit delay
  q.delay_dist.b = 8000.0;
  ThreadPool two(2);
  CHECK_THROWS_WITH(build_connectivity(q, pre, post, 4, 0.1, &two),
                    doctest::Contains("is over 65535 steps"));
}

TEST_CASE("connect: a batch's members joined block-diagonally keep each member's rows, targets, "
          "weights and delays, indexed for the longest delay") {
  // Two members of one projection with drawn weights and delays, the second's delays longer (its
  // own max_delay): the join holds member 0's CSR, then member 1's with its targets moved up by
  // n_post, and its delay index agrees with a search for the joined max_delay.
  ThreadPool two(2);
  const PopulationSpec pre = population(300, 0), post = population(200, 300);
  ProjectionSpec q = projection(ConnectRule::FixedProbability);
  q.p = 0.1;
  q.weight_dist.kind = ValueSpec::Kind::Normal;
  q.weight_dist.a = 0.5;
  q.weight_dist.b = 0.2;
  q.delay_dist.kind = ValueSpec::Kind::Uniform;
  q.delay_dist.a = 0.1;
  q.delay_dist.b = 1.0;
  const Csr a = build_connectivity(q, pre, post, 3, 0.1, &two);
  q.delay_dist.b = 3.0;
  const Csr b = build_connectivity(q, pre, post, 4, 0.1, &two);
  REQUIRE(b.max_delay > a.max_delay);
  const Csr joined = join_members({a, b}, 200, {}, &two);
  CHECK(joined.max_delay == b.max_delay);
  REQUIRE(joined.row_ptr.size() == 601);
  REQUIRE(joined.size() == a.size() + b.size());
  for (uint64_t i = 0; i < 300; ++i) {
    CHECK(joined.row_ptr[i] == a.row_ptr[i]);
    CHECK(joined.row_ptr[300 + i] == a.size() + b.row_ptr[i]);
  }
  for (uint64_t k = 0; k < a.size(); ++k) {
    REQUIRE(joined.post_index[k] == a.post_index[k]);
    REQUIRE(joined.weight[k] == a.weight[k]);
    REQUIRE(joined.delay[k] == a.delay[k]);
  }
  for (uint64_t k = 0; k < b.size(); ++k) {
    REQUIRE(joined.post_index[a.size() + k] == b.post_index[k] + 200);
    REQUIRE(joined.weight[a.size() + k] == b.weight[k]);
    REQUIRE(joined.delay[a.size() + k] == b.delay[k]);
  }
  uint64_t nonempty = 0, at_ends = 0;
  CHECK(index_mismatches(joined, joined.delay_ends16.data(), nonempty, at_ends) == 0);
  // One weight for all, stored once where the layout asks (all_to_all, constant weight), and
  // 16-bit targets.
  const Csr one = build_connectivity(projection(ConnectRule::AllToAll), pre, post, 3, 0.1);
  const Csr compact = join_members({one, one}, 200, {true, true}, &two);
  CHECK(compact.weight.size() == 1);
  CHECK(compact.post_index16.size() == 2 * 300 * 200);
  CHECK(compact.post(300 * 200) == 200);
}
