// A RowBuilder (framework/src/connect/connectivity.hpp) that draws each rule's rows by the
// device's code run on the host (reference_rows.hpp) and keeps them with their values where asked,
// as the device engine's does on a GPU: the unit tests hold it to the host's CSR, and the scripted
// engine (tests/fixtures) builds with it.
#pragma once

#include <algorithm>
#include <cstdint>
#include <functional>
#include <numeric>
#include <string>
#include <vector>

#include "connect/connectivity.hpp"
#include "connect/synapse_element.hpp"
#include "connect/synapse_values.hpp"
#include "random/transforms.hpp"
#include "reference_rows.hpp"

namespace ganglion::test {

// Rows drawn "elsewhere" by the device's code run on the host (gpu/reference_rows.hpp), as the
// device engine's RowBuilder draws them on a GPU; each call counted (and told to `seen`). Kept
// (`keep`), they stay here with their values, each synapse's by the device's own element code
// (synapse_element), each row then sorted by delay stably, as the device's sort_by_delay sorts it
// (gpu/connect/connect_device.cu).
struct ReferenceRowBuilder final : RowBuilder {
  int calls = 0;
  // Told of each call: "rows kept", "rows to the host" (a rule's) or "join", and its synapses
  // (null: nothing).
  std::function<void(const std::string &what, uint64_t synapses)> seen;
  struct Kept {
    Rows rows;
    std::vector<float> weight;
    std::vector<uint16_t> delay;
  };
  std::vector<Kept> kept;
  Csr csr(const Rows &r) {
    ++calls;
    if (seen) seen(keep && !r.post.empty() ? "rows kept" : "rows to the host", r.post.size());
    Csr c;
    if (keep && !r.post.empty()) {
      c.held.count = r.post.size();
      c.held.id = kept.size();
      kept.push_back({r, {}, {}});
      return c;
    }
    c.row_ptr = r.row_ptr;
    c.post_index.resize(r.post.size());
    std::copy(r.post.begin(), r.post.end(), c.post_index.begin());
    return c;
  }
  void complete(Csr &c, const SynapseDraws &d) override {
    Kept &k = kept.at(c.held.id);
    const std::vector<uint64_t> &row_ptr = k.rows.row_ptr;
    std::vector<uint32_t> post;
    double longest = 0;
    uint16_t most = 1;
    const gpu::SynapseValues v = gpu::synapse_values(d);
    for (uint64_t i = 0; i + 1 < row_ptr.size(); ++i) {
      const uint64_t b = row_ptr[i], n = row_ptr[i + 1] - b;
      std::vector<float> w(n);
      std::vector<uint16_t> steps(n, 0);
      for (uint64_t s = 0; s < n; ++s) {
        const gpu::SynapseElement e = gpu::synapse_element(v, i, s);
        w[s] = e.weight;
        steps[s] = e.delay_steps;
        longest = std::max(longest, e.delay_ms);
        most = std::max(most, e.delay_steps);
      }
      std::vector<uint64_t> order(n);
      std::iota(order.begin(), order.end(), 0);
      std::stable_sort(order.begin(), order.end(),
                       [&](uint64_t x, uint64_t y) { return steps[x] < steps[y]; });
      for (const uint64_t s : order) {
        post.push_back(k.rows.post[b + s]);
        k.weight.push_back(w[s]);
        if (d.drawn_delays) k.delay.push_back(steps[s]);
      }
    }
    k.rows.post = post;
    if (d.drawn_delays && delay_step(longest, d.dt) > 65535) refuse_delay(d.proj, longest);
    c.max_delay = d.drawn_delays ? most : d.proj.delay_steps;
    c.held.delays = d.drawn_delays;
  }
  Csr bernoulli(uint64_t seed, uint64_t stream, double p, uint64_t n_pre, uint64_t n_post,
                uint64_t first_gid, bool self) override {
    return csr(bernoulli_rows(seed, stream, p, n_pre, n_post, first_gid, self));
  }
  Csr counted(uint64_t seed, uint64_t stream, const std::vector<uint64_t> &counts, uint64_t n_post,
              uint64_t first_gid, bool self, bool multapses) override {
    return csr(counted_rows(seed, stream, counts, n_post, first_gid, self, multapses));
  }
  Csr indegree(uint64_t seed, uint64_t stream, uint64_t n_pre, uint64_t n_post, uint64_t k,
               uint64_t first, bool self, bool multapses) override {
    return csr(column_rows(seed, stream, n_pre, n_post, k, first, self, multapses));
  }
  Csr all_to_all(uint64_t n_pre, uint64_t n_post, bool self) override {
    return csr(all_to_all_rows(n_pre, n_post, self));
  }
  // Member m's rows after member m - 1's, its targets moved up by m n_post (logged as "join N").
  Csr join(std::vector<Csr> members, uint64_t n_post) override {
    Kept j;
    Csr c = joined_held(members);
    for (std::size_t m = 0; m < members.size(); ++m) {
      const Csr &part = members[m];
      if (!part.held.count) { // (rows without synapses)
        for (uint64_t i = 0; i + 1 < part.row_ptr.size(); ++i)
          j.rows.end_row();
        continue;
      }
      Kept &k = kept.at(part.held.id);
      const uint64_t at = j.rows.post.size();
      for (uint64_t i = 1; i < k.rows.row_ptr.size(); ++i)
        j.rows.row_ptr.push_back(at + k.rows.row_ptr[i]);
      for (const uint32_t t : k.rows.post)
        j.rows.post.push_back(uint32_t(t + m * n_post));
      j.weight.insert(j.weight.end(), k.weight.begin(), k.weight.end());
      j.delay.insert(j.delay.end(), k.delay.begin(), k.delay.end());
      k = Kept{};
    }
    if (seen) seen("join", j.rows.post.size());
    c.held.count = j.rows.post.size();
    c.held.id = kept.size();
    kept.push_back(std::move(j));
    return c;
  }
  Csr one_to_one(uint64_t n) override {
    Rows r;
    for (uint64_t i = 0; i < n; ++i) {
      r.post.push_back(uint32_t(i));
      r.end_row();
    }
    return csr(r);
  }
};

} // namespace ganglion::test
