// The istdp plasticity rule driven through its C ABI hooks directly (no engine): gg_views built by
// hand with a CSR connectivity (and its by-post index, as the engine builds it), this step's pre
// and post spikes and the learning flag. Checked:
//   - both traces follow x(t) = sum_s 1/tau e^{-(t - t_s)/tau} at the step points, learning or not;
//   - one presynaptic spike with a known x_post and one postsynaptic spike with a known x_pre
//     change J by exactly what the rule says, multiplicative and additive;
//   - the mean drift has the sign of r_pre (r_post - r0) (independent Poisson-like trains drawn
//     here with a fixed seed), and a silent presynaptic neuron changes nothing;
//   - weights never change sign and |J| stays within [J_min, J_max] under a huge eta;
//   - learning = 0 leaves weights alone while the traces run; bad setups are refused.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "models/harness.hpp"
#include "registry/registry.hpp"

using namespace ganglion;

namespace {

// The rule's descriptor: from the registry, or (when the registry skipped the library, see the
// check_descriptor test below) straight from the built-in library, so that the hooks are tested
// either way.
const gg_descriptor *rule(const char *name) { return test::builtin_descriptor(name); }

// A rule instance on an all-to-all projection n_pre -> n_post of weight w, with its fields and
// CSR as the kernel owns them (models/harness.hpp).
struct Rule : test::PlasticityInstance {
  Rule(const gg_descriptor *d, uint64_t pre, uint64_t post, float w, double dt)
      : PlasticityInstance(d, pre, post, w, dt, "I->E") {}
};

// sum over spike steps s <= k of 1/tau e^{-(k - s) dt / tau}: the trace after step k.
double closed_form(const std::vector<uint64_t> &spike_steps, uint64_t k, double dt, double tau) {
  double x = 0;
  for (uint64_t s : spike_steps)
    if (s <= k) x += 1 / tau * std::exp(-double(k - s) * dt / tau);
  return x;
}

using test::spikes_at;

constexpr int multiplicative = 0, additive = 1;

} // namespace

TEST_CASE("istdp: the descriptor passes the kernel's check_descriptor (so the registry loads it)") {
  const gg_descriptor *d = rule("istdp");
  CHECK_NOTHROW(check_descriptor(d, "istdp"));
  CHECK(d->kind == GG_KIND_PLASTICITY);
  CHECK(std::string(d->acts_on) == "exp_current|exp_conductance|delta");
}

TEST_CASE("istdp: traces are sum 1/tau e^{-(t - t_s)/tau} at the step points, learning or not") {
  const double dt = 0.1, tau = 20;
  // Spike steps of the presynaptic and the postsynaptic neuron; a repeated step is two spikes.
  const std::vector<uint64_t> pre = {3, 40, 40, 41, 500, 1200};
  const std::vector<uint64_t> post = {0, 41, 300, 301, 302, 1999};
  for (int learning : {1, 0}) {
    CAPTURE(learning);
    Rule r(rule("istdp"), 1, 1, -0.5f, dt);
    r.set("tau", tau);
    r.view.learning = learning;
    r.init();
    for (uint64_t k = 0; k < 2000; ++k) {
      r.step(k, spikes_at(pre, k), spikes_at(post, k));
      CAPTURE(k);
      // Relative 1e-12: after k <= 2000 steps the trace is a sum of terms each carried through
      // at most k multiplications by the rounded decay factor (relative error ~1e-16 each, so
      // <= 2000 * 2 * 1.1e-16 = 4.4e-13 together) against exp() of the closed form.
      const double xq = closed_form(pre, k, dt, tau), xp = closed_form(post, k, dt, tau);
      CHECK(r.field("x_pre")[0] == doctest::Approx(xq).epsilon(1e-12));
      CHECK(r.field("x_post")[0] == doctest::Approx(xp).epsilon(1e-12));
    }
  }
}

