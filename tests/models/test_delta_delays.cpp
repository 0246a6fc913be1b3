// Delta synapse and delays: a spike emitted in step n reaches its targets in step n + d, exactly,
// for a constant delay and for per-synapse drawn delays (never below one step). Checked on the
// membrane potential of lif neurons that a delta synapse moves by J at the arrival.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "support.hpp"

using namespace ganglion::test;

namespace {

constexpr double kDt = 0.1;        // ms
constexpr uint64_t kSpikeStep = 9; // the spike at 1 ms is emitted in the step that ends at 1 ms

struct Jumps {
  std::vector<long> first;    // per neuron: the first sample whose V left rest; -1 if none
  std::vector<double> height; // per neuron: V - E_L at that sample
};

// Sample k is the state after step k (time (k + 1) dt).
Jumps jumps(const std::string &delay_json, uint64_t n, double J) {
  TempDir dir;
  const std::string out = dir / "d.h5";
  const std::string config = R"({
    "simulation": {"dt": "0.1 ms", "duration": "5 ms", "seed": 5},
    "populations": {
      "S": {"model": "spike_times", "size": 1, "params": {"times": ["1 ms"]}},
      "P": {"model": "lif", "size": )" + std::to_string(n) + R"(,
            "params": {"tau_m": "1000 s", "E_L": "-65 mV", "V_th": "0 mV", "V_re": "-70 mV"},
            "init": {"V": "-65 mV"}}},
    "projections": [{"pre": "S", "post": "P", "synapse": "delta", "connect": {"rule": "all_to_all"},
                     "weight": )" + std::to_string(J) + R"(, "delay": )" + delay_json + R"(}],
    "recorders": [{"type": "state", "population": "P", "variables": ["V"]}],
    "output": ")" + out + R"("})";
  const CliResult r = run_cli("run " + write_file(dir / "d.json", config));
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  const std::vector<double> v = read_h5_f64(out, "/report/P/V/data");
  REQUIRE(v.size() == 50 * n);
  Jumps found{std::vector<long>(n, -1), std::vector<double>(n, 0.0)};
  for (uint64_t k = 0; k < 50; ++k)
    for (uint64_t j = 0; j < n; ++j)
      if (found.first[j] < 0 && std::abs(v[k * n + j] + 65.0) > 1e-9) {
        found.first[j] = long(k);
        found.height[j] = v[k * n + j] + 65.0;
      }
  return found;
}

} // namespace

TEST_CASE("delta: a spike of step n moves V by J exactly in step n + d (constant delay)") {
  for (const int d : {1, 7, 25}) {
    CAPTURE(d);
    std::string delay = "\"";
    delay += std::to_string(d * kDt);
    delay += " ms\"";
    const Jumps j = jumps(delay, 3, 2.0);
    // Felt in step n + d: the jump lands at the end of step n + d - 1, the sample of that step.
    for (long k : j.first) CHECK(k == long(kSpikeStep + d - 1));
    // The jump is J (tau_m = 1000 s: the leak takes less than 1e-6 of it in a step). The weight
    // is stored as a float, so J = 2 is exact.
    for (double h : j.height) CHECK(h == doctest::Approx(2.0).epsilon(1e-6));
  }
}

TEST_CASE("delays: drawn per synapse, each spike arrives after its own whole number of steps") {
  // Uniform delays in [1, 3] ms over 400 targets: every arrival is d steps after the spike with
  // d in [10, 30], and the mean of d is 20 within 4 standard errors (sd of a discrete uniform on
  // 21 values ~ 6.06 steps, so 4 sd / sqrt(400) = 1.2 steps).
  const uint64_t n = 400;
  const Jumps j = jumps(R"({"uniform": ["1 ms", "3 ms"]})", n, 1.0);
  double sum = 0;
  long lo = 1 << 30, hi = -1;
  for (long k : j.first) {
    REQUIRE(k >= 0);
    const long d = k - long(kSpikeStep) + 1;
    lo = std::min(lo, d);
    hi = std::max(hi, d);
    sum += double(d);
  }
  CHECK(lo >= 10);
  CHECK(hi <= 30);
  CHECK(hi - lo >= 15); // spread over the range, not one value
  CHECK(sum / double(n) == doctest::Approx(20.0).epsilon(1.2 / 20.0));
}

TEST_CASE("delays: a drawn delay below one step is raised to one step") {
  const Jumps j = jumps(R"({"uniform": ["0 ms", "0.04 ms"]})", 50, 1.0);
  for (long k : j.first) CHECK(k == long(kSpikeStep)); // d = 1: the very next step
}
