// GPU: fixed_probability built on the device (gpu/connect) makes the CPU's synapses, bit for bit:
// the same row offsets and targets as build_connectivity for one seed, with and without
// autapses. Without a CUDA build or a device the test says it skipped.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "gpu_skip.hpp"
#ifdef GANGLION_HAVE_CUDA
#include "connect/connect_device.hpp"
#include "connect/connectivity.hpp"
#include "connect/synapse_values.hpp"
#include "random/draws.hpp"
#include "reference_rows.hpp"
#endif

constexpr const char *kConnectName = "gpu: fixed_probability built on the device equals the CPU's";

TEST_CASE(kConnectName) {
#ifndef GANGLION_HAVE_CUDA
  GANGLION_GPU_SKIP_NO_CUDA(kConnectName);
#else
  GANGLION_GPU_NEEDS_DEVICE(kConnectName);
  // The host's rows by bernoulli_rows (test_connectivity.cpp proves them the CPU builder's), so
  // that this test needs only header-only code.
  struct Case {
    uint64_t n_pre, n_post;
    double p;
    bool self;
  };
  for (const Case &k : {Case{2000, 3000, 0.05, false}, Case{5000, 5000, 0.2, true},
                        Case{100, 200000, 0.001, false}}) {
    CAPTURE(k.p);
    const uint64_t seed = 9, stream = (1ull << 40) + 3, first_gid = 12345;
    const ganglion::gpu::HostCsr dev = ganglion::gpu::fixed_probability_on_device(
        seed, stream, k.p, k.n_pre, k.n_post, first_gid, k.self);
    const ganglion::test::Rows host =
        ganglion::test::bernoulli_rows(seed, stream, k.p, k.n_pre, k.n_post, first_gid, k.self);
    CHECK(dev.row_ptr == host.row_ptr);
    CHECK(dev.post == host.post);
  }
#endif
}

constexpr const char *kRowsName =
    "gpu: rows of given counts with multapses built on the device equal the CPU's";

TEST_CASE(kRowsName) {
#ifndef GANGLION_HAVE_CUDA
  GANGLION_GPU_SKIP_NO_CUDA(kRowsName);
#else
  GANGLION_GPU_NEEDS_DEVICE(kRowsName);
  // fixed_outdegree's rows (every count 150) and fixed_total_number's (uneven counts, some 0),
  // with and without the autapse; the host's by counted_rows (test_picks.cpp proves its picks
  // pick_sorted's).
  std::mt19937_64 rng(3);
  std::poisson_distribution<int> uneven(40.0);
  std::vector<uint64_t> outdegree(2000, 150), total(3000);
  for (uint64_t &c : total)
    c = rng() % 10 == 0 ? 0 : uint64_t(uneven(rng));
  const uint64_t seed = 9, stream = (1ull << 40) + 4, first_gid = 500;
  for (const auto *counts : {&outdegree, &total})
    for (const bool self : {false, true}) {
      const uint64_t n_post = 3000;
      const ganglion::gpu::HostCsr dev =
          ganglion::gpu::multapse_rows_on_device(seed, stream, *counts, n_post, first_gid, self);
      const ganglion::test::Rows host =
          ganglion::test::counted_rows(seed, stream, *counts, n_post, first_gid, self, true);
      CHECK(dev.row_ptr == host.row_ptr);
      CHECK(dev.post == host.post);
    }
#endif
}

constexpr const char *kIndegreeName = "gpu: fixed_indegree built on the device equals the CPU's";