TEST_CASE("istdp: one pre spike moves J by eta J (x_post - 2 r0), one post spike by eta J x_pre") {
  const double dt = 0.1, tau = 20, eta = 10, r0 = 10; // ms, ms, ms, Hz
  const uint64_t t_post0 = 0, t_pre = 50, t_post = 80;
  const float J0 = -0.5f; // exact in float
  // Float storage rounds each new weight to 2^-24 relative (6e-8); the traces are exact to
  // 1e-12 (previous test): relative 1e-7 covers one rounding and nothing coarser than a float ulp.
  const double eps = 1e-7;
  for (int form : {multiplicative, additive}) {
    CAPTURE(form);
    Rule r(rule("istdp"), 1, 1, J0, dt);
    r.set("tau", tau);
    r.set("eta", eta);
    r.set("r0", r0);
    r.set("form", form);
    r.init();
    CHECK(r.field("sign")[0] == -1.0);
    // A first post spike at step 0 (x_pre = 0 then: no change) gives a known x_post.
    for (uint64_t k = 0; k < t_pre; ++k)
      r.step(k, {}, k == t_post0 ? std::vector<uint32_t>{0} : std::vector<uint32_t>{});
    CHECK(r.weight[0] == J0);
    r.step(t_pre, {0}, {});
    const double x_post = 1 / tau * std::exp(-double(t_pre - t_post0) * dt / tau);
    const double q = x_post - 2 * r0 * 1e-3; // 0.0389 - 0.02 > 0: |J| grows
    const double J1 = form == multiplicative ? J0 + eta * J0 * q : J0 - eta * q;
    CHECK(r.weight[0] == doctest::Approx(J1).epsilon(eps));
    CHECK(std::abs(r.weight[0]) > std::abs(J0));
    for (uint64_t k = t_pre + 1; k < t_post; ++k) r.step(k, {}, {});
    const double J1f = r.weight[0]; // the rule goes on from the stored (float) weight
    r.step(t_post, {}, {0});
    const double x_pre = 1 / tau * std::exp(-double(t_post - t_pre) * dt / tau);
    const double J2 = form == multiplicative ? J1f + eta * J1f * x_pre : J1f - eta * x_pre;
    CHECK(r.weight[0] == doctest::Approx(J2).epsilon(eps));
  }
}

TEST_CASE("istdp: a presynaptic spike below target (x_post < 2 r0) weakens |J|; sign kept at 0") {
  // No postsynaptic spikes: x_post = 0, so each pre spike moves J by -eta J 2 r0 (relative).
  Rule r(rule("istdp"), 1, 1, -0.5f, 0.1);
  r.set("eta", 10);
  r.set("r0", 10); // 2 r0 = 0.02/ms, eta 2 r0 = 0.2
  r.init();
  r.step(0, {0}, {});
  CHECK(r.weight[0] == doctest::Approx(-0.5 * (1 - 0.2)).epsilon(1e-7));
  // eta 2 r0 = 2 > 1 would cross zero: the weight stops at 0 and stays there (multiplicative).
  r.set("eta", 100);
  r.step(1, {0}, {});
  CHECK(r.weight[0] == 0.0f);
  for (uint64_t k = 2; k < 50; ++k) r.step(k, {0}, {0});
  CHECK(r.weight[0] == 0.0f);
}

namespace {

// Independent Poisson-like trains: a spike in a step with probability r dt (Bernoulli, which is a
// Poisson process of rate r in the limit dt -> 0; r dt <= 0.002 here).
std::vector<uint64_t> train(std::mt19937_64 &rng, double rate_hz, double dt, uint64_t steps) {
  std::bernoulli_distribution spike(rate_hz * 1e-3 * dt);
  std::vector<uint64_t> out;
  for (uint64_t k = 0; k < steps; ++k)
    if (spike(rng)) out.push_back(k);
  return out;
}

// Runs one pre -> post synapse of weight J0 over the two trains; returns the final weight.
double drive(int form, double eta, double r_pre, double r_post, double J0, uint64_t seed,
             double T) {
  const double dt = 0.1;
  const uint64_t steps = uint64_t(T / dt);
  std::mt19937_64 rng(seed);
  const std::vector<uint64_t> pre = train(rng, r_pre, dt, steps);
  const std::vector<uint64_t> post = train(rng, r_post, dt, steps);
  Rule r(rule("istdp"), 1, 1, float(J0), dt);
  r.set("eta", eta);
  r.set("tau", 200);
  r.set("r0", 10);
  r.set("form", form);
  r.init();
  size_t a = 0, b = 0;
  std::vector<uint32_t> one = {0}, none;
  for (uint64_t k = 0; k < steps; ++k) {
    const bool p = a < pre.size() && pre[a] == k, q = b < post.size() && post[b] == k;
    a += p;
    b += q;
    r.step(k, p ? one : none, q ? one : none);
  }
  return r.weight[0];
}

} // namespace

