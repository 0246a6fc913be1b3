// Uniforms in (0, 1) for one item (a neuron, a row of synapses, a step of a source): Philox keyed
// by (seed, stream) with the counter (id, salt, block), two uniforms a block, blocks counted from
// `first_block`. What an item draws depends only on these, never on threads or visiting order, and
// a GPU draws the same (ganglion/philox.h). The kernel's draws (random/draws.hpp) build on it, and
// a plugin may use it for draws of its own. Host and device (GG_HD).
#ifndef GANGLION_UNIFORM_STREAM_HPP
#define GANGLION_UNIFORM_STREAM_HPP

#include <cstdint>

#include "ganglion/hd.h"
#include "ganglion/philox.h"

namespace ganglion {

class UniformStream {
public:
  GG_HD UniformStream(uint64_t seed, uint64_t stream, uint64_t id, uint32_t salt = 0,
                      uint32_t first_block = 0)
      : seed_(seed), stream_(stream), id_(id), salt_(salt), block_(first_block) {}

  // Uniform in (0, 1).
  GG_HD double uniform() {
    if (have_ == 0) {
      w_ = gg_random4(seed_, stream_, uint32_t(id_), uint32_t(id_ >> 32), salt_, block_++);
      have_ = 2;
    }
    --have_;
    return have_ == 1 ? gg_uniform(w_.v[0], w_.v[1]) : gg_uniform(w_.v[2], w_.v[3]);
  }

private:
  uint64_t seed_, stream_, id_;
  uint32_t salt_, block_;
  gg_u32x4 w_{};
  int have_ = 0;
};

} // namespace ganglion

#endif
