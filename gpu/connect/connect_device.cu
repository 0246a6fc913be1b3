// The connectivity builders on the device (see connect_device.hpp).
#include "connect/connect_device.hpp"

#include <algorithm>
#include <stdexcept>

#include <cub/device/device_radix_sort.cuh>
#include <cub/device/device_scan.cuh>
#include <cub/device/device_segmented_radix_sort.cuh>
#include <cub/device/device_segmented_sort.cuh>
#include <cuda_runtime.h>

#include "connect/bernoulli_row.hpp"
#include "connect/dense_rows.hpp"
#include "connect/picks.hpp"
#include "device/buffers.cuh"
#include "ganglion/elementary.h"

namespace ganglion::gpu {
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
                               uint32_t *post) {
  const uint64_t thread = uint64_t(blockIdx.x) * blockDim.x + threadIdx.x;
  const uint64_t threads = uint64_t(gridDim.x) * blockDim.x;
  for (uint64_t i = thread; i < n_rows; i += threads)
    distinct_row(seed, stream, first_gid + i, n_post, row_ptr[i + 1] - row_ptr[i],
                 skip_autapse ? i : kNoSkip, bitmaps + thread * words, post + row_ptr[i]);
}

// Pair s of the columns (column j = s / k, its pick s % k): the source picked, and the target j.
__global__ void indegree_pairs(uint64_t seed, uint64_t stream, uint64_t n_pre, uint64_t k,
                               uint64_t total, uint64_t first_gid_post, bool skip_autapse,
                               uint32_t *pre, uint32_t *post) {
  const uint64_t s = uint64_t(blockIdx.x) * blockDim.x + threadIdx.x;
  if (s >= total) return;
  const uint64_t j = s / k;
  pre[s] =
      multapse_pick(seed, stream, first_gid_post + j, n_pre, s % k, skip_autapse ? j : kNoSkip);
  post[s] = uint32_t(j);
}

// Columns j = thread, thread + threads, ... without multapses: the k distinct picks of column j
// in pick_sorted's unsorted order, each thread with its own bitmap (bitmaps + thread * words).
__global__ void indegree_distinct(uint64_t seed, uint64_t stream, uint64_t n_pre, uint64_t n_post,
                                  uint64_t k, uint64_t first_gid_post, bool skip_autapse,
                                  uint64_t *bitmaps, uint64_t words, uint32_t *pre,
                                  uint32_t *post) {
  const uint64_t thread = uint64_t(blockIdx.x) * blockDim.x + threadIdx.x;
  const uint64_t threads = uint64_t(gridDim.x) * blockDim.x;
  for (uint64_t j = thread; j < n_post; j += threads) {
    distinct_row(seed, stream, first_gid_post + j, n_pre, k, skip_autapse ? j : kNoSkip,
                 bitmaps + thread * words, pre + j * k);
    for (uint64_t i = 0; i < k; ++i)
      post[j * k + i] = uint32_t(j);
  }
}

// Synapse s's weight and delay (steps), and its index (the value the sort by delay carries).
__global__ void draw_values(const uint64_t *row_ptr, uint64_t n_rows, uint64_t total,
                            ItemDraw weight, PhiloxKey weight_key, ItemDraw delay,
                            PhiloxKey delay_key, uint64_t first_gid, double dt, float *w,
                            uint16_t *d, uint32_t *index) {
  const uint64_t s = uint64_t(blockIdx.x) * blockDim.x + threadIdx.x;
  if (s >= total) return;
  const uint64_t i = row_of(row_ptr, n_rows, s), k = s - row_ptr[i];
  w[s] = float(item_from(weight, weight_key, first_gid + i, k, 0));
  d[s] = uint16_t(delay_step(item_from(delay, delay_key, first_gid + i, k, 0), dt));
  index[s] = uint32_t(s);
}

// Targets and weights in the sorted order (`from`: each place's synapse before the sort).
__global__ void gather(const uint32_t *from, uint64_t total, const uint32_t *post, const float *w,
                       uint32_t *post_out, float *w_out) {
  const uint64_t s = uint64_t(blockIdx.x) * blockDim.x + threadIdx.x;
  if (s >= total) return;
  post_out[s] = post[from[s]];
  w_out[s] = w[from[s]];
}

