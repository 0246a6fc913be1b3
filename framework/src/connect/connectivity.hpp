// Builds a projection's synapses as CSR by presynaptic neuron: the layout spike delivery walks
// (one contiguous row of targets per spiking neuron). Random rules draw from Philox keyed by the
// seed and the projection's stream, with counters made of global neuron ids, so the synapses do
// not depend on the thread count (and, later, on how populations are split across processes).
// Weights and delays are drawn per row in CSR order, keyed the same way. Rows are made in chunks
// on the simulation's thread pool and joined in row order, so the CSR is the same bit for bit for
// any thread count.
#pragma once

#include <cstdint>
#include <vector>

#include "engine/aligned.hpp"
#include "graph/experiment.hpp"

namespace ganglion {

class ThreadPool;

// The per-synapse arrays are UninitVectors: build_connectivity sizes each once and fills it on
// the pool.
struct Csr {
  std::vector<uint64_t> row_ptr;      // n_pre + 1
  UninitVector<uint32_t> post_index;  // one per synapse
  UninitVector<float> weight;         // one per synapse
  // Per-synapse delays in steps, only for drawn delays (empty: every synapse has the projection's
  // delay). Rows are then sorted by delay, so the synapses of one delay are contiguous.
  UninitVector<uint16_t> delay;
  uint64_t size() const { return post_index.size(); }
  uint64_t max_delay = 1; // steps
};

// pool: the threads that share the work (null: the calling thread alone).
Csr build_connectivity(const ProjectionSpec &proj, const PopulationSpec &pre,
                       const PopulationSpec &post, uint64_t seed, double dt,
                       ThreadPool *pool = nullptr);

} // namespace ganglion
