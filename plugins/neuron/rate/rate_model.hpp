// The rate unit's element arithmetic, for the host and a CUDA device (GG_HD): one step of
// tau dr/dt = -r + f(input + X), r <- f + (r - f) decay, with decay (exp(-dt/tau), or 1 - dt/tau
// for Euler) derived by the plugin's init. The plugin's step (rate.cpp) and its CUDA step (rate.cu)
// both run `Step` for each element, so the two give the same bits.
#pragma once

#include <cstdint>

#include "ganglion/hd.h"
#include "ganglion/plugin_abi.h"
#include "ganglion/rate_transfer.hpp"

namespace ganglion::rate {

// The fields, in the table's order (rate.cpp), shared by both backends.
enum Field { tau, X, function, gain, theta, sigma, r_max, exponent, scheme, r, decay, count };

struct Step {
  int fn;           // the transfer function (field `function`, one for the population)
  double *f[count]; // the fields' arrays
  const double *input;
  GG_HD void operator()(uint64_t i, uint64_t) const {
    const double x = input[i] + f[X][i];
    const RateTransfer t{fn, f[gain][i], f[theta][i], f[sigma][i], f[r_max][i], f[exponent][i]};
    const double target = t.f(x);
    f[r][i] = target + (f[r][i] - target) * f[decay][i];
  }
};

// The step: the transfer function read from `values`, the arrays taken from `arrays` (on the CPU
// both the view; in a CUDA hook its host copies and its device view).
inline Step step_of(const gg_view &values, const gg_view &arrays) {
  Step s{int(values.fields[function][0]), {}, arrays.input};
  for (int k = 0; k < count; ++k)
    s.f[k] = arrays.fields[k];
  return s;
}

} // namespace ganglion::rate
