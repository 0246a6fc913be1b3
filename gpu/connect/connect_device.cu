// The connectivity builders on the device (see connect_device.hpp).
#include "connect/connect_device.hpp"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <stdexcept>

#include <cub/device/device_scan.cuh>
#include <cub/device/device_segmented_sort.cuh>
#include <cuda_runtime.h>

#include "connect/bernoulli_row.hpp"
#include "connect/dense_rows.hpp"
#include "connect/picks.hpp"
#include "device/buffers.cuh"
#include "ganglion/elementary.h"
#include "random/transforms.hpp"

namespace ganglion::gpu {

DeviceCsr &DeviceCsr::operator=(DeviceCsr &&o) noexcept {
  if (this == &o) return *this;
  release();
  row_ptr = o.row_ptr;
  post = o.post;
  weight = o.weight;
  delay = o.delay;
  n_rows = o.n_rows;
  total = o.total;
  max_delay = o.max_delay;
  longest_ms = o.longest_ms;
  o.row_ptr = nullptr;
  o.post = nullptr;
  o.weight = nullptr;
  o.delay = nullptr;
  return *this;
}

void DeviceCsr::release() noexcept {
  for (void *p : {(void *)row_ptr, (void *)post, (void *)weight, (void *)delay})
    if (p) cudaFree(p);
  row_ptr = nullptr;
  post = nullptr;
  weight = nullptr;
  delay = nullptr;
}

uint64_t DeviceCsr::bytes() const {
  if (!row_ptr) return 0; // (released)
  return (n_rows + 1) * sizeof(uint64_t) + total * sizeof(uint32_t) +
         (weight ? total * sizeof(float) : 0) + (delay ? total * sizeof(uint16_t) : 0);
}

HostCsr DeviceCsr::rows() const {
  return HostCsr{read_back(row_ptr, n_rows + 1), read_back(post, total)};
}

std::vector<float> DeviceCsr::weights() const {
  return weight ? read_back(weight, total) : std::vector<float>();
}

std::vector<uint16_t> DeviceCsr::delays() const {
  return delay ? read_back(delay, total) : std::vector<uint16_t>();
}

namespace {

unsigned blocks_for(uint64_t n, unsigned per_block) {
  return unsigned(std::max<uint64_t>(1, (n + per_block - 1) / per_block));
}

void check_launch(const char *what) {
  check_cuda(cudaGetLastError(), what);
}

// Waits for the work enqueued so far (on the legacy stream, which the engine's non-blocking
// streams do not wait for), so that a fault is named here, not by a later call; before a step's
// buffers are freed (a Buffer's cudaFree would swallow it).
void finished(const char *what) {
  check_cuda(cudaStreamSynchronize(nullptr), what);
}

// A device array of n elements of T (at least one) for the length of a call, freed with it.
template <class T> struct Buffer {
  explicit Buffer(std::size_t n) : p(device_array<T>(n)), n(n) {}
  ~Buffer() { cudaFree(p); }
  Buffer(const Buffer &) = delete;
  Buffer &operator=(const Buffer &) = delete;
  void zero() { check_cuda(cudaMemset(p, 0, sizeof(T) * n), "cudaMemset"); }
  T *p;
  std::size_t n;
};

// Offsets (n + 1, on the device) of rows of counts[0 .. n - 1] (counts[n] is 0): their exclusive
// prefix sum. Frees counts.
uint64_t *offsets_from_counts(uint64_t *counts, uint64_t n) {
  uint64_t *offsets = device_array<uint64_t>(n + 1);
  std::size_t bytes = 0;
  check_cuda(cub::DeviceScan::ExclusiveSum(nullptr, bytes, counts, offsets, n + 1),
             "prefix sum (size)");
  Buffer<char> s(bytes);
  check_cuda(cub::DeviceScan::ExclusiveSum(s.p, bytes, counts, offsets, n + 1), "prefix sum");
  check_cuda(cudaFree(counts), "cudaFree");
  return offsets;
}

uint64_t last_offset(const uint64_t *offsets, uint64_t n) {
  uint64_t total = 0;
  check_cuda(cudaMemcpy(&total, offsets + n, sizeof total, cudaMemcpyDeviceToHost), "cudaMemcpy");
  return total;
}

// Rows first .. last - 1 of a CSR, holding synapses [begin, end).
struct RowRange {
  uint64_t first, last, begin, end;
};

// The CSR's rows cut into ranges of at most range_items synapses (a row longer alone is a range
// of its own): CUB's segmented sorts count items in 32 bits, and a range's buffers stay small
// beside the projection's.
uint64_t range_items = uint64_t(1) << 28;

std::vector<RowRange> row_ranges(const uint64_t *row_ptr, uint64_t n_rows) {
  const std::vector<uint64_t> offsets = read_back(row_ptr, n_rows + 1);
  std::vector<RowRange> ranges;
  for (uint64_t first = 0; first < n_rows;) {
    uint64_t last = first + 1;
    while (last < n_rows && offsets[last + 1] - offsets[first] <= range_items)
      ++last;
    if (offsets[last] > offsets[first])
      ranges.push_back({first, last, offsets[first], offsets[last]});
    first = last;
  }
  return ranges;
}

uint64_t widest_of(const std::vector<RowRange> &ranges) {
  uint64_t widest = 0;
  for (const RowRange &r : ranges)
    widest = std::max(widest, r.end - r.begin);
  return widest;
}

__global__ void relative_offsets(const uint64_t *row_ptr, uint64_t n, uint64_t base, int64_t *out) {
  const uint64_t i = uint64_t(blockIdx.x) * blockDim.x + threadIdx.x;
  if (i <= n) out[i] = int64_t(row_ptr[i] - base);
}

// A range's row offsets relative to its first synapse, on the device (the segmented sorts').
struct RangeOffsets {
  RangeOffsets(const uint64_t *row_ptr, const RowRange &r) {
    const uint64_t n = r.last - r.first;
    at = device_array<int64_t>(n + 1);
    relative_offsets<<<blocks_for(n + 1, 256), 256>>>(row_ptr + r.first, n, r.begin, at);
    check_launch("launch of relative_offsets");
  }
  ~RangeOffsets() { cudaFree(at); }
  RangeOffsets(const RangeOffsets &) = delete;
  RangeOffsets &operator=(const RangeOffsets &) = delete;
  int64_t *at = nullptr;
};

// Each row's targets ascending (integers: any sort gives the host's order), a range of rows at a
// time through a buffer of the range's size. (DeviceSegmentedSort sorts a short segment within a
// warp or a block: rows of a thousand synapses cost about a pass over memory.)
void sort_rows(DeviceCsr &c) {
  const std::vector<RowRange> ranges = row_ranges(c.row_ptr, c.n_rows);
  const uint64_t widest = widest_of(ranges);
  if (widest == 0) return;
  Buffer<uint32_t> sorted(widest);
  for (const RowRange &r : ranges) {
    const RangeOffsets off(c.row_ptr, r);
    const int64_t items = int64_t(r.end - r.begin), segments = int64_t(r.last - r.first);
    uint32_t *keys = c.post + r.begin;
    std::size_t bytes = 0;
    check_cuda(cub::DeviceSegmentedSort::SortKeys(nullptr, bytes, keys, sorted.p, items, segments,
                                                  off.at, off.at + 1),
               "segmented sort (size)");
    Buffer<char> s(bytes);
    check_cuda(cub::DeviceSegmentedSort::SortKeys(s.p, bytes, keys, sorted.p, items, segments,
                                                  off.at, off.at + 1),
               "segmented sort");
    check_cuda(cudaMemcpy(keys, sorted.p, sizeof(uint32_t) * items, cudaMemcpyDeviceToDevice),
               "cudaMemcpy");
    finished("the rows' sort");
  }
}

} // namespace

void set_sort_range(uint64_t items) {
  range_items = std::max<uint64_t>(1, items);
}

// ---- fixed_probability ----

namespace {

// What every thread of the rule needs.
struct Rule {
  uint64_t seed, stream, n_pre, n_post, first_gid;
  double inv_log_q;
  bool skip_autapse;

