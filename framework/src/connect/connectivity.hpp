// Builds a projection's synapses as CSR by presynaptic neuron: the layout spike delivery walks
// (one contiguous row of targets per spiking neuron). Random rules draw from Philox keyed by the
// seed and the projection's stream, with counters made of global neuron ids, so the synapses do
// not depend on the thread count (and, later, on how populations are split across processes).
// Weights and delays are drawn per synapse, from counters made of the row's global id and the
// synapse's place in the row (connect/synapse_values.hpp). Rows are made in chunks on the
// simulation's thread pool and joined in row order, so the CSR is the same bit for bit for any
// thread count.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "engine/aligned.hpp"
#include "experiment/experiment.hpp"

namespace ganglion {

class ThreadPool;
struct SynapseDraws; // connect/synapse_values.hpp

// The per-synapse arrays are UninitVectors: build_connectivity sizes each once and fills it on
// the pool.
struct Csr {
  std::vector<uint64_t> row_ptr;       // n_pre + 1
  UninitVector<uint32_t> post_index;   // one per synapse (empty when narrow)
  UninitVector<uint16_t> post_index16; // narrow: one per synapse, in 16 bits
  UninitVector<float> weight;          // one per synapse, or one for all (CsrLayout::one_weight)
  // Per-synapse delays in steps, only for drawn delays (empty: every synapse has the projection's
  // delay). Rows are then sorted by delay, so the synapses of one delay are contiguous.
  UninitVector<uint16_t> delay;
  // Drawn delays: where each delay's run of a row ends, so that delivery walks a row's runs
  // without a search (engine/arrival_queue.hpp; delay_run gives one run). Row i holds max_delay - 1
  // entries from i * (max_delay - 1): entry k - 1 is how many of the row's synapses have a delay of
  // at most k steps, k = 1 .. max_delay - 1 (for k = 0 and max_delay the row's ends say it). 16-bit
  // where every row has fewer than 65536 synapses, else 32-bit: one of the two is empty (both where
  // max_delay is 1).
  UninitVector<uint16_t> delay_ends16;
  UninitVector<uint32_t> delay_ends;
  // Held elsewhere (RowBuilder::keep): a GPU's memory holds the synapses, the arrays above are
  // empty; `count` synapses, `id` the builder's name for them, `delays` whether they are drawn;
  // a batch's (RowBuilder::join), each member's count in `members`.
  struct Held {
    uint64_t count = 0, id = 0;
    bool delays = false;
    std::vector<uint64_t> members;
  } held;
  // Targets in 16 bits (CsrLayout::narrow_targets): one of the two target arrays is empty.
  bool narrow() const { return !post_index16.empty(); }
  uint64_t size() const { return held.count + post_index.size() + post_index16.size(); }
  bool drawn_delays() const { return !delay.empty() || held.delays; }
  uint64_t post(uint64_t k) const { return narrow() ? post_index16[k] : post_index[k]; }
  uint64_t bytes() const {
    return row_ptr.size() * sizeof(uint64_t) + post_index.size() * sizeof(uint32_t) +
           post_index16.size() * sizeof(uint16_t) + weight.size() * sizeof(float) +
           delay.size() * sizeof(uint16_t) + delay_ends16.size() * sizeof(uint16_t) +
           delay_ends.size() * sizeof(uint32_t);
  }
  uint64_t max_delay = 1; // steps
};

// Synapses [first, last) of a CSR.
struct SynapseRun {
  uint64_t first, last;
};

// Row i's synapses of delay d steps (1 <= d <= c.max_delay) where delays are drawn; `ends` is
// c.delay_ends16's or c.delay_ends's data, whichever is filled. The same run as the binary
// searches for d in the row's sorted delays.
template <class T>
inline SynapseRun delay_run(const Csr &c, const T *ends, uint64_t i, uint64_t d) {
  const uint64_t b = c.row_ptr[i];
  const T *row = ends + i * (c.max_delay - 1);
  return {d == 1 ? b : b + row[d - 2], d == c.max_delay ? c.row_ptr[i + 1] : b + row[d - 1]};
}

// How the synapses are stored. narrow_targets: 16-bit targets (the postsynaptic population has at
// most 65536 neurons); one_weight: a constant weight is stored once. Either holds the same network.
struct CsrLayout {
  bool narrow_targets = false;
  bool one_weight = false;
};

// The postsynaptic neurons whose synapses are built: [lo, hi) of the population (a rank's own,
// parallel/ranks.hpp), every one by default. Targets keep their index in the whole population.
struct TargetRange {
  uint64_t lo = 0, hi = UINT64_MAX;
  bool whole(uint64_t n_post) const { return lo == 0 && hi >= n_post; }
};

// For a part of the targets: turns each row's count of synapses made here into the count of the
// row's synapses onto targets below `lo` (made by the ranks below: ranks::sum_below), so that
// each synapse draws its weight and delay from its place in the whole row, as in one process.
using RowPlaces = std::function<void(std::vector<uint64_t> &)>;

// Where a projection's rows are drawn other than on the host's threads: a GPU's builders
// (gpu/connect/, through the device engine), which make the same synapses as the host's rules for
// one seed. build_connectivity keeps everything else on the host (the refusals, a
// fixed_total_number's row counts, the weights and delays, the layout): each call is a rule's
// draw, with what the host's own draw would use. The rows come back as row_ptr (n_pre + 1) and
// post_index (each row's targets ascending; fixed_indegree's in the order of a stable sort of its
// pairs by source).
//
// Where `keep` is set (a projection whose synapses the host never reads), a rule's call that makes
// any synapse keeps them there and returns a Csr that holds none (Csr::held: their count and the
// builder's id); build_connectivity then calls complete(), which draws their weights and delays
// there as the host would (SynapseDraws) and sets the Csr's max_delay.
class RowBuilder {
public:
  virtual ~RowBuilder() = default;
  bool keep = false;
  virtual void complete(Csr &c, const SynapseDraws &draws) = 0;
  // fixed_probability, 0 < p < 1, rows of presynaptic global ids first_gid + i
  virtual Csr bernoulli(uint64_t seed, uint64_t stream, double p, uint64_t n_pre, uint64_t n_post,
                        uint64_t first_gid, bool skip_autapse) = 0;
  // counts[i] picks in row i (fixed_outdegree, fixed_total_number), with or without multapses
  virtual Csr counted(uint64_t seed, uint64_t stream, const std::vector<uint64_t> &counts,
                      uint64_t n_post, uint64_t first_gid, bool skip_autapse, bool multapses) = 0;
  // fixed_indegree: k sources for each target of global id first_gid_post + j
  virtual Csr indegree(uint64_t seed, uint64_t stream, uint64_t n_pre, uint64_t n_post, uint64_t k,
                       uint64_t first_gid_post, bool skip_autapse, bool multapses) = 0;
  virtual Csr all_to_all(uint64_t n_pre, uint64_t n_post, bool skip_autapse) = 0;
  virtual Csr one_to_one(uint64_t n) = 0;
  // A batch's projection from its members' (join_members' arrangement), where some are kept
  // here: the others hold no synapses (their row_ptr says how many rows). Returns a Csr that holds
  // the joined synapses here, as complete() leaves one; the members' are freed.
  virtual Csr join(std::vector<Csr> members, uint64_t n_post) = 0;
};

// pool: the threads that share the work (null: the calling thread alone). With a range other
// than the whole population, `places` must be given: the CSR then holds the synapses onto those
// targets, the same, weights and delays included, as the whole projection holds. `elsewhere`:
// where the rule's rows are drawn instead of the pool (whole ranges and 32-bit targets only).
Csr build_connectivity(const ProjectionSpec &proj, const PopulationSpec &pre,
                       const PopulationSpec &post, uint64_t seed, double dt,
                       ThreadPool *pool = nullptr, CsrLayout layout = {}, TargetRange range = {},
                       const RowPlaces &places = {}, RowBuilder *elsewhere = nullptr);

// A batch's projection (engine/batch.hpp) from its members' (each as build_connectivity made it:
// 32-bit targets, a weight per synapse), block-diagonal: member m's rows after member m - 1's,
// their targets moved up by m n_post, so each target takes its own member's synapses in their
// order. Drawn delays are indexed again for the longest of all; the layout's 16-bit targets
// where it asks for them.
Csr join_members(std::vector<Csr> members, uint64_t n_post, CsrLayout layout, ThreadPool *pool);

// What a RowBuilder::join returns but for the synapses' count and its id: the members' longest
// delay, whether their delays are drawn, and each member's count.
Csr joined_held(const std::vector<Csr> &members);

} // namespace ganglion
