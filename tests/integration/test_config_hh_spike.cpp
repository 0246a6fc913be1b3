// configs/hh_spike.json: one classic Hodgkin-Huxley neuron at rest (V = -65 mV, gates at their
// steady states), a current pulse I_app = 10 uA/cm^2 over [1, 2) ms, 30 ms at dt = 0.1 ms. Run
// in-process (loader, Simulation, Hdf5Writer), V read back from /report/HH/V/data (the state
// recorder: sample k = 1, 2, ... is V at t = k dt). The reference is RK4 at 0.001 ms from the same
// state with the same pulse, held over whole steps as the engine applies it
// (plugins/neuron/hh/hh_reference.hpp), sampled at the same times. Checked:
//   - exactly one spike, stamped at the end of the step in which V crossed 0 mV;
//   - the peak of the sampled V: the classic ~+40 mV (reference: 39.03 mV sampled, 39.07 true);
//   - the width at half height (half-way between rest, -65 mV, and the peak; the two crossings of
//     that level interpolated linearly between samples): reference 1.46 ms;
//   - the after-hyperpolarisation: the minimum after the peak, reference -76.17 mV, at least
//     10 mV below rest;
//   - V back near rest at the end (reference -65.08 mV at 30 ms).
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "../../plugins/neuron/hh/hh_reference.hpp"
#include "engine/simulation.hpp"
#include "experiment/loader.hpp"
#include "output/hdf5_writer.hpp"
#include "registry/registry.hpp"
#include "support.hpp"

using namespace ganglion;
using namespace ganglion::test;

namespace {

// Linear interpolation of the two crossings of `level` around the maximum of V (V[k] at
// t = (k + 1) dt): their distance in ms; -1 when V does not come back down.
double width_at(const std::vector<double> &V, double dt, double level) {
  const std::size_t top = std::size_t(std::max_element(V.begin(), V.end()) - V.begin());
  std::size_t up = top, down = top;
  while (up > 0 && V[up - 1] >= level) --up;     // V[up - 1] < level <= V[up]
  while (down + 1 < V.size() && V[down + 1] >= level) ++down; // V[down] >= level > V[down + 1]
  if (up == 0 || down + 1 >= V.size()) return -1;
  const double t_up = (double(up) + (level - V[up - 1]) / (V[up] - V[up - 1])) * dt;
  const double t_down = (double(down + 1) + (V[down] - level) / (V[down] - V[down + 1])) * dt;
  return t_down - t_up;
}

} // namespace

TEST_CASE("config hh_spike: one action potential with the classic height, width and AHP") {
  TempDir dir;
  const std::string out = dir / "hh_spike.h5";
  PluginRegistry registry = PluginRegistry::discover();
  const Experiment exp = load_experiment(source_path("configs/hh_spike.json"), {}, registry);
  {
    Hdf5Writer writer(out);
    Simulation sim(exp, &writer);
    sim.run();
    writer.commit();
  }
  const double dt = 0.1;
  const std::vector<double> V = read_h5_f64(out, "/report/HH/V/data");
  const std::vector<double> spikes = read_h5_f64(out, "/spikes/HH/timestamps");
  REQUIRE(V.size() == 300); // 30 ms, one sample per step

  // The reference from the config's state and pulse: I over step k is its value at t = k dt.
  namespace ref = ganglion::hh_reference;
  const ref::Model model;
  const ref::Trajectory r =
      ref::run(model, model.rest(-65), 30, dt, 100,
               [](double t) { return t >= 1 - 1e-9 && t < 2 - 1e-9 ? 10.0 : 0.0; });
  REQUIRE(r.crossings.size() == 1);
  CAPTURE(r.crossings[0]);

  // Exactly one spike, stamped at the end of its crossing step: the reference crossing rounded
  // up to the grid (3.27 -> 3.3 ms); the scheme's own time error (0.009 ms) is far from moving it
  // across a step boundary here, so 0.02 ms of slack on either side of the step.
  REQUIRE(spikes.size() == 1);
  CHECK(spikes[0] >= r.crossings[0] - 0.02);
  CHECK(spikes[0] <= r.crossings[0] + dt + 0.02);

  // Peak of the sampled V. The classic HH spike peaks near +40 mV; the reference sampled at the
  // same times peaks at 39.03 mV (39.07 between samples). The plugin's error there is 0.002 mV
  // (0.12 mV for the spike of hh.cpp's shock test); 0.5 mV is the tolerance.
  const double peak = *std::max_element(V.begin(), V.end());
  const double ref_peak = *std::max_element(r.V.begin(), r.V.end());
  CAPTURE(peak);
  CAPTURE(ref_peak);
  CHECK(ref_peak == doctest::Approx(39.03).epsilon(0.005)); // the reference is what we think
  CHECK(std::abs(peak - ref_peak) < 0.5);

  // Width at half height, level (-65 + peak)/2 ~ -12.5 mV, crossings interpolated linearly
  // between samples. Reference (same sampling) 1.459 ms, 1.455 ms from its fine trajectory;
  // the plugin gives 1.459 ms. Tolerance 0.05 ms: half a step, covering the linear
  // interpolation's error on the curved flanks (0.005 ms here) with room.
  const double width = width_at(V, dt, (-65 + peak) / 2);
  const double ref_width = width_at(r.V, dt, (-65 + ref_peak) / 2);
  CAPTURE(width);
  CAPTURE(ref_width);
  CHECK(ref_width == doctest::Approx(1.459).epsilon(0.01));
  CHECK(std::abs(width - ref_width) < 0.05);

  // After-hyperpolarisation: the minimum after the peak (potassium still open, V pulled towards
  // E_K = -77 mV): reference -76.17 mV. It must lie at least 10 mV below rest, and within
  // 0.2 mV of the reference (the plugin: -76.17 mV).
  const auto top = std::max_element(V.begin(), V.end());
  const double ahp = *std::min_element(top, V.end());
  const double ref_ahp = *std::min_element(std::max_element(r.V.begin(), r.V.end()), r.V.end());
  CAPTURE(ahp);
  CAPTURE(ref_ahp);
  CHECK(ahp < -65 - 10);
  CHECK(std::abs(ahp - ref_ahp) < 0.2);

  // Back towards rest at 30 ms (reference -65.09 mV), without a second spike.
  CHECK(std::abs(V.back() - r.V.back()) < 0.2);
}
