// Host entry points of the device's connectivity builders: the rules' rows drawn on the GPU with
// the CPU's per-row code (framework/src/connect/bernoulli_row.hpp), so a device build makes the
// same synapses as the CPU for one seed. The engine builds large projections this way; the GPU
// test compares the result with the CPU's CSR.
#pragma once

#include <cstdint>
#include <vector>

#include "random/batch_draws.hpp"

namespace ganglion::gpu {

// A projection's CSR copied back to the host: row_ptr (n_pre + 1 offsets) and the targets.
struct HostCsr {
  std::vector<uint64_t> row_ptr;
  std::vector<uint32_t> post;
};

// fixed_probability with 0 < p < 1 from presynaptic global ids first_gid .. first_gid + n_pre - 1
// onto n_post targets, Philox (seed, stream) (the CPU's connectivity stream of the projection),
// without the autapse of row i (target i) where skip_autapse: each row's targets counted on the
// device (one thread a row), offsets by a prefix sum, then the rows filled.
HostCsr fixed_probability_on_device(uint64_t seed, uint64_t stream, double p, uint64_t n_pre,
                                    uint64_t n_post, uint64_t first_gid, bool skip_autapse);

// Rows of given counts (counts[i] synapses in row i) with multapses, as fixed_outdegree (every
// count k) and fixed_total_number (the host's multinomial counts) pick them: pick k of row i is
// multapse_pick (framework/src/connect/picks.hpp) of global id first_gid + i, past the autapse
// (target i) where skip_autapse; each row sorted on the device (a segmented radix sort).
HostCsr multapse_rows_on_device(uint64_t seed, uint64_t stream, const std::vector<uint64_t> &counts,
                                uint64_t n_post, uint64_t first_gid, bool skip_autapse);

// Rows of given counts without multapses (fixed_outdegree's and fixed_total_number's distinct
// picks): row i is distinct_row (picks.hpp) of global id first_gid + i, each of a bounded number
// of threads walking its rows with its own bitmap of the candidates, then each row sorted.
HostCsr distinct_rows_on_device(uint64_t seed, uint64_t stream, const std::vector<uint64_t> &counts,
                                uint64_t n_post, uint64_t first_gid, bool skip_autapse);

// fixed_indegree: column j (global id first_gid_post + j) picks k sources from n_pre, by
// multapse_pick or (without multapses) distinct_row, past the autapse (source j) where
// skip_autapse; the (source, target) pairs then go into rows by a stable sort on the source, so
// each row's targets ascend and a target picked twice by one column appears twice, as the host's
// from_pairs leaves them.
HostCsr indegree_rows_on_device(uint64_t seed, uint64_t stream, uint64_t n_pre, uint64_t n_post,
                                uint64_t k, uint64_t first_gid_post, bool skip_autapse,
                                bool multapses);

// all_to_all from n_pre onto n_post, less the autapses where skip_autapse, and one_to_one of n:
// rows in closed form (connect/dense_rows.hpp), each synapse placed by its own thread.
HostCsr all_to_all_on_device(uint64_t n_pre, uint64_t n_post, bool skip_autapse);
HostCsr one_to_one_on_device(uint64_t n);

// A projection's synapses with their drawn weights and delays, as the host stores them.
struct HostSynapses {
  std::vector<uint32_t> post;
  std::vector<float> weight;
  std::vector<uint16_t> delay; // steps
};

// The weights and delays of the synapses of `rows` (their targets ascending in each row), drawn
// per synapse as the host draws them (item_from under (seed, weight_stream) and (seed,
// delay_stream), row i's id first_gid + i; delays by delay_step of dt), then each row sorted by
// delay, stably, with its targets and weights, as the host's draw_rows sorts it (CUB's segmented
// stable sort).
HostSynapses delayed_rows_on_device(const HostCsr &rows, const ItemDraw &weight,
                                    uint64_t weight_stream, const ItemDraw &delay,
                                    uint64_t delay_stream, uint64_t seed, uint64_t first_gid,
                                    double dt);

} // namespace ganglion::gpu
