// The exp_current synapse driven through its C ABI hooks directly (no engine): the plugin is
// loaded by the registry and handed gg_views built here by hand (fields as arrays of n doubles,
// a CSR connectivity, arrivals). Checked:
//   - the impulse response of one spike is J/tau e^{-t/tau} at the step points (scheme exact) and
//     J/tau (1 - dt/tau)^n (scheme euler); the `current` hook adds I into post_input;
//   - Campbell's theorem with Poisson input (drawn by the poisson plugin's own hooks): the mean
//     of I is J r_total and its variance J^2 r_total / (2 tau).
#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "models/harness.hpp"
#include "registry/registry.hpp"

using namespace ganglion;

namespace {

using test::AllToAll;
using test::arrivals_of;
using test::find_plugin;

// A plugin instance as the kernel would own it (see models/harness.hpp), with a fixed seed.
struct Instance : test::PluginInstance {
  Instance(const LoadedPlugin &plugin, uint64_t n_, double dt) : PluginInstance(plugin, n_, dt) {
    view.seed = 12345;
    view.rng_stream = 1;
  }
};

// The impulse response: one spike of weight J arrives at the end of step 0, then none. Returns
// I after steps 0, 1, ..., steps - 1.
std::vector<double> impulse_response(const LoadedPlugin &exp_current, double J, double tau,
                                     double dt, int scheme, int steps) {
  Instance syn(exp_current, 1, dt);
  syn.set("tau", tau);
  syn.set("scheme", scheme);
  const AllToAll csr(1, 1, float(J));
  csr.attach(syn.view);
  syn.init();
  const std::vector<gg_arrival> spike = arrivals_of({0}, csr.row_ptr.data());
  std::vector<double> post_input(8, 0.0);
  syn.view.post_input = post_input.data();
  std::vector<double> out;
  for (int k = 0; k < steps; ++k) {
    // As the kernel calls them: `current` (which decays I by the step), then `step` (arrivals).
    syn.call(syn.desc->cpu->current);
    syn.view.arrivals = k == 0 ? spike.data() : nullptr;
    syn.view.n_arrivals = k == 0 ? 1 : 0;
    syn.step(uint64_t(k));
    out.push_back(syn.field("I")[0]);
  }
  return out;
}

} // namespace

TEST_CASE("exp_current: impulse response J/tau e^{-t/tau} (exact) and J/tau (1 - dt/tau)^n (euler)") {
  const PluginRegistry registry = PluginRegistry::discover();
  const LoadedPlugin &syn = find_plugin(registry, "exp_current");
  // J = 0.5 is exact in float (weights are float), so J/tau is the only rounding at the start.
  const double J = 0.5, tau = 8, dt = 0.1;
  const int steps = 400; // 40 ms = 5 tau
  SUBCASE("exact") {
    const std::vector<double> I = impulse_response(syn, J, tau, dt, 0, steps);
    for (int n = 0; n < steps; ++n) {
      CAPTURE(n);
      // After the spike (end of step 0) I = J/tau, then n exact decays: the value at t = n dt.
      // Relative 1e-12: n <= 400 products each rounding by 1.1e-16 stay below 1e-13.
      CHECK(I[n] == doctest::Approx(J / tau * std::exp(-n * dt / tau)).epsilon(1e-12));
    }
  }
  SUBCASE("euler") {
    const std::vector<double> I = impulse_response(syn, J, tau, dt, 1, steps);
    for (int n = 0; n < steps; ++n) {
      CAPTURE(n);
      CHECK(I[n] == doctest::Approx(J / tau * std::pow(1 - dt / tau, n)).epsilon(1e-12));
    }
    // And it is a different scheme: after 5 tau, (1 - dt/tau)^n is below e^{-n dt/tau} by a
    // relative n (dt/tau)^2 / 2 = 0.031.
    CHECK(I[steps - 1] < 0.98 * J / tau * std::exp(-(steps - 1) * dt / tau));
  }
}

TEST_CASE("exp_current: the current hook adds I's step mean into post_input, spikes add J/tau each") {
  const PluginRegistry registry = PluginRegistry::discover();
  Instance syn(find_plugin(registry, "exp_current"), 3, 0.1);
  syn.set("tau", 4);
  // Pre 0 -> posts 0 and 2 (weights 1 and -2), pre 1 -> post 2 (weight 0.25).
  const std::vector<uint64_t> row_ptr = {0, 2, 3};
  const std::vector<uint32_t> post_index = {0, 2, 2};
  const std::vector<float> weight = {1.0f, -2.0f, 0.25f};
  syn.view.row_ptr = row_ptr.data();
  syn.view.post_index = post_index.data();
  syn.view.weight = weight.data();
  syn.init();
  // Pre 0 spikes twice and pre 1 once in this step (a repeated index is two spikes).
  const std::vector<gg_arrival> arrivals = arrivals_of({0, 0, 1}, row_ptr.data());
  syn.view.arrivals = arrivals.data();
  syn.view.n_arrivals = arrivals.size();
  syn.step(0);
  const double *I = syn.field("I");
  CHECK(I[0] == doctest::Approx(2 * 1.0 / 4));
  CHECK(I[1] == 0.0);
  CHECK(I[2] == doctest::Approx((2 * -2.0 + 0.25) / 4));
  // `current` adds (does not overwrite) I's exact mean over the next step, I (1 - e^{-x})/x with
  // x = dt/tau, into the postsynaptic accumulator, and decays I by the step, e^{-x}.
  const double x = 0.1 / 4, mean = -std::expm1(-x) / x;
  std::vector<double> post_input = {0.5, -1.0, 2.0, 0, 0, 0, 0, 0};
  syn.view.post_input = post_input.data();
  syn.call(syn.desc->cpu->current);
  CHECK(post_input[0] == doctest::Approx(0.5 + 0.5 * mean).epsilon(1e-12));
  CHECK(post_input[1] == -1.0);
  CHECK(post_input[2] == doctest::Approx(2.0 - 0.9375 * mean).epsilon(1e-12));
  CHECK(I[0] == doctest::Approx(0.5 * std::exp(-x)).epsilon(1e-15));
  CHECK(I[1] == 0.0);
  CHECK(I[2] == doctest::Approx(-0.9375 * std::exp(-x)).epsilon(1e-15));
}

