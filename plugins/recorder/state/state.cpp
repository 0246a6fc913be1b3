// State recorder: chosen variables of chosen neurons every `every` steps, SONATA report layout:
// /report/<population>/<variable>/data (rows = samples, columns = neurons; units: the
// variable's), .../mapping/node_ids, .../mapping/index_pointers and .../mapping/element_ids (one
// element a neuron: data column i is node_ids[i], element 0) and .../mapping/time = [first
// sample, end, interval] in ms.
// A sample is taken after the step, so the k-th sample (k = 1, 2, ...) is the state at
// t = k * every * dt.
#include <string>
#include <vector>

#include "ganglion/plugin.hpp"

namespace {

struct State {
  static constexpr const char *name = "state";
  static constexpr gg_kind kind = GG_KIND_RECORDER;
  static constexpr const char *doc =
      "Records chosen state variables (\"variables\") of chosen neurons (\"neurons\", default all) "
      "every \"every\" (default dt) into /report/<population>/<variable>/{data, mapping/node_ids, "
      "mapping/time}. Sample k holds the state at t = k * every.";
  enum Field { count };

  static uint64_t columns(const gg_view &v) { return v.select ? v.n_select : v.n; }
  static std::string base(const gg_view &v, uint32_t k) {
    return std::string("/report/") + v.population + "/" + v.variable_names[k];
  }

  static const char *unit(const gg_view &v, uint32_t k) {
    return GANGLION_VIEW_HAS(v, variable_units) && v.variable_units ? v.variable_units[k] : "";
  }

  static void init(const gg_view &v) {
    const uint64_t n = columns(v);
    std::vector<uint64_t> ids(n), pointers(n + 1), elements(n, 0);
    for (uint64_t c = 0; c < n; ++c)
      ids[c] = v.select ? v.select[c] : c;
    for (uint64_t c = 0; c <= n; ++c)
      pointers[c] = c;
    for (uint32_t k = 0; k < v.n_variables; ++k) {
      const std::string mapping = base(v, k) + "/mapping/";
      v.sink.declare(v.sink.ctx, (base(v, k) + "/data").c_str(), GG_DTYPE_F64, uint32_t(n),
                     unit(v, k));
      v.sink.write_fixed(v.sink.ctx, (mapping + "node_ids").c_str(), GG_DTYPE_U64, ids.data(), n, 1,
                         "1");
      v.sink.write_fixed(v.sink.ctx, (mapping + "index_pointers").c_str(), GG_DTYPE_U64,
                         pointers.data(), n + 1, 1, "");
      v.sink.write_fixed(v.sink.ctx, (mapping + "element_ids").c_str(), GG_DTYPE_U64,
                         elements.data(), n, 1, "");
    }
  }

  static void step(const gg_view &v) {
    if ((v.step + 1) % v.every != 0) return;
    std::vector<double> row(columns(v));
    for (uint32_t k = 0; k < v.n_variables; ++k) {
      const double *x = v.pop_fields[v.variables[k]];
      for (uint64_t c = 0; c < row.size(); ++c) row[c] = x[v.select ? v.select[c] : c];
      v.sink.append(v.sink.ctx, int32_t(k), row.data(), 1);
    }
  }

  static void finish(const gg_view &v) {
    const double interval = double(v.every) * v.dt;
    const uint64_t samples = (v.step + 1) / v.every;
    const double time[3] = {interval, interval * double(samples + 1), interval};
    for (uint32_t k = 0; k < v.n_variables; ++k)
      v.sink.write_fixed(v.sink.ctx, (base(v, k) + "/mapping/time").c_str(), GG_DTYPE_F64, time,
                         3, 1, "ms");
  }
};

} // namespace

GANGLION_PLUGIN(State)
