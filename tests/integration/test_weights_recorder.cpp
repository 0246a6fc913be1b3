// The weights recorder's statistics against the weights themselves: each sample's mean, standard
// deviation and histogram are those of all of its projection's weights (here all followed one by
// one, in /synapses/data), computed again here one weight at a time. Weights drawn uniform on [0.1, 0.5]
// with histogram edges [0.2, 0.4] put some outside on both sides; 41 x 53 = 2173 synapses span
// more than one of the recorder's blocks of 1024 and end in a partial vector. A constant weight on
// the upper edge (0.5, exact in float) falls in the last bin.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "support.hpp"

using namespace ganglion::test;

namespace {

const char *const two_projections = R"json({
  "simulation": {"dt": "0.1 ms", "duration": "3 ms", "seed": 3, "threads": 1},
  "populations": {
    "X": {"model": "poisson", "size": 41, "params": {"rate": "10 Hz"}},
    "E": {"model": "lif", "size": 53}
  },
  "projections": [
    {"pre": "X", "post": "E", "synapse": "exp_current", "params": {"tau": "5 ms"},
     "connect": {"rule": "all_to_all"}, "weight": {"uniform": [0.1, 0.5]}, "name": "spread"},
    {"pre": "X", "post": "E", "synapse": "exp_current", "params": {"tau": "5 ms"},
     "connect": {"rule": "all_to_all"}, "weight": 0.5, "name": "edge"}
  ],
  "recorders": [
    {"type": "weights", "projection": "spread", "every": "1 ms", "synapses": {"first": 2173},
     "params": {"bins": 7, "hist_min": 0.2, "hist_max": 0.4}},
    {"type": "weights", "projection": "edge", "every": "1 ms",
     "params": {"bins": 7, "hist_min": 0.25, "hist_max": 0.5}}
  ]
})json";

} // namespace

TEST_CASE("weights recorder: mean, std and histogram are those of the weights, sample by sample") {
  TempDir dir;
  const std::string out = dir / "w.h5";
  run_in_process_to(two_projections, out);
  const uint64_t n = 41 * 53, bins = 7;

  const std::vector<double> data = read_h5_f64(out, "/weights/spread/synapses/data");
  const std::vector<double> mean = read_h5_f64(out, "/weights/spread/mean");
  const std::vector<double> sd = read_h5_f64(out, "/weights/spread/std");
  const std::vector<double> hist = read_h5_f64(out, "/weights/spread/histogram");
  REQUIRE(mean.size() == 4); // t = 0, 1, 2, 3 ms
  REQUIRE(data.size() == mean.size() * n);
  REQUIRE(sd.size() == mean.size());
  REQUIRE(hist.size() == mean.size() * bins);
  for (std::size_t s = 0; s < mean.size(); ++s) {
    CAPTURE(s);
    const double *w = data.data() + s * n;
    double sum = 0, sq = 0;
    for (uint64_t k = 0; k < n; ++k) sum += w[k];
    const double m = sum / double(n);
    for (uint64_t k = 0; k < n; ++k) sq += (w[k] - m) * (w[k] - m);
    CHECK(mean[s] == doctest::Approx(m).epsilon(1e-13));
    CHECK(sd[s] == doctest::Approx(std::sqrt(sq / double(n - 1))).epsilon(1e-12));
    std::vector<double> counts(bins, 0.0);
    double inside = 0;
    for (uint64_t k = 0; k < n; ++k) {
      const double x = (w[k] - 0.2) / (0.4 - 0.2) * double(bins);
      if (x >= 0 && x <= double(bins)) {
        counts[std::min<uint64_t>(bins - 1, uint64_t(x))] += 1;
        inside += 1;
      }
    }
    for (uint64_t b = 0; b < bins; ++b) CHECK(hist[s * bins + b] == counts[b]);
    // About half of U(0.1, 0.5) lies in [0.2, 0.4]; some of it lies outside on each side.
    CHECK(inside > 0.4 * double(n));
    CHECK(inside < 0.6 * double(n));
  }

  const std::vector<double> edge_mean = read_h5_f64(out, "/weights/edge/mean");
  const std::vector<double> edge_sd = read_h5_f64(out, "/weights/edge/std");
  const std::vector<double> edge_hist = read_h5_f64(out, "/weights/edge/histogram");
  REQUIRE(edge_hist.size() == 4 * bins);
  for (std::size_t s = 0; s < 4; ++s) {
    CHECK(edge_mean[s] == 0.5);
    CHECK(edge_sd[s] == 0.0);
    for (uint64_t b = 0; b + 1 < bins; ++b) CHECK(edge_hist[s * bins + b] == 0.0);
    CHECK(edge_hist[s * bins + bins - 1] == double(n));
  }
}
