// Delta synapse (docs/science.md): each presynaptic spike moves the postsynaptic V by J at once,
// the classic sparse-network synapse. The jump lands at the end of the step before the neuron feels
// it, so a spike of step s with delay d moves V before step s + d integrates (and a neuron in its
// refractory period, held at reset, loses it, as in NEST).
#include "ganglion/plugin.hpp"

namespace {

struct Delta {
  static constexpr const char *name = "delta";
  static constexpr gg_kind kind = GG_KIND_SYNAPSE;
  static constexpr bool batch = true; // element by element; draws by gg_element_*
  static constexpr const char *weight_unit = "mV";
  static constexpr bool writes_post_v = true;
  static constexpr bool compact_csr = true; // delivers through ganglion::for_each_arrival
  static constexpr bool counts = true;      // and takes its arrivals' counts (a drive's)
  static constexpr const char *doc =
      "Delta synapse: a spike of weight J (mV) adds J to the postsynaptic V at once. The "
      "postsynaptic model must have a state variable V.";
  enum Field { count };

  static void init(const gg_view &v) {
    if (!v.post_v)
      throw ganglion::Failure("the postsynaptic model has no state variable 'V' to move; use a "
                              "current synapse (exp_current) instead");
  }
  static void current(const gg_view &) {}
  static void step(const gg_view &v) {
    double *__restrict V = v.post_v;
    if (ganglion::weights_uniform(v)) { // one value for every synapse: no weight loads
      const double w0 = v.n_arrivals ? double(v.weight[0]) : 0.0;
      ganglion::for_each_arrival(v, [&](uint32_t j, uint64_t, double n) { V[j] += w0 * n; });
    } else {
      ganglion::for_each_arrival(
          v, [&](uint32_t j, uint64_t s, double n) { V[j] += double(v.weight[s]) * n; });
    }
  }
};

} // namespace

GANGLION_PLUGIN(Delta)
