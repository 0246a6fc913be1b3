// Spike source with given trains: neuron i fires at the times of its sequence (ms). A time T is
// emitted in the step that ends at or after it (((n)dt, (n+1)dt]), so the spike recorder stamps it
// T exactly when T is on the step grid, and a spike at 0 is emitted in the first step.
#include <cmath>

#include "ganglion/plugin.hpp"
#include "spike_times_model.hpp"

namespace {

struct SpikeTimes {
  static constexpr const char *name = "spike_times";
  static constexpr gg_kind kind = GG_KIND_NEURON;
  static constexpr bool batch = true; // element by element; draws by gg_element_*
  static constexpr bool source = true;
  static constexpr const char *doc =
      "Spike source with given trains: \"times\" is one list of times (ms) for every neuron, or "
      "a list of lists, one per neuron; each ascending. Takes no input.";
  using enum ganglion::spike_times::Field; // shared with spike_times.cu (spike_times_model.hpp)
  static constexpr gg_field fields[] = {
      gg_field{"times", "ms", GG_ROLE_PARAM, GG_TYPE_SEQUENCE, 0, 0, ganglion::inf, 0, nullptr,
               "spike times, ascending"},
      ganglion::trace("next", "1", "index of the next spike of each neuron"),
  };

  static void init(const gg_view &v) {
    for (uint64_t i = 0; i < v.n; ++i) v.fields[next][i] = double(v.offsets[times][i]);
  }

  static void step(const gg_view &v) {
    const ganglion::spike_times::Step s = ganglion::spike_times::step_of(v);
    for (uint64_t i = 0; i < v.n; ++i)
      for (uint64_t k = s(i, v.step); k > 0; --k)
        ganglion::emit_spike(v, i);
  }
};

} // namespace

GANGLION_PLUGIN(SpikeTimes)