  __device__ BernoulliRow row(uint64_t i) const {
    return BernoulliRow(seed, stream, first_gid + i, inv_log_q, int64_t(n_post),
                        skip_autapse ? int64_t(i) : -1);
  }
};

// counts[i] = row i's synapses; counts[n_pre] = 0 (the prefix sum's last entry becomes the total).
__global__ void count_rows(Rule r, uint64_t *counts) {
  const uint64_t i = uint64_t(blockIdx.x) * blockDim.x + threadIdx.x;
  if (i > r.n_pre) return;
  uint64_t n = 0;
  if (i < r.n_pre)
    for (BernoulliRow row = r.row(i); row.next() >= 0;)
      ++n;
  counts[i] = n;
}

// Row i's targets from offset row_ptr[i], walking the same gaps again.
__global__ void fill_rows(Rule r, const uint64_t *row_ptr, uint32_t *post) {
  const uint64_t i = uint64_t(blockIdx.x) * blockDim.x + threadIdx.x;
  if (i >= r.n_pre) return;
  uint64_t at = row_ptr[i];
  BernoulliRow row = r.row(i);
  for (int64_t t; (t = row.next()) >= 0;)
    post[at++] = uint32_t(t);
}

} // namespace

DeviceCsr fixed_probability_rows(uint64_t seed, uint64_t stream, double p, uint64_t n_pre,
                                 uint64_t n_post, uint64_t first_gid, bool skip_autapse) {
  if (!(p > 0 && p < 1)) throw std::invalid_argument("fixed_probability_rows: 0 < p < 1");
  // The CPU computes 1 / log(1 - p) once on the host; so does this, and hands the same double over.
  const Rule r{seed, stream, n_pre, n_post, first_gid, 1.0 / gg_log1p(-p), skip_autapse};
  uint64_t *counts = device_array<uint64_t>(n_pre + 1);
  constexpr unsigned kThreads = 128;
  count_rows<<<blocks_for(n_pre + 1, kThreads), kThreads>>>(r, counts);
  check_launch("launch of count_rows");
  uint64_t *row_ptr = offsets_from_counts(counts, n_pre);
  const uint64_t total = last_offset(row_ptr, n_pre);
  DeviceCsr c(n_pre, row_ptr, device_array<uint32_t>(total), total);
  fill_rows<<<blocks_for(n_pre, kThreads), kThreads>>>(r, row_ptr, c.post);
  check_launch("launch of fill_rows");
  finished("the rows' picks");
  return c;
}

// ---- rows of given counts: fixed_outdegree, fixed_total_number ----

namespace {

// The row of synapse s: i with row_ptr[i] <= s < row_ptr[i + 1].
__device__ uint64_t row_of(const uint64_t *row_ptr, uint64_t n_rows, uint64_t s) {
  uint64_t lo = 0, hi = n_rows;
  while (hi - lo > 1) {
    const uint64_t mid = (lo + hi) / 2;
    (row_ptr[mid] <= s ? lo : hi) = mid;
  }
  return lo;
}

// Synapse s of the rows (row_ptr: n_rows + 1 offsets): its pick.
__global__ void multapse_picks(uint64_t seed, uint64_t stream, const uint64_t *row_ptr,
                               uint64_t n_rows, uint64_t total, uint64_t n_post, uint64_t first_gid,
                               bool skip_autapse, uint32_t *post) {
  const uint64_t s = uint64_t(blockIdx.x) * blockDim.x + threadIdx.x;
  if (s >= total) return;
  const uint64_t i = row_of(row_ptr, n_rows, s);
  post[s] = multapse_pick(seed, stream, first_gid + i, n_post, s - row_ptr[i],
                          skip_autapse ? i : kNoSkip);
}

// Rows i = thread, thread + threads, ...: each thread's bitmap of the candidates at
// bitmaps + thread * words.
__global__ void distinct_picks(uint64_t seed, uint64_t stream, const uint64_t *row_ptr,
                               uint64_t n_rows, uint64_t n_post, uint64_t first_gid,
                               bool skip_autapse, uint64_t *bitmaps, uint64_t words,
                               uint64_t threads, uint32_t *post) {
  const uint64_t thread = uint64_t(blockIdx.x) * blockDim.x + threadIdx.x;
  if (thread >= threads) return; // (the block's rest: no bitmap of their own)
  for (uint64_t i = thread; i < n_rows; i += threads)
    distinct_row(seed, stream, first_gid + i, n_post, row_ptr[i + 1] - row_ptr[i],
                 skip_autapse ? i : kNoSkip, bitmaps + thread * words, post + row_ptr[i]);
}

// Distinct picks run a thread per row (or column), each with a bitmap of `words` words of the
// candidates: at most 4096 threads for `items` rows, fewer where their bitmaps would pass 1 GiB
// (at least one), kBitmapThreads a block.
constexpr unsigned kBitmapThreads = 128;

uint64_t bitmap_threads(uint64_t items, uint64_t words) {
  const uint64_t affordable = (uint64_t(1) << 30) / (8 * words);
  return std::max<uint64_t>(1, std::min<uint64_t>({items, 4096, affordable}));
}

} // namespace

DeviceCsr counted_rows(uint64_t seed, uint64_t stream, const std::vector<uint64_t> &counts,
                       uint64_t n_post, uint64_t first_gid, bool skip_autapse, bool multapses) {
  const uint64_t n_rows = counts.size();
  std::vector<uint64_t> offsets(n_rows + 1, 0);
  for (uint64_t i = 0; i < n_rows; ++i)
    offsets[i + 1] = offsets[i] + counts[i];
  const uint64_t total = offsets[n_rows];
  DeviceCsr c(n_rows, device_copy_of(offsets), device_array<uint32_t>(total), total);
  if (multapses) {
    constexpr unsigned kThreads = 256;
    multapse_picks<<<blocks_for(total, kThreads), kThreads>>>(
        seed, stream, c.row_ptr, n_rows, total, n_post, first_gid, skip_autapse, c.post);
    check_launch("launch of multapse_picks");
  } else {
    const uint64_t words = (n_post + 63) / 64, threads = bitmap_threads(n_rows, words);
    Buffer<uint64_t> bitmaps(words * threads); // (distinct_row leaves them 0)
    bitmaps.zero();
    distinct_picks<<<blocks_for(threads, kBitmapThreads), kBitmapThreads>>>(
        seed, stream, c.row_ptr, n_rows, n_post, first_gid, skip_autapse, bitmaps.p, words, threads,
        c.post);
    check_launch("launch of distinct_picks");
    finished("distinct_picks"); // (before the bitmaps are freed: any fault named here)
  }
  sort_rows(c);
  return c;
}

// ---- fixed_indegree ----

namespace {

// The columns' picks with multapses, pair s = (column s / k, its pick s % k): counted into their
// sources' rows (row_ptr null), or placed there, each row filled from its start by `fill`.
__global__ void indegree_multapses(uint64_t seed, uint64_t stream, uint64_t n_pre, uint64_t k,
                                   uint64_t total, uint64_t first_gid_post, bool skip_autapse,
                                   const uint64_t *row_ptr, unsigned long long *fill,
                                   uint32_t *post) {
  const uint64_t s = uint64_t(blockIdx.x) * blockDim.x + threadIdx.x;
  if (s >= total) return;
  const uint64_t j = s / k;
  const uint32_t i =
      multapse_pick(seed, stream, first_gid_post + j, n_pre, s % k, skip_autapse ? j : kNoSkip);
  const unsigned long long at = atomicAdd(fill + i, 1ull);
  if (row_ptr) post[row_ptr[i] + at] = uint32_t(j);
}

// The same without multapses: columns j = thread, thread + threads, ..., each column's k distinct
// picks into the thread's own `picks` (k entries), by its bitmap (bitmaps + thread * words).
__global__ void indegree_distinct(uint64_t seed, uint64_t stream, uint64_t n_pre, uint64_t n_post,
                                  uint64_t k, uint64_t first_gid_post, bool skip_autapse,
                                  uint64_t *bitmaps, uint64_t words, uint64_t threads,
                                  uint32_t *picks, const uint64_t *row_ptr,
                                  unsigned long long *fill, uint32_t *post) {
  const uint64_t thread = uint64_t(blockIdx.x) * blockDim.x + threadIdx.x;
  if (thread >= threads) return; // (the block's rest: no bitmap or picks of their own)
  uint32_t *mine = picks + thread * k;
  for (uint64_t j = thread; j < n_post; j += threads) {
    distinct_row(seed, stream, first_gid_post + j, n_pre, k, skip_autapse ? j : kNoSkip,
                 bitmaps + thread * words, mine);
    for (uint64_t p = 0; p < k; ++p) {
      const unsigned long long at = atomicAdd(fill + mine[p], 1ull);
      if (row_ptr) post[row_ptr[mine[p]] + at] = uint32_t(j);
    }
  }
}

} // namespace

DeviceCsr indegree_rows(uint64_t seed, uint64_t stream, uint64_t n_pre, uint64_t n_post, uint64_t k,
                        uint64_t first_gid_post, bool skip_autapse, bool multapses) {
  const uint64_t total = n_post * k, words = (n_pre + 63) / 64;
  DeviceCsr c;
  { // (the passes' buffers freed before the rows' sort: 8 bytes a synapse at the peak)
    Buffer<unsigned long long> fill(n_pre + 1);
    // Without multapses, a thread a column with its bitmap (distinct_row leaves it 0) and its
    // picks.
    const uint64_t threads = multapses ? 0 : bitmap_threads(n_post, words);
    Buffer<uint64_t> bitmaps(threads * words);
    Buffer<uint32_t> picks(threads * k);
    bitmaps.zero();
    // Twice: the rows' lengths (row_ptr null), then their targets, in any order within a row.
    const auto pass = [&](const uint64_t *row_ptr, uint32_t *post) {
      fill.zero();
      if (multapses)
        indegree_multapses<<<blocks_for(total, 256), 256>>>(
            seed, stream, n_pre, k, total, first_gid_post, skip_autapse, row_ptr, fill.p, post);
      else
        indegree_distinct<<<blocks_for(threads, kBitmapThreads), kBitmapThreads>>>(
            seed, stream, n_pre, n_post, k, first_gid_post, skip_autapse, bitmaps.p, words, threads,
            picks.p, row_ptr, fill.p, post);
      check_launch("launch of the in-degree picks");
    };
    pass(nullptr, nullptr);
    uint64_t *counts = device_array<uint64_t>(n_pre + 1); // (fill[n_pre] is 0)
    check_cuda(cudaMemcpy(counts, fill.p, sizeof(uint64_t) * (n_pre + 1), cudaMemcpyDeviceToDevice),
               "cudaMemcpy");
    c = DeviceCsr(n_pre, offsets_from_counts(counts, n_pre), device_array<uint32_t>(total), total);
    pass(c.row_ptr, c.post);
    finished("the in-degree picks"); // (before their buffers are freed: any fault named here)
  }
  sort_rows(c);
  return c;
}

// ---- all_to_all, one_to_one ----

namespace {

// Row i's offset, and (one block a row, its threads over the targets) each synapse of it.
__global__ void dense_offsets(AllToAllRows r, uint64_t n_pre, uint64_t *row_ptr) {
  const uint64_t i = uint64_t(blockIdx.x) * blockDim.x + threadIdx.x;
  if (i <= n_pre) row_ptr[i] = r.row_start(i);
}

__global__ void dense_fill(AllToAllRows r, uint64_t n_pre, uint32_t *post) {
  for (uint64_t i = blockIdx.x; i < n_pre; i += gridDim.x)
    for (uint64_t j = threadIdx.x; j < r.n_post; j += blockDim.x) {
      const uint64_t at = r.place(i, j);
      if (at != UINT64_MAX) post[at] = uint32_t(j);
    }
}

__global__ void diagonal(uint64_t n, uint64_t *row_ptr, uint32_t *post) {
  const uint64_t i = uint64_t(blockIdx.x) * blockDim.x + threadIdx.x;
  if (i <= n) row_ptr[i] = i;
  if (i < n) post[i] = uint32_t(i);
}

} // namespace

DeviceCsr all_to_all_rows(uint64_t n_pre, uint64_t n_post, bool skip_autapse) {
  const AllToAllRows r{n_post, skip_autapse};
  const uint64_t total = r.row_start(n_pre);
  DeviceCsr c(n_pre, device_array<uint64_t>(n_pre + 1), device_array<uint32_t>(total), total);
  constexpr unsigned kThreads = 256;
  dense_offsets<<<blocks_for(n_pre + 1, kThreads), kThreads>>>(r, n_pre, c.row_ptr);
  check_launch("launch of dense_offsets");
  dense_fill<<<unsigned(std::min<uint64_t>(std::max<uint64_t>(n_pre, 1), 65535)), kThreads>>>(
      r, n_pre, c.post);
  check_launch("launch of dense_fill");
  finished("the dense rows");
  return c;
}

DeviceCsr one_to_one_rows(uint64_t n) {
  DeviceCsr c(n, device_array<uint64_t>(n + 1), device_array<uint32_t>(n), n);
  constexpr unsigned kThreads = 256;
  diagonal<<<blocks_for(n + 1, kThreads), kThreads>>>(n, c.row_ptr, c.post);
  check_launch("launch of diagonal");
  finished("the diagonal rows");
  return c;
}

// ---- weights and delays ----

namespace {

constexpr unsigned kValueThreads = 256;

// A warp a row (rows warp, warp + warps, ...), its lanes along the row: each synapse's weight
// and, where drawn, its delay (synapse_element; the host refuses one over 65535 steps from the
// longest drawn, in ms, whose bits each warp's lane 0 folds into *longest by atomicMax: positive
// doubles order as their bits do), and its place in its row (what the sort by delay carries).
__global__ void draw_values(const uint64_t *row_ptr, uint64_t n_rows, SynapseValues v, float *w,
                            uint16_t *d, uint32_t *place, unsigned long long *longest) {
  const unsigned lane = threadIdx.x & 31u;
  const uint64_t warps = uint64_t(gridDim.x) * blockDim.x / 32;
  double most = 0;
  for (uint64_t i = (uint64_t(blockIdx.x) * blockDim.x + threadIdx.x) / 32; i < n_rows;
       i += warps) {
    const uint64_t b = row_ptr[i], n = row_ptr[i + 1] - b;
    for (uint64_t k = lane; k < n; k += 32) {
      const SynapseElement e = synapse_element(v, i, k);
      w[b + k] = e.weight;
      if (!v.drawn_delays) continue;
      most = fmax(most, e.delay_ms);
      d[b + k] = e.delay_steps;
      place[b + k] = uint32_t(k);
    }
  }
  if (!v.drawn_delays) return;
  for (int off = 16; off > 0; off /= 2)
    most = fmax(most, __shfl_xor_sync(0xffffffffu, most, off));
  if (lane == 0) atomicMax(longest, (unsigned long long)__double_as_longlong(most));
}

// A range's rows (n_rows from row `first`, synapses from `base`) after their sort by delay: each
// place's synapse was `from` places into its row before, and its target and weight come from the
// range's copies taken before the sort (indexed from `base`, as `from` is).
__global__ void gather_sorted(const uint64_t *row_ptr, uint64_t first, uint64_t n_rows,
                              uint64_t base, const uint32_t *from, const uint32_t *post_before,
                              const float *w_before, uint32_t *post, float *w) {
  const unsigned lane = threadIdx.x & 31u;
  const uint64_t warps = uint64_t(gridDim.x) * blockDim.x / 32;
  for (uint64_t r = (uint64_t(blockIdx.x) * blockDim.x + threadIdx.x) / 32; r < n_rows;
       r += warps) {
    const uint64_t b = row_ptr[first + r] - base, n = row_ptr[first + r + 1] - base - b;
    for (uint64_t k = lane; k < n; k += 32) {
      const uint64_t was = b + from[b + k];
      post[base + b + k] = post_before[was];
      w[base + b + k] = w_before[was];
    }
  }
}

// A warp a row over `n_rows` rows, at most 2^16 blocks of kValueThreads.
unsigned row_blocks(uint64_t n_rows) {
  return unsigned(std::min<uint64_t>(blocks_for(n_rows * 32, kValueThreads), 65536));
}

// Each row of c sorted by delay, stably, with its targets and weights (`place`: each synapse's
// place in its row), a range of rows at a time: the host's draw_rows sorts so.
void sort_by_delay(DeviceCsr &c, uint32_t *place) {
  const std::vector<RowRange> ranges = row_ranges(c.row_ptr, c.n_rows);
  const uint64_t widest = widest_of(ranges);
  if (widest == 0) return;
  Buffer<uint16_t> delay_out(widest);
  Buffer<uint32_t> from(widest), post(widest);
  Buffer<float> w(widest);
  for (const RowRange &r : ranges) {
    if (r.end - r.begin > uint64_t(INT32_MAX))
      throw std::length_error("a row of more than 2^31 synapses cannot be sorted on the device");
    const RangeOffsets off(c.row_ptr, r);
    const int64_t items = int64_t(r.end - r.begin), segments = int64_t(r.last - r.first);
    std::size_t bytes = 0;
    check_cuda(cub::DeviceSegmentedSort::StableSortPairs(nullptr, bytes, c.delay + r.begin,
                                                         delay_out.p, place + r.begin, from.p,
                                                         items, segments, off.at, off.at + 1),
               "sort by delay (size)");
    Buffer<char> s(bytes);
    check_cuda(cub::DeviceSegmentedSort::StableSortPairs(s.p, bytes, c.delay + r.begin, delay_out.p,
                                                         place + r.begin, from.p, items, segments,
                                                         off.at, off.at + 1),
               "sort by delay");
    check_cuda(
        cudaMemcpy(post.p, c.post + r.begin, sizeof(uint32_t) * items, cudaMemcpyDeviceToDevice),
        "cudaMemcpy");
    check_cuda(cudaMemcpy(w.p, c.weight + r.begin, sizeof(float) * items, cudaMemcpyDeviceToDevice),
               "cudaMemcpy");
    check_cuda(cudaMemcpy(c.delay + r.begin, delay_out.p, sizeof(uint16_t) * items,
                          cudaMemcpyDeviceToDevice),
               "cudaMemcpy");
    gather_sorted<<<row_blocks(r.last - r.first), kValueThreads>>>(
        c.row_ptr, r.first, r.last - r.first, r.begin, from.p, post.p, w.p, c.post, c.weight);
    check_launch("launch of gather_sorted");
  }
}

} // namespace

void values_on_device(DeviceCsr &c, const SynapseValues &v) {
  const uint64_t n = c.total;
  c.weight = device_array<float>(n);
  c.max_delay = 1;
  c.longest_ms = 0;
  if (v.drawn_delays) c.delay = device_array<uint16_t>(n);
  // (drawn delays: each synapse's place in its row, which the sort carries, and the longest)
  Buffer<uint32_t> place(v.drawn_delays ? n : 1);
  Buffer<unsigned long long> longest(1);
  longest.zero();
  draw_values<<<row_blocks(c.n_rows), kValueThreads>>>(c.row_ptr, c.n_rows, v, c.weight, c.delay,
                                                       place.p, longest.p);
  check_launch("launch of draw_values");
  if (!v.drawn_delays) return;
  const unsigned long long bits = read_back(longest.p, 1)[0];
  double ms = 0;
  static_assert(sizeof ms == sizeof bits);
  std::memcpy(&ms, &bits, sizeof ms);
  c.longest_ms = ms;
  // (a delay past 65535 steps is refused by the caller: compared as a double first, since a
  // conversion of one beyond uint64_t, or of infinity, is undefined)
  const double steps = n ? delay_step(ms, v.dt) : 1.0;
  c.max_delay = steps > 65536.0 ? 65536 : uint64_t(steps);
  sort_by_delay(c, place.p);
  finished("the synapses' values");
}

// ---- a batch's members joined ----

namespace {

// Rows [0, n) of a member (none: rows without synapses) at `to`, their offsets moved by `add`.
__global__ void join_offsets(const uint64_t *from, uint64_t n, uint64_t add, uint64_t *to) {
  const uint64_t i = uint64_t(blockIdx.x) * blockDim.x + threadIdx.x;
  if (i < n) to[i] = (from ? from[i] : 0) + add;
}

// A member's targets at `to`, moved up by `add` (its first target's place in the batch).
__global__ void join_targets(const uint32_t *from, uint64_t n, uint32_t add, uint32_t *to) {
  const uint64_t k = uint64_t(blockIdx.x) * blockDim.x + threadIdx.x;
  if (k < n) to[k] = from[k] + add;
}

template <class T> void copy_on_device(T *to, const T *from, uint64_t n) {
  if (n) check_cuda(cudaMemcpy(to, from, n * sizeof(T), cudaMemcpyDeviceToDevice), "cudaMemcpy");
}

} // namespace

DeviceCsr join_on_device(const std::vector<JoinPart> &parts, uint64_t n_post, bool delays) {
  uint64_t rows = 0, total = 0;
  for (const JoinPart &p : parts) {
    rows += p.csr ? p.csr->n_rows : p.n_rows;
    total += p.csr ? p.csr->total : 0;
  }
  DeviceCsr c(rows, device_array<uint64_t>(rows + 1), device_array<uint32_t>(total), total);
  c.weight = device_array<float>(total);
  if (delays) c.delay = device_array<uint16_t>(total);
  constexpr unsigned kThreads = 256;
  uint64_t row = 0, at = 0;
  for (std::size_t m = 0; m < parts.size(); ++m) {
    DeviceCsr *part = parts[m].csr;
    const uint64_t n_rows = part ? part->n_rows : parts[m].n_rows, n = part ? part->total : 0;
    join_offsets<<<blocks_for(n_rows, kThreads), kThreads>>>(part ? part->row_ptr : nullptr, n_rows,
                                                             at, c.row_ptr + row);
    check_launch("launch of join_offsets");
    if (part && n) {
      join_targets<<<blocks_for(n, kThreads), kThreads>>>(part->post, n, uint32_t(m * n_post),
                                                          c.post + at);
      check_launch("launch of join_targets");
      copy_on_device(c.weight + at, part->weight, n);
      if (delays) copy_on_device(c.delay + at, part->delay, n);
      c.max_delay = std::max(c.max_delay, part->max_delay);
      c.longest_ms = std::max(c.longest_ms, part->longest_ms);
    }
    finished("a batch's member joined");
    if (part) *part = DeviceCsr(); // (its memory back before the next)
    row += n_rows;
    at += n;
  }
  check_cuda(cudaMemcpy(c.row_ptr + rows, &total, sizeof total, cudaMemcpyHostToDevice),
             "cudaMemcpy");
  return c;
}

// ---- copied back ----

HostCsr fixed_probability_on_device(uint64_t seed, uint64_t stream, double p, uint64_t n_pre,
                                    uint64_t n_post, uint64_t first_gid, bool skip_autapse) {
  return fixed_probability_rows(seed, stream, p, n_pre, n_post, first_gid, skip_autapse).rows();
}

HostCsr multapse_rows_on_device(uint64_t seed, uint64_t stream, const std::vector<uint64_t> &counts,
                                uint64_t n_post, uint64_t first_gid, bool skip_autapse) {
  return counted_rows(seed, stream, counts, n_post, first_gid, skip_autapse, true).rows();
}

HostCsr distinct_rows_on_device(uint64_t seed, uint64_t stream, const std::vector<uint64_t> &counts,
                                uint64_t n_post, uint64_t first_gid, bool skip_autapse) {
  return counted_rows(seed, stream, counts, n_post, first_gid, skip_autapse, false).rows();
}

HostCsr indegree_rows_on_device(uint64_t seed, uint64_t stream, uint64_t n_pre, uint64_t n_post,
                                uint64_t k, uint64_t first_gid_post, bool skip_autapse,
                                bool multapses) {
  return indegree_rows(seed, stream, n_pre, n_post, k, first_gid_post, skip_autapse, multapses)
      .rows();
}

HostCsr all_to_all_on_device(uint64_t n_pre, uint64_t n_post, bool skip_autapse) {
  return all_to_all_rows(n_pre, n_post, skip_autapse).rows();
}

HostCsr one_to_one_on_device(uint64_t n) {
  return one_to_one_rows(n).rows();
}

HostSynapses delayed_rows_on_device(const HostCsr &rows, const ItemDraw &weight,
                                    uint64_t weight_stream, const ItemDraw &delay,
                                    uint64_t delay_stream, uint64_t seed, uint64_t first_gid,
                                    double dt) {
  const uint64_t n_rows = rows.row_ptr.size() - 1;
  DeviceCsr c(n_rows, device_copy_of(rows.row_ptr), device_copy_of(rows.post), rows.post.size());
  SynapseValues v;
  v.drawn_weights = v.drawn_delays = true;
  v.weight_draw = weight;
  v.delay_draw = delay;
  v.weight_key = PhiloxKey(seed, weight_stream);
  v.delay_key = PhiloxKey(seed, delay_stream);
  v.first_gid = first_gid;
  v.dt = dt;
  values_on_device(c, v);
  return HostSynapses{c.rows().post, c.weights(), c.delays()};
}

} // namespace ganglion::gpu
