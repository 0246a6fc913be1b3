// The poisson source through the engine (a population of sources and a spikes recorder, read back
// from the HDF5 file): its mean rate, the Fano factor of its spike counts (1 for a Poisson
// process), its exactness at high rates, where several spikes fall in one step and a
// spike-or-not (Bernoulli) draw per step would undercount, exponential inter-spike intervals, and
// rate schedules (the train restarts at the change). Through its hooks directly
// (models/harness.hpp): the spikes do not depend on how the population is sliced.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "../../plugins/neuron/poisson/poisson_model.hpp"
#include "models/harness.hpp"
#include "random/draws.hpp"
#include "registry/registry.hpp"
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
uint64_t step_of(double t, double dt) {
  return uint64_t(std::llround(t / dt)) - 1;
}

// The per-step counts of n sources over T ms are Poisson(lambda): the share of (source, step)
// pairs with k = 0, 1, 2, 3 and 4+ spikes matches within 4 binomial standard errors (of M = n T/dt
// pairs), and so do their mean and variance (standard errors sqrt(lambda / M) and
// sqrt((lambda + 2 lambda^2) / M), Poisson's fourth moment).
void check_step_counts(const SpikeTrain &train, uint64_t n, double T, double dt, double lambda) {
  std::map<std::pair<uint64_t, uint64_t>, int> per_step;
  for (std::size_t k = 0; k < train.times.size(); ++k)
    ++per_step[{train.ids[k], step_of(train.times[k], dt)}];
  const double M = double(n) * T / dt;
  std::vector<double> observed(5, 0.0);
  double sum = 0, squares = 0;
  for (const auto &entry : per_step) {
    observed[std::min(entry.second, 4)] += 1;
    sum += entry.second;
    squares += double(entry.second) * entry.second;
  }
  observed[0] = M - observed[1] - observed[2] - observed[3] - observed[4];
  const double mean = sum / M, variance = squares / M - mean * mean;
  CAPTURE(mean);
  CAPTURE(variance);
  CHECK(std::abs(mean - lambda) < 4 * std::sqrt(lambda / M));
  CHECK(std::abs(variance - lambda) < 4 * std::sqrt((lambda + 2 * lambda * lambda) / M));
  double expected_p[5], below = 0;
  for (int k = 0; k < 4; ++k) {
    expected_p[k] = std::exp(-lambda) * std::pow(lambda, k) / std::tgamma(k + 1);
    below += expected_p[k];
  }
  expected_p[4] = 1 - below;
  for (int k = 0; k < 5; ++k) {
    CAPTURE(k);
    CAPTURE(observed[k] / M);
    CAPTURE(expected_p[k]);
    const double p = expected_p[k];
    CHECK(std::abs(observed[k] / M - p) < 4 * std::sqrt(p * (1 - p) / M) + 1e-12);
  }
}

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
  for (double c : counts)
    mean += c;
  mean /= double(counts.size());
  for (double c : counts)
    var += (c - mean) * (c - mean);
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

  // The per-step counts of each source are Poisson(0.5) (M = n T/dt = 200000 pairs; the
  // smallest share, 4+, is 0.00175 with a standard error of 9e-5).
  check_step_counts(train, n, T, dt, rate * 1e-3 * dt);
}

TEST_CASE("poisson: from one spike a step on average each step's count is drawn at once, "
          "Poisson(rate dt), the same on 1 and 2 threads") {
  // 16 kHz (1.6 a step: the inversion) and 150 kHz (15 a step: PTRS), 50 sources for 200 ms:
  // M = 100000 (source, step) pairs each.
  const double T = 200, dt = 0.1;
  for (double rate : {16000.0, 150000.0}) {
    CAPTURE(rate);
    const InProcessRun run = run_in_process(sources_experiment(50, rate, T, 8));
    check_step_counts(run.spikes.at("X"), 50, T, dt, rate * 1e-3 * dt);
  }
  // 2500 sources (three slices) at 16 kHz: their counts are keyed by global id and step.
  const std::string many = sources_experiment(2500, 16000, 20, 3);
  const InProcessRun one = run_in_process(many, {"simulation.threads=1"});
  const InProcessRun two = run_in_process(many, {"simulation.threads=2"});
  REQUIRE(one.spikes.at("X").times.size() > 70000);
  CHECK(one.spikes.at("X").times == two.spikes.at("X").times);
  CHECK(one.spikes.at("X").ids == two.spikes.at("X").ids);
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
  for (double t : train.times)
    (t <= 1000.0 + 1e-9 ? first : second) += 1;
  CHECK(std::abs(first - 1000.0) < 4 * std::sqrt(1000.0));
  CHECK(std::abs(second - 10000.0) < 4 * std::sqrt(10000.0));
}

