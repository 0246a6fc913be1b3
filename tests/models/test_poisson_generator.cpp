// The Poisson drive (poisson_generator, GG_DESC_DRIVE) through the engine: the input it gives
// through a real synapse (exp_current onto lif) against Campbell's theorem, the independence of
// its targets' trains, the same bits for 1, 2 and 3 threads, the mean field's X equal to that of
// an equivalent population of poisson sources, and the refusals with their messages.
#include <doctest/doctest.h>

#include <cmath>
#include <string>
#include <vector>

#include "experiment/loader.hpp"
#include "support.hpp"
#include "theory/theory.hpp"

using namespace ganglion;
using namespace ganglion::test;

namespace {

// A generator G at `rate` onto A and B (one lif each) and P (`n` lif), all_to_all through
// exp_current (tau 5 ms, J 0.1 mV), their inputs recorded every step.
std::string driven(const std::string &rate, uint64_t n, const std::string &duration, int threads) {
  std::string projections;
  for (const char *post : {"A", "B", "P"})
    projections += std::string(projections.empty() ? "" : ",") + "{\"name\": \"G" + post +
                   "\", \"pre\": \"G\", \"post\": \"" + post +
                   "\", \"synapse\": \"exp_current\", \"params\": {\"tau\": \"5 ms\"}, "
                   "\"connect\": {\"rule\": \"all_to_all\"}, \"weight\": 0.1}";
  return "{\"simulation\": {\"dt\": \"0.1 ms\", \"duration\": \"" + duration +
         "\", \"seed\": 5, \"threads\": " + std::to_string(threads) +
         "},\n\"populations\": {\"G\": {\"model\": \"poisson_generator\", \"size\": 1, "
         "\"params\": {\"rate\": \"" +
         rate +
         "\"}}, \"A\": {\"model\": \"lif\", \"size\": 1}, \"B\": {\"model\": \"lif\", \"size\": "
         "1}, \"P\": {\"model\": \"lif\", \"size\": " +
         std::to_string(n) + "}},\n\"projections\": [" + projections +
         "],\n\"recorders\": [{\"type\": \"inputs\", \"populations\": [\"A\", \"B\", \"P\"]}, "
         "{\"type\": \"spikes\", \"population\": \"P\"}]}";
}

double mean_of(const std::vector<double> &x) {
  double s = 0;
  for (double v : x)
    s += v;
  return s / double(x.size());
}

double covariance(const std::vector<double> &x, const std::vector<double> &y) {
  const double mx = mean_of(x), my = mean_of(y);
  double s = 0;
  for (std::size_t i = 0; i < x.size(); ++i)
    s += (x[i] - mx) * (y[i] - my);
  return s / double(x.size() - 1);
}

} // namespace

