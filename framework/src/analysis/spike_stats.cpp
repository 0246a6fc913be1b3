// Spike-train measures; see spike_stats.hpp for the definitions.
#include "analysis/spike_stats.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <stdexcept>
#include <unordered_set>
#include <utility>

namespace ganglion {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// The spikes in (from, to] split by neuron, each neuron's times ascending (CSR).
struct Trains {
  uint64_t size = 0;
  double from = 0, to = 0;
  std::vector<uint64_t> offset; // size + 1
  std::vector<double> t;

  uint64_t count(uint64_t i) const { return offset[i + 1] - offset[i]; }
  std::span<const double> of(uint64_t i) const {
    return {t.data() + offset[i], t.data() + offset[i + 1]};
  }
};

Trains split(std::span<const double> times, std::span<const uint64_t> ids, uint64_t size,
             double duration, double from) {
  if (times.size() != ids.size())
    throw std::invalid_argument("spike times and node ids differ in length (" +
                                std::to_string(times.size()) + " and " +
                                std::to_string(ids.size()) + ")");
  if (size == 0) throw std::invalid_argument("the population has no neurons");
  if (!(duration > from))
    throw std::invalid_argument("the analysed span (" + std::to_string(from) + ", " +
                                std::to_string(duration) + "] ms is empty");
  Trains tr;
  tr.size = size;
  tr.from = from;
  tr.to = duration;
  tr.offset.assign(size + 1, 0);
  auto inside = [&](double x) { return x > from && x <= duration; };
  for (std::size_t k = 0; k < ids.size(); ++k) {
    if (ids[k] >= size)
      throw std::invalid_argument("node id " + std::to_string(ids[k]) +
                                  " is not in a population of " + std::to_string(size));
    if (inside(times[k])) ++tr.offset[ids[k] + 1];
  }
  for (uint64_t i = 0; i < size; ++i) tr.offset[i + 1] += tr.offset[i];
  tr.t.resize(tr.offset[size]);
  std::vector<uint64_t> fill(tr.offset.begin(), tr.offset.end() - 1);
  for (std::size_t k = 0; k < ids.size(); ++k)
    if (inside(times[k])) tr.t[fill[ids[k]]++] = times[k];
  for (uint64_t i = 0; i < size; ++i) {
    auto b = tr.t.begin() + std::ptrdiff_t(tr.offset[i]);
    auto e = tr.t.begin() + std::ptrdiff_t(tr.offset[i + 1]);
    if (!std::is_sorted(b, e)) std::sort(b, e);
  }
  return tr;
}

// Whole bins of `width` in (from, to]; a spike at t is in bin ceil((t - from) / width) - 1 (bins
// are closed on the right, as spikes are stamped at the end of their step), the small tolerance
// keeping a spike stamped at a bin's end, with rounding error, in that bin.
uint64_t whole_bins(const Trains &tr, double width) {
  if (!(width > 0)) throw std::invalid_argument("a bin or window width must be positive");
  return uint64_t(std::floor((tr.to - tr.from) / width + 1e-9));
}
int64_t bin_of(double t, double from, double width) {
  const double x = (t - from) / width;
  return std::max<int64_t>(0, int64_t(std::ceil(x - 1e-9)) - 1);
}

// One neuron's counts in bins, sparse: (bin, count) for the bins holding spikes, ascending; the
// spikes past the last whole bin are dropped.
struct Sparse {
  std::vector<std::pair<uint64_t, double>> bins;
  double sum = 0, sum_sq = 0;
};
Sparse binned(const Trains &tr, uint64_t i, double width, uint64_t n_bins) {
  Sparse s;
  for (double t : tr.of(i)) {
    const uint64_t b = uint64_t(bin_of(t, tr.from, width));
    if (b >= n_bins) break; // times ascend
    if (!s.bins.empty() && s.bins.back().first == b)
      s.bins.back().second += 1;
    else
      s.bins.emplace_back(b, 1.0);
  }
  for (const auto &[b, c] : s.bins) {
    s.sum += c;
    s.sum_sq += c * c;
  }
  return s;
}

double rate(const Trains &tr) {
  return double(tr.t.size()) / (double(tr.size) * (tr.to - tr.from) * 1e-3);
}

CvResult cv(const Trains &tr) {
  CvResult r;
  double total = 0;
  for (uint64_t i = 0; i < tr.size; ++i) {
    const auto t = tr.of(i);
    if (t.size() < 3) continue;
    const double n = double(t.size() - 1);
    double sum = 0;
    for (std::size_t k = 1; k < t.size(); ++k) sum += t[k] - t[k - 1];
    const double mean = sum / n;
    if (!(mean > 0)) continue;
    double ss = 0;
    for (std::size_t k = 1; k < t.size(); ++k) {
      const double d = (t[k] - t[k - 1]) - mean;
      ss += d * d;
    }
    total += std::sqrt(ss / (n - 1)) / mean;
    ++r.neurons;
  }
  r.mean = r.neurons > 0 ? total / double(r.neurons) : kNaN;
  return r;
}

FanoResult fano(const Trains &tr, double window) {
  FanoResult r;
  r.windows = whole_bins(tr, window);
  double total = 0;
  if (r.windows >= 2) {
    const double w = double(r.windows);
    for (uint64_t i = 0; i < tr.size; ++i) {
      const Sparse s = binned(tr, i, window, r.windows);
      if (s.sum == 0) continue;
      const double mean = s.sum / w;
      const double var = std::max(0.0, (s.sum_sq - w * mean * mean) / (w - 1));
      total += var / mean;
      ++r.neurons;
    }
  }
  r.mean = r.neurons > 0 ? total / double(r.neurons) : kNaN;
  return r;
}

CorrelationResult correlation(const Trains &tr, double bin, uint64_t pairs, uint64_t seed) {
  CorrelationResult r;
  r.bins = whole_bins(tr, bin);
  r.mean = kNaN;
  if (r.bins < 2 || pairs == 0) return r;
  const double nb = double(r.bins);

  // Eligible neurons and their sparse counts; centred sum of squares n * var > 0.
  std::vector<Sparse> counts;
  std::vector<double> css; // sum over bins of (c - mean)^2
  for (uint64_t i = 0; i < tr.size; ++i) {
    Sparse s = binned(tr, i, bin, r.bins);
    const double c = s.sum_sq - s.sum * s.sum / nb;
    // Integer counts: a varying sequence has c >= (1 - 1/nb) > 0.5; below that it is rounding.
    if (c > 0.25) {
      counts.push_back(std::move(s));
      css.push_back(c);
    }
  }
  const uint64_t k = counts.size();
  r.neurons = k;
  if (k < 2) return r;

  auto pearson = [&](uint64_t a, uint64_t b) {
    const auto &x = counts[a].bins, &y = counts[b].bins;
    double cross = 0;
    for (std::size_t p = 0, q = 0; p < x.size() && q < y.size();) {
      if (x[p].first < y[q].first) ++p;
      else if (y[q].first < x[p].first) ++q;
      else cross += x[p++].second * y[q++].second;
    }
    const double cov = cross - counts[a].sum * counts[b].sum / nb;
    return cov / std::sqrt(css[a] * css[b]);
  };

  double total = 0;
  const uint64_t all = k * (k - 1) / 2;
  if (all <= pairs) {
    r.all_pairs = true;
    for (uint64_t a = 0; a < k; ++a)
      for (uint64_t b = a + 1; b < k; ++b) total += pearson(a, b);
    r.pairs = all;
  } else {
    std::mt19937_64 rng(seed);
    std::unordered_set<uint64_t> seen;
    seen.reserve(pairs * 2);
    while (r.pairs < pairs) {
      uint64_t a = rng() % k;
      uint64_t b = rng() % (k - 1);
      b += b >= a;
      if (a > b) std::swap(a, b);
      if (!seen.insert(a * k + b).second) continue;
      total += pearson(a, b);
      ++r.pairs;
    }
  }
  r.mean = total / double(r.pairs);
  return r;
}

} // namespace

