// Measures of spike trains (docs/science.md, "Measures"): mean rate, CV of inter-spike intervals,
// Fano factor and pairwise spike-count correlation of a population, and the mean input per incoming
// projection with its split into excitation and inhibition (the cancellation of the balanced
// state). Pure functions of their arguments: no file, no global state, deterministic.
//
// Spike trains are given as the spikes recorder writes them: parallel arrays of times (ms) and
// node ids (0-based within a population of `size` neurons), in any order. A spike is stamped with
// the end of the step in which it happened, so the analysed span is the half-open interval
// (from_ms, duration_ms]: a spike at exactly from_ms belongs to the skipped transient, one at
// exactly duration_ms to the last step. Spikes outside the span are ignored; an id >= size throws
// std::invalid_argument.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace ganglion {

// The fixed seed of the pair sample of spike_count_correlation (std::mt19937_64).
inline constexpr uint64_t kCorrelationSeed = 0x9e3779b97f4a7c15ull;

// Spikes per neuron per second over (from_ms, duration_ms]. Exact: count / (size * span).
double mean_rate_hz(std::span<const double> times_ms, std::span<const uint64_t> ids, uint64_t size,
                    double duration_ms, double from_ms = 0);

// Coefficient of variation of the inter-spike intervals: per neuron with at least 3 spikes in the
// span (2 intervals), sd / mean of its intervals with the unbiased variance (divisor n - 1); then
// the mean over those neurons. mean is NaN when no neuron counts. A neuron whose intervals are all
// 0 (every spike in one step) is left out, its CV being undefined.
struct CvResult {
  double mean = 0;      // NaN when neurons == 0
  uint64_t neurons = 0; // neurons that counted
};
CvResult isi_cv(std::span<const double> times_ms, std::span<const uint64_t> ids, uint64_t size,
                double duration_ms, double from_ms = 0);

// Fano factor of spike counts: the span is cut into floor(span / window_ms) whole windows (a last
// partial window is dropped); per neuron, the unbiased variance (divisor windows - 1) of its
// counts over their mean; then the mean over neurons whose mean count is not 0. Needs 2 windows or
// more; mean is NaN when no neuron counts.
struct FanoResult {
  double mean = 0;      // NaN when neurons == 0
  uint64_t neurons = 0; // neurons with a non-zero mean count
  uint64_t windows = 0; // whole windows per neuron
};
FanoResult fano_factor(std::span<const double> times_ms, std::span<const uint64_t> ids,
                       uint64_t size, double duration_ms, double window_ms = 100,
                       double from_ms = 0);

// Mean pairwise spike-count correlation: counts in floor(span / bin_ms) whole bins per neuron,
// the Pearson correlation of the two count sequences for each pair of a sample, the mean over the
// sample. Eligible: neurons whose count varies across bins (non-zero variance). The sample: every
// pair when the eligible neurons make at most `pairs` pairs; otherwise `pairs` distinct unordered
// pairs drawn uniformly from std::mt19937_64(seed) (i = rng() % k, j = rng() % (k - 1), j += j >= i,
// over the eligible neurons in id order; a pair drawn twice is drawn again), so the same trains
// give the same sample on every platform. mean is NaN when there is no pair.
struct CorrelationResult {
  double mean = 0;          // NaN when pairs == 0
  uint64_t pairs = 0;       // pairs averaged
  uint64_t neurons = 0;     // eligible neurons (count varies across bins)
  uint64_t bins = 0;        // whole bins per neuron
  bool all_pairs = false;   // true: every eligible pair, no sampling
};
CorrelationResult spike_count_correlation(std::span<const double> times_ms,
                                          std::span<const uint64_t> ids, uint64_t size,
                                          double duration_ms, double bin_ms = 50,
                                          uint64_t pairs = 1000, double from_ms = 0,
                                          uint64_t seed = kCorrelationSeed);

// All four with one set of options.
struct SpikeStatsOptions {
  double from_ms = 0;     // skip (0, from_ms] as transient
  double window_ms = 100; // Fano factor windows
  double bin_ms = 50;     // correlation bins
  uint64_t pairs = 1000;  // correlation pair sample
  uint64_t seed = kCorrelationSeed;
};
struct SpikeStats {
  uint64_t size = 0;
  uint64_t spikes = 0; // in the span
  double from_ms = 0, to_ms = 0;
  double rate_hz = 0;
  CvResult cv;
  FanoResult fano;
  CorrelationResult correlation;
};
SpikeStats spike_stats(std::span<const double> times_ms, std::span<const uint64_t> ids,
                       uint64_t size, double duration_ms, const SpikeStatsOptions &options = {});

// The input of one incoming projection: one value per sample, the population-mean current in the
// neuron's input unit. times_ms: the sample times; when empty the n samples are taken to be evenly
// spaced over the run, sample i at (i + 1) * duration_ms / n (the end of the period it closes,
// as spikes are stamped). Samples at times <= from_ms are skipped.
struct InputSeries {
  std::string name; // "E->I"
  std::string unit; // "mV/ms"
  std::vector<double> values;
  std::vector<double> times_ms;
};
struct ProjectionInput {
  std::string name;
  std::string unit;
  double mean = 0;      // time-mean over the samples in the span (NaN when none)
  uint64_t samples = 0; // samples averaged
};
// Excitatory: the projections whose mean is positive; inhibitory: negative. ratio = |total| /
// excitatory, the fraction of the excitation left after the inhibition cancels it (small in the
// balanced state; NaN when there is no excitation).
struct InputBalance {
  std::vector<ProjectionInput> projections; // in the order given
  std::string unit;                         // the projections' common unit ("" if they differ)
  double excitatory = 0;                    // sum of the positive means
  double inhibitory = 0;                    // sum of the negative means (<= 0)
  double total = 0;                         // sum of all means
  double ratio = 0;                         // |total| / excitatory
};
InputBalance input_balance(const std::vector<InputSeries> &inputs, double duration_ms,
                           double from_ms = 0);

} // namespace ganglion
