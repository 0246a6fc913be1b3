// configs/fi_curves.json: f-I curves of lif, eif and hh, each a population of 20 unconnected
// neurons with per-neuron bias currents ("params": {"I_e": [...]}) from below to above
// rheobase, 1 s at dt = 0.1 ms, run in-process. Each neuron's rate, from its inter-spike
// intervals after a transient, against:
//   - LIF (scheme exact): the closed form 1/period, period = tau_ref + tau_m ln((mu - V_re)/
//     (mu - V_th)), mu = E_L + tau_m I_e. The exact scheme sees the threshold at the first step
//     point after the true crossing, so every interval is tau_ref + ceil(T/dt) dt, in
//     [period, period + dt): the rate lies in (1/(period + dt), 1/period];
//   - EIF (forward Euler): the integral of docs/science.md (Simpson, converged far below 1e-4 ms);
//     each interval within 2 dt of it (Euler's first-order drift < dt for these parameters plus
//     the grid's [0, dt); see tests/models/test_neuron_rates.cpp);
//   - HH: the fine RK4 reference (0.001 ms, plugins/neuron/hh/hh_reference.hpp) from the same
//     rest state: its spike count after 200 ms matched (up to one spike at that boundary) and
//     its steady rate within 0.1 % (the stamps are crossings rounded up to the grid: < 0.1 ms
//     over a span > 700 ms, 0.014 %; the scheme's period error is 0.005 %).
// Below rheobase no spikes (LIF, EIF: none at all; HH: none after the 200 ms transient, an onset
// spike or two being the classic response between ~3 and ~6.2 uA/cm^2). And f never decreases
// with I, rising strictly above rheobase.
#include <doctest/doctest.h>

#include <cmath>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "../../plugins/neuron/hh/hh_reference.hpp"
#include "closed_forms.hpp"
#include "support.hpp"

using namespace ganglion::test;

namespace {

constexpr double dt = 0.1, duration = 1000;

struct Curve {
  std::vector<double> I;                  // bias per neuron, from the config
  std::vector<std::vector<double>> times; // spike times per neuron (ms)
};

// The config's populations with their I_e lists, run once, spikes split by neuron.
std::map<std::string, Curve> run_config() {
  const std::string text = read_file(source_path("configs/fi_curves.json"));
  const nlohmann::json doc = nlohmann::json::parse(text);
  REQUIRE(doc.at("simulation").at("dt") == "0.1 ms");
  REQUIRE(doc.at("simulation").at("duration") == "1 s");
  const InProcessRun run = run_in_process(text);
  std::map<std::string, Curve> out;
  for (const char *pop : {"LIF", "EIF", "HH"}) {
    CAPTURE(pop);
    Curve c;
    for (const auto &x : doc.at("populations").at(pop).at("params").at("I_e"))
      c.I.push_back(x.get<double>());
    REQUIRE(c.I.size() == 20);
    REQUIRE(doc.at("populations").at(pop).at("size") == 20);
    for (std::size_t k = 1; k < c.I.size(); ++k) REQUIRE(c.I[k] > c.I[k - 1]); // increasing
    c.times.resize(c.I.size());
    if (run.spikes.count(pop)) {
      const SpikeTrain &s = run.spikes.at(pop);
      for (std::size_t k = 0; k < s.times.size(); ++k) {
        REQUIRE(s.ids[k] < c.I.size());
        c.times[s.ids[k]].push_back(s.times[k]);
      }
    }
    out.emplace(pop, std::move(c));
  }
  return out;
}

std::vector<double> after(const std::vector<double> &t, double t0) {
  std::vector<double> out;
  for (double x : t)
    if (x > t0) out.push_back(x);
  return out;
}

// (count - 1) / (last - first) in Hz; 0 with fewer than two spikes.
double rate(const std::vector<double> &t) {
  return t.size() < 2 ? 0.0 : 1000.0 * double(t.size() - 1) / (t.back() - t.front());
}

// f never falls as I grows, and strictly rises once firing.
void check_monotone(const Curve &c, const std::vector<double> &f) {
  for (std::size_t k = 1; k < f.size(); ++k) {
    CAPTURE(c.I[k]);
    CHECK(f[k] >= f[k - 1]);
    if (f[k - 1] > 0) CHECK(f[k] > f[k - 1]);
  }
}

// The EIF reference and its period: closed_forms.hpp.

// The run is shared by the three test cases (one run of the config, 1 s of 60 neurons).
const std::map<std::string, Curve> &curves() {
  static const std::map<std::string, Curve> c = run_config();
  return c;
}

} // namespace

