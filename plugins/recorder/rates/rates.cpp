// Population rate recorder: the mean firing rate of a population in consecutive bins,
// /rates/<population>/rate (Hz) with /rates/<population>/time (ms, the start of each bin).
// Only whole bins are written; a last partial bin is dropped.
#include <cmath>
#include <string>

#include "ganglion/plugin.hpp"

namespace {

using ganglion::inf;

struct Rates {
  static constexpr const char *name = "rates";
  static constexpr gg_kind kind = GG_KIND_RECORDER;
  static constexpr bool spikes_only = true; // counts pop_n_spikes alone
  static constexpr const char *doc =
      "Binned population rate: /rates/<population>/rate (Hz, spikes per neuron per second in "
      "each bin) and /rates/<population>/time (ms, bin start). Whole bins only.";
  enum Field { bin, spikes, count };
  static constexpr gg_field fields[] = {
      ganglion::param("bin", "ms", 10, 0, inf, "bin width (a whole number of steps)",
                      GG_MIN_EXCLUSIVE),
      ganglion::trace("spikes", "1", "spikes in the current bin (element 0 holds the total)"),
  };

  static uint64_t bin_steps(const gg_view &v) {
    return std::max<uint64_t>(1, uint64_t(std::llround(v.fields[bin][0] / v.dt)));
  }

  static void init(const gg_view &v) {
    const std::string base = std::string("/rates/") + v.population;
    v.sink.declare(v.sink.ctx, (base + "/rate").c_str(), GG_DTYPE_F64, 1, "Hz");
    v.sink.declare(v.sink.ctx, (base + "/time").c_str(), GG_DTYPE_F64, 1, "ms");
  }

  static void step(const gg_view &v) {
    double &total = v.fields[spikes][0];
    total += double(v.pop_n_spikes);
    const uint64_t steps = bin_steps(v);
    if ((v.step + 1) % steps != 0) return;
    const double width_ms = double(steps) * v.dt;
    const double rate = total / double(v.n) / (width_ms * 1e-3);
    const double start = double(v.step + 1 - steps) * v.dt;
    v.sink.append(v.sink.ctx, 0, &rate, 1);
    v.sink.append(v.sink.ctx, 1, &start, 1);
    total = 0;
  }
};

} // namespace

GANGLION_PLUGIN(Rates)
