// lif's element arithmetic, for the host and a CUDA device (GG_HD): a step is linear in V and in
// the input I, V <- c_V V + c_0 + c_I I, with the coefficients lif's init derives once from the
// parameters (exact or Euler; lif.cpp). lif's vector loop calls it, as a device kernel will, so
// the two give the same bits.
#pragma once

#include "ganglion/hd.h"

namespace ganglion::lif {

GG_HD double next(double V, double c_V, double c_0, double c_I, double I) {
  return (V * c_V + c_0) + c_I * I;
}

} // namespace ganglion::lif
