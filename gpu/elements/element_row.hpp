// The element arithmetic that both backends share, evaluated at one argument x into one row of
// values: ganglion's elementary functions (ganglion/elementary.h), hh's rate functions and one
// sub-step (plugins/neuron/hh/hh_model.hpp), the rate unit's transfer functions
// (ganglion/rate_transfer.hpp). The same source compiled for the host and for a CUDA device must
// give the same bits (no contraction on either side: -ffp-contract=off, -fmad=false); the GPU test
// compares the two row by row.
#pragma once

#include "ganglion/elementary.h"
#include "ganglion/rate_transfer.hpp"
#include "neuron/hh/hh_model.hpp"

namespace ganglion::gpu {

constexpr int kElementColumns = 18;

GG_HD void element_row(double x, double *out) {
  const double ax = x < 0 ? -x : x;
  out[0] = gg_exp(x);
  out[1] = gg_log(ax + 1e-3);
  out[2] = gg_log1p(ax);
  out[3] = gg_expm1(x);
  out[4] = gg_tanh(x);
  out[5] = gg_pow(ax, 1.7);
  gg_sincospi(x, &out[6], &out[7]);
  out[8] = hh::alpha_m(x);
  out[9] = hh::beta_m(x);
  out[10] = hh::alpha_h(x);
  out[11] = hh::beta_h(x);
  out[12] = hh::alpha_n(x);
  out[13] = hh::beta_n(x);
  // One sub-step of 0.025 ms from V = x with squid-axon conductances and 10 uA/cm^2 of input.
  const hh::Params p{1.0, 120.0, 36.0, 0.3, 50.0, -77.0, -54.387};
  out[14] = hh::substep(p, hh::State{x, 0.05, 0.6, 0.32}, 10.0, 0.025).V;
  RateTransfer f;
  f.theta = 5;
  f.fn = 2; // sigmoid
  out[15] = f.f(x);
  f.fn = 3; // tanh
  out[16] = f.f(x);
  f.fn = 4; // power
  f.exponent = 1.5;
  out[17] = f.f(x);
}

} // namespace ganglion::gpu
