// The transfer functions f of the `rate` neuron (tau dr/dt = -r + f(x)) and their derivatives, in
// one place for the plugin and for the kernel's theory (fixed points and their stability).
// fn: 0 relu [x]+, 1 threshold_linear gain [x - theta]+,
// 2 sigmoid r_max / (1 + e^{-(x - theta)/sigma}), 3 tanh r_max tanh(gain (x - theta)/r_max),
// 4 power gain [x - theta]+^exponent.
// Host and device (GG_HD): exp, tanh and pow are ganglion's own (ganglion/elementary.h), so a CUDA
// build of the rate unit gives the CPU's bits.
#ifndef GANGLION_RATE_TRANSFER_HPP
#define GANGLION_RATE_TRANSFER_HPP

#include "ganglion/elementary.h"

namespace ganglion {

struct RateTransfer {
  int fn = 0;
  double gain = 1, theta = 0, sigma = 1, r_max = 100, exponent = 2;

  GG_HD double f(double x) const {
    switch (fn) {
    case 0: return x > 0 ? x : 0;
    case 1: return x > theta ? gain * (x - theta) : 0;
    case 2: return r_max / (1 + gg_exp(-(x - theta) / sigma));
    case 3: return r_max * gg_tanh(gain * (x - theta) / r_max);
    default: return x > theta ? gain * gg_pow(x - theta, exponent) : 0;
    }
  }

  // One-sided at a kink: the value for x just below it (0: x > 0 and x > theta are strict).
  GG_HD double df(double x) const {
    switch (fn) {
    case 0: return x > 0 ? 1 : 0;
    case 1: return x > theta ? gain : 0;
    case 2: {
      const double s = 1 / (1 + gg_exp(-(x - theta) / sigma));
      return r_max / sigma * s * (1 - s);
    }
    case 3: {
      const double t = gg_tanh(gain * (x - theta) / r_max);
      return gain * (1 - t * t);
    }
    default: return x > theta ? gain * exponent * gg_pow(x - theta, exponent - 1) : 0;
    }
  }
};

} // namespace ganglion

#endif