TEST_CASE("poisson_generator: the input through exp_current obeys Campbell's theorem") {
  // 16 kHz (8 Hz x 2000 inputs), J = 0.1 mV, tau = 5 ms, dt = 0.1 ms: each step I decays by
  // e = exp(-dt/tau), takes c J/tau with c ~ Poisson(mu = rate dt) and hands the neuron I a, a =
  // (1 - e) tau/dt (exponential.hpp's exact scheme). Stationary, the input's mean is mu J/tau
  // a / (1 - e) = rate J exactly (1.6 mV/ms), its variance mu (J/tau)^2 a^2 / (1 - e^2):
  // Campbell's theorem for the sampled kernel.
  const double rate = 16, J = 0.1, tau = 5, dt = 0.1; // rate per ms
  const double e = std::exp(-dt / tau), a = (1 - e) * tau / dt, mu = rate * dt;
  const double mean = rate * J, var = mu * (J / tau) * (J / tau) * a * a / (1 - e * e);
  TempDir dir;
  const std::string h5 = dir / "drive.h5";
  const uint64_t n = 200;
  run_in_process_to(driven("16000 Hz", n, "10000 ms", 1), h5);
  // The first 200 ms (40 tau) left out: I starts at 0, and its rise to the mean would add a
  // population mean's variance several times its own.
  const auto settled = [&](const std::string &dataset) {
    const auto x = read_h5_f64(h5, dataset);
    REQUIRE(x.size() == 100000);
    return std::vector<double>(x.begin() + 2000, x.end());
  };
  const auto one = settled("/inputs/A/GA"), other = settled("/inputs/B/GB");
  const auto pop = settled("/inputs/P/GP");
  REQUIRE(pop.size() == one.size());
  // The series are AR(1) with coefficient e: n = 98000 samples are worth n (1 - e)/(1 + e) = 980
  // independent ones for the mean, and the sample variance's relative sd is sqrt(2 (1 + e^2) /
  // (1 - e^2) / n) = 3.2 %. Mean within 5 standard errors, variance within 16 % (5 sd).
  const double n_eff = double(one.size()) * (1 - e) / (1 + e);
  const double var_sd = std::sqrt(2 * (1 + e * e) / (1 - e * e) / double(one.size()));
  for (const auto *x : {&one, &other}) {
    CHECK(std::abs(mean_of(*x) - mean) < 5 * std::sqrt(var / n_eff));
    CHECK(std::abs(covariance(*x, *x) / var - 1) < 5 * var_sd);
  }
  // The population mean of n independent targets: the same mean, a variance n times smaller (one
  // train shared by all would leave it at var).
  CHECK(std::abs(mean_of(pop) - mean) < 5 * std::sqrt(var / double(n) / n_eff));
  CHECK(std::abs(covariance(pop, pop) * double(n) / var - 1) < 5 * var_sd);
  // Two targets' inputs are uncorrelated: the sample correlation of two independent AR(1) series
  // has sd sqrt((1 + e^2) / (1 - e^2) / n) = 2.2 %; within 5 of them.
  const double corr =
      covariance(one, other) / std::sqrt(covariance(one, one) * covariance(other, other));
  CAPTURE(corr);
  CHECK(std::abs(corr) < 5 * std::sqrt((1 + e * e) / (1 - e * e) / double(one.size())));
}

TEST_CASE("poisson_generator: 1, 2 and 3 threads give the same inputs and spikes") {
  // 3000 targets, 50 ms: slices and split delivery; without the inputs recorder (the spikes
  // recorder alone) owner mode from step 128 on.
  TempDir dir;
  const std::string inputs_recorder = "{\"type\": \"inputs\", \"populations\": [\"A\", \"B\", "
                                      "\"P\"]}, ";
  std::vector<std::vector<double>> inputs, spikes;
  for (int threads : {1, 2, 3}) {
    std::string h5 = dir / std::to_string(threads);
    run_in_process_to(driven("16000 Hz", 3000, "50 ms", threads), h5 + "i.h5");
    inputs.push_back(read_h5_f64(h5 + "i.h5", "/inputs/P/GP"));
    std::string owner = driven("16000 Hz", 3000, "50 ms", threads);
    owner.erase(owner.find(inputs_recorder), inputs_recorder.size());
    run_in_process_to(owner, h5 + "s.h5");
    spikes.push_back(read_h5_f64(h5 + "s.h5", "/spikes/P/timestamps"));
  }
  REQUIRE(inputs[0].size() == 500);
  REQUIRE_FALSE(spikes[0].empty());
  for (std::size_t k = 1; k < 3; ++k) {
    CHECK(inputs[k] == inputs[0]);
    CHECK(spikes[k] == spikes[0]);
  }
}

TEST_CASE("poisson_generator: a count reaches a synapse that takes counts as one arrival, and one "
          "that does not as that many arrivals, with the same input") {
  // tests/fixtures/pulse_synapse.c: P's input each step is the weighted count of its synapses'
  // spikes, weight 1 (exact). The two builds differ only in GG_DESC_COUNTS; 2 threads split the
  // delivery. The mean count per target and step is rate dt = 1.6: over 1000 steps and 200
  // targets its sd is sqrt(1.6 / 2e5) = 0.0028.
  TempDir dir;
  std::vector<std::vector<double>> inputs;
  for (const char *build : {"plain", "counted"}) {
    std::string config = driven("16000 Hz", 200, "100 ms", 2);
    const auto replace_all = [&](const std::string &from, const std::string &to) {
      for (std::size_t at; (at = config.find(from)) != std::string::npos;)
        config.replace(at, from.size(), to);
    };
    replace_all(R"("exp_current", "params": {"tau": "5 ms"})",
                "\"gg_test_pulse_" + std::string(build) + "\"");
    replace_all(R"("weight": 0.1)", R"("weight": 1)");
    const std::string lib = std::string(GANGLION_TEST_PLUGIN_DIR) + "/pulse_" + build + ".so";
    config.insert(config.find('{') + 1, "\"plugins\": [\"" + lib + "\"], ");
    run_in_process_to(config, dir / (std::string(build) + ".h5"));
    inputs.push_back(read_h5_f64(dir / (std::string(build) + ".h5"), "/inputs/P/GP"));
  }
  REQUIRE(inputs[0].size() == 1000);
  CHECK(inputs[1] == inputs[0]);
  CHECK(mean_of(inputs[1]) == doctest::Approx(1.6).epsilon(5 * 0.0028 / 1.6));
}

