// Reading and writing a gg_view: whether the kernel's view carries a member of a later ABI minor
// version (GANGLION_VIEW_HAS), and the accessors built on it (emit_spike, weights_uniform,
// post_index16, arrival_counts; a parameter's `uniform` is in params.hpp).
#ifndef GANGLION_SDK_VIEW_HPP
#define GANGLION_SDK_VIEW_HPP

#include <cstddef>
#include <cstdint>

#include "ganglion/plugin_abi.h"

// Whether view `v` carries member `m` (one appended by a later minor version of the ABI: read it
// only then). A macro, since offsetof takes the member's name.
#define GANGLION_VIEW_HAS(v, m) ((v).struct_size >= offsetof(gg_view, m) + sizeof(v).m)

namespace ganglion {

// Append a spike of element i to a neuron view's spike list. Past the list's capacity the spike is
// still counted (not written), so the kernel sees the overflow and stops with a clear error.
inline void emit_spike(const gg_view &v, uint64_t i) {
  if (*v.n_spikes < v.spike_capacity) v.spikes[*v.n_spikes] = static_cast<uint32_t>(i);
  ++*v.n_spikes;
}

// Whether every weight of a synapse view's projection is weight[0] for the whole run (since ABI
// 1.1; false when the kernel does not say).
inline bool weights_uniform(const gg_view &v) {
  return GANGLION_VIEW_HAS(v, weights_uniform) && v.weights_uniform != 0;
}

// The 16-bit targets of a synapse view (since ABI 1.2, for a plugin that declares
// `compact_csr`), or NULL where the targets are the 32-bit post_index.
inline const uint16_t *post_index16(const gg_view &v) {
  return GANGLION_VIEW_HAS(v, post_index16) ? v.post_index16 : nullptr;
}

// The spikes each arrival of a synapse view brings (since ABI 1.6, for a plugin that declares
// `counts`), or NULL where each brings one.
inline const uint32_t *arrival_counts(const gg_view &v) {
  return GANGLION_VIEW_HAS(v, arrival_counts) ? v.arrival_counts : nullptr;
}

} // namespace ganglion

#endif
