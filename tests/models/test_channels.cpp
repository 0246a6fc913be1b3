// Synaptic channels (ABI 1.3): where the exponential synapses' current has one constant of each
// kind for all neurons, lif and eif compute it in their own step instead of the synapses'
// `current` hooks. The kernel does so only for one form of channel, at most GG_MAX_CHANNELS, and
// never for a population whose inputs are recorded; the results are the same bits either way.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "models/harness.hpp"
#include "support.hpp"

using namespace ganglion;
using namespace ganglion::test;

namespace {

// E and I (lif, conductances: two channels each, I with I_app), F (eif, three exp_current
// projections with two taus: three current channels), G (lif, an exp_current and an
// exp_conductance: two forms, not fused) and H (lif, four exp_current projections: more than
// GG_MAX_CHANNELS, not fused). RECORDERS is replaced by extra recorders.
const char *kNetwork = R"({"ganglion": 1, "simulation": {"dt": "0.1 ms", "duration": "150 ms", "seed": 11},
  "populations": {
    "E": {"model": "lif", "size": 1200, "init": {"V": {"uniform": ["-65 mV", "-50 mV"]}},
          "params": {"I_e": "1.2 mV/ms", "tau_m": "20 ms", "E_L": "-60 mV", "V_re": "-60 mV",
                     "scheme": "euler", "tau_ref": "2 ms"}},
    "I": {"model": "lif", "size": 300, "init": {"V": {"uniform": ["-65 mV", "-50 mV"]}},
          "params": {"tau_m": "10 ms", "E_L": "-60 mV", "V_re": "-60 mV"}, "I_app": "1.4 mV/ms"},
    "F": {"model": "eif", "size": 400, "params": {"I_e": "1.3 mV/ms"},
          "init": {"V": {"uniform": ["-70 mV", "-55 mV"]}}},
    "G": {"model": "lif", "size": 200, "params": {"I_e": "2.5 mV/ms"},
          "init": {"V": {"uniform": ["-65 mV", "-50 mV"]}}},
    "H": {"model": "lif", "size": 200, "params": {"I_e": "1.6 mV/ms"},
          "init": {"V": {"uniform": ["-65 mV", "-50 mV"]}}}},
  "projections": [
    {"pre": "E", "post": "E", "synapse": "exp_conductance", "connect": {"rule": "fixed_probability", "p": 0.05}, "weight": 0.02},
    {"pre": "I", "post": "E", "synapse": "exp_conductance", "params": {"E_syn": "-80 mV", "tau": "10 ms"},
     "connect": {"rule": "fixed_probability", "p": 0.05}, "weight": {"uniform": [0.05, 0.15]}},
    {"pre": "E", "post": "I", "synapse": "exp_conductance", "connect": {"rule": "fixed_probability", "p": 0.05}, "weight": 0.02},
    {"pre": "I", "post": "I", "synapse": "exp_conductance", "params": {"E_syn": "-80 mV", "tau": "10 ms"},
     "connect": {"rule": "fixed_probability", "p": 0.05}, "weight": 0.1},
    {"pre": "E", "post": "F", "synapse": "exp_current", "connect": {"rule": "fixed_indegree", "indegree": 60}, "weight": 0.3},
    {"pre": "I", "post": "F", "synapse": "exp_current", "params": {"tau": "8 ms"},
     "connect": {"rule": "fixed_indegree", "indegree": 20}, "weight": -0.9},
    {"pre": "F", "post": "F", "synapse": "exp_current", "connect": {"rule": "fixed_indegree", "indegree": 20}, "weight": 0.2},
    {"pre": "E", "post": "G", "synapse": "exp_current", "connect": {"rule": "fixed_indegree", "indegree": 60}, "weight": 0.2},
    {"pre": "I", "post": "G", "synapse": "exp_conductance", "params": {"E_syn": "-80 mV"},
     "connect": {"rule": "fixed_indegree", "indegree": 20}, "weight": 0.01},
    {"pre": "E", "post": "H", "synapse": "exp_current", "connect": {"rule": "fixed_indegree", "indegree": 30}, "weight": 0.2},
    {"pre": "E", "post": "H", "synapse": "exp_current", "params": {"tau": "3 ms"},
     "connect": {"rule": "fixed_indegree", "indegree": 30}, "weight": 0.2},
    {"pre": "I", "post": "H", "synapse": "exp_current", "connect": {"rule": "fixed_indegree", "indegree": 10}, "weight": -0.5},
    {"pre": "F", "post": "H", "synapse": "exp_current", "connect": {"rule": "fixed_indegree", "indegree": 10}, "weight": 0.2}],
  "recorders": [{"type": "spikes", "populations": ["E", "I", "F", "G", "H"]},
                {"type": "state", "populations": ["E", "I", "F"], "variables": ["V"], "every": "0.1 ms"}RECORDERS]})";