TEST_CASE("exp_current: Campbell's theorem, mean J r and variance J^2 r / (2 tau), Poisson input") {
  const PluginRegistry registry = PluginRegistry::discover();
  const double dt = 0.1, tau = 10, J = 0.4;
  const uint32_t sources = 50;
  const double rate_hz = 200;                            // per source
  const double r = sources * rate_hz * 1e-3;             // r_total = 10 spikes/ms
  const uint64_t burn_in = uint64_t(20 * tau / dt);      // e^-20 of the initial state left
  const uint64_t steps = 500000;                         // T = 50 s sampled
  const double T = double(steps) * dt;

  // The Poisson sources, stepped by the poisson plugin's own hooks.
  Instance src(find_plugin(registry, "poisson"), sources, dt);
  src.set("rate", rate_hz);
  std::vector<uint32_t> spikes(8 * sources + 1024);
  uint64_t n_spikes = 0;
  src.view.spikes = spikes.data();
  src.view.n_spikes = &n_spikes;
  src.view.spike_capacity = spikes.size();
  src.init();

  Instance syn(find_plugin(registry, "exp_current"), 1, dt);
  syn.set("tau", tau);
  syn.set("scheme", 0); // exact
  const AllToAll csr(sources, 1, float(J)); // J = 0.4 -> float 0.4000000059604645
  csr.attach(syn.view);
  syn.init();
  const double Jf = double(float(J));
  std::vector<double> post_input(8, 0.0);
  syn.view.post_input = post_input.data();

  double sum = 0, sum2 = 0;
  uint64_t total_spikes = 0;
  for (uint64_t k = 0; k < burn_in + steps; ++k) {
    // What the neuron sees in step k: the current hook's contribution.
    post_input[0] = 0;
    syn.call(syn.desc->cpu->current);
    if (k >= burn_in) {
      sum += post_input[0];
      sum2 += post_input[0] * post_input[0];
    }
    n_spikes = 0;
    src.step(k);
    total_spikes += n_spikes;
    const std::vector<gg_arrival> arrived =
        arrivals_of(std::vector<uint32_t>(spikes.begin(), spikes.begin() + long(n_spikes)),
                    csr.row_ptr.data());
    syn.view.arrivals = arrived.data();
    syn.view.n_arrivals = arrived.size();
    syn.step(k);
  }
  const double mean = sum / double(steps);
  const double var = sum2 / double(steps) - mean * mean;
  const double campbell_mean = Jf * r, campbell_var = Jf * Jf * r / (2 * tau);
  CAPTURE(mean);
  CAPTURE(campbell_mean);
  CAPTURE(var);
  CAPTURE(campbell_var);
  CAPTURE(total_spikes);

  // Tolerances. With x = dt/tau = 0.01 and d = e^{-x}, the sampled state is the AR(1)
  // I_{n+1} = d I_n + (J/tau) k_n, k_n ~ Poisson(r dt), and the current hook hands the neuron the
  // step's mean, I_n (1 - d)/x. Its exact stationary moments are
  //   mean = J r x/(1 - d) * (1 - d)/x = J r                        (Campbell's, exactly),
  //   var  = J^2 r x/(tau (1 - d^2)) * ((1 - d)/x)^2 = J^2 r/(2 tau) * 2(1 - d)/(x (1 + d)),
  // the last factor 1 - x^2/12 + O(x^4): a bias of -1e-5, added to the tolerance exactly.
  const double x = dt / tau, d = std::exp(-x);
  const double bias_mean = 0, bias_var = std::abs(2 * (1 - d) / (x * (1 + d)) - 1);
  // Statistical part. Successive samples are correlated with coefficient d^|lag|, so the sample
  // mean of N samples has variance var (1 + d)/(1 - d) / N ~ var (2 tau / T): T/(2 tau) = 2500
  // independent samples, and a relative standard error sqrt(var 2 tau / T)/mean = 1/sqrt(r T)
  // (0.14 %: the count of input spikes). For the sample variance the correlation is d^(2|lag|),
  // giving Var(s^2) ~ 2 var^2 (1 + d^2)/(1 - d^2) / N ~ 2 var^2 tau / T, i.e. T/tau = 5000
  // effective samples and a relative error sqrt(2 tau / T) = 2 % (the shot noise's excess
  // kurtosis adds a relative 1/(r tau) = 1 % to that variance: negligible). Four standard errors.
  const double se_mean = 1 / std::sqrt(r * T), se_var = std::sqrt(2 * tau / T);
  CHECK(std::abs(mean / campbell_mean - 1) < 4 * se_mean + bias_mean);
  CHECK(std::abs(var / campbell_var - 1) < 4 * se_var + bias_var);
  // And the input really was Poisson at r_total: its count within 4 standard errors (sqrt(count)).
  const double expected = r * double(burn_in + steps) * dt;
  CHECK(std::abs(double(total_spikes) - expected) < 4 * std::sqrt(expected));
}
