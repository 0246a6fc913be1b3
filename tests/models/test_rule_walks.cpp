// The SDK's walks of a plasticity rule's synapses, ganglion::for_each_pre_synapse and
// for_each_post_synapse (whose prefetching must not change what they visit): every synapse of
// this step's presynaptic spikes' runs (whole rows, or a part's runs onto its targets) and of its
// postsynaptic spikes' columns, each exactly once, in spike order and in the index's order, with
// the right postsynaptic and presynaptic neurons; for no spike, one, two, three and many, spikes
// repeated included.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <random>
#include <tuple>
#include <vector>

#include "ganglion/plugin.hpp"
#include "models/harness.hpp"

namespace {

// A projection n_pre -> n_post (rows ascending by target) with its by-post index, as a rule's
// view sees them.
struct Projection {
  std::vector<uint64_t> row_ptr{0};
  std::vector<uint32_t> post_index;
  std::vector<float> weight;
  ganglion::test::ByPost index;

  Projection(uint32_t n_pre, uint32_t n_post, double p, uint32_t seed) {
    std::mt19937 rng(seed);
    std::bernoulli_distribution take(p);
    for (uint32_t i = 0; i < n_pre; ++i) {
      for (uint32_t j = 0; j < n_post; ++j)
        if (take(rng)) post_index.push_back(j);
      row_ptr.push_back(post_index.size());
    }
    weight.assign(post_index.size(), 0.5f);
    index = ganglion::test::by_post(row_ptr, post_index, n_post);
  }

  gg_view view(const std::vector<uint32_t> &pre_spikes, const std::vector<uint32_t> &post_spikes) {
    gg_view v{};
    v.row_ptr = row_ptr.data();
    v.post_index = post_index.data();
    v.plastic_weight = weight.data();
    v.n_synapses = weight.size();
    v.col_ptr = index.col_ptr.data();
    v.col_synapse = index.col_synapse.data();
    v.col_pre = index.col_pre.data();
    v.pre_spikes = pre_spikes.data();
    v.n_pre_spikes = pre_spikes.size();
    v.post_spikes = post_spikes.data();
    v.n_post_spikes = post_spikes.size();
    v.rule_part = GG_RULE_WHOLE;
    return v;
  }
};

std::vector<uint32_t> draw(uint32_t count, uint32_t below, std::mt19937 &rng) {
  std::uniform_int_distribution<uint32_t> pick(0, below - 1);
  std::vector<uint32_t> out(count);
  for (auto &x : out)
    x = pick(rng);
  return out;
}

using Visit = std::tuple<uint32_t, uint64_t, uint32_t>; // (post, synapse, pre)

} // namespace

TEST_CASE("rule walks: each synapse of the step's pre and post spikes once, in order") {
  const uint32_t n_pre = 60, n_post = 90;
  Projection proj(n_pre, n_post, 0.2, 5);
  std::mt19937 rng(11);
  for (uint32_t spikes : {0u, 1u, 2u, 3u, 40u}) {
    CAPTURE(spikes);
    const std::vector<uint32_t> pre = draw(spikes, n_pre, rng), post = draw(spikes, n_post, rng);
    gg_view v = proj.view(pre, post);

    std::vector<Visit> want, got;
    for (uint32_t i : pre)
      for (uint64_t s = proj.row_ptr[i]; s < proj.row_ptr[i + 1]; ++s)
        want.emplace_back(proj.post_index[s], s, i);
    ganglion::for_each_pre_synapse(v, [&](uint32_t j, uint64_t s) {
      got.emplace_back(j, s,
                       uint32_t(std::upper_bound(proj.row_ptr.begin(), proj.row_ptr.end(), s) -
                                proj.row_ptr.begin() - 1));
    });
    CHECK(got == want);

    want.clear();
    got.clear();
    for (uint32_t j : post)
      for (uint64_t c = proj.index.col_ptr[j]; c < proj.index.col_ptr[j + 1]; ++c)
        want.emplace_back(j, proj.index.col_synapse[c], proj.index.col_pre[c]);
    ganglion::for_each_post_synapse(
        v, [&](uint32_t j, uint64_t s, uint32_t k) { got.emplace_back(j, s, k); });
    CHECK(got == want);
    if (spikes == 40)
      CHECK(want.size() > 300); // about 40 x 60 x 0.2: the index is not trivially empty
  }
}

TEST_CASE("rule walks: a part's presynaptic runs are its targets' share of each row") {
  const uint32_t n_pre = 40, n_post = 100, lo = 30, hi = 70;
  Projection proj(n_pre, n_post, 0.3, 7);
  std::mt19937 rng(3);
  const std::vector<uint32_t> pre = draw(25, n_pre, rng), none;
  gg_view v = proj.view(pre, none);
  // GG_RULE_TARGETS: arrivals[i] is pre_spikes[i]'s run onto [lo, hi) (rows ascend by target).
  std::vector<gg_arrival> runs;
  std::vector<Visit> want, got;
  for (uint32_t i : pre) {
    uint64_t a = proj.row_ptr[i], b = proj.row_ptr[i + 1];
    while (a < b && proj.post_index[a] < lo)
      ++a;
    uint64_t e = a;
    while (e < b && proj.post_index[e] < hi)
      ++e;
    runs.push_back({a, e, i, 0});
    for (uint64_t s = a; s < e; ++s)
      want.emplace_back(proj.post_index[s], s, i);
  }
  v.rule_part = GG_RULE_TARGETS;
  v.arrivals = runs.data();
  v.n_arrivals = runs.size();
  v.post_begin = lo;
  v.post_end = hi;
  ganglion::for_each_pre_synapse(v, [&](uint32_t j, uint64_t s) {
    CHECK(j >= lo);
    CHECK(j < hi);
    got.emplace_back(j, s,
                     uint32_t(std::upper_bound(proj.row_ptr.begin(), proj.row_ptr.end(), s) -
                              proj.row_ptr.begin() - 1));
  });
  CHECK(got == want);
  CHECK(want.size() > 50);
}