unsigned blocks_for(uint64_t n, unsigned per_block) {
  return unsigned((n + per_block - 1) / per_block);
}

} // namespace

HostCsr fixed_probability_on_device(uint64_t seed, uint64_t stream, double p, uint64_t n_pre,
                                    uint64_t n_post, uint64_t first_gid, bool skip_autapse) {
  if (!(p > 0 && p < 1)) throw std::invalid_argument("fixed_probability_on_device: 0 < p < 1");
  // The CPU computes 1 / log(1 - p) once on the host; so does this, and hands the same double over.
  const Rule r{seed, stream, n_pre, n_post, first_gid, 1.0 / gg_log1p(-p), skip_autapse};
  uint64_t *counts = nullptr, *row_ptr = nullptr;
  check_cuda(cudaMalloc(&counts, sizeof(uint64_t) * (n_pre + 1)), "cudaMalloc");
  check_cuda(cudaMalloc(&row_ptr, sizeof(uint64_t) * (n_pre + 1)), "cudaMalloc");
  constexpr unsigned kThreads = 128;
  count_rows<<<blocks_for(n_pre + 1, kThreads), kThreads>>>(r, counts);
  check_cuda(cudaGetLastError(), "launch of count_rows");
  std::size_t scratch_bytes = 0;
  void *scratch = nullptr;
  check_cuda(cub::DeviceScan::ExclusiveSum(scratch, scratch_bytes, counts, row_ptr, n_pre + 1),
             "prefix sum (size)");
  check_cuda(cudaMalloc(&scratch, scratch_bytes), "cudaMalloc");
  check_cuda(cub::DeviceScan::ExclusiveSum(scratch, scratch_bytes, counts, row_ptr, n_pre + 1),
             "prefix sum");
  HostCsr out;
  out.row_ptr.resize(n_pre + 1);
  check_cuda(cudaMemcpy(out.row_ptr.data(), row_ptr, sizeof(uint64_t) * (n_pre + 1),
                        cudaMemcpyDeviceToHost),
             "cudaMemcpy");
  const uint64_t total = out.row_ptr[n_pre];
  uint32_t *post = device_array<uint32_t>(total);
  fill_rows<<<blocks_for(n_pre, kThreads), kThreads>>>(r, row_ptr, post);
  check_cuda(cudaGetLastError(), "launch of fill_rows");
  out.post.resize(total);
  check_cuda(cudaMemcpy(out.post.data(), post, sizeof(uint32_t) * total, cudaMemcpyDeviceToHost),
             "cudaMemcpy");
  for (void *ptr : {(void *)counts, (void *)row_ptr, scratch, (void *)post})
    check_cuda(cudaFree(ptr), "cudaFree");
  return out;
}

