// The hh (Hodgkin-Huxley) neuron, driven through its C ABI hooks on hand-made gg_views (no
// engine), against a fine reference: RK4 at h = 0.001 ms (plugins/neuron/hh/hh_reference.hpp,
// independent of the plugin's scheme and rate functions; converged to < 1e-6 ms in spike times).
// Checked:
//   - the alphas at their removable singularities (V = -40, -55): finite, equal to the limits
//     1.0 and 0.1 per ms, continuous (against the Taylor series) and equal to the textbook
//     quotient away from them; init fills m, h, n with the steady state there;
//   - no spikes for I_e = 2 uA/cm^2 (300 ms from rest; the reference has none either);
//   - repetitive firing for I_e = 10: the steady rate (68.3 Hz in the reference) within 0.2 %;
//   - the accuracy claim of hh.cpp at dt = 0.1 ms, 10 sub-steps: every spike crossing (within the
//     step, interpolated) within 0.02 ms of the reference on a single spike and on 200 ms trains,
//     the engine-visible timestamp (end of the crossing step) in [t_ref, t_ref + dt] up to that,
//     and second-order convergence in the sub-step;
//   - unconditional stability (dt = 0.5 ms, 1 sub-step: gates in [0, 1], V finite and bounded);
//   - validate refuses meaningless values.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "../../plugins/neuron/hh/hh_model.hpp"
#include "../../plugins/neuron/hh/hh_reference.hpp"
#include "models/harness.hpp"
#include "registry/registry.hpp"

using namespace ganglion;

namespace {

namespace ref = ganglion::hh_reference;

// One hh population of n neurons with its fields, input and spikes, as the kernel would own them.
using Neuron = test::NeuronInstance;

const LoadedPlugin &hh_plugin(const PluginRegistry &registry) {
  const LoadedPlugin &p = test::find_plugin(registry, "hh");
  REQUIRE(std::string(p.desc->input_unit) == "uA/cm^2");
  return p;
}

// What one neuron did: its spikes as the engine stamps them (end of the crossing step), the
// crossings of 0 mV interpolated within the step from V before and after it, V after each step.
struct Run {
  std::vector<double> stamps, crossings, V;
};

// One neuron from (V0, gates: -1 = steady state at V0) for T ms, with I_e and the input I(t)
// (uA/cm^2, held over each step).
Run run_plugin(const LoadedPlugin &p, double dt, int substeps, double T, double I_e, double V0,
               const std::function<double(double)> &I = [](double) { return 0.0; },
               double m0 = -1, double h0 = -1, double n0 = -1) {
  Neuron nrn(p, 1, dt);
  nrn.set("I_e", I_e);
  nrn.set("substeps", substeps);
  nrn.set("V", V0);
  nrn.set("m", m0);
  nrn.set("h", h0);
  nrn.set("n", n0);
  nrn.init();
  Run out;
  const long steps = std::lround(T / dt);
  for (long k = 0; k < steps; ++k) {
    nrn.input[0] = I(double(k) * dt);
    const double before = nrn.field("V")[0];
    nrn.step(uint64_t(k));
    const double after = nrn.field("V")[0];
    out.V.push_back(after);
    if (nrn.n_spikes) {
      REQUIRE(nrn.n_spikes == 1);
      REQUIRE(nrn.spikes[0] == 0);
      out.stamps.push_back(double(k + 1) * dt);
      REQUIRE(before < 0);
      REQUIRE(after >= 0);
      out.crossings.push_back(double(k) * dt + (0 - before) / (after - before) * dt);
    } else {
      CHECK_FALSE((before < 0 && after >= 0)); // no upward crossing goes unreported
    }
  }
  return out;
}

// The steady rate (Hz) from the spike times after `t0`: (count - 1) / (last - first).
double rate_after(const std::vector<double> &times, double t0) {
  std::vector<double> t;
  for (double x : times)
    if (x > t0) t.push_back(x);
  return t.size() < 2 ? 0.0 : 1000.0 * double(t.size() - 1) / (t.back() - t.front());
}

const ref::Model model;

} // namespace

