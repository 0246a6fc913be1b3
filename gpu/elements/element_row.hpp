// The element arithmetic that both backends share, evaluated at one argument x into one row of
// values: ganglion's elementary functions (ganglion/elementary.h, exp_simd), hh's rate functions
// and one sub-step (plugins/neuron/hh/hh_model.hpp), the rate unit's transfer functions
// (ganglion/rate_transfer.hpp), lif's and eif's steps (plugins/neuron/*/..._model.hpp) and the
// synaptic channels' currents (ganglion/sdk/channels.hpp). The same source compiled for the host
// and for a CUDA device must give the same bits (no contraction on either side: -ffp-contract=off,
// -fmad=false); the GPU test compares the two row by row.
#pragma once

#include "ganglion/elementary.h"
#include "ganglion/rate_transfer.hpp"
#include "ganglion/sdk/channels.hpp"
#include "ganglion/simd.hpp"
#include "neuron/eif/eif_model.hpp"
#include "neuron/hh/hh_model.hpp"
#include "neuron/lif/lif_model.hpp"

namespace ganglion::gpu {

constexpr int kElementColumns = 24;

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
  out[18] = exp_simd(x);
  // lif's exact step at dt = 0.1 ms, tau_m = 10 ms (its init's coefficients, rounded as written),
  // eif's Euler step (the reference network's parameters), from V = x with 0.5 mV/ms of input.
  out[19] = lif::next(x, 0.99004983374916811, -0.64676079137044034, 0.099501662508318933, 0.5);
  const eif::Params e{-65.0, -50.0, 2.0, 0.5, 0.1, 0.0, -100.0};
  out[20] = eif::next(x, 0.5, 0.1, e);
  // Channel currents at V = x from a state of 0.8: a current (scaled, and of unit scale) and a
  // conductance with E = 0 mV.
  out[21] = channel_current<GG_CHANNEL_CURRENT, false>(0.8, 0.9516258196404048, 0.0, x);
  out[22] = channel_current<GG_CHANNEL_CURRENT, true>(0.8, 1.0, 0.0, x);
  out[23] = channel_current<GG_CHANNEL_CONDUCTANCE, false>(0.8, 0.9516258196404048, 0.0, x);
}

} // namespace ganglion::gpu