TEST_CASE(kIndegreeName) {
#ifndef GANGLION_HAVE_CUDA
  GANGLION_GPU_SKIP_NO_CUDA(kIndegreeName);
#else
  GANGLION_GPU_NEEDS_DEVICE(kIndegreeName);
  // The host's rows by column_rows (what test_connectivity.cpp proves the CPU's fixed_indegree
  // is).
  const uint64_t seed = 21, stream = (1ull << 40) + 6, k = 100, first = 40000;
  for (const bool multapses : {true, false})
    for (const bool self : {false, true}) {
      const uint64_t n_pre = 4000, n_post = self ? 4000 : 6000;
      const ganglion::gpu::HostCsr dev = ganglion::gpu::indegree_rows_on_device(
          seed, stream, n_pre, n_post, k, first, self, multapses);
      const ganglion::test::Rows host =
          ganglion::test::column_rows(seed, stream, n_pre, n_post, k, first, self, multapses);
      CHECK(dev.row_ptr == host.row_ptr);
      CHECK(dev.post == host.post);
    }
#endif
}

constexpr const char *kDistinctName =
    "gpu: rows of given counts without multapses built on the device equal the CPU's";

TEST_CASE(kDistinctName) {
#ifndef GANGLION_HAVE_CUDA
  GANGLION_GPU_SKIP_NO_CUDA(kDistinctName);
#else
  GANGLION_GPU_NEEDS_DEVICE(kDistinctName);
  // Counts kept (below half the candidates) and complemented (above), some 0, with and without
  // the autapse; the host's by counted_rows (test_picks.cpp proves distinct_row pick_sorted's).
  std::mt19937_64 rng(4);
  const uint64_t n_post = 1000, seed = 9, stream = (1ull << 40) + 8, first_gid = 77;
  std::vector<uint64_t> counts(5000);
  for (uint64_t &c : counts)
    c = rng() % 7 == 0 ? 0 : rng() % (n_post - 1);
  for (const bool self : {false, true}) {
    const ganglion::gpu::HostCsr dev =
        ganglion::gpu::distinct_rows_on_device(seed, stream, counts, n_post, first_gid, self);
    const ganglion::test::Rows host =
        ganglion::test::counted_rows(seed, stream, counts, n_post, first_gid, self, false);
    CHECK(dev.row_ptr == host.row_ptr);
    CHECK(dev.post == host.post);
  }
#endif
}

constexpr const char *kDelayedName =
    "gpu: drawn weights and delays (rows sorted by delay) on the device equal the CPU's";

TEST_CASE(kDelayedName) {
#ifndef GANGLION_HAVE_CUDA
  GANGLION_GPU_SKIP_NO_CUDA(kDelayedName);
#else
  GANGLION_GPU_NEEDS_DEVICE(kDelayedName);
  // The microcircuit's kind of projection: normal weights (some drawn again to keep their sign)
  // and normal delays with a "min", on fixed_probability's rows; the host's by delayed_rows
  // (what test_connectivity.cpp proves the CPU's draw_rows gives).
  const uint64_t seed = 31, n_pre = 3000, n_post = 4000, first_gid = 100;
  const ganglion::gpu::HostCsr rows = ganglion::gpu::fixed_probability_on_device(
      seed, (1ull << 40) + 2, 0.05, n_pre, n_post, first_gid, false);
  ganglion::ItemDraw weight, delay;
  weight.kind = delay.kind = ganglion::ItemDraw::Kind::Normal;
  weight.a = 0.35;
  weight.b = 0.2;
  weight.lo = 0.0;
  weight.fallback = 0.35;
  delay.a = 1.6;
  delay.b = 0.75;
  delay.lo = 0.2;
  delay.fallback = 1.6;
  const uint64_t weight_stream = (2ull << 40) + 2, delay_stream = (3ull << 40) + 2;
  const ganglion::gpu::HostSynapses dev = ganglion::gpu::delayed_rows_on_device(
      rows, weight, weight_stream, delay, delay_stream, seed, first_gid, 0.1);
  const ganglion::test::DelayedRows host = ganglion::test::delayed_rows(
      rows.row_ptr, rows.post, weight, ganglion::PhiloxKey(seed, weight_stream), delay,
      ganglion::PhiloxKey(seed, delay_stream), first_gid, 0.1);
  CHECK(dev.post == host.post);
  CHECK(dev.weight == host.weight);
  CHECK(dev.delay == host.delay);
#endif
}

