// The poisson source through the engine (a population of sources and a spikes recorder, read back
// from the HDF5 file): its mean rate, the Fano factor of its spike counts (1 for a Poisson
// process), and its exactness at high rates, where several spikes fall in one step and a
// spike-or-not (Bernoulli) draw per step would undercount.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "support.hpp"

using namespace ganglion::test;

namespace {

std::string sources_experiment(uint64_t n, double rate_hz, double duration_ms, uint64_t seed) {
  return "{\"simulation\": {\"dt\": \"0.1 ms\", \"duration\": \"" + std::to_string(duration_ms) +
         " ms\", \"seed\": " + std::to_string(seed) +
         ", \"threads\": 1},\n"
         "\"populations\": {\"X\": {\"model\": \"poisson\", \"size\": " +
         std::to_string(n) + ", \"params\": {\"rate\": \"" + std::to_string(rate_hz) +
         " Hz\"}}},\n"
         "\"recorders\": [{\"type\": \"spikes\", \"population\": \"X\"}]}";
}

// The step in which a spike stamped t (the end of its step, t = (k + 1) dt) was emitted.
uint64_t step_of(double t, double dt) { return uint64_t(std::llround(t / dt)) - 1; }

} // namespace

TEST_CASE("poisson: the mean rate matches within 4 standard errors") {
  const uint64_t n = 100;
  const double rate = 20, T = 10000; // Hz, ms
  const InProcessRun run = run_in_process(sources_experiment(n, rate, T, 7));
  REQUIRE(run.spikes.count("X") == 1);
  const SpikeTrain &train = run.spikes.at("X");
  // The total count is Poisson(n r T) = 20000: standard error sqrt(20000) = 141 (0.7 %).
  const double expected = double(n) * rate * T * 1e-3;
  CAPTURE(train.times.size());
  CHECK(std::abs(double(train.times.size()) - expected) < 4 * std::sqrt(expected));
  // The report agrees with the file, and its rate with the count.
  CHECK(run.report.populations.at(0).spikes == train.times.size());
  CHECK(run.report.populations.at(0).rate_hz ==
        doctest::Approx(double(train.times.size()) / double(n) / (T * 1e-3)));
  REQUIRE_FALSE(train.ids.empty());
  CHECK(*std::max_element(train.ids.begin(), train.ids.end()) == n - 1); // ids 0 .. n-1
}

TEST_CASE("poisson: the Fano factor of counts in 100 ms windows is 1") {
  const uint64_t n = 100, windows = 100;
  const double rate = 20, window = 100, dt = 0.1;
  const InProcessRun run = run_in_process(sources_experiment(n, rate, windows * window, 11));
  const SpikeTrain &train = run.spikes.at("X");
  std::vector<double> counts(n * windows, 0.0);
  const uint64_t steps_per_window = uint64_t(std::llround(window / dt));
  for (std::size_t k = 0; k < train.times.size(); ++k)
    counts[train.ids[k] * windows + step_of(train.times[k], dt) / steps_per_window] += 1;
  double mean = 0, var = 0;
  for (double c : counts) mean += c;
  mean /= double(counts.size());
  for (double c : counts) var += (c - mean) * (c - mean);
  var /= double(counts.size() - 1);
  const double fano = var / mean;
  CAPTURE(mean);
  CAPTURE(fano);
  // M = 10000 independent counts, each Poisson(mu = 2). With Var(s^2) = (2 mu^2 + mu)/M,
  // Cov(s^2, m) = mu/M and Var(m) = mu/M, the delta method gives for F = s^2/m:
  //   Var(F) = (Var(s^2) - 2 Cov + Var(m)) / mu^2 = 2/M  (any mu),
  // a standard error of sqrt(2/M) = 0.014. Four of them.
  CHECK(std::abs(fano - 1) < 4 * std::sqrt(2.0 / double(counts.size())));
  // The mean count: the total is Poisson(mu M) = 20000, a relative standard error 1/sqrt(mu M).
  const double mu = rate * window * 1e-3;
  CHECK(mean == doctest::Approx(mu).epsilon(4 / std::sqrt(mu * double(counts.size()))));
}