TEST_CASE("poisson: inter-spike intervals are exponential (Kolmogorov-Smirnov at 1 %, mean, CV)") {
  // 200 sources at 10 Hz for 10 s: about 19800 intervals, pooled over the sources (a renewal
  // process: its intervals are independent).
  const uint64_t n = 200;
  const double rate = 10, T = 10000, dt = 0.1;
  const InProcessRun run = run_in_process(sources_experiment(n, rate, T, 13));
  const SpikeTrain &train = run.spikes.at("X");
  std::vector<std::vector<double>> by_source(n);
  for (std::size_t k = 0; k < train.times.size(); ++k)
    by_source[train.ids[k]].push_back(train.times[k]);
  std::vector<double> isi;
  for (const auto &times : by_source)
    for (std::size_t j = 1; j < times.size(); ++j)
      isi.push_back(times[j] - times[j - 1]);
  std::sort(isi.begin(), isi.end());
  const double N = double(isi.size());
  REQUIRE(N > 15000);

  // Kolmogorov-Smirnov distance to F(x) = 1 - exp(-r x), r given (not fitted), so the Kolmogorov
  // distribution applies: P(sqrt(N) D > 1.628) = 1 %. The file stamps each spike at the end of its
  // step, so a recorded interval differs from the true one by less than dt; that moves its CDF by
  // at most (the density's maximum r) dt = 0.001, added to the critical value. (Ties from the
  // stamps make the test conservative.)
  const double r = rate * 1e-3; // per ms
  double D = 0;
  for (std::size_t j = 0; j < isi.size(); ++j) {
    const double F = -std::expm1(-r * isi[j]);
    D = std::max({D, F - double(j) / N, double(j + 1) / N - F});
  }
  CAPTURE(N);
  CAPTURE(D);
  CHECK(D < 1.628 / std::sqrt(N) + r * dt);

  // Mean 1/r = 100 ms, standard error (1/r)/sqrt(N) = 0.7 ms; the stamps shift single intervals
  // by less than dt (0.1 ms), added.
  double mean = 0, var = 0;
  for (double x : isi)
    mean += x;
  mean /= N;
  for (double x : isi)
    var += (x - mean) * (x - mean);
  var /= N - 1;
  CAPTURE(mean);
  CHECK(std::abs(mean - 1 / r) < 4 / r / std::sqrt(N) + dt);
  // CV 1. For exponential samples the delta method gives Var(s/m) = (Var m + Var s^2 / 4 - Cov(m,
  // s^2)) / mu^2 = (1 + 8/4 - 2)/N = 1/N (central moments 1, 2, 9 for mean 1): a standard error
  // 1/sqrt(N) = 0.007. The stamps add a variance below dt^2/6, a relative 2e-6 here.
  const double cv = std::sqrt(var) / mean;
  CAPTURE(cv);
  CHECK(std::abs(cv - 1) < 4 / std::sqrt(N));
}