constexpr const char *kDenseName =
    "gpu: all_to_all and one_to_one built on the device equal the CPU's";

TEST_CASE(kDenseName) {
#ifndef GANGLION_HAVE_CUDA
  GANGLION_GPU_SKIP_NO_CUDA(kDenseName);
#else
  GANGLION_GPU_NEEDS_DEVICE(kDenseName);
  // The host's rows by all_to_all_rows (test_connectivity.cpp proves them the CPU builder's):
  // rows shorter and longer than a block, more rows than targets, with and without autapses.
  struct Case {
    uint64_t n_pre, n_post;
    bool self;
  };
  for (const Case &k : {Case{300, 1000, false}, Case{1000, 1000, true}, Case{4000, 70, true},
                        Case{70000, 3, false}}) {
    CAPTURE(k.n_pre);
    const ganglion::gpu::HostCsr dev =
        ganglion::gpu::all_to_all_on_device(k.n_pre, k.n_post, k.self);
    const ganglion::test::Rows host = ganglion::test::all_to_all_rows(k.n_pre, k.n_post, k.self);
    CHECK(dev.row_ptr == host.row_ptr);
    CHECK(dev.post == host.post);
  }
  const ganglion::gpu::HostCsr one = ganglion::gpu::one_to_one_on_device(100000);
  REQUIRE(one.post.size() == 100000);
  bool diagonal = one.row_ptr.back() == 100000;
  for (uint64_t i = 0; i < one.post.size(); ++i)
    diagonal = diagonal && one.row_ptr[i] == i && one.post[i] == i;
  CHECK(diagonal);
#endif
}

constexpr const char *kKeptName =
    "gpu: synapses kept on the device with values drawn there equal the "
    "CPU's CSR in small sort ranges";

TEST_CASE(kKeptName) {
#ifndef GANGLION_HAVE_CUDA
  GANGLION_GPU_SKIP_NO_CUDA(kKeptName);
#else
  GANGLION_GPU_NEEDS_DEVICE(kKeptName);
  // What the engine keeps on the device for a projection on "cuda": the rule's rows
  // (fixed_indegree, counted twice and placed, both sides of multapses) and their weights and
  // delays (constant or drawn, in every combination), against build_connectivity's CSR on the
  // host. The sorts take ranges of 1000 synapses, so that rows are cut into many (the engine's
  // ranges are 2^28 synapses).
  using namespace ganglion;
  PopulationSpec pre, post;
  pre.size = 3000;
  post.size = 2000;
  post.first_gid = 3000;
  ProjectionSpec q;
  q.pointer = "/projections/3";
  q.rule = ConnectRule::FixedIndegree;
  q.post = 1;
  q.indegree = 150;
  q.weight = -0.4;
  q.weight_dist.a = -0.4;
  q.weight_dist.b = 0.1;
  q.delay_steps = 15;
  q.delay_dist.a = 1.5;
  q.delay_dist.b = 0.5;
  q.delay_min = 0.1;
  q.stream = 3;
  gpu::set_sort_range(1000);
  for (const bool multapses : {true, false})
    for (const auto weights : {ValueSpec::Kind::Constant, ValueSpec::Kind::Normal})
      for (const auto delays : {ValueSpec::Kind::Constant, ValueSpec::Kind::Normal}) {
        CAPTURE(multapses);
        CAPTURE(int(weights));
        CAPTURE(int(delays));
        q.allow_multapses = multapses;
        q.weight_dist.kind = weights;
        q.delay_dist.kind = delays;
        const uint64_t seed = 5;
        const Csr host = build_connectivity(q, pre, post, seed, 0.1);
        gpu::DeviceCsr d =
            gpu::indegree_rows(seed, streams::kConnect + q.stream, pre.size, post.size, q.indegree,
                               post.first_gid, false, multapses);
        const SynapseDraws draws(q, seed, pre.first_gid, 0.1);
        gpu::values_on_device(d, gpu::synapse_values(draws));
        REQUIRE(d.total == host.size());
        const gpu::HostCsr rows = d.rows();
        CHECK(rows.row_ptr == host.row_ptr);
        CHECK(std::equal(rows.post.begin(), rows.post.end(), host.post_index.begin(),
                         host.post_index.end()));
        const std::vector<float> w = d.weights();
        CHECK(std::equal(w.begin(), w.end(), host.weight.begin(), host.weight.end()));
        const std::vector<uint16_t> steps = d.delays();
        CHECK(std::equal(steps.begin(), steps.end(), host.delay.begin(), host.delay.end()));
        if (delays != ValueSpec::Kind::Constant) CHECK(d.max_delay == host.max_delay);
      }
  gpu::set_sort_range(uint64_t(1) << 28);
#endif
}