TEST_CASE("config fi_curves: lif rates equal 1/(tau_ref + tau ln((mu - V_re)/(mu - V_th)))") {
  const Curve &c = curves().at("LIF");
  const double tau = 10, EL = -65, Vth = -50, Vre = -65, tau_ref = 2; // lif defaults
  std::vector<double> f;
  for (std::size_t k = 0; k < c.I.size(); ++k) {
    CAPTURE(c.I[k]);
    const double mu = EL + tau * c.I[k];
    f.push_back(rate(c.times[k]));
    if (mu < Vth) { // below rheobase (1.5 mV/ms): V relaxes monotonically to mu < V_th
      CHECK(c.times[k].empty());
      continue;
    }
    const double period = tau_ref + tau * std::log((mu - Vre) / (mu - Vth));
    CAPTURE(period);
    REQUIRE(c.times[k].size() >= 3);
    // Every interval starts with the reset to V_re and tau_ref steps: all are alike.
    for (std::size_t j = 1; j < c.times[k].size(); ++j) {
      const double isi = c.times[k][j] - c.times[k][j - 1];
      CHECK(isi >= period - 1e-9);
      CHECK(isi < period + dt + 1e-9);
    }
    CHECK(f.back() <= 1000 / period * (1 + 1e-9));
    CHECK(f.back() > 1000 / (period + dt));
  }
  check_monotone(c, f);
}

TEST_CASE("config fi_curves: eif rates equal 1 / the integral of dV/f(V)") {
  const Curve &c = curves().at("EIF");
  const double rheobase = (eif_VT - eif_EL - eif_DT) / eif_tau; // 16/15 mV/ms
  std::vector<double> f;
  for (std::size_t k = 0; k < c.I.size(); ++k) {
    CAPTURE(c.I[k]);
    f.push_back(rate(c.times[k]));
    if (c.I[k] < rheobase) { // a stable fixed point below V_T, which Euler keeps
      CHECK(c.times[k].empty());
      continue;
    }
    const double period = eif_period(c.I[k]);
    CAPTURE(period);
    REQUIRE(c.times[k].size() >= 3);
    for (std::size_t j = 1; j < c.times[k].size(); ++j) {
      const double isi = c.times[k][j] - c.times[k][j - 1];
      CHECK(std::abs(isi - period) < 2 * dt);
    }
    CHECK(f.back() < 1000 / (period - 2 * dt));
    CHECK(f.back() > 1000 / (period + 2 * dt));
  }
  check_monotone(c, f);
}

TEST_CASE("config fi_curves: hh rates equal the fine RK4 reference's") {
  const Curve &c = curves().at("HH");
  namespace ref = ganglion::hh_reference;
  const ref::Model model;
  const double t0 = 200; // transient: onset spikes, approach to the limit cycle or to rest
  std::vector<double> f;
  int firing = 0;
  for (std::size_t k = 0; k < c.I.size(); ++k) {
    CAPTURE(c.I[k]);
    const ref::Trajectory r =
        ref::run(model, model.rest(-65), duration, dt, 100, [&](double) { return c.I[k]; });
    const std::vector<double> late = after(c.times[k], t0), ref_late = after(r.crossings, t0);
    const double f_ref = rate(ref_late);
    CAPTURE(f_ref);
    f.push_back(rate(late));
    // Same number of spikes after t0, up to one: a crossing within the scheme's time error
    // (0.012 ms) of t0, or of a grid point just before t0, may be counted on the other side.
    CHECK(std::abs(double(late.size()) - double(ref_late.size())) <= 1);
    if (ref_late.empty()) { // below rheobase for repetitive firing: silent after the onset
      CHECK(late.empty());
      continue;
    }
    ++firing;
    CHECK(f.back() == doctest::Approx(f_ref).epsilon(1e-3));
  }
  // The curve spans rheobase: the reference is silent below ~6.26 uA/cm^2 (here 0 ... 6.0,
  // eight neurons) and fires above (6.5 ... 50, twelve, 55 to 117 Hz).
  CHECK(firing == 12);
  check_monotone(c, f);
}
