// istdp's arithmetic for the host and a CUDA device (GG_HD): a weight's change and its bounds, and
// a step's changes as one struct (Changes) that the CPU's loops (istdp.cpp) and the device's walks
// (istdp.cu, through ganglion/cuda_rules.cuh) both call, so the two backends give the same bits.
#pragma once

#include <cstdint>

#include "ganglion/hd.h"
#include "ganglion/plugin_abi.h"

namespace ganglion::istdp {

// The fields, in the table's order (istdp.cpp), shared by both backends.
enum Field { eta, tau, r0, form, J_min, J_max, x_post, x_pre, decay, alpha, sign, count };

// std::clamp(x, lo, hi) and std::max(x, 0.0), written out for a device.
GG_HD double clamped(double x, double lo, double hi) {
  return x < lo ? lo : (hi < x ? hi : x);
}

// J + change, with the sign s kept (a step that would cross zero stops at 0) and |J| within
// [lo, hi].
GG_HD float bounded(double J, double change, double s, double lo, double hi) {
  const double m = s * (J + change);
  return float(s * clamped(m < 0.0 ? 0.0 : m, lo, hi));
}

// A weight after one change of the rule, q being x_post - 2 r0 (a presynaptic spike) or x_pre (a
// postsynaptic spike): eta J q (multiplicative) or s eta q (additive).
GG_HD float changed(float w, double q, double e, double s, bool additive, double lo, double hi) {
  const double J = w;
  return bounded(J, additive ? s * e * q : e * J * q, s, lo, hi);
}

// A step's weight changes. P: ganglion::with_params' values of eta, r0, J_min and J_max; where
// they are uniform, so is alpha (2 r0), given as alpha0.
template <class P> struct Changes {
  P p;
  float *w;
  const double *x_post, *x_pre, *alpha;
  double alpha0, s;
  bool additive;
  // A presynaptic spike on synapse syn onto j, c times (a source may spike more than once in a
  // step): each reads x_post before this step's postsynaptic spikes.
  GG_HD void pre(uint32_t j, uint64_t syn, uint32_t c) const {
    const double q = x_post[j] - (P::is_uniform ? alpha0 : alpha[j]);
    for (uint32_t r = 0; r < c; ++r)
      w[syn] = changed(w[syn], q, p(eta, j), s, additive, p(J_min, j), p(J_max, j));
  }
  // A postsynaptic spike of j on synapse syn from k: reads x_pre with this step's spikes.
  GG_HD void post(uint32_t j, uint64_t syn, uint32_t k) const {
    w[syn] = changed(w[syn], x_pre[k], p(eta, j), s, additive, p(J_min, j), p(J_max, j));
  }
};

// The step's Changes from with_params' values p: `values` is the view holding the constants (the
// host's), `arrays` the one whose arrays the walk reads (the same on the CPU; the device's).
template <class P> Changes<P> changes_of(const P &p, const gg_view &values, const gg_view &arrays) {
  return Changes<P>{p,
                    arrays.plastic_weight,
                    arrays.fields[x_post],
                    arrays.fields[x_pre],
                    arrays.fields[alpha],
                    values.fields[alpha][0],
                    values.fields[sign][0],
                    values.fields[form][0] != 0};
}

} // namespace ganglion::istdp
