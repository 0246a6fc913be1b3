// A batch (`ganglion sweep --batch`): the members of a sweep, runs that differ only in values
// (parameters, initial values, weights, rates, seeds), merged into one network that a single
// engine steps. Population p holds every member's neurons in turn; each projection is
// block-diagonal (member m's rows onto member m's targets); every draw is the member's own: the
// values the build draws are drawn here per member with its seed and global ids (a list in the
// merged experiment), its synapses are built as its run alone builds them, and the hooks that draw
// during the run read each element's seed and global id from the view (gg_view::batch_n, ABI
// 1.12). Recorders run per member on its block, into its own file. So each member's file is the
// one it writes alone, bit for bit.
#pragma once

#include <cstddef>
#include <vector>

#include "connect/connectivity.hpp"
#include "experiment/experiment.hpp"

namespace ganglion {

class ThreadPool;

// The merged experiment of `members` (each loaded and validated alone; at least one). Throws
// ConfigError where a member differs from the first in more than values, or where something of
// the runs cannot be batched yet: what differs or what it is, where, and the sweep's --together as
// the way to run them instead.
Experiment merge_members(std::vector<Experiment> members);

// Projection q of the batch `merged`: each member's synapses as its run alone draws them, joined
// block-diagonally (join_members). With `rows` (a projection on "cuda": the GPU's builders), each
// member's rows are drawn there, and where they are kept there (RowBuilder::keep) joined there
// too (RowBuilder::join).
Csr batch_connectivity(const Experiment &merged, std::size_t q, ThreadPool *pool, CsrLayout layout,
                       RowBuilder *rows = nullptr);

} // namespace ganglion