constexpr const char *kJoinName =
    "gpu: a batch's members drawn and kept on the device, joined there, equal the host's join";

TEST_CASE(kJoinName) {
#ifndef GANGLION_HAVE_CUDA
  GANGLION_GPU_SKIP_NO_CUDA(kJoinName);
#else
  GANGLION_GPU_NEEDS_DEVICE(kJoinName);
  // Three members of one projection (fixed_indegree, drawn weights and delays, each member its
  // own seed) and one without synapses between them: joined on the device (join_on_device, as
  // a batch's projection kept there is) and on the host (join_members) from the host's CSRs.
  using namespace ganglion;
  PopulationSpec pre, post;
  pre.size = 1500;
  post.size = 1000;
  post.first_gid = 1500;
  ProjectionSpec q;
  q.pointer = "/projections/0";
  q.rule = ConnectRule::FixedIndegree;
  q.post = 1;
  q.indegree = 90;
  q.weight = 0.3;
  q.weight_dist = ValueSpec{ValueSpec::Kind::Normal, 0.3, 0.1, {}, {}};
  q.delay_dist = ValueSpec{ValueSpec::Kind::Uniform, 0.5, 3.0, {}, {}};
  q.delay_min = 0.1;
  q.stream = 2;
  std::vector<Csr> host;
  std::vector<gpu::DeviceCsr> device;
  for (const uint64_t seed : {5, 6, 7}) {
    host.push_back(build_connectivity(q, pre, post, seed, 0.1));
    device.push_back(gpu::indegree_rows(seed, streams::kConnect + q.stream, pre.size, post.size,
                                        q.indegree, post.first_gid, false, true));
    gpu::values_on_device(device.back(), gpu::synapse_values(SynapseDraws(q, seed, 0, 0.1)));
  }
  Csr none;
  none.row_ptr.assign(pre.size + 1, 0);
  host.insert(host.begin() + 1, std::move(none));
  const std::vector<gpu::JoinPart> parts{
      {&device[0], 0}, {nullptr, pre.size}, {&device[1], 0}, {&device[2], 0}};
  const gpu::DeviceCsr d = gpu::join_on_device(parts, post.size, true);
  const Csr joined = join_members(std::move(host), post.size, {}, nullptr);
  REQUIRE(d.total == joined.size());
  CHECK(d.total > 3 * 1000 * 80);
  CHECK(d.n_rows == 4 * pre.size);
  CHECK(device[0].row_ptr == nullptr); // (freed once copied)
  const gpu::HostCsr rows = d.rows();
  CHECK(rows.row_ptr == joined.row_ptr);
  CHECK(std::equal(rows.post.begin(), rows.post.end(), joined.post_index.begin(),
                   joined.post_index.end()));
  const std::vector<float> w = d.weights();
  CHECK(std::equal(w.begin(), w.end(), joined.weight.begin(), joined.weight.end()));
  const std::vector<uint16_t> steps = d.delays();
  CHECK(std::equal(steps.begin(), steps.end(), joined.delay.begin(), joined.delay.end()));
  CHECK(d.max_delay == joined.max_delay);
#endif
}
