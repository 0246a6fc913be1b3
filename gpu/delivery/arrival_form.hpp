// A synapse's declared arrivals (GG_CUDA_ARRIVAL_FORM), as the device engine delivers them: synapse
// s onto target j, brought n spikes by an arrival, adds (weight[s] * scale[j]) * n to x[j], which
// is what exp_current, exp_conductance and delta add on the CPU (ganglion::exponential::deliver,
// delta's step). Written once for the host and a device (GG_HD): the tests hold the host's walk in
// the arrivals' order equal to the CPU plugins bit for bit, and the device's ordered delivery
// (deliver_device.cu) walks each target's arrivals in that same order.
#pragma once

#include <cstdint>

#include "ganglion/hd.h"
#include "ganglion/plugin_abi.h"
#include "ganglion/sdk/row_search.hpp"

namespace ganglion::gpu {

struct ArrivalForm {
  double *x;            // what arrivals add into, one value per target
  const double *scale;  // one per target, or NULL: 1
  const uint32_t *post; // each synapse's target
  const float *weight;  // each synapse's weight, or weight[0] for all where `uniform`
  bool uniform;

  // What synapse s adds to its target j for n spikes.
  GG_HD double amount(uint64_t s, uint32_t j, double n) const {
    const double w = double(uniform ? weight[0] : weight[s]);
    return (scale ? w * scale[j] : w) * n;
  }

  // Arrival a's spikes: its count where counted, else 1.
  GG_HD static double spikes(const uint32_t *counts, uint64_t a) {
    return counts ? double(counts[a]) : 1.0;
  }

  // Target j's arrivals in their order, each one's synapses onto j in CSR order (first_onto): the
  // CPU's order of additions into x[j].
  GG_HD void deliver_to(uint32_t j, const gg_arrival *arrivals, uint64_t n_arrivals,
                        const uint32_t *counts) const {
    deliver_each(
        j, n_arrivals, [arrivals](uint64_t a) { return arrivals[a]; }, counts);
  }

  // The same over arrivals made as they are read: arrival_at(a) gives the a-th of n.
  template <class At>
  GG_HD void deliver_each(uint32_t j, uint64_t n_arrivals, const At &arrival_at,
                          const uint32_t *counts) const {
    double sum = x[j];
    for (uint64_t a = 0; a < n_arrivals; ++a) {
      const gg_arrival r = arrival_at(a);
      const double n = spikes(counts, a);
      for (uint64_t s = first_onto(post, r.begin, r.end, j); s < r.end && post[s] == j; ++s)
        sum += amount(s, j, n);
    }
    x[j] = sum;
  }
};

} // namespace ganglion::gpu