TEST_CASE("poisson: a schedule 0 Hz -> 100 Hz -> 0 Hz: silent, then rate 100 Hz from the change") {
  // 200 sources, silent for 500 ms, 100 Hz for 500 ms, silent again for 500 ms. The steps of the
  // middle segment are 5000 .. 9999, stamped 500.1 .. 1000 ms.
  const std::string json =
      "{\"simulation\": {\"dt\": \"0.1 ms\", \"duration\": \"1500 ms\", \"seed\": 17, "
      "\"threads\": 1},"
      "\"populations\": {\"X\": {\"model\": \"poisson\", \"size\": 200, \"params\": {\"rate\": "
      "{\"schedule\": [[\"0 ms\", \"0 Hz\"], [\"500 ms\", \"100 Hz\"], [\"1000 ms\", \"0 "
      "Hz\"]]}}}},"
      "\"recorders\": [{\"type\": \"spikes\", \"population\": \"X\"}]}";
  const double dt = 0.1, r = 100 * 1e-3; // per ms
  const InProcessRun run = run_in_process(json);
  const SpikeTrain &train = run.spikes.at("X");
  REQUIRE_FALSE(train.times.empty());
  // No spike before the change (the first possible stamp is 500.1 ms) nor after the second.
  CHECK(*std::min_element(train.times.begin(), train.times.end()) > 500 + dt / 2);
  CHECK(*std::max_element(train.times.begin(), train.times.end()) < 1000 + dt / 2);
  // The count of the middle segment is Poisson(200 x 100 Hz x 0.5 s = 10000): 4 sd = 400.
  const double expected = 200 * r * 500;
  CHECK(std::abs(double(train.times.size()) - expected) < 4 * std::sqrt(expected));
  // The train starts at the change: each source's first spike comes Exp(r) after 500 ms (mean
  // 10 ms, the chance of none before 1000 ms e^-50), so the mean latency over the 200 sources is
  // 10 ms within 4 standard errors 4 x 10/sqrt(200) = 2.8 ms, plus dt for the stamp at the end of
  // the step. (A train drawn from t = 0 and kept would give no spike; one drawn from 0 and cut at
  // the change would crowd the first step.)
  std::vector<double> first(200, -1);
  for (std::size_t k = 0; k < train.times.size(); ++k)
    if (first[train.ids[k]] < 0) first[train.ids[k]] = train.times[k];
  double latency = 0;
  for (double t : first) {
    REQUIRE(t > 0);
    latency += (t - 500) / 200;
  }
  CAPTURE(latency);
  CHECK(std::abs(latency - 1 / r) < 4 / r / std::sqrt(200.0) + dt);
}

TEST_CASE("poisson: the spikes do not depend on how the population is sliced") {
  // The engine steps a population in slices of up to 1024 with fields offset to the slice and
  // first_gid its first global id, on any thread. Here 2500 sources at 2000 Hz (0.2 spikes per
  // step), global ids from 7, stepped as one view and as slices of 1024, 1024 and 452, with a rate
  // change (the update hook, on the whole population as the engine calls it) at step 100: the
  // spikes of every step and the final state must be identical.
  const ganglion::PluginRegistry registry = ganglion::PluginRegistry::discover();
  const ganglion::LoadedPlugin &poisson = find_plugin(registry, "poisson");
  const uint64_t n = 2500, first_gid = 7, steps = 200;
  const double dt = 0.1;
  struct Run : PluginInstance {
    std::vector<uint32_t> spikes;
    uint64_t n_spikes = 0;
    Run(const ganglion::LoadedPlugin &p, uint64_t n_, double dt_, uint64_t gid)
        : PluginInstance(p, n_, dt_), spikes(8 * n_ + 1024) {
      view.first_gid = gid;
      view.seed = 99;
      view.rng_stream = 1;
      view.spikes = spikes.data();
      view.n_spikes = &n_spikes;
      view.spike_capacity = spikes.size();
      set("rate", 2000);
      init();
    }
    void update_rate(uint64_t k, double hz) {
      set("rate", hz);
      view.step = k;
      view.t = double(k) * view.dt;
      call(desc->cpu->update);
    }
  };
  Run whole(poisson, n, dt, first_gid), sliced(poisson, n, dt, first_gid);
  uint64_t total = 0;
  for (uint64_t k = 0; k < steps; ++k) {
    if (k == 100) {
      whole.update_rate(k, 500);
      sliced.update_rate(k, 500);
    }
    whole.n_spikes = 0;
    whole.step(k);
    std::vector<uint32_t> from_slices;
    for (uint64_t begin = 0; begin < n; begin += 1024) {
      const uint64_t m = std::min<uint64_t>(1024, n - begin);
      std::vector<double *> fields;
      for (double *f : sliced.ptrs)
        fields.push_back(f + begin);
      std::vector<uint32_t> spikes(8 * m + 1024);
      uint64_t count = 0;
      gg_view v = sliced.view;
      v.n = m;
      v.first_gid = first_gid + begin;
      v.fields = fields.data();
      v.spikes = spikes.data();
      v.n_spikes = &count;
      v.spike_capacity = spikes.size();
      v.step = k;
      v.t = double(k) * dt;
      REQUIRE(sliced.desc->cpu->step(&v, &sliced.err) == GG_OK);
      for (uint64_t s = 0; s < count; ++s)
        from_slices.push_back(uint32_t(begin + spikes[s]));
    }
    CAPTURE(k);
    REQUIRE(from_slices == std::vector<uint32_t>(whole.spikes.begin(),
                                                 whole.spikes.begin() + long(whole.n_spikes)));
    total += whole.n_spikes;
  }
  for (const char *f : {"t_next", "draws"})
    for (uint64_t i = 0; i < n; ++i) {
      CAPTURE(f);
      CAPTURE(i);
      REQUIRE(whole.field(f)[i] == sliced.field(f)[i]);
    }
  // And spikes there were: 2500 x (100 x 0.2 + 100 x 0.05) = 62500 expected, 4 sd = 1000.
  CAPTURE(total);
  CHECK(std::abs(double(total) - 62500) < 4 * std::sqrt(62500.0));
}