TEST_CASE("istdp: the mean drift has the sign of r_pre (r_post - r0); a silent pre changes nothing") {
  // One inhibitory synapse J0 = -1, tau = 200 ms, r0 = 10 Hz, r_pre = 20 Hz, T = 100 s.
  // Expected: with independent trains the summed change of |J|, divided by eta, is
  //   D = sum over pre spikes (x_post - 2 r0) + sum over post spikes x_pre
  // (additive; multiplicative: the same for ln|J|, to first order in eta q <= 3e-4), with mean
  //   E[D] = 2 r_pre (r_post - r0) T  (rates in 1/ms):  +40 at r_post = 20 Hz, -20 at 5 Hz.
  // Its standard deviation, from Campbell's theorem for each sum (x has variance r/(2 tau) and
  // correlation time tau): Var(sum_pre x_post) ~ r_pre T (r_post/(2 tau) + r_post^2) +
  // r_pre^2 r_post T ~ 1.7, Var(2 r0 N_pre) = (2 r0)^2 r_pre T ~ 0.8, and Var(sum_post x_pre) ~ 1.7
  // likewise: adding the standard deviations (an upper bound whatever their correlation) gives
  // sigma <= 3.5. Tolerance 4 sigma = 14. Biases (the Bernoulli draw, the start from empty
  // traces: ~ r_pre r_post tau = 0.08, same-step pairs: ~0.02) are far below it.
  const double T = 100000, eta = 0.005, tol = 14;
  for (int form : {multiplicative, additive}) {
    CAPTURE(form);
    const double up = drive(form, eta, 20, 20, -1.0, 1, T);
    const double down = drive(form, eta, 20, 5, -1.0, 2, T);
    auto D = [&](double J) {
      return form == multiplicative ? std::log(std::abs(J)) / eta : (std::abs(J) - 1) / eta;
    };
    CAPTURE(up);
    CAPTURE(down);
    CHECK(up < -1.0);   // r_post > r0: inhibition strengthens
    CHECK(down > -1.0); // r_post < r0: it weakens
    CHECK(up < 0);      // and keeps its sign
    CHECK(down < 0);
    CHECK(std::abs(D(up) - 40) < tol);
    CHECK(std::abs(D(down) + 20) < tol);
    // No presynaptic spikes: no pre-triggered change, and x_pre = 0 at every post spike.
    CHECK(drive(form, eta, 0, 20, -1.0, 3, T) == -1.0);
    CHECK(drive(form, eta, 0, 5, -1.0, 4, T) == -1.0);
  }
}

