// stdp's arithmetic for the host and a CUDA device (GG_HD): a step's weight changes as one struct
// (Changes) that the CPU's loops (stdp.cpp) and the device's walks (stdp.cu, through
// ganglion/cuda_rules.cuh) both call, so the two backends give the same bits.
#pragma once

#include <cstdint>

#include "ganglion/hd.h"
#include "ganglion/plugin_abi.h"

namespace ganglion::stdp {

// The fields, in the table's order (stdp.cpp), shared by both backends.
enum Field {
  A_plus,
  A_minus,
  tau_plus,
  tau_minus,
  form,
  pairing,
  w_min,
  w_max,
  x_pre,
  y_post,
  decay_plus,
  decay_minus,
  count
};

// std::clamp(x, lo, hi), written out for a device.
GG_HD double clamped(double x, double lo, double hi) {
  return x < lo ? lo : (hi < x ? hi : x);
}

struct Changes {
  float *w;
  const double *x, *y; // x_pre, y_post
  const double *ap, *am, *lo, *hi;
  bool multiplicative;
  // A presynaptic spike (c times) depresses synapse syn onto j, reading y_post before this step's
  // postsynaptic spikes.
  GG_HD void pre(uint32_t j, uint64_t syn, uint32_t c) const {
    for (uint32_t r = 0; r < c; ++r) {
      const double wk = w[syn], f = multiplicative ? wk - lo[j] : hi[j];
      w[syn] = float(clamped(wk - am[j] * f * y[j], lo[j], hi[j]));
    }
  }
  // A postsynaptic spike of j potentiates synapse syn from k, reading x_pre.
  GG_HD void post(uint32_t j, uint64_t syn, uint32_t k) const {
    const double wk = w[syn], f = multiplicative ? hi[j] - wk : hi[j];
    w[syn] = float(clamped(wk + ap[j] * f * x[k], lo[j], hi[j]));
  }
};

// The step's Changes: `values` is the view holding the constants (the host's), `arrays` the one
// whose arrays the walk reads (the same on the CPU; the device's).
inline Changes changes_of(const gg_view &values, const gg_view &arrays) {
  return Changes{arrays.plastic_weight, arrays.fields[x_pre],       arrays.fields[y_post],
                 arrays.fields[A_plus], arrays.fields[A_minus],     arrays.fields[w_min],
                 arrays.fields[w_max],  values.fields[form][0] != 0};
}

} // namespace ganglion::stdp
