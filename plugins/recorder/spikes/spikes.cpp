// Spike recorder: every spike of a population as (time, node id) rows, SONATA style:
// /spikes/<population>/timestamps (ms) and /spikes/<population>/node_ids (0-based, within the
// population). A spike emitted in the step from t to t + dt is stamped t + dt, when it is seen.
#include <string>
#include <vector>

#include "ganglion/plugin.hpp"

namespace {

struct Spikes {
  static constexpr const char *name = "spikes";
  static constexpr gg_kind kind = GG_KIND_RECORDER;
  static constexpr bool spikes_only = true; // reads pop_spikes alone
  static constexpr const char *doc =
      "Records every spike: /spikes/<population>/timestamps (ms, the end of the step in which "
      "the neuron crossed threshold) and /spikes/<population>/node_ids (index in the population).";
  enum Field { count };
  enum Channel { timestamps, node_ids };

  static void init(const gg_view &v) {
    const std::string base = std::string("/spikes/") + v.population;
    v.sink.declare(v.sink.ctx, (base + "/timestamps").c_str(), GG_DTYPE_F64, 1, "ms");
    v.sink.declare(v.sink.ctx, (base + "/node_ids").c_str(), GG_DTYPE_U64, 1, "1");
  }

  static void step(const gg_view &v) {
    if (v.pop_n_spikes == 0) return;
    const std::vector<double> times(v.pop_n_spikes, double(v.step + 1) * v.dt);
    const std::vector<uint64_t> ids(v.pop_spikes, v.pop_spikes + v.pop_n_spikes);
    v.sink.append(v.sink.ctx, timestamps, times.data(), times.size());
    v.sink.append(v.sink.ctx, node_ids, ids.data(), ids.size());
  }
};

} // namespace

GANGLION_PLUGIN(Spikes)
