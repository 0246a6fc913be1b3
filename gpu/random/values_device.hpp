// Host entry point of per-synapse values (weights, delays in ms) drawn on the device with the
// CPU's code for one item (item_from, framework/src/random/batch_draws.hpp), so a test can hold
// them equal to the host's batched draws.
#pragma once

#include <cstdint>
#include <vector>

#include "random/batch_draws.hpp"

namespace ganglion::gpu {

// Items 0 .. n_items - 1 of rows first_row .. first_row + n_rows - 1 under (seed, stream):
// out[r * n_items + k].
std::vector<double> items_on_device(const ItemDraw &d, uint64_t seed, uint64_t stream,
                                    uint64_t first_row, uint32_t n_rows, uint32_t n_items);

} // namespace ganglion::gpu
