// A stream of random draws for one item (a neuron, a row of synapses): the uniforms of
// ganglion/uniform_stream.hpp (Philox keyed by (seed, stream), counter (global id, salt, block)),
// so what an item draws depends only on the seed, the stream and its global id, never on threads
// or on the order items are visited; and the integers, normals and log-normals made of them.
#pragma once

#include <algorithm>
#include <cstdint>

#include "ganglion/hd.h"
#include "ganglion/uniform_stream.hpp"
#include "random/transforms.hpp"

namespace ganglion {

// Streams, kept apart so that adding draws of one purpose never shifts those of another.
namespace streams {
constexpr uint64_t kDynamics = 1;      // neuron dynamics (Poisson intervals): counter (gid, draw)
constexpr uint64_t kInitialValues = 2; // per element values: id = gid, one Draws per field
constexpr uint64_t kConnect = 1ull << 40; // + projection stream: which synapses exist
constexpr uint64_t kWeights = 2ull << 40; // + projection stream: per-synapse weights
constexpr uint64_t kDelays = 3ull << 40;  // + projection stream: per-synapse delays
// + projection stream: a drive's counts, id (generator element << 32 | target gid), salt the step
constexpr uint64_t kDrive = 4ull << 40;
} // namespace streams

// Host and device (GG_HD).
class Draws : public UniformStream {
public:
  GG_HD Draws(uint64_t seed, uint64_t stream, uint64_t id, uint32_t salt = 0)
      : UniformStream(seed, stream, id, salt) {}
  // Uniform integer in [0, n).
  GG_HD uint64_t below(uint64_t n) { return scale_pick(uniform(), double(n), n); }
  // Standard normal (Box-Muller's first of the pair, so each call costs two uniforms).
  GG_HD double normal() {
    const double u1 = uniform(), u2 = uniform();
    double z0, z1;
    normal_pair(u1, u2, z0, z1);
    return z0;
  }
  // A log-normal value with the given mean and standard deviation (of the value itself).
  GG_HD double lognormal(double mean, double std) { return LogNormal(mean, std)(normal()); }
};

// One element's value from its draws: uniform on [a, b], normal (mean a, sd b), or log-normal of
// mean |a| and sd b (negative for a < 0); drawn again outside [lo, hi], up to 1000 times, after
// which the range's nearest end to a. Host and device (GG_HD).
GG_HD double draw_in_range(Dist dist, double a, double b, double lo, double hi, Draws &draws) {
  for (int attempt = 0; attempt < 1000; ++attempt) {
    double x = 0;
    if (dist == Dist::Uniform)
      x = a + (b - a) * draws.uniform();
    else if (dist == Dist::Normal)
      x = a + b * draws.normal();
    else
      x = a < 0 ? -draws.lognormal(-a, b) : draws.lognormal(a, b);
    if (x >= lo && x <= hi) return x;
  }
  return a < lo ? lo : (a > hi ? hi : a);
}

} // namespace ganglion
