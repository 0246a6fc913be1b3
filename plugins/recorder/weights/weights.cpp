// Weight recorder: a projection's weights as the network runs (plasticity), every `every`:
// /weights/<projection>/{time, mean, std, histogram} and, for the synapses chosen with
// "synapses", /weights/<projection>/synapses/{data, pre, post}. The first sample is the initial
// weights, at t = 0.
#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "ganglion/plugin.hpp"
#include "weights_model.hpp"

namespace {

using ganglion::inf;
namespace model = ganglion::weights;

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
      "[hist_min, hist_max]; with both 0, twice the initial weights' range on their side of 0. "
      "Of a projection on cuda it samples on the device (the same bits).";
  using Field = model::Field;
  static constexpr Field count = model::count;
  static constexpr gg_field fields[] = {
      ganglion::param("bins", "1", 20, 1, 10000, "histogram bins"),
      ganglion::param("hist_min", "1", 0, -inf, inf, "lower histogram edge, in the weight unit"),
      ganglion::param("hist_max", "1", 0, -inf, inf, "upper histogram edge, in the weight unit"),
      ganglion::trace("edge_lo", "1", "the lower edge in use"),
      ganglion::trace("edge_hi", "1", "the upper edge in use"),
  };

  static std::string validate(const double *v) {
    if (std::floor(v[model::bins]) != v[model::bins]) return "bins must be a whole number";
    if (v[model::hist_min] > v[model::hist_max]) return "hist_min must not be above hist_max";
    return {};
  }

  static std::string base(const gg_view &v) { return std::string("/weights/") + v.projection; }

  // One block's sum (at most kBlock weights) in model::kLanes partial sums, a vector's worth so
  // that the loop vectorises, added pairwise: of the weights less shift, or (Square) of those
  // differences squared.
  static constexpr uint64_t kLanes = model::kLanes;
  template <bool Square>
  GANGLION_SIMD static double lane_sum(const float *w, uint64_t n, double shift) {
    double acc[kLanes] = {};
    uint64_t k = 0;
    for (; k + kLanes <= n; k += kLanes)
      for (uint64_t l = 0; l < kLanes; ++l)
        acc[l] += model::term(w[k + l], shift, Square);
    for (; k < n; ++k)
      acc[k % kLanes] += model::term(w[k], shift, Square);
    return model::lane_sums(acc);
  }

  // The sum over all n weights in the order the device adds it (weights_model.hpp): blocks'
  // sums added in groups, the groups' sums added.
  template <bool Square> static double ordered_sum(const float *w, uint64_t n, double shift) {
    const uint64_t blocks = model::blocks_of(n);
    double total = 0;
    for (uint64_t g = 0; g * model::kGroup < blocks; ++g) {
      double group = 0;
      for (uint64_t b = g * model::kGroup; b < std::min(blocks, (g + 1) * model::kGroup); ++b) {
        const uint64_t begin = b * model::kBlock;
        group += lane_sum<Square>(w + begin, std::min(model::kBlock, n - begin), shift);
      }
      total += group;
    }
    return total;
  }

  // Histogram counts over [lo, hi] in nb bins (model::bin_of) into out[0 .. nb). Bins are found
  // a batch at a time in a loop that vectorises, then counted in kLanes interleaved tallies
  // (weights that share a bin would otherwise wait on each other's increments).
  GANGLION_SIMD static void histogram_counts(const float *w, uint64_t n, uint64_t nb, double lo,
                                             double hi, double *out) {
    constexpr uint64_t kBatch = 1024;
    std::vector<uint64_t> tally(kLanes * (nb + 1), 0); // bin nb: outside
    uint32_t bin[kBatch];
    for (uint64_t b = 0; b < n; b += kBatch) {
      const uint64_t m = std::min(kBatch, n - b);
      for (uint64_t k = 0; k < m; ++k)
        bin[k] = model::bin_of(w[b + k], lo, hi, nb);
      for (uint64_t k = m; k % kLanes; ++k)
        bin[k] = uint32_t(nb); // the batch's tail: outside
      for (uint64_t k = 0; k < m; k += kLanes)
        for (uint64_t l = 0; l < kLanes; ++l)
          ++tally[l * (nb + 1) + bin[k + l]];
    }
    for (uint64_t i = 0; i < nb; ++i) {
      out[i] = 0;
      for (uint64_t l = 0; l < kLanes; ++l)
        out[i] += double(tally[l * (nb + 1) + i]);
    }
  }

  // The sample's record (weights_model.hpp), as the device makes it, to the channels.
  static void sample(const gg_view &v, double t) {
    const uint64_t n = v.n_synapses;
    const float *w = v.weight;
    const auto nb = uint64_t(v.fields[model::bins][0]);
    std::vector<double> r(model::record_values(nb, v.n_chosen_synapses));
    r[0] = model::mean_of(ordered_sum<false>(w, n, 0.0), n);
    r[1] = model::std_of(ordered_sum<true>(w, n, r[0]), n);
    histogram_counts(w, n, nb, v.fields[model::edge_lo][0], v.fields[model::edge_hi][0], &r[2]);
    for (uint64_t c = 0; c < v.n_chosen_synapses; ++c)
      r[2 + nb + c] = v.weight[v.chosen_synapses[c]];
    model::emit_record(v, t, r.data());
  }

  static void init(const gg_view &v) {
    double lo = v.fields[model::hist_min][0], hi = v.fields[model::hist_max][0];
    if (lo == 0 && hi == 0) {
      for (uint64_t k = 0; k < v.n_synapses; ++k) {
        lo = std::min(lo, 2.0 * v.weight[k]);
        hi = std::max(hi, 2.0 * v.weight[k]);
      }
      if (lo == hi) hi = lo + 1; // no synapses, or all zero
    }
    v.fields[model::edge_lo][0] = lo;
    v.fields[model::edge_hi][0] = hi;
    const auto nb = uint32_t(v.fields[model::bins][0]);
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