TEST_CASE("hh: the alphas are finite and continuous at their removable singularities") {
  // Exactly at the singularities: the limits 1 and 0.1 per ms, no 0/0.
  CHECK(hh::alpha_m(-40.0) == 1.0);
  CHECK(hh::alpha_n(-55.0) == 0.1);
  // Near them: x/(e^x - 1) = 1 - x/2 + x^2/12 - x^4/720 + ..., so with u = V + 40,
  // alpha_m = 1 + u/20 + u^2/1200 + O(u^4) and alpha_n = 0.1 (1 + u/20 + u^2/1200) + O(u^4) with
  // u = V + 55. For |u| <= 1e-2 the neglected u^4/7.2e6 term is < 2e-15; expm1 keeps the
  // quotient to a few ulp, so a relative 1e-13 catches any cancellation (the naive quotient
  // 0.1 u/(1 - e^{-u/10}) is off by ~1e-6 relative at u = 1e-10).
  for (double u : {1e-12, -1e-12, 1e-9, -1e-9, 1e-6, -1e-6, 1e-3, -1e-3, 1e-2, -1e-2}) {
    CAPTURE(u);
    CHECK(std::isfinite(hh::alpha_m(-40.0 + u)));
    CHECK(std::isfinite(hh::alpha_n(-55.0 + u)));
    // -40 + u is not exactly representable: use the u that the double V actually holds.
    const double um = (-40.0 + u) + 40.0, un = (-55.0 + u) + 55.0;
    CHECK(hh::alpha_m(-40.0 + u) == doctest::Approx(1 + um / 20 + um * um / 1200).epsilon(1e-13));
    CHECK(hh::alpha_n(-55.0 + u) ==
          doctest::Approx(0.1 * (1 + un / 20 + un * un / 1200)).epsilon(1e-13));
  }
  // Away from them the expm1 form equals the textbook quotient (reference, written plainly):
  // relative 1e-12 (the quotient's own cancellation is < 1e-14 for |u| >= 0.1).
  for (double V = -100; V <= 60; V += 0.37) {
    CAPTURE(V);
    if (std::abs(V + 40) > 0.1)
      CHECK(hh::alpha_m(V) == doctest::Approx(ref::alpha_m(V)).epsilon(1e-12));
    if (std::abs(V + 55) > 0.1)
      CHECK(hh::alpha_n(V) == doctest::Approx(ref::alpha_n(V)).epsilon(1e-12));
    CHECK(hh::beta_m(V) == doctest::Approx(ref::beta_m(V)).epsilon(1e-14));
    CHECK(hh::alpha_h(V) == doctest::Approx(ref::alpha_h(V)).epsilon(1e-14));
    CHECK(hh::beta_h(V) == doctest::Approx(ref::beta_h(V)).epsilon(1e-14));
    CHECK(hh::beta_n(V) == doctest::Approx(ref::beta_n(V)).epsilon(1e-14));
  }
  // Through the plugin: init at V = -40 and -55 fills the gates with their steady states, from
  // the limits (m_inf(-40) = 1/(1 + beta_m(-40)), n_inf(-55) = 0.1/(0.1 + beta_n(-55))).
  const PluginRegistry registry = PluginRegistry::discover();
  Neuron nrn(hh_plugin(registry), 2, 0.1);
  nrn.field("V")[0] = -40;
  nrn.field("V")[1] = -55;
  nrn.init();
  CHECK(nrn.field("m")[0] == doctest::Approx(1 / (1 + 4 * std::exp(-25.0 / 18))).epsilon(1e-14));
  CHECK(nrn.field("n")[1] ==
        doctest::Approx(0.1 / (0.1 + 0.125 * std::exp(-10.0 / 80))).epsilon(1e-14));
  for (const char *g : {"m", "h", "n"})
    for (int i = 0; i < 2; ++i) {
      CAPTURE(g);
      CHECK(std::isfinite(nrn.field(g)[i]));
      CHECK(nrn.field(g)[i] >= 0);
      CHECK(nrn.field(g)[i] <= 1);
    }
}

TEST_CASE("hh: init keeps given gates, fills -1 with the steady state at the initial V") {
  const PluginRegistry registry = PluginRegistry::discover();
  Neuron nrn(hh_plugin(registry), 1, 0.1);
  nrn.set("V", -65);
  nrn.set("m", 0.25);
  nrn.init();
  CHECK(nrn.field("m")[0] == 0.25);
  CHECK(nrn.field("h")[0] == doctest::Approx(hh::h_inf(-65)).epsilon(1e-15));
  CHECK(nrn.field("n")[0] == doctest::Approx(hh::n_inf(-65)).epsilon(1e-15));
  // The classic resting gates (m 0.0529, h 0.5961, n 0.3177).
  CHECK(nrn.field("h")[0] == doctest::Approx(0.596121).epsilon(1e-5));
  CHECK(nrn.field("n")[0] == doctest::Approx(0.317677).epsilon(1e-5));
  // A gate that is neither -1 nor a fraction is refused per element (distributions in "init"
  // reach validate by their low end only).
  Neuron bad(hh_plugin(registry), 1, 0.1);
  bad.set("h", -0.5);
  CHECK(bad.desc->cpu->init(&bad.view, &bad.err) == GG_ERROR);
  CHECK(std::string(bad.message).find("initial h") != std::string::npos);
}

