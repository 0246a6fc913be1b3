// weights' CUDA hooks (its companion library, libganglion_weights_cuda.so): a sample of a
// projection on the device made there and copied to the host as one record (the mean, the
// standard deviation, the histogram's counts, the chosen synapses' weights) instead of the whole
// weights. The sums are added in weights_model.hpp's order (a thread a lane of each block, the
// lanes added pairwise across the warp, the blocks' and groups' sums added in turn by one
// thread), the bins found by the same function, so the record holds the CPU's bits. init is the
// CPU's, on the host (the datasets, the edges, the sample at t = 0 from the initial weights).
#include "ganglion/cuda.cuh"

#include "weights_model.hpp"

namespace {

namespace model = ganglion::weights;
using ganglion::cuda::check;

constexpr unsigned kThreads = 256;
constexpr uint64_t kMostBlocks = 1024; // the histogram's grid

// The step's scratch: the histogram's counts, each block's sum, each group's sum.
struct Scratch {
  unsigned long long *counts;
  double *blocks, *groups;
  static uint64_t bytes(uint64_t nb, uint64_t n) {
    return 8 * (nb + model::blocks_of(n) + model::groups_of(n));
  }
  static Scratch at(void *p, uint64_t nb, uint64_t n) {
    auto *c = static_cast<unsigned long long *>(p);
    auto *b = reinterpret_cast<double *>(c + nb);
    return {c, b, b + model::blocks_of(n)};
  }
};

// Each block's sum (of w - *mean squared where `square`, else of w), a thread a lane: the lanes'
// sums added pairwise across the warp's groups of kLanes threads, as model::lane_sums adds them.
__global__ void block_sums_kernel(const float *w, uint64_t n, const double *mean, bool square,
                                  double *out, const int32_t *sampling) {
  if (!*sampling) return;
  const uint64_t t = uint64_t(blockIdx.x) * blockDim.x + threadIdx.x;
  const uint64_t b = t / model::kLanes, l = t % model::kLanes, blocks = model::blocks_of(n);
  const double shift = square ? *mean : 0.0;
  double v = 0;
  if (b < blocks) {
    const uint64_t begin = b * model::kBlock;
    const uint64_t end = begin + model::kBlock < n ? begin + model::kBlock : n;
    v = model::lane_part(w, begin, end, l, shift, square);
  }
  for (unsigned h = model::kLanes / 2; h > 0; h /= 2) {
    const double other = __shfl_down_sync(0xffffffffu, v, h, int(model::kLanes));
    if (l < h) v += other;
  }
  if (l == 0 && b < blocks) out[b] = v;
}

// The groups' sums, then their total (one thread) into *out: the mean, or (deviation) the
// standard deviation. One block. The mean's pass also empties the histogram's counts.
__global__ void total_kernel(Scratch s, uint64_t n, bool deviation, double *out, uint64_t nb,
                             const int32_t *sampling) {
  if (!*sampling) return;
  const uint64_t blocks = model::blocks_of(n), groups = model::groups_of(n);
  for (uint64_t g = threadIdx.x; g < groups; g += blockDim.x)
    s.groups[g] = model::group_sum(s.blocks, blocks, g);
  if (!deviation)
    for (uint64_t i = threadIdx.x; i < nb; i += blockDim.x)
      s.counts[i] = 0;
  __syncthreads();
  if (threadIdx.x != 0) return;
  const double total = model::total_sum(s.groups, groups);
  *out = deviation ? model::std_of(total, n) : model::mean_of(total, n);
}

// Each weight's bin counted: a block's tallies in shared memory (nb + 1 of them, the last for
// weights outside), then added to the counts.
__global__ void histogram_kernel(const float *w, uint64_t n, double lo, double hi, uint64_t nb,
                                 unsigned long long *counts, const int32_t *sampling) {
  extern __shared__ unsigned tally[];
  if (!*sampling) return;
  for (uint64_t i = threadIdx.x; i <= nb; i += blockDim.x)
    tally[i] = 0;
  __syncthreads();
  for (uint64_t k = uint64_t(blockIdx.x) * blockDim.x + threadIdx.x; k < n;
       k += uint64_t(gridDim.x) * blockDim.x)
    atomicAdd(&tally[model::bin_of(w[k], lo, hi, nb)], 1u);
  __syncthreads();
  for (uint64_t i = threadIdx.x; i < nb; i += blockDim.x)
    if (tally[i]) atomicAdd(counts + i, (unsigned long long)tally[i]);
}

// The record's counts, then the chosen synapses' weights.
__global__ void finish_kernel(const unsigned long long *counts, uint64_t nb, const float *w,
                              const uint64_t *chosen, uint64_t n_chosen, double *record,
                              const int32_t *sampling) {
  if (!*sampling) return;
  for (uint64_t i = uint64_t(blockIdx.x) * blockDim.x + threadIdx.x; i < nb + n_chosen;
       i += uint64_t(gridDim.x) * blockDim.x)
    record[2 + i] = i < nb ? double(counts[i]) : double(w[chosen[i - nb]]);
}

unsigned grid(uint64_t threads, uint64_t most) {
  const uint64_t g = (threads + kThreads - 1) / kThreads;
  return unsigned(g < 1 ? 1 : (g > most ? most : g));
}

struct WeightsCuda {
  static constexpr bool enqueues_only = true;

  static ganglion::cuda::RecordSize record_size(const gg_view &h) {
    const auto nb = uint64_t(h.fields[model::bins][0]);
    return {8 * model::record_values(nb, h.n_chosen_synapses), Scratch::bytes(nb, h.n_synapses)};
  }

  static void step(const gg_cuda_view &cv) {
    const gg_view &v = *cv.view, &h = *cv.host;
    const uint64_t n = v.n_synapses, nb = uint64_t(h.fields[model::bins][0]);
    const double lo = h.fields[model::edge_lo][0], hi = h.fields[model::edge_hi][0];
    const Scratch s = Scratch::at(cv.scratch, nb, n);
    auto *r = static_cast<double *>(cv.record);
    const cudaStream_t st = ganglion::cuda::stream(cv);
    const unsigned lanes = grid(model::blocks_of(n) * model::kLanes, ~0u);
    for (const bool square : {false, true}) {
      if (n > 0)
        block_sums_kernel<<<lanes, kThreads, 0, st>>>(v.weight, n, r, square, s.blocks,
                                                      cv.sampling);
      total_kernel<<<1, kThreads, 0, st>>>(s, n, square, r + (square ? 1 : 0), nb, cv.sampling);
    }
    if (n > 0)
      histogram_kernel<<<grid(n, kMostBlocks), kThreads, sizeof(unsigned) * (nb + 1), st>>>(
          v.weight, n, lo, hi, nb, s.counts, cv.sampling);
    finish_kernel<<<grid(nb + v.n_chosen_synapses, kMostBlocks), kThreads, 0, st>>>(
        s.counts, nb, v.weight, v.chosen_synapses, v.n_chosen_synapses, r, cv.sampling);
    check(cudaGetLastError(), "launching the weights' sample");
  }

  static void emit(const gg_view &h, const void *record) {
    model::emit_record(h, double(h.step + 1) * h.dt, static_cast<const double *>(record));
  }
};

} // namespace

GANGLION_CUDA_PLUGIN(WeightsCuda)
