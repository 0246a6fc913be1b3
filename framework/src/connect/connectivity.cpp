// Connectivity rules; see connectivity.hpp.
#include "connect/connectivity.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <stdexcept>
#include <unordered_set>

#include "engine/values.hpp"
#include "random/draws.hpp"

namespace ganglion {
namespace {

// Fills the CSR from per-row target lists produced row by row.
template <class Row> Csr by_rows(uint64_t n_pre, Row &&row) {
  Csr c;
  c.row_ptr.assign(n_pre + 1, 0);
  std::vector<uint32_t> targets;
  for (uint64_t i = 0; i < n_pre; ++i) {
    targets.clear();
    row(i, targets);
    c.row_ptr[i + 1] = c.row_ptr[i] + targets.size();
    c.post_index.insert(c.post_index.end(), targets.begin(), targets.end());
  }
  return c;
}

// CSR from (pre, post) pairs, by a counting sort that keeps the pairs' order within each row.
Csr from_pairs(uint64_t n_pre, const std::vector<uint32_t> &pre, const std::vector<uint32_t> &post) {
  Csr c;
  c.row_ptr.assign(n_pre + 1, 0);
  for (uint32_t i : pre) ++c.row_ptr[i + 1];
  std::partial_sum(c.row_ptr.begin(), c.row_ptr.end(), c.row_ptr.begin());
  c.post_index.resize(pre.size());
  std::vector<uint64_t> fill(c.row_ptr.begin(), c.row_ptr.end() - 1);
  for (std::size_t s = 0; s < pre.size(); ++s) c.post_index[fill[pre[s]]++] = post[s];
  return c;
}

void refuse(const ProjectionSpec &proj, const std::string &what) {
  throw std::runtime_error(proj.pointer + "/connect: " + what);
}

// k distinct-or-not picks from [0, n), skipping `skip` (an autapse) when it is < n.
void pick(Draws &draws, uint64_t n, uint64_t k, uint64_t skip, bool multapses,
          std::vector<uint32_t> &out) {
  out.clear();
  std::unordered_set<uint32_t> seen;
  while (out.size() < k) {
    const uint64_t x = draws.below(n);
    if (x == skip) continue;
    if (!multapses && !seen.insert(uint32_t(x)).second) continue;
    out.push_back(uint32_t(x));
  }
}

Csr synapses(const ProjectionSpec &proj, const PopulationSpec &pre, const PopulationSpec &post,
             uint64_t seed) {
  const uint64_t n_pre = pre.size, n_post = post.size;
  const bool skip_autapse = proj.pre == proj.post && !proj.allow_autapses;
  const uint64_t none = std::numeric_limits<uint64_t>::max();
  const uint64_t stream = streams::kConnect + proj.stream;

  switch (proj.rule) {
  case ConnectRule::AllToAll:
    return by_rows(n_pre, [&](uint64_t i, std::vector<uint32_t> &t) {
      for (uint64_t j = 0; j < n_post; ++j)
        if (!(skip_autapse && i == j)) t.push_back(uint32_t(j));
    });
  case ConnectRule::OneToOne:
    return by_rows(n_pre, [&](uint64_t i, std::vector<uint32_t> &t) { t.push_back(uint32_t(i)); });
  case ConnectRule::FixedProbability: {
    const double p = proj.p;
    if (p <= 0) return by_rows(n_pre, [](uint64_t, std::vector<uint32_t> &) {});
    // Geometric gaps between successive targets: work in proportion to the synapses made.
    const double log_q = std::log1p(-p);
    return by_rows(n_pre, [&](uint64_t i, std::vector<uint32_t> &t) {
      Draws draws(seed, stream, pre.first_gid + i);
      for (uint64_t j = 0;; ++j) {
        if (p < 1) {
          const double gap = std::floor(std::log(draws.uniform()) / log_q);
          if (gap >= double(n_post - j)) break;
          j += static_cast<uint64_t>(gap);
        }
        if (j >= n_post) break;
        if (!(skip_autapse && i == j)) t.push_back(uint32_t(j));
      }
    });
  }
  case ConnectRule::FixedOutdegree: {
    const uint64_t candidates = n_post - (skip_autapse ? 1 : 0);
    const uint64_t k = proj.outdegree;
    if (k > 0 && (candidates == 0 || (!proj.allow_multapses && k > candidates)))
      refuse(proj, "an out-degree of " + std::to_string(k) + " cannot be drawn from " +
                       std::to_string(candidates) + " targets; lower 'outdegree' or allow multapses");
    return by_rows(n_pre, [&](uint64_t i, std::vector<uint32_t> &t) {
      Draws draws(seed, stream, pre.first_gid + i);
      pick(draws, n_post, k, skip_autapse ? i : none, proj.allow_multapses, t);
      std::sort(t.begin(), t.end());
    });
  }
  case ConnectRule::FixedIndegree: {
    // Drawn per postsynaptic neuron (its in-degree is what is fixed), then sorted into rows.
    const uint64_t candidates = n_pre - (skip_autapse ? 1 : 0);
    const uint64_t k = proj.indegree;
    if (k > 0 && (candidates == 0 || (!proj.allow_multapses && k > candidates)))
      refuse(proj, "an in-degree of " + std::to_string(k) + " cannot be drawn from " +
                       std::to_string(candidates) + " sources; lower 'indegree' or allow multapses");
    std::vector<uint32_t> pres, posts, picked;
    pres.reserve(n_post * k);
    posts.reserve(n_post * k);
    for (uint64_t j = 0; j < n_post; ++j) {
      Draws draws(seed, stream, post.first_gid + j);
      pick(draws, n_pre, k, skip_autapse ? j : none, proj.allow_multapses, picked);
      pres.insert(pres.end(), picked.begin(), picked.end());
      posts.insert(posts.end(), k, uint32_t(j));
    }
    return from_pairs(n_pre, pres, posts);
  }
  case ConnectRule::FixedTotalNumber: {
    const uint64_t possible = n_pre * n_post - (skip_autapse ? std::min(n_pre, n_post) : 0);
    if (!proj.allow_multapses && proj.total > possible)
      refuse(proj, std::to_string(proj.total) + " synapses cannot be drawn without multapses from " +
                       std::to_string(possible) + " possible pairs; lower 'total' or allow "
                                                  "multapses");
    if (proj.total > 0 && possible == 0) refuse(proj, "there is no pair of neurons to connect");
    // One stream for the whole projection (its id is the pre population's first gid): pairs
    // in draw order, then sorted into rows by pre and, within a row, by post.
    Draws draws(seed, stream, pre.first_gid);
    std::vector<uint32_t> pres, posts;
    std::unordered_set<uint64_t> seen;
    while (pres.size() < proj.total) {
      const uint64_t i = draws.below(n_pre), j = draws.below(n_post);
      if (skip_autapse && i == j) continue;
      if (!proj.allow_multapses && !seen.insert(i * n_post + j).second) continue;
      pres.push_back(uint32_t(i));
      posts.push_back(uint32_t(j));
    }
    Csr c = from_pairs(n_pre, pres, posts);
    for (uint64_t i = 0; i < n_pre; ++i)
      std::sort(c.post_index.begin() + long(c.row_ptr[i]), c.post_index.begin() + long(c.row_ptr[i + 1]));
    return c;
  }
  }
  throw std::logic_error("unknown connectivity rule");
}

} // namespace

Csr build_connectivity(const ProjectionSpec &proj, const PopulationSpec &pre,
                       const PopulationSpec &post, uint64_t seed, double dt) {
  if (post.size > UINT32_MAX || pre.size > UINT32_MAX)
    throw std::runtime_error(proj.pointer + ": populations above 2^32 neurons are not supported");
  Csr c = synapses(proj, pre, post, seed);
  const uint64_t n_pre = pre.size;

  // Weights: a projection keeps its sign, so a draw of the other sign is drawn again.
  c.weight.resize(c.size());
  const double lo = proj.weight < 0 ? -HUGE_VAL : 0.0, hi = proj.weight < 0 ? 0.0 : HUGE_VAL;
  if (proj.weight_dist.kind == ValueSpec::Kind::Constant)
    std::fill(c.weight.begin(), c.weight.end(), float(proj.weight));
  else
  for (uint64_t i = 0; i < n_pre; ++i) {
    Draws draws(seed, streams::kWeights + proj.stream, pre.first_gid + i);
    for (uint64_t k = c.row_ptr[i]; k < c.row_ptr[i + 1]; ++k)
      c.weight[k] = float(draw_value(proj.weight_dist, k, draws, lo, hi));
  }

  // Drawn delays: whole steps, at least one; rows sorted by delay so one delay is one run.
  c.max_delay = proj.delay_steps;
  if (proj.delay_dist.kind == ValueSpec::Kind::Constant) return c;
  c.delay.resize(c.size());
  c.max_delay = 1;
  std::vector<uint64_t> order;
  AlignedVector<uint32_t> post_sorted(c.size());
  AlignedVector<float> weight_sorted(c.size());
  AlignedVector<uint16_t> delay_sorted(c.size());
  for (uint64_t i = 0; i < n_pre; ++i) {
    Draws draws(seed, streams::kDelays + proj.stream, pre.first_gid + i);
    const uint64_t b = c.row_ptr[i], e = c.row_ptr[i + 1];
    for (uint64_t k = b; k < e; ++k) {
      const double ms = draw_value(proj.delay_dist, k, draws, -HUGE_VAL, HUGE_VAL);
      const double steps = std::max(1.0, std::round(ms / dt));
      if (steps > 65535)
        throw std::runtime_error(proj.pointer + "/delay: a drawn delay of " + std::to_string(ms) +
                                 " ms is over 65535 steps; shorten it or raise dt");
      c.delay[k] = uint16_t(steps);
      c.max_delay = std::max<uint64_t>(c.max_delay, c.delay[k]);
    }
    order.resize(e - b);
    std::iota(order.begin(), order.end(), b);
    std::stable_sort(order.begin(), order.end(),
                     [&](uint64_t x, uint64_t y) { return c.delay[x] < c.delay[y]; });
    for (uint64_t s = 0; s < order.size(); ++s) {
      post_sorted[b + s] = c.post_index[order[s]];
      weight_sorted[b + s] = c.weight[order[s]];
      delay_sorted[b + s] = c.delay[order[s]];
    }
  }
  c.post_index.swap(post_sorted);
  c.weight.swap(weight_sorted);
  c.delay.swap(delay_sorted);
  return c;
}

} // namespace ganglion