namespace {

// out.row_ptr's offsets for `counts`; the same offsets on the device (freed by sorted_rows).
uint64_t *offsets_of(const std::vector<uint64_t> &counts, HostCsr &out) {
  out.row_ptr.assign(counts.size() + 1, 0);
  for (uint64_t i = 0; i < counts.size(); ++i)
    out.row_ptr[i + 1] = out.row_ptr[i] + counts[i];
  return device_copy_of(out.row_ptr);
}

// Distinct picks run a thread per row (or column), each with a bitmap of the candidates: at most
// 4096 threads of kBitmapThreads a block, for `items` rows.
constexpr unsigned kBitmapThreads = 128;

unsigned bitmap_blocks(uint64_t items) {
  return std::max(1u, blocks_for(std::min<uint64_t>(items, 4096), kBitmapThreads));
}

// A bitmap of `words` words for every thread of `blocks` blocks, all zero (distinct_row leaves
// them so).
uint64_t *zeroed_bitmaps(unsigned blocks, uint64_t words) {
  const std::size_t n = words * blocks * kBitmapThreads;
  uint64_t *bits = device_array<uint64_t>(n);
  check_cuda(cudaMemset(bits, 0, sizeof(uint64_t) * n), "cudaMemset");
  return bits;
}

// Each row of `picks` ascending, into out.post (integers: any sort gives the host's order); frees
// picks and row_ptr.
void sorted_rows(uint32_t *picks, uint64_t *row_ptr, HostCsr &out) {
  const uint64_t total = out.row_ptr.back();
  uint32_t *sorted = device_array<uint32_t>(total);
  std::size_t scratch_bytes = 0;
  void *scratch = nullptr;
  const int64_t segments = int64_t(out.row_ptr.size() - 1);
  check_cuda(cub::DeviceSegmentedRadixSort::SortKeys(scratch, scratch_bytes, picks, sorted,
                                                     int64_t(total), segments, row_ptr,
                                                     row_ptr + 1),
             "segmented sort (size)");
  check_cuda(cudaMalloc(&scratch, scratch_bytes ? scratch_bytes : 1), "cudaMalloc");
  check_cuda(cub::DeviceSegmentedRadixSort::SortKeys(scratch, scratch_bytes, picks, sorted,
                                                     int64_t(total), segments, row_ptr,
                                                     row_ptr + 1),
             "segmented sort");
  out.post.resize(total);
  check_cuda(cudaMemcpy(out.post.data(), sorted, sizeof(uint32_t) * total, cudaMemcpyDeviceToHost),
             "cudaMemcpy");
  for (void *ptr : {(void *)row_ptr, (void *)picks, (void *)sorted, scratch})
    check_cuda(cudaFree(ptr), "cudaFree");
}

} // namespace

HostCsr multapse_rows_on_device(uint64_t seed, uint64_t stream, const std::vector<uint64_t> &counts,
                                uint64_t n_post, uint64_t first_gid, bool skip_autapse) {
  const uint64_t n_rows = counts.size();
  HostCsr out;
  uint64_t *row_ptr = offsets_of(counts, out);
  const uint64_t total = out.row_ptr[n_rows];
  uint32_t *picks = device_array<uint32_t>(total);
  constexpr unsigned kThreads = 256;
  multapse_picks<<<blocks_for(total, kThreads), kThreads>>>(seed, stream, row_ptr, n_rows, total,
                                                            n_post, first_gid, skip_autapse, picks);
  check_cuda(cudaGetLastError(), "launch of multapse_picks");
  sorted_rows(picks, row_ptr, out);
  return out;
}

HostCsr indegree_rows_on_device(uint64_t seed, uint64_t stream, uint64_t n_pre, uint64_t n_post,
                                uint64_t k, uint64_t first_gid_post, bool skip_autapse,
                                bool multapses) {
  const uint64_t total = n_post * k;
  const std::size_t bytes = sizeof(uint32_t) * (total ? total : 1);
  uint32_t *pre = nullptr, *post = nullptr, *pre_sorted = nullptr, *post_sorted = nullptr;
  for (uint32_t **p : {&pre, &post, &pre_sorted, &post_sorted})
    check_cuda(cudaMalloc(p, bytes), "cudaMalloc");
  if (multapses) {
    constexpr unsigned kThreads = 256;
    indegree_pairs<<<blocks_for(total, kThreads), kThreads>>>(
        seed, stream, n_pre, k, total, first_gid_post, skip_autapse, pre, post);
    check_cuda(cudaGetLastError(), "launch of indegree_pairs");
  } else {
    const uint64_t words = (n_pre + 63) / 64;
    const unsigned blocks = bitmap_blocks(n_post);
    uint64_t *bitmaps = zeroed_bitmaps(blocks, words);
    indegree_distinct<<<blocks, kBitmapThreads>>>(seed, stream, n_pre, n_post, k, first_gid_post,
                                                  skip_autapse, bitmaps, words, pre, post);
    check_cuda(cudaGetLastError(), "launch of indegree_distinct");
    check_cuda(cudaFree(bitmaps), "cudaFree");
  }
  // A radix sort is stable: the pairs of one source keep their column order.
  std::size_t scratch_bytes = 0;
  void *scratch = nullptr;
  check_cuda(cub::DeviceRadixSort::SortPairs(scratch, scratch_bytes, pre, pre_sorted, post,
                                             post_sorted, int64_t(total)),
             "sort by source (size)");
  check_cuda(cudaMalloc(&scratch, scratch_bytes ? scratch_bytes : 1), "cudaMalloc");
  check_cuda(cub::DeviceRadixSort::SortPairs(scratch, scratch_bytes, pre, pre_sorted, post,
                                             post_sorted, int64_t(total)),
             "sort by source");
  HostCsr out;
  std::vector<uint32_t> sources(total);
  out.post.resize(total);
  check_cuda(
      cudaMemcpy(sources.data(), pre_sorted, sizeof(uint32_t) * total, cudaMemcpyDeviceToHost),
      "cudaMemcpy");
  check_cuda(
      cudaMemcpy(out.post.data(), post_sorted, sizeof(uint32_t) * total, cudaMemcpyDeviceToHost),
      "cudaMemcpy");
  out.row_ptr.assign(n_pre + 1, 0); // the rows' lengths from the sorted sources
  for (const uint32_t i : sources)
    ++out.row_ptr[i + 1];
  for (uint64_t i = 0; i < n_pre; ++i)
    out.row_ptr[i + 1] += out.row_ptr[i];
  for (void *p : {(void *)pre, (void *)post, (void *)pre_sorted, (void *)post_sorted, scratch})
    check_cuda(cudaFree(p), "cudaFree");
  return out;
}

