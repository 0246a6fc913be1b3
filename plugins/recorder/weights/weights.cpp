// Weight recorder: a projection's weights as the network runs (plasticity), every `every`:
// /weights/<projection>/{time, mean, std, histogram} and, for the synapses chosen with
// "synapses", /weights/<projection>/synapses/{data, pre, post}. The first sample is the initial
// weights, at t = 0.
#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "ganglion/plugin.hpp"

namespace {

using ganglion::inf;

struct Weights {
  static constexpr const char *name = "weights";
  static constexpr gg_kind kind = GG_KIND_RECORDER;
  static constexpr bool records_projection = true;
  static constexpr bool spikes_only = true; // reads its projection's weights alone
  static constexpr const char *doc =
      "Records a projection's weights (in its weight unit) every \"every\", starting with the "
      "initial ones at t = 0: /weights/<projection>/time (ms), mean, std, histogram (rows of "
      "`bins` counts over histogram_edges), and the chosen \"synapses\" in "
      "/weights/<projection>/synapses/data with their pre and post neurons. Edges span "
      "[hist_min, hist_max]; with both 0, twice the initial weights' range on their side of 0.";
  enum Field { bins, hist_min, hist_max, edge_lo, edge_hi, count };
  static constexpr gg_field fields[] = {
      ganglion::param("bins", "1", 20, 1, 10000, "histogram bins"),
      ganglion::param("hist_min", "1", 0, -inf, inf, "lower histogram edge, in the weight unit"),
      ganglion::param("hist_max", "1", 0, -inf, inf, "upper histogram edge, in the weight unit"),
      ganglion::trace("edge_lo", "1", "the lower edge in use"),
      ganglion::trace("edge_hi", "1", "the upper edge in use"),
  };
  enum Channel { time, mean, stdev, histogram, synapses };

  static std::string validate(const double *v) {
    if (std::floor(v[bins]) != v[bins]) return "bins must be a whole number";
    if (v[hist_min] > v[hist_max]) return "hist_min must not be above hist_max";
    return {};
  }

  static std::string base(const gg_view &v) { return std::string("/weights/") + v.projection; }

  static void sample(const gg_view &v, double t) {
    const uint64_t n = v.n_synapses;
    double s = 0, s2 = 0;
    for (uint64_t k = 0; k < n; ++k) s += v.weight[k];
    const double m = n ? s / double(n) : 0;
    for (uint64_t k = 0; k < n; ++k) s2 += (v.weight[k] - m) * (v.weight[k] - m);
    const double sd = n > 1 ? std::sqrt(s2 / double(n - 1)) : 0;
    const auto nb = uint64_t(v.fields[bins][0]);
    const double lo = v.fields[edge_lo][0], hi = v.fields[edge_hi][0];
    std::vector<double> counts(nb, 0.0);
    for (uint64_t k = 0; k < n; ++k) {
      const double x = (v.weight[k] - lo) / (hi - lo) * double(nb);
      if (x >= 0 && x <= double(nb)) counts[std::min(nb - 1, uint64_t(x))] += 1;
    }
    v.sink.append(v.sink.ctx, time, &t, 1);
    v.sink.append(v.sink.ctx, mean, &m, 1);
    v.sink.append(v.sink.ctx, stdev, &sd, 1);
    v.sink.append(v.sink.ctx, histogram, counts.data(), 1);
    if (v.n_chosen_synapses) {
      std::vector<double> row(v.n_chosen_synapses);
      for (uint64_t c = 0; c < row.size(); ++c) row[c] = v.weight[v.chosen_synapses[c]];
      v.sink.append(v.sink.ctx, synapses, row.data(), 1);
    }
  }

  static void init(const gg_view &v) {
    double lo = v.fields[hist_min][0], hi = v.fields[hist_max][0];
    if (lo == 0 && hi == 0) {
      for (uint64_t k = 0; k < v.n_synapses; ++k) {
        lo = std::min(lo, 2.0 * v.weight[k]);
        hi = std::max(hi, 2.0 * v.weight[k]);
      }
      if (lo == hi) hi = lo + 1; // no synapses, or all zero
    }
    v.fields[edge_lo][0] = lo;
    v.fields[edge_hi][0] = hi;
    const auto nb = uint32_t(v.fields[bins][0]);
    const std::string b = base(v);
    v.sink.declare(v.sink.ctx, (b + "/time").c_str(), GG_DTYPE_F64, 1, "ms");
    v.sink.declare(v.sink.ctx, (b + "/mean").c_str(), GG_DTYPE_F64, 1, "");
    v.sink.declare(v.sink.ctx, (b + "/std").c_str(), GG_DTYPE_F64, 1, "");
    v.sink.declare(v.sink.ctx, (b + "/histogram").c_str(), GG_DTYPE_F64, nb, "1");
    std::vector<double> edges(nb + 1);
    for (uint32_t e = 0; e <= nb; ++e) edges[e] = lo + (hi - lo) * double(e) / double(nb);
    v.sink.write_fixed(v.sink.ctx, (b + "/histogram_edges").c_str(), GG_DTYPE_F64, edges.data(),
                       edges.size(), 1, "");
    if (v.n_chosen_synapses) {
      v.sink.declare(v.sink.ctx, (b + "/synapses/data").c_str(), GG_DTYPE_F64,
                     uint32_t(v.n_chosen_synapses), "");
      std::vector<uint64_t> pre(v.n_chosen_synapses), post(v.n_chosen_synapses);
      for (uint64_t c = 0; c < pre.size(); ++c) {
        const uint64_t k = v.chosen_synapses[c];
        pre[c] = uint64_t(std::upper_bound(v.row_ptr, v.row_ptr + v.n_pre + 1, k) - v.row_ptr - 1);
        post[c] = v.post_index[k];
      }
      v.sink.write_fixed(v.sink.ctx, (b + "/synapses/pre").c_str(), GG_DTYPE_U64, pre.data(),
                         pre.size(), 1, "1");
      v.sink.write_fixed(v.sink.ctx, (b + "/synapses/post").c_str(), GG_DTYPE_U64, post.data(),
                         post.size(), 1, "1");
    }
    sample(v, 0.0);
  }

  static void step(const gg_view &v) {
    if ((v.step + 1) % v.every == 0) sample(v, double(v.step + 1) * v.dt);
  }
};

} // namespace

GANGLION_PLUGIN(Weights)
