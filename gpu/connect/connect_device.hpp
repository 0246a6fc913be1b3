// Host entry points of the device's connectivity builders: the rules' rows drawn on the GPU with
// the CPU's per-row code (framework/src/connect/bernoulli_row.hpp, picks.hpp), so a device build
// makes the same synapses as the CPU for one seed, and their weights and delays drawn there from
// the CPU's per-synapse streams. The engine builds a projection this way and keeps it on the
// device (DeviceCsr), or copies its rows back (HostCsr) where the host needs them; the GPU tests
// compare both with the CPU's CSR.
#pragma once

#include <cstdint>
#include <vector>

#include "connect/synapse_element.hpp"
#include "random/batch_draws.hpp"

namespace ganglion::gpu {

// A projection's CSR copied back to the host: row_ptr (n_pre + 1 offsets) and the targets.
struct HostCsr {
  std::vector<uint64_t> row_ptr;
  std::vector<uint32_t> post;
};

// A projection's synapses on the device, owning its arrays (cudaMalloc; freed with it): n_rows + 1
// offsets and `total` targets; once values_on_device has run, a weight each and, where delays
// are drawn, a delay each (steps) and the largest.
class DeviceCsr {
public:
  DeviceCsr() = default;
  DeviceCsr(uint64_t n_rows, uint64_t *row_ptr, uint32_t *post, uint64_t total)
      : row_ptr(row_ptr), post(post), n_rows(n_rows), total(total) {}
  DeviceCsr(DeviceCsr &&o) noexcept { *this = static_cast<DeviceCsr &&>(o); }
  DeviceCsr &operator=(DeviceCsr &&o) noexcept;
  DeviceCsr(const DeviceCsr &) = delete;
  DeviceCsr &operator=(const DeviceCsr &) = delete;
  ~DeviceCsr() { release(); }
  // Its device bytes: offsets, targets, weights, delays.
  uint64_t bytes() const;
  // Its rows, weights, delays (none where not drawn) copied to the host.
  HostCsr rows() const;
  std::vector<float> weights() const;
  std::vector<uint16_t> delays() const;

  uint64_t *row_ptr = nullptr;
  uint32_t *post = nullptr;
  float *weight = nullptr;
  uint16_t *delay = nullptr;
  uint64_t n_rows = 0, total = 0, max_delay = 1;
  double longest_ms = 0; // the longest delay drawn

private:
  void release() noexcept;
};

// fixed_probability with 0 < p < 1 from presynaptic global ids first_gid .. first_gid + n_pre - 1
// onto n_post targets, Philox (seed, stream) (the CPU's connectivity stream of the projection),
// without the autapse of row i (target i) where skip_autapse: each row's targets counted on the
// device (one thread a row), offsets by a prefix sum, then the rows filled.
DeviceCsr fixed_probability_rows(uint64_t seed, uint64_t stream, double p, uint64_t n_pre,
                                 uint64_t n_post, uint64_t first_gid, bool skip_autapse);

// Rows of given counts (counts[i] synapses in row i), as fixed_outdegree (every count k) and
// fixed_total_number (the host's multinomial counts) pick them: with multapses, pick k of row i is
// multapse_pick (framework/src/connect/picks.hpp) of global id first_gid + i, a thread a synapse;
// without, row i is distinct_row of it, each of a bounded number of threads walking its rows with
// its own bitmap of the candidates; past the autapse (target i) where skip_autapse; then each row
// sorted (a segmented radix sort).
DeviceCsr counted_rows(uint64_t seed, uint64_t stream, const std::vector<uint64_t> &counts,
                       uint64_t n_post, uint64_t first_gid, bool skip_autapse, bool multapses);

// fixed_indegree: column j (global id first_gid_post + j) picks k sources from n_pre, by
// multapse_pick or (without multapses) distinct_row, past the autapse (source j) where
// skip_autapse. The picks are made twice, first counted into each source's row, then placed
// there; each row is then sorted, so its targets ascend and a target picked twice by one column
// appears twice, as the host's from_pairs leaves them. The peak is the targets' 4 bytes a synapse
// and a sort range's buffer (at most 4 bytes a synapse): the picks' buffers are freed first.
DeviceCsr indegree_rows(uint64_t seed, uint64_t stream, uint64_t n_pre, uint64_t n_post, uint64_t k,
                        uint64_t first_gid_post, bool skip_autapse, bool multapses);

// all_to_all from n_pre onto n_post, less the autapses where skip_autapse, and one_to_one of n:
// rows in closed form (connect/dense_rows.hpp), each synapse placed by its own thread.
DeviceCsr all_to_all_rows(uint64_t n_pre, uint64_t n_post, bool skip_autapse);
DeviceCsr one_to_one_rows(uint64_t n);

// Fills c's weights and delays (allocated here), its largest delay in steps and the longest drawn
// in ms. A delay over 65535 steps is stored as 65535: the caller refuses it (max_delay says).
void values_on_device(DeviceCsr &c, const SynapseValues &v);

// A batch's projection (engine/batch.hpp) joined on the device from its members' as join_members
// joins them on the host: member m's rows after member m - 1's, its targets moved up by
// m n_post, its weights and (`delays`: drawn) delays in place. A part's csr null: n_rows rows
// without synapses. Each part's arrays are freed once copied, so the peak is the joined synapses
// beside the members'.
struct JoinPart {
  DeviceCsr *csr = nullptr;
  uint64_t n_rows = 0;
};
DeviceCsr join_on_device(const std::vector<JoinPart> &parts, uint64_t n_post, bool delays);

// The rows' sorts (by target, by delay) take ranges of rows of at most `items` synapses at a time
// (2^28 unless set; a longer row is a range alone): the tests set few, to cut rows into many.
void set_sort_range(uint64_t items);

// The builders with their rows copied back to the host (the tests', and the engine's where the
// host keeps the synapses).
HostCsr fixed_probability_on_device(uint64_t seed, uint64_t stream, double p, uint64_t n_pre,
                                    uint64_t n_post, uint64_t first_gid, bool skip_autapse);
HostCsr multapse_rows_on_device(uint64_t seed, uint64_t stream, const std::vector<uint64_t> &counts,
                                uint64_t n_post, uint64_t first_gid, bool skip_autapse);
HostCsr distinct_rows_on_device(uint64_t seed, uint64_t stream, const std::vector<uint64_t> &counts,
                                uint64_t n_post, uint64_t first_gid, bool skip_autapse);
HostCsr indegree_rows_on_device(uint64_t seed, uint64_t stream, uint64_t n_pre, uint64_t n_post,
                                uint64_t k, uint64_t first_gid_post, bool skip_autapse,
                                bool multapses);
HostCsr all_to_all_on_device(uint64_t n_pre, uint64_t n_post, bool skip_autapse);
HostCsr one_to_one_on_device(uint64_t n);

// A projection's synapses with their drawn weights and delays, as the host stores them.
struct HostSynapses {
  std::vector<uint32_t> post;
  std::vector<float> weight;
  std::vector<uint16_t> delay; // steps
};

// The weights and delays of the synapses of `rows` (their targets ascending in each row), drawn
// on the device by values_on_device (both drawn), and copied back.
HostSynapses delayed_rows_on_device(const HostCsr &rows, const ItemDraw &weight,
                                    uint64_t weight_stream, const ItemDraw &delay,
                                    uint64_t delay_stream, uint64_t seed, uint64_t first_gid,
                                    double dt);

} // namespace ganglion::gpu