TEST_CASE("poisson_generator: the mean field takes it as a source of its rate") {
  // One generator at 16 kHz all_to_all (in-degree 1) and 100 poisson sources at 16 kHz
  // one_to_one: X = J K r 1e-3 = 0.1 x 1 x 16000 x 1e-3 = 1.6 mV/ms either way.
  PluginRegistry reg = PluginRegistry::discover();
  const auto net = [](const std::string &source, const std::string &rule) {
    return "{\"simulation\": {\"dt\": \"0.1 ms\", \"duration\": \"100 ms\"}, \"populations\": "
           "{\"E\": {\"model\": \"lif\", \"size\": 100}, \"X\": " +
           source +
           "}, \"projections\": [{\"pre\": \"X\", \"post\": \"E\", \"synapse\": \"exp_current\", "
           "\"connect\": {\"rule\": \"" +
           rule + "\"}, \"weight\": 0.1}]}";
  };
  const auto X = [&](const std::string &text) {
    return theory::mean_field(load_experiment_text(text, "drive.json", "", {}, reg));
  };
  const auto drive =
      X(net(R"({"model": "poisson_generator", "size": 1, "params": {"rate": "16000 Hz"}})",
            "all_to_all"));
  const auto sources =
      X(net(R"({"model": "poisson", "size": 100, "params": {"rate": "16000 Hz"}})", "one_to_one"));
  CHECK(drive.X(0) == doctest::Approx(1.6).epsilon(1e-12));
  CHECK(drive.X(0) == doctest::Approx(sources.X(0)).epsilon(1e-12));
  for (const auto &note : drive.notes)
    CHECK(note.find("taken as firing") == std::string::npos);
}

TEST_CASE("poisson_generator: a recorder of every population leaves the drive out") {
  std::string text = driven("16000 Hz", 10, "20 ms", 1);
  const std::string named = ", \"population\": \"P\"";
  text.erase(text.find(named), named.size());
  const InProcessRun run = run_in_process(text);
  CHECK(run.spikes.count("P") == 1);
  CHECK(run.spikes.count("G") == 0);
}

TEST_CASE("poisson_generator: bad rates, recorders and rules are refused with the fix") {
  const std::string base = driven("16000 Hz", 10, "1 ms", 1);
  const auto with = [&](const std::string &from, const std::string &to) {
    std::string text = base;
    const auto at = text.find(from);
    REQUIRE(at != std::string::npos);
    return text.replace(at, from.size(), to);
  };
  CHECK_THROWS_WITH(
      run_in_process(with("16000 Hz", "-5 Hz")),
      doctest::Contains("/populations/G/params/rate: -5 Hz is out of range [0, inf) Hz"));
  CHECK_THROWS_WITH(run_in_process(with("16000 Hz", "2000000 Hz")),
                    doctest::Contains("rate 2e+06 Hz gives 200 arrivals per synapse and step of "
                                      "0.1 ms, above the supported 100: lower the rate, or give "
                                      "the targets several projections"));
  CHECK_THROWS_WITH(run_in_process(with("\"population\": \"P\"", "\"population\": \"G\"")),
                    doctest::Contains("/recorders/1/population: population G (poisson_generator) "
                                      "is a drive: its trains are drawn where they arrive, never "
                                      "emitted as spikes, so there is nothing to record; record "
                                      "its targets (their inputs, say) instead"));
  CHECK_THROWS_WITH(
      run_in_process(
          with("\"weight\": 0.1}]", "\"weight\": 0.1, \"plasticity\": {\"rule\": \"stdp\"}}]")),
      doctest::Contains("/projections/2/plasticity: population G (poisson_generator) is a drive: "
                        "its trains are drawn where they arrive, never emitted as spikes, so no "
                        "rule can act on them; remove \"plasticity\", or make G a poisson source "
                        "population"));
}