std::string network(const std::string &recorders) {
  std::string json = kNetwork;
  json.replace(json.find("RECORDERS"), 9, recorders);
  return json;
}

} // namespace

TEST_CASE("channels: a neuron step computing its synapses' currents gives the same bits as their "
          "current hooks") {
  TempDir dir;
  const std::string fused_h5 = dir / "fused.h5", hooks_h5 = dir / "hooks.h5";
  // An inputs recorder needs each projection's current apart: it keeps every projection onto the
  // populations it records on the hooks.
  const InProcessRun fused = run_in_process_to(network(""), fused_h5, {"simulation.threads=1"});
  const InProcessRun hooks = run_in_process_to(
      network(R"(, {"type": "inputs", "populations": ["E", "I", "F"], "every": "1 ms"})"), hooks_h5,
      {"simulation.threads=2"});
  const auto &projections = fused.report.projections;
  REQUIRE(projections.size() == 13);
  // E and I: two conductance channels each; F: three current channels; G (two forms) and H (four
  // projections) keep the hooks.
  const std::vector<bool> expect = {true, true, true,  true,  true,  true, true,
                                    false, false, false, false, false, false};
  for (std::size_t q = 0; q < projections.size(); ++q) {
    CAPTURE(projections[q].name);
    CHECK(projections[q].fused == expect[q]);
    CHECK_FALSE(hooks.report.projections[q].fused);
  }
  for (const std::string pop : {"E", "I", "F", "G", "H"}) {
    CAPTURE(pop);
    CHECK(fused.spikes.at(pop).times.size() > 200); // every population fires
    CHECK(fused.spikes.at(pop).times == hooks.spikes.at(pop).times);
    CHECK(fused.spikes.at(pop).ids == hooks.spikes.at(pop).ids);
  }
  for (const std::string pop : {"E", "I", "F"}) {
    CAPTURE(pop);
    const std::vector<double> a = read_h5_f64(fused_h5, "/report/" + pop + "/V/data"),
                              b = read_h5_f64(hooks_h5, "/report/" + pop + "/V/data");
    const uint64_t size = pop == "E" ? 1200 : pop == "I" ? 300 : 400;
    REQUIRE(a.size() == 1500 * size); // 1500 steps
    CHECK(a == b); // V of every neuron at every step, bit for bit
  }
}

TEST_CASE("channels: the exponential synapses describe their current as a channel only where "
          "tau (and E_syn) is one for all elements") {
  for (const char *name : {"exp_current", "exp_conductance"}) {
    CAPTURE(name);
    const bool conductance = std::string(name) == "exp_conductance";
    PluginInstance s(builtin_descriptor(name), 16, 0.1);
    s.set("tau", 4.0);
    s.set("scheme", 0); // exact
    if (conductance) s.set("E_syn", -75.0);
    const AllToAll csr(2, 16, 0.5f);
    csr.attach(s.view);
    s.view.n_pre = 2;
    std::vector<uint8_t> uniform(s.desc->n_fields, 1);
    s.view.uniform = uniform.data();
    s.init();
    REQUIRE(bool(s.desc->cpu->channel));
    gg_channel c{};
    REQUIRE(s.desc->cpu->channel(&s.view, &c, &s.err) == GG_OK);
    CHECK(c.form == (conductance ? GG_CHANNEL_CONDUCTANCE : GG_CHANNEL_CURRENT));
    CHECK(c.g == s.field(conductance ? "g" : "I"));
    CHECK(c.decay == std::exp(-0.1 / 4.0));
    CHECK(c.scale == -std::expm1(-0.1 / 4.0) / (0.1 / 4.0)); // the mean over the step
    CHECK(c.E == (conductance ? -75.0 : 0.0));
    // tau differs between elements (not uniform): no channel.
    uniform[s.index("tau")] = 0;
    REQUIRE(s.desc->cpu->channel(&s.view, &c, &s.err) == GG_OK);
    CHECK(c.form == GG_CHANNEL_NONE);
    if (conductance) { // E_syn differs
      uniform[s.index("tau")] = 1;
      uniform[s.index("E_syn")] = 0;
      REQUIRE(s.desc->cpu->channel(&s.view, &c, &s.err) == GG_OK);
      CHECK(c.form == GG_CHANNEL_NONE);
    }
  }
}

