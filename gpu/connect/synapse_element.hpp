// One synapse's values as the device draws them where it keeps a projection's synapses
// (connect_device.cu's draw_values), written once for the device and the host (GG_HD): the unit
// tests hold it equal to the host's draw_rows (framework/src/connect/synapse_values.cpp).
#pragma once

#include <cstdint>

#include "connect/synapse_values.hpp"
#include "ganglion/hd.h"
#include "random/batch_draws.hpp"
#include "random/transforms.hpp"

namespace ganglion::gpu {

// What a projection's synapses hold beside their targets, as the host draws them
// (connect/synapse_values.hpp): a weight each, drawn by item_from under weight_key (row i's id
// first_gid + i, the synapse its place in the row) or `weight` for all; where delays are drawn,
// a delay each under delay_key, in whole steps of dt, each row then sorted by delay, stably, with
// its targets and weights.
struct SynapseValues {
  bool drawn_weights = false, drawn_delays = false;
  ItemDraw weight_draw, delay_draw;
  PhiloxKey weight_key{0, 0}, delay_key{0, 0};
  float weight = 0;
  uint64_t first_gid = 0;
  double dt = 0.1;
};

// The host's draws of a projection's values as the device takes them.
inline SynapseValues synapse_values(const SynapseDraws &draws) {
  SynapseValues v;
  v.drawn_weights = draws.drawn_weights;
  v.drawn_delays = draws.drawn_delays;
  v.weight_draw = draws.weight_draw;
  v.delay_draw = draws.delay_draw;
  v.weight_key = draws.weight_key;
  v.delay_key = draws.delay_key;
  v.weight = float(draws.proj.weight);
  v.first_gid = draws.first_gid;
  v.dt = draws.dt;
  return v;
}

// Synapse k of row i: its weight, and where delays are drawn its delay in ms and in steps (at most
// 65535: a longer one is refused from the ms).
struct SynapseElement {
  float weight;
  double delay_ms;
  uint16_t delay_steps;
};

GG_HD SynapseElement synapse_element(const SynapseValues &v, uint64_t i, uint64_t k) {
  const uint64_t id = v.first_gid + i;
  SynapseElement e{v.weight, 0.0, 0};
  if (v.drawn_weights) e.weight = float(item_from(v.weight_draw, v.weight_key, id, k, 0));
  if (v.drawn_delays) {
    e.delay_ms = item_from(v.delay_draw, v.delay_key, id, k, 0);
    const double steps = delay_step(e.delay_ms, v.dt);
    e.delay_steps = uint16_t(steps < 65535.0 ? steps : 65535.0);
  }
  return e;
}

} // namespace ganglion::gpu
