// Host entry points of per-synapse values (weights, delays in ms) and per-element initial values
// drawn on the device with the CPU's code for one item (item_from,
// framework/src/random/batch_draws.hpp; draw_in_range, framework/src/random/draws.hpp), so a test
// can hold them equal to the host's.
#pragma once

#include <cstdint>
#include <vector>

#include "random/batch_draws.hpp"
#include "random/draws.hpp"

namespace ganglion::gpu {

// Items 0 .. n_items - 1 of rows first_row .. first_row + n_rows - 1 under (seed, stream):
// out[r * n_items + k].
std::vector<double> items_on_device(const ItemDraw &d, uint64_t seed, uint64_t stream,
                                    uint64_t first_row, uint32_t n_rows, uint32_t n_items);

// Initial values of elements first_gid .. first_gid + n - 1 for the field of `salt` (make_field's
// draws: Draws(seed, streams::kInitialValues, gid, salt), drawn again outside [lo, hi]).
std::vector<double> initial_values_on_device(Dist dist, double a, double b, double lo, double hi,
                                             uint64_t seed, uint64_t first_gid, uint32_t n,
                                             uint32_t salt);

} // namespace ganglion::gpu