HostCsr distinct_rows_on_device(uint64_t seed, uint64_t stream, const std::vector<uint64_t> &counts,
                                uint64_t n_post, uint64_t first_gid, bool skip_autapse) {
  HostCsr out;
  uint64_t *row_ptr = offsets_of(counts, out);
  const uint64_t total = out.row_ptr.back();
  uint32_t *picks = device_array<uint32_t>(total);
  const uint64_t words = (n_post + 63) / 64;
  const unsigned blocks = bitmap_blocks(counts.size());
  uint64_t *bitmaps = zeroed_bitmaps(blocks, words);
  distinct_picks<<<blocks, kBitmapThreads>>>(seed, stream, row_ptr, counts.size(), n_post,
                                             first_gid, skip_autapse, bitmaps, words, picks);
  check_cuda(cudaGetLastError(), "launch of distinct_picks");
  check_cuda(cudaFree(bitmaps), "cudaFree");
  sorted_rows(picks, row_ptr, out);
  return out;
}

HostSynapses delayed_rows_on_device(const HostCsr &rows, const ItemDraw &weight,
                                    uint64_t weight_stream, const ItemDraw &delay,
                                    uint64_t delay_stream, uint64_t seed, uint64_t first_gid,
                                    double dt) {
  const uint64_t n_rows = rows.row_ptr.size() - 1, total = rows.row_ptr.back();
  const std::size_t n = total ? total : 1;
  uint64_t *row_ptr = nullptr;
  uint32_t *post = nullptr, *index = nullptr, *from = nullptr, *post_out = nullptr;
  float *w = nullptr, *w_out = nullptr;
  uint16_t *d = nullptr, *d_out = nullptr;
  check_cuda(cudaMalloc(&row_ptr, sizeof(uint64_t) * (n_rows + 1)), "cudaMalloc");
  for (uint32_t **p : {&post, &index, &from, &post_out})
    check_cuda(cudaMalloc(p, sizeof(uint32_t) * n), "cudaMalloc");
  for (float **p : {&w, &w_out})
    check_cuda(cudaMalloc(p, sizeof(float) * n), "cudaMalloc");
  for (uint16_t **p : {&d, &d_out})
    check_cuda(cudaMalloc(p, sizeof(uint16_t) * n), "cudaMalloc");
  check_cuda(cudaMemcpy(row_ptr, rows.row_ptr.data(), sizeof(uint64_t) * (n_rows + 1),
                        cudaMemcpyHostToDevice),
             "cudaMemcpy");
  check_cuda(cudaMemcpy(post, rows.post.data(), sizeof(uint32_t) * total, cudaMemcpyHostToDevice),
             "cudaMemcpy");
  constexpr unsigned kThreads = 256;
  draw_values<<<blocks_for(total, kThreads), kThreads>>>(
      row_ptr, n_rows, total, weight, PhiloxKey(seed, weight_stream), delay,
      PhiloxKey(seed, delay_stream), first_gid, dt, w, d, index);
  check_cuda(cudaGetLastError(), "launch of draw_values");
  // Each row by delay, stably: the host's counting sort by delay keeps a row's order too.
  std::size_t scratch_bytes = 0;
  void *scratch = nullptr;
  const int64_t segments = int64_t(n_rows);
  check_cuda(cub::DeviceSegmentedSort::StableSortPairs(scratch, scratch_bytes, d, d_out, index,
                                                       from, int64_t(total), segments, row_ptr,
                                                       row_ptr + 1),
             "sort by delay (size)");
  check_cuda(cudaMalloc(&scratch, scratch_bytes ? scratch_bytes : 1), "cudaMalloc");
  check_cuda(cub::DeviceSegmentedSort::StableSortPairs(scratch, scratch_bytes, d, d_out, index,
                                                       from, int64_t(total), segments, row_ptr,
                                                       row_ptr + 1),
             "sort by delay");
  gather<<<blocks_for(total, kThreads), kThreads>>>(from, total, post, w, post_out, w_out);
  check_cuda(cudaGetLastError(), "launch of gather");
  HostSynapses out;
  out.post.resize(total);
  out.weight.resize(total);
  out.delay.resize(total);
  check_cuda(
      cudaMemcpy(out.post.data(), post_out, sizeof(uint32_t) * total, cudaMemcpyDeviceToHost),
      "cudaMemcpy");
  check_cuda(cudaMemcpy(out.weight.data(), w_out, sizeof(float) * total, cudaMemcpyDeviceToHost),
             "cudaMemcpy");
  check_cuda(cudaMemcpy(out.delay.data(), d_out, sizeof(uint16_t) * total, cudaMemcpyDeviceToHost),
             "cudaMemcpy");
  for (void *p : {(void *)row_ptr, (void *)post, (void *)index, (void *)from, (void *)post_out,
                  (void *)w, (void *)w_out, (void *)d, (void *)d_out, scratch})
    check_cuda(cudaFree(p), "cudaFree");
  return out;
}

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

