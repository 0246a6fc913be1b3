// The count a Poisson drive (GG_DESC_DRIVE) gives one synapse in one step: Poisson(rate dt), from
// the uniforms of UniformStream(seed, the projection's drive stream, i << 32 | target, step) in
// order, for generator element i and the target's global id. The engine's collect_drive draws the
// first uniforms of many synapses at once and searches them in vector lanes; this is the same
// count one synapse at a time, for a device's threads (GG_HD) and for the tests that hold the two
// equal.
#pragma once

#include <cstdint>

#include "ganglion/hd.h"
#include "ganglion/poisson_count.hpp"
#include "ganglion/uniform_stream.hpp"

namespace ganglion {

GG_HD uint64_t drive_count(const PoissonCount &count, uint64_t seed, uint64_t stream, uint32_t i,
                           uint32_t target, uint32_t step) {
  UniformStream u(seed, stream, uint64_t(i) << 32 | target, step);
  return count.draw([&] { return u.uniform(); });
}

} // namespace ganglion
