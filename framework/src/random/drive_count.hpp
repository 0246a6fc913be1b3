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

// Whose draws a drive's rows and targets take: the run's seed, row i and the targets' ids from
// post_gid; in a batch (engine/batch.hpp) row i's member's seed, the row's place in its member
// and the targets' ids in the member (each member's neurons are a block of pre rows and of post
// targets). `row(i)` finds the member once (one division), for all of the row's synapses.
struct DriveIds {
  uint64_t seed = 0, post_gid = 0;
  uint64_t member_pre = 0, member_post = 0; // a batch's members' sizes (0: not a batch)
  uint64_t member_gid = 0;                  // the targets' first id in a member
  const uint64_t *seeds = nullptr;          // each member's

  struct Row {
    uint64_t seed;
    uint32_t row;
    uint64_t to_gid; // what makes a target's merged index its id (modulo 2^64)
    GG_HD uint32_t target(uint64_t j) const { return uint32_t(to_gid + j); }
  };
  GG_HD Row row(uint64_t i) const {
    if (!member_pre) return {seed, uint32_t(i), post_gid};
    const uint64_t m = i / member_pre;
    return {seeds[m], uint32_t(i - m * member_pre), member_gid - m * member_post};
  }
};

} // namespace ganglion