TEST_CASE("istdp: driven hard, no weight changes sign and |J| stays within [J_min, J_max]") {
  const double dt = 0.1;
  const uint32_t n_pre = 6, n_post = 5;
  const uint64_t steps = 20000;
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> u(0, 1);
  for (int form : {multiplicative, additive})
    for (double sign : {-1.0, 1.0})
      for (double lo : {0.0, 0.2}) {
        CAPTURE(form);
        CAPTURE(sign);
        CAPTURE(lo);
        const double hi = 1.5;
        Rule r(rule("istdp"), n_pre, n_post, float(sign * 0.75), dt);
        for (auto &w : r.weight) w = float(sign * (0.25 + u(rng))); // |J| in [0.25, 1.25)
        r.set("eta", form == multiplicative ? 200 : 100); // eta x ~ 1-10: huge steps
        r.set("tau", 10);
        r.set("r0", 50);
        r.set("form", form);
        r.set("J_min", lo);
        r.set("J_max", hi);
        r.init();
        bool hit_lo = false, hit_hi = false;
        for (uint64_t k = 0; k < steps; ++k) {
          std::vector<uint32_t> pre, post;
          for (uint32_t i = 0; i < n_pre; ++i)
            if (u(rng) < 0.01) pre.push_back(i); // 100 Hz
          for (uint32_t j = 0; j < n_post; ++j)
            if (u(rng) < (j < 2 ? 0.002 : 0.02)) post.push_back(j); // 20 Hz or 200 Hz vs r0 50
          r.step(k, pre, post);
          for (float w : r.weight) {
            REQUIRE(sign * w >= 0);
            // The bounds as the weight (a float) can hold them.
            REQUIRE(std::abs(w) >= float(lo));
            REQUIRE(std::abs(w) <= float(hi));
            hit_lo |= std::abs(w) == float(lo);
            hit_hi |= std::abs(w) == float(hi);
          }
        }
        // The drive really reached both bounds (else the test would not test them).
        CHECK(hit_lo);
        CHECK(hit_hi);
      }
}

TEST_CASE("istdp: learning = 0 keeps the weights, and the traces run as when learning") {
  const double dt = 0.1;
  std::mt19937_64 rng(11);
  std::uniform_real_distribution<double> u(0, 1);
  Rule on(rule("istdp"), 4, 3, -0.5f, dt), off(rule("istdp"), 4, 3, -0.5f, dt);
  off.view.learning = 0;
  on.init();
  off.init();
  for (uint64_t k = 0; k < 5000; ++k) {
    std::vector<uint32_t> pre, post;
    for (uint32_t i = 0; i < 4; ++i)
      if (u(rng) < 0.01) pre.push_back(i);
    for (uint32_t j = 0; j < 3; ++j)
      if (u(rng) < 0.01) post.push_back(j);
    on.step(k, pre, post);
    off.step(k, pre, post);
  }
  for (float w : off.weight) CHECK(w == -0.5f);
  bool changed = false;
  for (float w : on.weight) changed |= w != -0.5f;
  CHECK(changed);
  // Same arithmetic on the traces whatever the flag: equal to the last bit.
  for (uint32_t i = 0; i < 4; ++i) CHECK(off.field("x_pre")[i] == on.field("x_pre")[i]);
  for (uint32_t j = 0; j < 3; ++j) CHECK(off.field("x_post")[j] == on.field("x_post")[j]);
  CHECK(off.field("x_pre")[0] > 0);
}

TEST_CASE("istdp: mixed signs, weights outside the bounds, per-neuron tau and J_min > J_max refused") {
  const gg_descriptor *d = rule("istdp");
  {
    Rule r(d, 2, 2, -0.5f, 0.1);
    r.weight[1] = 0.5f;
    CHECK(r.try_init() == GG_ERROR);
    CHECK(std::string(r.message).find("both signs") != std::string::npos);
  }
  {
    Rule r(d, 2, 2, -0.5f, 0.1);
    r.set("J_max", 0.4);
    CHECK(r.try_init() == GG_ERROR);
    CHECK(std::string(r.message).find("J_max") != std::string::npos);
  }
  {
    Rule r(d, 2, 2, -0.5f, 0.1);
    r.field("tau")[1] = 100;
    CHECK(r.try_init() == GG_ERROR);
    CHECK(std::string(r.message).find("tau") != std::string::npos);
  }
  {
    REQUIRE(static_cast<bool>(d->validate));
    std::vector<double> values = test::default_values(d);
    char buf[512] = "";
    gg_error err{buf, sizeof buf};
    CHECK(d->validate(values.data(), &err) == GG_OK);
    Rule probe(d, 1, 1, 0, 0.1);
    values[probe.index("J_min")] = 2;
    values[probe.index("J_max")] = 1;
    CHECK(d->validate(values.data(), &err) == GG_ERROR);
    CHECK(std::string(buf).find("J_min") != std::string::npos);
  }
}