TEST_CASE("poisson: a rate above 100 spikes per step is refused with the fix") {
  // 2 MHz at dt = 0.1 ms is 200 spikes per step; an infinite rate would never leave the step.
  for (const char *rate : {"2000000 Hz", "inf Hz"}) {
    CAPTURE(rate);
    const std::string json =
        std::string("{\"simulation\": {\"dt\": \"0.1 ms\", \"duration\": \"1 ms\"},"
                    "\"populations\": {\"X\": {\"model\": \"poisson\", \"size\": 3, "
                    "\"params\": {\"rate\": \"") +
        rate + "\"}}}}";
    CHECK_THROWS_WITH(run_in_process(json),
                      doctest::Contains("spikes per step of 0.1 ms, above the supported 100: "
                                        "lower the rate, or split the source into several"));
  }
}

TEST_CASE("poisson: the plugin's spikes are poisson::run_source's, the code a device runs") {
  // Every neuron's count in every step, through the engine, against run_source (the element
  // functions the plugin calls, in its order; what gpu/random runs on a device): rates from 0 to
  // the count mode (20 kHz: 2 a step) in one population, each neuron its own rate.
  const uint64_t n = 40, steps = 3000, seed = 17;
  std::vector<double> rates(n);
  std::string list;
  for (uint64_t i = 0; i < n; ++i) {
    rates[i] = i == 0 ? 0.0 : (i % 10 == 9 ? 20000.0 : 5.0 * double(i * i));
    list += (i ? ", " : "") + std::to_string(rates[i]);
  }
  const std::string json =
      "{\"simulation\": {\"dt\": \"0.1 ms\", \"duration\": \"300 ms\", \"seed\": 17, \"threads\": "
      "1},"
      "\"populations\": {\"X\": {\"model\": \"poisson\", \"size\": 40, \"params\": {\"rate\": [" +
      list + "]}}}, \"recorders\": [{\"type\": \"spikes\", \"population\": \"X\"}]}";
  const InProcessRun run = run_in_process(json);
  std::vector<uint32_t> plugin(steps * n, 0), model(steps * n, 0);
  const SpikeTrain &x = run.spikes.at("X");
  for (std::size_t k = 0; k < x.times.size(); ++k)
    ++plugin[step_of(x.times[k], 0.1) * n + x.ids[k]];
  for (uint64_t i = 0; i < n; ++i)
    ganglion::poisson::run_source(seed, ganglion::streams::kDynamics, i, rates[i], 0.1, steps,
                                  model.data() + i, n);
  REQUIRE(x.times.size() > 10000);
  CHECK(plugin == model);
}