TEST_CASE("checks_bounds: lif and eif check V as they store it; the kernel still stops the run "
          "at the step and neuron where V left its range, also when a reset put it there") {
  // lif and eif declare GG_DESC_CHECKS_BOUNDS: the kernel scans V only where the step says it may
  // be outside [-1000, 1000] mV. Neuron 2 of 4 is driven down (I_e -100 mV/ms) and leaves the
  // range after a number of steps known in closed form (eif's floor V_lb lowered out of the way);
  // for lif a reset to V_re = -1500 mV (below
  // the range, which only the reset path sees) makes every spike a divergence.
  for (const std::string model : {"lif", "eif"}) {
    CAPTURE(model);
    const std::string json = R"({"ganglion": 1, "simulation": {"dt": "0.1 ms", "duration": "200 ms"},
      "populations": {"P": {"model": ")" + model + R"(", "size": 4,
        "params": {"tau_m": "10 ms", "E_L": "-65 mV", "I_e": [0, 0, -100, 0])" +
                             (model == "eif" ? R"(, "V_lb": "-2000 mV")" : "") + R"(}}},
      "projections": [], "recorders": []})";
    const InProcessRun r = run_in_process(json);
    REQUIRE(r.report.diverged);
    CHECK(r.report.divergence.find("population 'P' (" + model + ") diverged at t = ") == 0);
    CHECK(r.report.divergence.find("neuron 2 has V = ") != std::string::npos);
    CHECK(r.report.divergence.find("outside [-1000, 1000] mV") != std::string::npos);
    // dV/dt = -(V - E_L)/tau_m + I_e leaves [-1000, 1000] mV in the step the closed form says
    // (Euler for eif, where the exponential term is below 1e-300 there; exact for lif).
    const double dt = 0.1, tau = 10, v_inf = -65 - 100 * tau;
    double V = -65;
    uint64_t steps = 0;
    while (V >= -1000) {
      V = model == "lif" ? v_inf + (V - v_inf) * std::exp(-dt / tau)
                         : V + dt * ((-65 - V) / tau - 100);
      ++steps;
    }
    CHECK(r.report.steps_done == steps);
  }
  const std::string reset = R"({"ganglion": 1, "simulation": {"dt": "0.1 ms", "duration": "200 ms"},
    "populations": {"P": {"model": "lif", "size": 3, "params": {"V_re": "-1500 mV", "I_e": [0, 3, 0]}}},
    "projections": [], "recorders": []})";
  const InProcessRun r = run_in_process(reset);
  REQUIRE(r.report.diverged);
  CHECK(r.report.divergence.find("neuron 1 has V = -1500 mV, outside [-1000, 1000] mV") !=
        std::string::npos);
  CHECK(r.report.populations.at(0).spikes == 1); // the spike that reset it
  // In the step of that spike, not the next: V = -35 + (V - -35) e^(-dt/tau) reaches V_th = -50.
  double V = -65;
  uint64_t steps = 0;
  while (V < -50) {
    V = -35 + (V + 35) * std::exp(-0.1 / 10);
    ++steps;
  }
  CHECK(r.report.steps_done == steps);
}
