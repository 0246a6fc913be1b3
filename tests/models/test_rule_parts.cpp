// Plasticity rules by parts (ABI 1.4, GG_DESC_SPLIT_RULE): istdp and stdp called as the kernel
// calls them with several threads (first GG_RULE_PRE_TRACES, then GG_RULE_TARGETS once per target
// range, each with its presynaptic spikes' runs onto the range and only the range's postsynaptic
// spikes) must leave every weight and every trace the same bits as the whole step (GG_RULE_WHOLE),
// step after step, whatever the cut and whatever order the parts run in. Driven through the C ABI
// hooks (models/harness.hpp) with random spike trains, a repeated presynaptic index included.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "models/harness.hpp"

using namespace ganglion;

namespace {

struct Rule : test::PlasticityInstance {
  Rule(const char *name, uint64_t pre, uint64_t post, float w)
      : PlasticityInstance(test::builtin_descriptor(name), pre, post, w, 0.1, "A->B") {}
};

// The parts' calls of step k: the presynaptic traces, then targets [cut[p], cut[p + 1]) for each
// p in `order`.
void step_by_parts(Rule &r, uint64_t k, const std::vector<uint32_t> &pre,
                   const std::vector<uint32_t> &post, const std::vector<uint64_t> &cut,
                   const std::vector<std::size_t> &order) {
  r.pre_spikes = pre;
  gg_view &v = r.view;
  v.step = k;
  v.t = double(k) * v.dt;
  v.pre_spikes = r.pre_spikes.data();
  v.n_pre_spikes = r.pre_spikes.size();
  v.post_spikes = nullptr;
  v.n_post_spikes = 0;
  v.rule_part = GG_RULE_PRE_TRACES;
  r.call(r.desc->cpu->step);
  for (std::size_t p : order) {
    const uint64_t lo = cut[p], hi = cut[p + 1];
    std::vector<gg_arrival> runs; // each presynaptic spike's synapses onto [lo, hi)
    for (uint32_t i : pre) {
      const auto first = r.post_index.begin() + long(r.row_ptr[i]);
      const auto last = r.post_index.begin() + long(r.row_ptr[i + 1]);
      const auto a = std::lower_bound(first, last, uint32_t(lo));
      const auto b = std::lower_bound(a, last, uint32_t(hi));
      runs.push_back(
          {uint64_t(a - r.post_index.begin()), uint64_t(b - r.post_index.begin()), i, 0});
    }
    std::vector<uint32_t> mine;
    for (uint32_t j : post)
      if (j >= lo && j < hi) mine.push_back(j);
    v.rule_part = GG_RULE_TARGETS;
    v.post_begin = lo;
    v.post_end = hi;
    v.arrivals = runs.data();
    v.n_arrivals = runs.size();
    v.post_spikes = mine.data();
    v.n_post_spikes = mine.size();
    r.call(r.desc->cpu->step);
  }
  v.rule_part = GG_RULE_WHOLE;
  v.arrivals = nullptr;
  v.n_arrivals = 0;
}

// Runs `whole` and `parts` side by side for `steps` steps of random spikes (each neuron with
// probability 0.08 a step; presynaptic neuron 0 spikes twice in some steps), learning in the
// second half, and REQUIREs the same bits everywhere after every step.
void check_same_bits(Rule &whole, Rule &parts, const std::vector<uint64_t> &cut, uint64_t steps) {
  std::mt19937_64 rng(7);
  std::bernoulli_distribution fires(0.08);
  const std::vector<float> initial = whole.weight;
  for (uint64_t k = 0; k < steps; ++k) {
    std::vector<uint32_t> pre, post;
    for (uint32_t i = 0; i < whole.n_pre; ++i)
      if (fires(rng)) pre.push_back(i);
    if (!pre.empty() && pre.front() == 0 && fires(rng)) pre.insert(pre.begin(), 0);
    for (uint32_t j = 0; j < whole.n_post; ++j)
      if (fires(rng)) post.push_back(j);
    const int32_t learning = k >= steps / 2;
    whole.view.learning = parts.view.learning = learning;
    whole.step(k, pre, post);
    std::vector<std::size_t> order(cut.size() - 1);
    for (std::size_t p = 0; p < order.size(); ++p)
      order[p] = k % 2 ? p : order.size() - 1 - p;
    step_by_parts(parts, k, pre, post, cut, order);
    CAPTURE(k);
    REQUIRE(std::memcmp(whole.weight.data(), parts.weight.data(),
                        whole.weight.size() * sizeof(float)) == 0);
    for (std::size_t f = 0; f < whole.data.size(); ++f) {
      CAPTURE(whole.desc->fields[f].name);
      REQUIRE(std::memcmp(whole.data[f].data(), parts.data[f].data(),
                          whole.data[f].size() * sizeof(double)) == 0);
    }
  }
  // Not vacuous: the rule changed the weights.
  CHECK(whole.weight != initial);
}

} // namespace

TEST_CASE("rule parts: istdp by presynaptic traces and target ranges gives the whole step's bits") {
  for (int form : {0, 1}) { // multiplicative, additive
    CAPTURE(form);
    Rule whole("istdp", 9, 23, -0.5f), parts("istdp", 9, 23, -0.5f);
    REQUIRE((whole.desc->flags & GG_DESC_SPLIT_RULE) != 0);
    for (Rule *r : {&whole, &parts}) {
      r->set("form", form);
      r->set("tau", 5);
      r->set("eta", 0.2);
      r->set("J_max", 2);
      r->init();
    }
    check_same_bits(whole, parts, {0, 5, 6, 17, 23}, 400);
  }
}

TEST_CASE("rule parts: stdp by presynaptic traces and target ranges gives the whole step's bits") {
  for (int form : {0, 1})        // additive, multiplicative
    for (int pairing : {0, 1}) { // all_to_all, nearest
      CAPTURE(form);
      CAPTURE(pairing);
      Rule whole("stdp", 9, 23, 0.5f), parts("stdp", 9, 23, 0.5f);
      REQUIRE((whole.desc->flags & GG_DESC_SPLIT_RULE) != 0);
      for (Rule *r : {&whole, &parts}) {
        r->set("form", form);
        r->set("pairing", pairing);
        r->set("A_plus", 0.05);
        r->set("A_minus", 0.06);
        r->init();
      }
      check_same_bits(whole, parts, {0, 11, 12, 23}, 400);
    }
}
