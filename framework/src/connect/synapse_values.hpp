// A projection's drawn weights and delays, row by row, once its synapses are made
// (connectivity.cpp): each synapse's value is drawn from its own Philox counter (its row's global
// id, its place in the row; random/batch_draws.hpp, ItemDraw), so a row's draws vectorise, and a
// row with drawn delays is then sorted by delay by counting, its targets, weights and delays
// written once in their final places.
#pragma once

#include <cstdint>

#include "connect/connectivity.hpp"
#include "random/batch_draws.hpp"

namespace ganglion {

// What the rows of one projection draw: weights (else, where the CSR holds a weight per synapse,
// the constant `weight`) from stream kWeights + the projection's, delays (whole steps of dt, at
// least one) from kDelays + the projection's; row i's id is first_gid + i.
struct SynapseDraws {
  SynapseDraws(const ProjectionSpec &proj, uint64_t seed, uint64_t first_gid, double dt);
  const ProjectionSpec &proj;
  bool drawn_weights, drawn_delays;
  ItemDraw weight_draw, delay_draw;
  PhiloxKey weight_key, delay_key;
  uint64_t first_gid;
  double dt;
};

// Rows [first, last) of c: their weights (c.weight holds one per synapse) and delays (c.delay
// holds one per synapse where they are drawn, and each row is then sorted by delay, stably).
// Returns the largest delay drawn, at least 1. A delay over 65535 steps is refused with the
// projection's pointer. `place`: where row i's synapses stand in the whole row (a part of the
// targets: TargetRange), place[i] the first's; null: at its start.
uint64_t draw_rows(Csr &c, uint64_t first, uint64_t last, const SynapseDraws &draws,
                   const uint64_t *place = nullptr);

// The refusal of a drawn delay of `ms` over 65535 steps.
[[noreturn]] void refuse_delay(const ProjectionSpec &proj, double ms);

// Rows [first, last) of c's delay index (Csr::delay_ends16 or delay_ends, sized for every row and
// c.max_delay, of the width the longest row needs), from its rows' sorted delays.
void index_delays(Csr &c, uint64_t first, uint64_t last);

} // namespace ganglion