TEST_CASE("hh: validate refuses meaningless values") {
  const PluginRegistry registry = PluginRegistry::discover();
  const gg_descriptor *d = hh_plugin(registry).desc;
  REQUIRE(bool(d->validate));
  std::vector<double> good = test::default_values(d);
  auto at = [&](const char *name) {
    for (uint32_t k = 0; k < d->n_fields; ++k)
      if (std::string(name) == d->fields[k].name) return std::size_t(k);
    FAIL("no field " << name);
    return std::size_t(0);
  };
  char buf[512];
  gg_error err{buf, sizeof buf};
  CHECK(d->validate(good.data(), &err) == GG_OK);
  auto refused = [&](const char *name, double value, const char *says) {
    std::vector<double> v = good;
    v[at(name)] = value;
    buf[0] = 0;
    CAPTURE(name);
    CAPTURE(value);
    CHECK(d->validate(v.data(), &err) == GG_ERROR);
    CHECK(std::string(buf).find(says) != std::string::npos);
  };
  refused("E_Na", -80, "E_Na");        // below E_K: the sodium current would repolarise
  refused("substeps", 2.5, "substeps"); // a fraction of a sub-step
  refused("m", -0.5, "initial m");     // neither a fraction nor the steady-state marker
  // C <= 0 and negative conductances are refused by the field ranges (the loader checks them).
  CHECK(d->fields[at("C")].min == 0);
  CHECK((d->fields[at("C")].flags & GG_MIN_EXCLUSIVE) != 0);
  for (const char *g : {"g_Na", "g_K", "g_L"}) CHECK(d->fields[at(g)].min == 0);
}

TEST_CASE("hh: no spikes under a small constant current (I_e = 2 uA/cm^2)") {
  const PluginRegistry registry = PluginRegistry::discover();
  // The reference from rest at I = 2: no crossing of 0 mV in 300 ms (it relaxes to a depolarised
  // rest, -63.48 mV, with a damped oscillation); the plugin must agree, after the 100 ms
  // transient and before it.
  const ref::Trajectory r = ref::run(model, model.rest(-65), 300, 0.1, 100,
                                     [](double) { return 2.0; });
  REQUIRE(r.crossings.empty());
  const Run run = run_plugin(hh_plugin(registry), 0.1, 10, 300, 2.0, -65);
  CHECK(run.stamps.empty());
  // Over the last 200 ms V stays well below any spike (the reference's range there, ~1 mV wide
  // at -63.48 mV after the transient; 10 mV of margin below -50 mV is not a near miss).
  const double vmax = *std::max_element(run.V.begin() + 1000, run.V.end());
  const double vmin = *std::min_element(run.V.begin() + 1000, run.V.end());
  CAPTURE(vmin);
  CAPTURE(vmax);
  CHECK(vmax < -50);
}

TEST_CASE("hh: repetitive firing at I_e = 10 uA/cm^2, at the reference's rate") {
  const PluginRegistry registry = PluginRegistry::discover();
  const ref::Trajectory r = ref::run(model, model.rest(-65), 500, 0.1, 100,
                                     [](double) { return 10.0; });
  const double f_ref = rate_after(r.crossings, 100);
  CAPTURE(f_ref);
  // The classic model fires at ~68 Hz here (the reference: 68.32 Hz); a sanity band only.
  CHECK(f_ref > 60);
  CHECK(f_ref < 75);
  const Run run = run_plugin(hh_plugin(registry), 0.1, 10, 500, 10.0, -65);
  const double f = rate_after(run.stamps, 100);
  CAPTURE(f);
  // The stamps are the crossings rounded up to the 0.1 ms grid: the first and last each move by
  // < dt, so over the ~390 ms between them the rate moves by < 0.1/390 = 0.026 %; the scheme's
  // own period error is 0.005 % (hh.cpp). 0.2 % leaves room for neither to be a coincidence.
  CHECK(f == doctest::Approx(f_ref).epsilon(2e-3));
  CHECK(run.stamps.size() == r.crossings.size());
}

