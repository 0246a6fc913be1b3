// The version of the mapping from a seed to random values: the generator and the functions that
// turn its words into draws. Every output file records it (as the root attribute "rng"), so files
// made with different mappings are told apart: the same seed gives another network across them.
//
// philox4x32-10/ganglion-1: Philox words through the C library's log, cos, exp, log1p.
// philox4x32-10/ganglion-2: through ganglion/elementary.h (bit for bit the same on any host and on
//   a GPU), with per-synapse counters for weights and delays, fixed_total_number's rows drawn per
//   row from binomial counts, and sorted row picks (docs/design.md, "Randomness").
#pragma once

namespace ganglion {

inline constexpr const char *kRngVersion = "philox4x32-10/ganglion-2";

} // namespace ganglion