// The device CSR copied back, and freed.
HostCsr copied_back(uint64_t *row_ptr, uint32_t *post, uint64_t n_rows, uint64_t total) {
  HostCsr out;
  out.row_ptr = host_copy_of(row_ptr, n_rows + 1);
  out.post = host_copy_of(post, total);
  return out;
}

} // namespace

HostCsr all_to_all_on_device(uint64_t n_pre, uint64_t n_post, bool skip_autapse) {
  const AllToAllRows r{n_post, skip_autapse};
  const uint64_t total = r.row_start(n_pre);
  uint64_t *row_ptr = device_array<uint64_t>(n_pre + 1);
  uint32_t *post = device_array<uint32_t>(total);
  constexpr unsigned kThreads = 256;
  dense_offsets<<<blocks_for(n_pre + 1, kThreads), kThreads>>>(r, n_pre, row_ptr);
  check_cuda(cudaGetLastError(), "launch of dense_offsets");
  dense_fill<<<unsigned(std::min<uint64_t>(std::max<uint64_t>(n_pre, 1), 65535)), kThreads>>>(
      r, n_pre, post);
  check_cuda(cudaGetLastError(), "launch of dense_fill");
  return copied_back(row_ptr, post, n_pre, total);
}

HostCsr one_to_one_on_device(uint64_t n) {
  uint64_t *row_ptr = device_array<uint64_t>(n + 1);
  uint32_t *post = device_array<uint32_t>(n);
  constexpr unsigned kThreads = 256;
  diagonal<<<blocks_for(n + 1, kThreads), kThreads>>>(n, row_ptr, post);
  check_cuda(cudaGetLastError(), "launch of diagonal");
  return copied_back(row_ptr, post, n, n);
}

} // namespace ganglion::gpu