TEST_CASE("poisson: several spikes per step at 5000 Hz still give the right rate") {
  // rate dt = 0.5 spikes per step: P(k >= 2) = 1 - e^-0.5 (1 + 0.5) = 0.0902 of the steps hold
  // two or more spikes of one source. A Bernoulli draw per step would give at most one, a rate
  // of (1 - e^-0.5)/dt = 3935 Hz: 21 % short.
  const uint64_t n = 20;
  const double rate = 5000, T = 1000, dt = 0.1;
  const InProcessRun run = run_in_process(sources_experiment(n, rate, T, 5));
  const SpikeTrain &train = run.spikes.at("X");
  // Total count Poisson(n r T) = 100000: standard error 316 (0.32 %), against the 21 % of the
  // Bernoulli process.
  const double expected = double(n) * rate * T * 1e-3;
  const double count = double(train.times.size());
  CAPTURE(count);
  CHECK(std::abs(count - expected) < 4 * std::sqrt(expected));
  const double bernoulli = double(n) * T / dt * (1 - std::exp(-rate * 1e-3 * dt));
  CHECK(count > bernoulli + 20 * std::sqrt(bernoulli));

  // The per-step counts of each source are Poisson(0.5): the share of (source, step) pairs with
  // k = 0, 1, 2, 3+ matches within 4 binomial standard errors (M = n T/dt = 200000 pairs).
  std::map<std::pair<uint64_t, uint64_t>, int> per_step;
  for (std::size_t k = 0; k < train.times.size(); ++k)
    ++per_step[{train.ids[k], step_of(train.times[k], dt)}];
  const double M = double(n) * T / dt, lambda = rate * 1e-3 * dt;
  std::vector<double> observed(4, 0.0);
  for (const auto &entry : per_step) observed[std::min(entry.second, 3)] += 1;
  observed[0] = M - observed[1] - observed[2] - observed[3];
  const double p0 = std::exp(-lambda), p1 = p0 * lambda, p2 = p1 * lambda / 2;
  const double expected_p[4] = {p0, p1, p2, 1 - p0 - p1 - p2};
  for (int k = 0; k < 4; ++k) {
    CAPTURE(k);
    CAPTURE(observed[k] / M);
    CAPTURE(expected_p[k]);
    const double p = expected_p[k];
    CHECK(std::abs(observed[k] / M - p) < 4 * std::sqrt(p * (1 - p) / M));
  }
}

TEST_CASE("poisson: a rate schedule changes the rate at the scheduled step") {
  // 5 Hz for the first second, 50 Hz for the second, over 200 sources: the counts are Poisson with
  // means 1000 and 10000, checked within 4 sd (sqrt of the mean). No spike of the first second
  // may sit in a step that belongs to the second, and the switch is at 1000 ms exactly.
  const std::string json =
      "{\"simulation\": {\"dt\": \"0.1 ms\", \"duration\": \"2 s\", \"seed\": 3, \"threads\": 1},"
      "\"populations\": {\"X\": {\"model\": \"poisson\", \"size\": 200, \"params\": {\"rate\": "
      "{\"schedule\": [[\"0 ms\", \"5 Hz\"], [\"1000 ms\", \"50 Hz\"]]}}}},"
      "\"recorders\": [{\"type\": \"spikes\", \"population\": \"X\"}]}";
  const InProcessRun run = run_in_process(json);
  const SpikeTrain &train = run.spikes.at("X");
  double first = 0, second = 0;
  for (double t : train.times) (t <= 1000.0 + 1e-9 ? first : second) += 1;
  CHECK(std::abs(first - 1000.0) < 4 * std::sqrt(1000.0));
  CHECK(std::abs(second - 10000.0) < 4 * std::sqrt(10000.0));
}
