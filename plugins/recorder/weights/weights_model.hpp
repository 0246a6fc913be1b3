// The weights recorder's arithmetic for the host and a CUDA device (GG_HD), shared by its CPU
// plugin (weights.cpp) and its CUDA companion (weights.cu) so that both give the same bits: the
// order in which a sample's sums are added, a weight's histogram bin, and a sample's record (what
// the device copies to the host and what the CPU writes alike).
#pragma once

#include <cmath>
#include <cstdint>

#include "ganglion/hd.h"
#include "ganglion/plugin_abi.h"

namespace ganglion::weights {

// The fields, in the table's order (weights.cpp), and the recorder's channels (declared in init).
enum Field { bins, hist_min, hist_max, edge_lo, edge_hi, count };
enum Channel { time, mean, stdev, histogram, synapses };

// A sum over n weights (of w - shift, or of its square) is added in this order: blocks of kBlock
// weights, each summed in kLanes lanes (lane l: the block's weights k with k % kLanes == l, in
// turn) that are then added pairwise (lane_sums); the blocks' sums added in turn in groups of
// kGroup blocks; the groups' sums added in turn. A vector loop on the CPU and a thread a lane on a
// GPU both follow it. Up to kBlock weights it is the plain lanes' sum.
inline constexpr uint64_t kLanes = 8, kBlock = 8192, kGroup = 64;

GG_HD uint64_t blocks_of(uint64_t n) {
  return (n + kBlock - 1) / kBlock;
}
GG_HD uint64_t groups_of(uint64_t n) {
  return (blocks_of(n) + kGroup - 1) / kGroup;
}

GG_HD double term(float w, double shift, bool square) {
  const double d = double(w) - shift;
  return square ? d * d : d;
}

// Lane l's sum over the weights [begin, end) of one block (begin a multiple of kLanes).
GG_HD double lane_part(const float *w, uint64_t begin, uint64_t end, uint64_t l, double shift,
                       bool square) {
  double acc = 0;
  for (uint64_t k = begin + l; k < end; k += kLanes)
    acc += term(w[k], shift, square);
  return acc;
}

// The lanes' sums acc[0 .. kLanes) added pairwise (acc is overwritten).
GG_HD double lane_sums(double *acc) {
  for (uint64_t h = kLanes / 2; h > 0; h /= 2)
    for (uint64_t l = 0; l < h; ++l)
      acc[l] += acc[l + h];
  return acc[0];
}

// Group g's sum of the blocks' sums (n_blocks in all), then the total of the groups' sums.
GG_HD double group_sum(const double *block_sums, uint64_t n_blocks, uint64_t g) {
  double s = 0;
  const uint64_t end = (g + 1) * kGroup < n_blocks ? (g + 1) * kGroup : n_blocks;
  for (uint64_t b = g * kGroup; b < end; ++b)
    s += block_sums[b];
  return s;
}
GG_HD double total_sum(const double *group_sums, uint64_t n_groups) {
  double s = 0;
  for (uint64_t g = 0; g < n_groups; ++g)
    s += group_sums[g];
  return s;
}

// The mean from the sum of the weights, the standard deviation from the sum of their squared
// differences from the mean (n - 1 in the denominator).
GG_HD double mean_of(double total, uint64_t n) {
  return n ? total / double(n) : 0.0;
}
GG_HD double std_of(double squares, uint64_t n) {
  return n > 1 ? std::sqrt(squares / double(n - 1)) : 0.0;
}

// Weight w's bin over [lo, hi] in nb bins (the top edge in the last one), or nb (none) for NaN
// and values outside. (x converted only where in range: a vector loop computes both sides of the
// select, and a conversion of NaN or of a value outside uint32_t is undefined.)
GG_HD uint32_t bin_of(float w, double lo, double hi, uint64_t nb) {
  const double x = (double(w) - lo) / (hi - lo) * double(nb);
  const bool in = x >= 0 && x <= double(nb);
  const uint32_t b = uint32_t(in ? x : 0.0), top = uint32_t(nb - 1);
  return in ? (b < top ? b : top) : uint32_t(nb);
}

// A sample's record, doubles: the mean, the standard deviation, the nb histogram counts and the
// chosen synapses' weights.
GG_HD uint64_t record_values(uint64_t nb, uint64_t chosen) {
  return 2 + nb + chosen;
}

// A record to the recorder's channels, as the sample at time t (ms).
inline void emit_record(const gg_view &v, double t, const double *r) {
  const auto nb = uint64_t(v.fields[bins][0]);
  v.sink.append(v.sink.ctx, time, &t, 1);
  v.sink.append(v.sink.ctx, mean, r, 1);
  v.sink.append(v.sink.ctx, stdev, r + 1, 1);
  v.sink.append(v.sink.ctx, histogram, r + 2, 1);
  if (v.n_chosen_synapses) v.sink.append(v.sink.ctx, synapses, r + 2 + nb, 1);
}

} // namespace ganglion::weights