double mean_rate_hz(std::span<const double> times_ms, std::span<const uint64_t> ids, uint64_t size,
                    double duration_ms, double from_ms) {
  return rate(split(times_ms, ids, size, duration_ms, from_ms));
}

CvResult isi_cv(std::span<const double> times_ms, std::span<const uint64_t> ids, uint64_t size,
                double duration_ms, double from_ms) {
  return cv(split(times_ms, ids, size, duration_ms, from_ms));
}

FanoResult fano_factor(std::span<const double> times_ms, std::span<const uint64_t> ids,
                       uint64_t size, double duration_ms, double window_ms, double from_ms) {
  return fano(split(times_ms, ids, size, duration_ms, from_ms), window_ms);
}

CorrelationResult spike_count_correlation(std::span<const double> times_ms,
                                          std::span<const uint64_t> ids, uint64_t size,
                                          double duration_ms, double bin_ms, uint64_t pairs,
                                          double from_ms, uint64_t seed) {
  return correlation(split(times_ms, ids, size, duration_ms, from_ms), bin_ms, pairs, seed);
}

SpikeStats spike_stats(std::span<const double> times_ms, std::span<const uint64_t> ids,
                       uint64_t size, double duration_ms, const SpikeStatsOptions &o) {
  const Trains tr = split(times_ms, ids, size, duration_ms, o.from_ms);
  SpikeStats s;
  s.size = size;
  s.spikes = tr.t.size();
  s.from_ms = o.from_ms;
  s.to_ms = duration_ms;
  s.rate_hz = rate(tr);
  s.cv = cv(tr);
  s.fano = fano(tr, o.window_ms);
  s.correlation = correlation(tr, o.bin_ms, o.pairs, o.seed);
  return s;
}

InputBalance input_balance(const std::vector<InputSeries> &inputs, double duration_ms,
                           double from_ms) {
  InputBalance b;
  for (std::size_t p = 0; p < inputs.size(); ++p) {
    const InputSeries &in = inputs[p];
    if (!in.times_ms.empty() && in.times_ms.size() != in.values.size())
      throw std::invalid_argument("input " + in.name + ": " + std::to_string(in.values.size()) +
                                  " values but " + std::to_string(in.times_ms.size()) + " times");
    ProjectionInput out{in.name, in.unit, 0, 0};
    const double n = double(in.values.size());
    double sum = 0;
    for (std::size_t i = 0; i < in.values.size(); ++i) {
      const double t = in.times_ms.empty() ? double(i + 1) * duration_ms / n : in.times_ms[i];
      if (t <= from_ms) continue;
      sum += in.values[i];
      ++out.samples;
    }
    out.mean = out.samples > 0 ? sum / double(out.samples) : kNaN;
    if (p == 0) b.unit = in.unit;
    else if (b.unit != in.unit) b.unit.clear();
    if (out.samples > 0) {
      if (out.mean > 0) b.excitatory += out.mean;
      if (out.mean < 0) b.inhibitory += out.mean;
      b.total += out.mean;
    }
    b.projections.push_back(std::move(out));
  }
  b.ratio = b.excitatory > 0 ? std::abs(b.total) / b.excitatory : kNaN;
  return b;
}

} // namespace ganglion
