// configs/microcircuit.json and configs/microcircuit_small.json hold the published model
// (docs/science.md, "The cortical microcircuit"), checked here from the files alone (the full
// scale is not run by the suite; bench/MICROCIRCUIT.md has its build and run): the 8 populations'
// sizes, each pair's synapse count K = round(log(1 - p) / log(1 - 1/(N_pre N_post))) from the
// published connection probabilities, weights, delays (in ganglion's convention), background
// rates; and the small variant as the full one scaled by 0.1 in N and K as NEST's microcircuit
// example scales it (weights / sqrt(0.1), background rates x 0.1, the DC current that makes up
// the mean input).
#include <doctest/doctest.h>

#include <cmath>
#include <string>

#include <nlohmann/json.hpp>

#include "support.hpp"

using namespace ganglion::test;

namespace {

const char *const kNames[8] = {"L23E", "L23I", "L4E", "L4I", "L5E", "L5I", "L6E", "L6I"};
constexpr double kSizes[8] = {20683, 5834, 21915, 5479, 4850, 1065, 14395, 2948};
// Connection probabilities, target (row) by source (column), Potjans & Diesmann 2014, Table 5.
constexpr double kP[8][8] = {{0.1009, 0.1689, 0.0437, 0.0818, 0.0323, 0.0, 0.0076, 0.0},
                             {0.1346, 0.1371, 0.0316, 0.0515, 0.0755, 0.0, 0.0042, 0.0},
                             {0.0077, 0.0059, 0.0497, 0.135, 0.0067, 0.0003, 0.0453, 0.0},
                             {0.0691, 0.0029, 0.0794, 0.1597, 0.0033, 0.0, 0.1057, 0.0},
                             {0.1004, 0.0622, 0.0505, 0.0057, 0.0831, 0.3726, 0.0204, 0.0},
                             {0.0548, 0.0269, 0.0257, 0.0022, 0.06, 0.3158, 0.0086, 0.0},
                             {0.0156, 0.0066, 0.0211, 0.0166, 0.0572, 0.0197, 0.0396, 0.2252},
                             {0.0364, 0.001, 0.0034, 0.0005, 0.0277, 0.008, 0.0658, 0.1443}};
constexpr double kExternal[8] = {1600, 1500, 2100, 1900, 2000, 1900, 2900, 2100};
constexpr double kRates[8] = {0.903, 2.965, 4.414, 5.876, 7.569, 8.633, 1.105, 7.829}; // Hz
constexpr double kW = 87.81, kCm = 250, kTauSyn = 0.5, kBackground = 8; // pA, pF, ms, Hz

double full_count(int t, int s) {
  return kP[t][s] > 0
             ? std::round(std::log(1 - kP[t][s]) / std::log(1 - 1 / (kSizes[t] * kSizes[s])))
             : 0;
}

double mean_weight(int t, int s) { // pA
  return kW * (s % 2 == 0 ? 1 : -4) * (t == 0 && s == 2 ? 2 : 1);
}

int index_of(const std::string &name) {
  for (int a = 0; a < 8; ++a)
    if (name == kNames[a]) return a;
  return -1;
}

// Checks one config against the model scaled by k (1: full scale).
void check_model(const nlohmann::json &doc, double k) {
  const double sq = std::sqrt(k);
  const auto &pops = doc.at("populations");
  for (int a = 0; a < 8; ++a) {
    CAPTURE(kNames[a]);
    const auto &pop = pops.at(kNames[a]);
    CHECK(pop.at("model") == "lif");
    // Scaled numbers round halves to even, as NumPy's round in NEST's example (L5I: 106.5 -> 106).
    CHECK(pop.at("size").get<double>() == std::nearbyint(kSizes[a] * k));
    const auto &params = pop.at("params");
    CHECK(config_number(params.at("tau_m"), "ms") == 10);
    CHECK(config_number(params.at("V_th"), "mV") == -50);
    CHECK(config_number(params.at("V_re"), "mV") == -65);
    CHECK(config_number(params.at("E_L"), "mV") == -65);
    CHECK(config_number(params.at("tau_ref"), "ms") == 2);
    CHECK(pop.at("init").at("V").at("normal") == nlohmann::json::array({"-58 mV", "10 mV"}));
    // The mean input the scaling removes, (1 - sqrt(k)) of the full network's, as I_e.
    double input = kW * kExternal[a] * kBackground;
    for (int s = 0; s < 8; ++s)
      input += mean_weight(a, s) * full_count(a, s) / kSizes[a] * kRates[s];
    const double dc = 1e-3 * kTauSyn * (1 - sq) * input / kCm; // mV/ms
    if (k == 1)
      CHECK_FALSE(params.contains("I_e"));
    else
      CHECK(config_number(params.at("I_e"), "mV/ms") == doctest::Approx(dc).epsilon(1e-5));
    // The background: one Poisson drive, an independent train into every neuron.
    const auto &bg = pops.at(std::string(kNames[a]) + "_bg");
    CHECK(bg.at("model") == "poisson_generator");
    CHECK(bg.at("size") == 1);
    CHECK(config_number(bg.at("params").at("rate"), "Hz") ==
          doctest::Approx(kBackground * kExternal[a] * k));
  }
  int recurrent = 0;
  for (const auto &p : doc.at("projections")) {
    const int t = index_of(p.at("post")), s = index_of(p.at("pre"));
    REQUIRE(t >= 0);
    CHECK(p.at("synapse") == "exp_current");
    CHECK(config_number(p.at("params").at("tau"), "ms") == kTauSyn);
    CHECK(p.at("params").at("convention") == "peak");
    if (s < 0) { // the background: the population's drive onto every neuron, weight w
      CHECK(p.at("pre") == std::string(kNames[t]) + "_bg");
      CHECK(p.at("connect").at("rule") == "all_to_all");
      CHECK(config_number(p.at("weight").at("value"), "mV/ms") ==
            doctest::Approx(kW / sq / kCm).epsilon(1e-5));
      continue;
    }
    CAPTURE(kNames[s]);
    CAPTURE(kNames[t]);
    ++recurrent;
    REQUIRE(kP[t][s] > 0);
    const auto &c = p.at("connect");
    CHECK(c.at("rule") == "fixed_total_number");
    CHECK(c.at("multapses") == true);
    CHECK(c.at("autapses") == false);
    CHECK(c.at("total").get<double>() == std::nearbyint(full_count(t, s) * k * k));
    const auto &w = p.at("weight").at("normal");
    const double mean = mean_weight(t, s) / sq / kCm;
    CHECK(config_number(w[0], "mV/ms") == doctest::Approx(mean).epsilon(1e-5));
    CHECK(config_number(w[1], "mV/ms") == doctest::Approx(0.1 * std::fabs(mean)).epsilon(1e-5));
    // NEST's delays, N(d, d/2) redrawn below dt, felt from t_s + D; ganglion's from t_s + d - dt
    // (README, delays): the same delays are one step longer here, redrawn below 2 dt.
    const double d = s % 2 == 0 ? 1.5 : 0.75;
    CHECK(config_number(p.at("delay").at("normal")[0], "ms") == doctest::Approx(d + 0.1));
    CHECK(config_number(p.at("delay").at("normal")[1], "ms") == d / 2);
    CHECK(config_number(p.at("delay").at("min"), "ms") == 0.2);
  }
  CHECK(recurrent == 55); // the 64 pairs less the 9 of p = 0
  CHECK(config_number(doc.at("simulation").at("dt"), "ms") == 0.1);
}

} // namespace

TEST_CASE("config microcircuit: the published model at full scale, with its synapse counts") {
  const nlohmann::json doc =
      nlohmann::json::parse(read_file(source_path("configs/microcircuit.json")));
  check_model(doc, 1.0);
  double total = 0, neurons = 0;
  for (const auto &p : doc.at("projections"))
    if (p.at("connect").at("rule") == "fixed_total_number")
      total += p.at("connect").at("total").get<double>();
  for (int a = 0; a < 8; ++a)
    neurons += kSizes[a];
  CHECK(neurons == 77169);
  CHECK(total == 298880968);
  // The file is a valid experiment (loaded, every plugin and unit resolved) without running it.
  const CliResult r =
      run_cli("validate " + source_path("configs/microcircuit.json") + " --set output=mc.h5");
  CHECK(r.exit_code == 0);
}

TEST_CASE("config microcircuit_small: the full model scaled by 0.1 in neurons and in-degrees") {
  const nlohmann::json doc =
      nlohmann::json::parse(read_file(source_path("configs/microcircuit_small.json")));
  check_model(doc, 0.1);
}
