// A stream of random draws for one item (a neuron, a row of synapses): Philox keyed by (seed,
// stream) with the counter (global id, block), so what an item draws depends only on the seed, the
// stream and its global id, never on threads or on the order items are visited.
#pragma once

#include <algorithm>
#include <cstdint>

#include "ganglion/philox.h"
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

class Draws {
public:
  Draws(uint64_t seed, uint64_t stream, uint64_t id, uint32_t salt = 0)
      : seed_(seed), stream_(stream), id_(id), salt_(salt) {}

  // Uniform in (0, 1).
  double uniform() {
    if (have_ == 0) {
      w_ = gg_random4(seed_, stream_, uint32_t(id_), uint32_t(id_ >> 32), salt_, block_++);
      have_ = 2;
    }
    --have_;
    return have_ == 1 ? gg_uniform(w_.v[0], w_.v[1]) : gg_uniform(w_.v[2], w_.v[3]);
  }
  // Uniform integer in [0, n).
  uint64_t below(uint64_t n) {
    return std::min<uint64_t>(n - 1, static_cast<uint64_t>(uniform() * static_cast<double>(n)));
  }
  // Standard normal (Box-Muller's first of the pair, so each call costs two uniforms).
  double normal() {
    const double u1 = uniform(), u2 = uniform();
    double z0, z1;
    normal_pair(u1, u2, z0, z1);
    return z0;
  }
  // A log-normal value with the given mean and standard deviation (of the value itself).
  double lognormal(double mean, double std) { return LogNormal(mean, std)(normal()); }

private:
  uint64_t seed_, stream_, id_;
  uint32_t salt_, block_ = 0;
  gg_u32x4 w_{};
  int have_ = 0;
};

} // namespace ganglion