TEST_CASE("hh: spike times at dt = 0.1 ms, 10 sub-steps, within 0.02 ms of the fine reference") {
  const PluginRegistry registry = PluginRegistry::discover();
  const LoadedPlugin &p = hh_plugin(registry);
  const double dt = 0.1;
  // Measured (hh.cpp): 0.0088 ms on the single spike, 0.0087 / 0.0102 / 0.0123 ms over 200 ms
  // trains at I = 10 / 7 / 20. 0.02 ms is under 2x the worst of them and 1/5 of a step.
  const double tol = 0.02;
  struct Case {
    const char *name;
    double I_e, V0, m0, h0, n0, T;
  };
  const ref::Y rest = model.rest(-65);
  const Case cases[] = {
      // A brief shock: V displaced to -50 mV with the gates at rest; one spike.
      {"single spike", 0, -50, rest.m, rest.h, rest.n, 30},
      {"train I = 7", 7, -65, -1, -1, -1, 200},
      {"train I = 10", 10, -65, -1, -1, -1, 200},
      {"train I = 20", 20, -65, -1, -1, -1, 200},
  };
  for (const Case &c : cases) {
    const std::string name = c.name;
    CAPTURE(name);
    ref::Y y0 = model.rest(c.V0);
    if (c.m0 >= 0) y0 = {c.V0, c.m0, c.h0, c.n0};
    const ref::Trajectory r = ref::run(model, y0, c.T, dt, 100, [&](double) { return c.I_e; });
    const Run run = run_plugin(p, dt, 10, c.T, c.I_e, c.V0, [](double) { return 0.0; }, c.m0,
                               c.h0, c.n0);
    REQUIRE(!r.crossings.empty());
    REQUIRE(run.crossings.size() == r.crossings.size());
    if (name == "single spike") CHECK(r.crossings.size() == 1);
    double worst = 0;
    for (std::size_t k = 0; k < r.crossings.size(); ++k) {
      CAPTURE(k);
      worst = std::max(worst, std::abs(run.crossings[k] - r.crossings[k]));
      CHECK(std::abs(run.crossings[k] - r.crossings[k]) < tol);
      // What the engine reports: the end of the step of the crossing, i.e. the true time rounded
      // up to the grid, shifted by at most the integration error.
      CHECK(run.stamps[k] >= r.crossings[k] - tol);
      CHECK(run.stamps[k] <= r.crossings[k] + dt + tol);
    }
    MESSAGE(name << ": " << r.crossings.size() << " spikes, worst crossing error " << worst
                   << " ms");
    // Peak V as sampled at the step points, against the reference sampled at the same points:
    // measured 0.12 mV (single spike), < 0.01 mV (trains); 0.3 mV.
    const double peak = *std::max_element(run.V.begin(), run.V.end());
    const double ref_peak = *std::max_element(r.V.begin(), r.V.end());
    CAPTURE(peak);
    CAPTURE(ref_peak);
    CHECK(std::abs(peak - ref_peak) < 0.3);
  }
}

TEST_CASE("hh: the error is second order in the sub-step") {
  const PluginRegistry registry = PluginRegistry::discover();
  const LoadedPlugin &p = hh_plugin(registry);
  const ref::Trajectory r =
      ref::run(model, model.rest(-65), 200, 0.1, 100, [](double) { return 10.0; });
  double err[3] = {0, 0, 0};
  const int subs[3] = {5, 10, 20};
  for (int s = 0; s < 3; ++s) {
    const Run run = run_plugin(p, 0.1, subs[s], 200, 10.0, -65);
    REQUIRE(run.crossings.size() == r.crossings.size());
    for (std::size_t k = 0; k < r.crossings.size(); ++k)
      err[s] = std::max(err[s], std::abs(run.crossings[k] - r.crossings[k]));
  }
  CAPTURE(err[0]);
  CAPTURE(err[1]);
  CAPTURE(err[2]);
  // Second order: halving h divides the error by ~4 (measured 0.040 -> 0.0087 -> 0.0022 ms).
  // A first-order scheme would give 2; require more than 3.
  CHECK(err[1] < err[0] / 3);
  CHECK(err[2] < err[1] / 3);
}

TEST_CASE("hh: unconditionally stable (dt = 0.5 ms, one sub-step)") {
  const PluginRegistry registry = PluginRegistry::discover();
  Neuron nrn(hh_plugin(registry), 1, 0.5);
  nrn.set("substeps", 1);
  nrn.set("I_e", 10);
  nrn.init();
  // Each stage is an exact solution of a frozen linear equation: gates in [0, 1], and V between
  // min(V, E_K) and max(V, E_Na + I/g_L) (the frozen target J/G is a weighted mean of E_Na, E_K,
  // E_L shifted by I/G <= I/g_L = 33 mV). Forward Euler at this step blows up within a spike.
  uint64_t spikes = 0;
  for (uint64_t k = 0; k < 400; ++k) {
    nrn.step(k);
    spikes += nrn.n_spikes;
    const double V = nrn.field("V")[0];
    REQUIRE(std::isfinite(V));
    REQUIRE(V >= -77 - 1e-9);
    REQUIRE(V <= 50 + 10 / 0.3 + 1e-9);
    for (const char *g : {"m", "h", "n"}) {
      REQUIRE(nrn.field(g)[0] >= 0);
      REQUIRE(nrn.field(g)[0] <= 1);
    }
  }
  CHECK(spikes > 0); // still a spiking neuron at this coarse step
}
