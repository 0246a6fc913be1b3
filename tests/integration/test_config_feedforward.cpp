// configs/feedforward.json: Poisson populations E (N_e = 1000, r_e = 10 Hz) and I (N_i = 250,
// r_i = 10 Hz) project with fixed_probability p = 0.2 and exp_current weights j_e = 1 mV
// (tau 5 ms), j_i = -2 mV (tau 10 ms) onto 200 LIF neurons; the inputs recorder writes the
// population-mean input of each projection every step. The config is run as it is (5 s, about
// 1.3 s of wall time). Claim: the time mean (over (100 ms, 5 s]) of each projection's recorded
// input equals Campbell's N_pre p j r (r in 1/ms; E 2.0, I -1.0 mV/ms), and the total their sum.
//
// The discrete kernel. exp_current (exact decay) adds J/tau and multiplies by e^{-x} each step,
// x = dt/tau, and hands the neuron the step's mean of I, so one spike delivers exactly J (its
// area): A = J below.
//
// The tolerance. Given the connectivity, the time-mean of the population-mean input over a span
// T is (A/(N_post T)) sum_i k_i n_i, A the discrete area, k_i the out-degree of presynaptic
// neuron i, n_i its spike count, Poisson with mean r T (plus edge terms of relative size tau/T
// that vanish in expectation for a stationary train). Its variance is
// A^2 r sum_i k_i^2 / (N_post^2 T), with E[sum_i k_i^2] = N_pre (K^2 + K (1 - p)), K = N_post p:
// sigma_P = 0.009 mV/ms for each projection here (0.45 % of E, 0.9 % of I). Against the realised
// synapse count S (the run report) the expectation is A r S / N_post, checked within 4 sigma_P.
// Against the nominal N_pre p the count's own spread adds sigma_S = A r sqrt(N_pre N_post p (1-p))
// / N_post (0.009 mV/ms again): checked within 4 sqrt(sigma_P^2 + sigma_S^2). The total (E and I
// independent) within 4 times the root sum of squares of the two.
#include <doctest/doctest.h>

#include <cmath>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "analysis/spike_stats.hpp"
#include "support.hpp"

using namespace ganglion::test;

namespace {

constexpr double dt = 0.1, from_ms = 100;


struct Drive {
  std::string name;
  double N_pre = 0, p = 0, j = 0, r = 0, tau = 0; // r in 1/ms
  uint64_t synapses = 0;                          // realised
  ganglion::InputSeries series;
};

} // namespace

TEST_CASE("config feedforward: each projection's mean input is N p j r, the total their sum") {
  const std::string text = read_file(source_path("configs/feedforward.json"));
  const nlohmann::json doc = nlohmann::json::parse(text);
  REQUIRE(doc.at("simulation").at("dt") == "0.1 ms");
  const double duration = config_number(doc.at("simulation").at("duration"), "s") * 1000;
  const auto &pops = doc.at("populations");
  const double N_post = pops.at("L").at("size").get<double>();
  TempDir dir;
  const std::string h5 = dir / "run.h5";
  const InProcessRun run = run_in_process_to(text, h5);
  REQUIRE_FALSE(run.report.diverged);

  std::vector<Drive> drives;
  for (const auto &p : doc.at("projections")) {
    Drive d;
    d.name = p.at("name").get<std::string>();
    const auto &pre = pops.at(p.at("pre").get<std::string>());
    REQUIRE(pre.at("model") == "poisson");
    REQUIRE(p.at("connect").at("rule") == "fixed_probability");
    REQUIRE(p.at("synapse") == "exp_current");
    d.N_pre = pre.at("size").get<double>();
    d.r = config_number(pre.at("params").at("rate"), "Hz") / 1000;
    d.p = p.at("connect").at("p").get<double>();
    d.j = config_number(p.at("weight").at("value"), "");
    d.tau = config_number(p.at("params").at("tau"), "ms");
    for (const auto &pr : run.report.projections)
      if (pr.name == d.name) d.synapses = pr.synapses;
    REQUIRE(d.synapses > 0);
    d.series.name = d.name;
    d.series.values = read_h5_f64(h5, "/inputs/L/" + d.name);
    d.series.times_ms = read_h5_f64(h5, "/inputs/L/time");
    REQUIRE(d.series.values.size() == std::size_t(std::llround(duration / dt)));
    drives.push_back(std::move(d));
  }
  REQUIRE(drives.size() == 2);

  const ganglion::InputBalance balance =
      ganglion::input_balance({drives[0].series, drives[1].series}, duration, from_ms);
  const double T = duration - from_ms;
  double nominal_total = 0, var_total = 0, measured_total = 0;
  for (std::size_t k = 0; k < drives.size(); ++k) {
    const Drive &d = drives[k];
    CAPTURE(d.name);
    // Time mean over the samples after from_ms, computed here and by the analysis library.
    double sum = 0;
    uint64_t n = 0;
    for (std::size_t i = 0; i < d.series.values.size(); ++i)
      if (d.series.times_ms[i] > from_ms) sum += d.series.values[i], ++n;
    const double mean = sum / double(n);
    CHECK(balance.projections[k].mean == doctest::Approx(mean).epsilon(1e-12));
    CHECK(n == uint64_t(std::llround(T / dt)));

    const double A = d.j; // the area one spike delivers (see the top of the file)
    const double campbell = d.N_pre * d.p * d.j * d.r;                // the claim's N p j r
    const double expected = campbell * A / d.j;
    const double K = N_post * d.p;
    const double sigma_P = std::abs(A) * std::sqrt(d.r * d.N_pre * (K * K + K * (1 - d.p)) / T) / N_post;
    const double sigma_S = std::abs(A) * d.r * std::sqrt(d.N_pre * N_post * d.p * (1 - d.p)) / N_post;
    const double realised = A * d.r * double(d.synapses) / N_post;
    CAPTURE(mean);
    CAPTURE(campbell);
    CAPTURE(expected);
    CAPTURE(realised);
    CAPTURE(sigma_P);
    CAPTURE(sigma_S);
    CHECK(std::abs(mean - realised) < 4 * sigma_P);
    CHECK(std::abs(mean - expected) < 4 * std::hypot(sigma_P, sigma_S));
    MESSAGE(d.name << ": mean " << mean << " mV/ms; N p j r = " << campbell << ", expected "
                   << expected << ", with the realised " << d.synapses << " synapses " << realised
                   << "; (mean - realised)/sigma_P = " << (mean - realised) / sigma_P);
    nominal_total += expected;
    var_total += sigma_P * sigma_P + sigma_S * sigma_S;
    measured_total += mean;
  }
  CHECK(balance.total == doctest::Approx(measured_total).epsilon(1e-12));
  CHECK(std::abs(balance.total - nominal_total) < 4 * std::sqrt(var_total));
  CHECK(balance.excitatory == doctest::Approx(balance.projections[0].mean).epsilon(1e-12));
  CHECK(balance.inhibitory == doctest::Approx(balance.projections[1].mean).epsilon(1e-12));
  MESSAGE("total " << balance.total << " mV/ms, expected " << nominal_total << " +- "
                   << std::sqrt(var_total) << " (1 sigma)");
}
