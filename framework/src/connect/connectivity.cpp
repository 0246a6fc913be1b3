// Connectivity rules; see connectivity.hpp.
#include "connect/connectivity.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "ganglion/philox.h"

namespace ganglion {
namespace {

// Connectivity streams are kept apart from the streams of neuron dynamics.
constexpr uint64_t kConnectStreamBase = 1ull << 40;

// Uniform draws for one row: the counter is (global id, draw block), two doubles per block.
class RowDraws {
public:
  RowDraws(uint64_t seed, uint64_t stream, uint64_t gid) : seed_(seed), stream_(stream), gid_(gid) {}
  double next() {
    if (have_ == 0) {
      w_ = gg_random4(seed_, stream_, uint32_t(gid_), uint32_t(gid_ >> 32), uint32_t(block_),
                      uint32_t(block_ >> 32));
      ++block_;
      have_ = 2;
    }
    --have_;
    return have_ == 1 ? gg_uniform(w_.v[0], w_.v[1]) : gg_uniform(w_.v[2], w_.v[3]);
  }
  uint64_t below(uint64_t n) { // uniform integer in [0, n)
    return std::min<uint64_t>(n - 1, static_cast<uint64_t>(next() * static_cast<double>(n)));
  }

private:
  uint64_t seed_, stream_, gid_, block_ = 0;
  gg_u32x4 w_{};
  int have_ = 0;
};

// Fills the CSR from per-row target lists produced row by row.
template <class Row> Csr by_rows(uint64_t n_pre, float w, Row &&row) {
  Csr c;
  c.row_ptr.assign(n_pre + 1, 0);
  std::vector<uint32_t> targets;
  for (uint64_t i = 0; i < n_pre; ++i) {
    targets.clear();
    row(i, targets);
    c.row_ptr[i + 1] = c.row_ptr[i] + targets.size();
    c.post_index.insert(c.post_index.end(), targets.begin(), targets.end());
  }
  c.weight.assign(c.post_index.size(), w);
  return c;
}

} // namespace

Csr build_connectivity(const ProjectionSpec &proj, const PopulationSpec &pre,
                       const PopulationSpec &post, uint64_t seed) {
  const uint64_t n_pre = pre.size, n_post = post.size;
  if (n_post > UINT32_MAX)
    throw std::runtime_error(proj.pointer + ": populations above 2^32 neurons are not supported");
  const bool self = proj.pre == proj.post;
  const bool skip_autapse = self && !proj.allow_autapses;
  const float w = static_cast<float>(proj.weight);
  const uint64_t stream = kConnectStreamBase + proj.stream;

  switch (proj.rule) {
  case ConnectRule::AllToAll:
    return by_rows(n_pre, w, [&](uint64_t i, std::vector<uint32_t> &t) {
      for (uint64_t j = 0; j < n_post; ++j)
        if (!(skip_autapse && i == j)) t.push_back(uint32_t(j));
    });
  case ConnectRule::OneToOne:
    return by_rows(n_pre, w, [&](uint64_t i, std::vector<uint32_t> &t) { t.push_back(uint32_t(i)); });
  case ConnectRule::FixedProbability: {
    const double p = proj.p;
    if (p <= 0) return by_rows(n_pre, w, [](uint64_t, std::vector<uint32_t> &) {});
    // Geometric skips between successive targets: O(synapses) draws instead of O(n_pre n_post).
    const double log_q = std::log1p(-p);
    return by_rows(n_pre, w, [&](uint64_t i, std::vector<uint32_t> &t) {
      RowDraws draws(seed, stream, pre.first_gid + i);
      for (uint64_t j = 0;; ++j) {
        if (p < 1) {
          const double skip = std::floor(std::log(draws.next()) / log_q);
          if (skip >= double(n_post - j)) break;
          j += static_cast<uint64_t>(skip);
        }
        if (j >= n_post) break;
        if (!(skip_autapse && i == j)) t.push_back(uint32_t(j));
      }
    });
  }
  case ConnectRule::FixedIndegree: {
    // Drawn per postsynaptic neuron (its in-degree is what is fixed), then turned into CSR by
    // presynaptic neuron with a counting sort, which keeps targets ascending within each row.
    const uint64_t k = proj.indegree;
    const uint64_t candidates = n_pre - (skip_autapse ? 1 : 0);
    if (k > 0 && (candidates == 0 || (!proj.allow_multapses && k > candidates)))
      throw std::runtime_error(proj.pointer + "/connect: an in-degree of " + std::to_string(k) +
                               " cannot be drawn from " + std::to_string(candidates) +
                               " candidate sources; lower 'indegree' or allow multapses");
    std::vector<uint32_t> sources;
    sources.reserve(n_post * k);
    std::vector<uint32_t> picked;
    for (uint64_t j = 0; j < n_post; ++j) {
      RowDraws draws(seed, stream, post.first_gid + j);
      picked.clear();
      while (picked.size() < k) {
        const uint64_t i = draws.below(n_pre);
        if (skip_autapse && i == j) continue;
        if (!proj.allow_multapses && std::find(picked.begin(), picked.end(), i) != picked.end())
          continue;
        picked.push_back(uint32_t(i));
      }
      sources.insert(sources.end(), picked.begin(), picked.end());
    }
    Csr c;
    c.row_ptr.assign(n_pre + 1, 0);
    for (uint32_t i : sources) ++c.row_ptr[i + 1];
    for (uint64_t i = 0; i < n_pre; ++i) c.row_ptr[i + 1] += c.row_ptr[i];
    c.post_index.resize(sources.size());
    std::vector<uint64_t> fill(c.row_ptr.begin(), c.row_ptr.end() - 1);
    for (uint64_t j = 0; j < n_post; ++j)
      for (uint64_t s = 0; s < k; ++s) c.post_index[fill[sources[j * k + s]]++] = uint32_t(j);
    c.weight.assign(c.post_index.size(), w);
    return c;
  }
  }
  throw std::logic_error("unknown connectivity rule");
}

} // namespace ganglion
