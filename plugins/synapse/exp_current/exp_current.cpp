// Exponential current synapse (SCIENCE.md): tau dI/dt = -I, each presynaptic spike adds J/tau to
// the postsynaptic I, the neuron receives I. The kernel exp(-t/tau)/tau integrates to 1, so a
// train of rate r gives a mean current J r. I is kept per postsynaptic neuron and projection.
#include <cmath>

#include "ganglion/plugin.hpp"

namespace {

using ganglion::inf;

struct ExpCurrent {
  static constexpr const char *name = "exp_current";
  static constexpr gg_kind kind = GG_KIND_SYNAPSE;
  static constexpr const char *weight_unit = "mV";
  static constexpr const char *doc =
      "Exponential current synapse: tau dI/dt = -I; a presynaptic spike of weight J (mV: the "
      "charge over capacitance) adds J/tau (mV/ms) to I, so its integral is J. The postsynaptic "
      "neuron receives I. scheme 'exact' decays I by exp(-dt/tau) per step; 'euler' by "
      "(1 - dt/tau), the reference scheme of SCIENCE.md.";

  enum Field { tau, scheme, I, decay, inv_tau, count };
  static constexpr gg_field fields[] = {
      ganglion::param("tau", "ms", 5, 0, inf, "decay time constant", GG_MIN_EXCLUSIVE),
      ganglion::choice("scheme", "exact|euler", 0, "decay scheme"),
      ganglion::state("I", "mV/ms", 0, -inf, inf, "synaptic current"),
      ganglion::trace("decay", "1", "per-step decay factor, precomputed"),
      ganglion::trace("inv_tau", "1/ms", "1/tau, precomputed"),
  };

  static void init(const gg_view &v) {
    const bool euler = v.fields[scheme][0] != 0;
    for (uint64_t j = 0; j < v.n; ++j) {
      const double t = v.fields[tau][j];
      v.fields[decay][j] = euler ? 1.0 - v.dt / t : std::exp(-v.dt / t);
      v.fields[inv_tau][j] = 1.0 / t;
    }
  }

  static void current(const gg_view &v) {
    const double *i_syn = v.fields[I];
    for (uint64_t j = 0; j < v.n; ++j) v.post_input[j] += i_syn[j];
  }

  static void step(const gg_view &v) {
    double *i_syn = v.fields[I];
    const double *dec = v.fields[decay], *inv = v.fields[inv_tau];
    for (uint64_t j = 0; j < v.n; ++j) i_syn[j] *= dec[j];
    for (uint64_t s = 0; s < v.n_arrivals; ++s) {
      const uint32_t pre = v.arrivals[s];
      for (uint64_t k = v.row_ptr[pre]; k < v.row_ptr[pre + 1]; ++k) {
        const uint32_t j = v.post_index[k];
        i_syn[j] += double(v.weight[k]) * inv[j];
      }
    }
  }
};

} // namespace

GANGLION_PLUGIN(ExpCurrent)
