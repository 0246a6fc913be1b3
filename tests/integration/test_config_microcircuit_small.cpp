// configs/microcircuit_small.json: the Potjans-Diesmann microcircuit scaled by 0.1 in neurons and
// in-degrees (weights / sqrt(0.1) and a DC current that makes up the mean input, as NEST's
// microcircuit example scales it). Claim: it keeps the published full-scale rates, within
// 20 % + 0.5 Hz in every population, excitatory below inhibitory in every layer, L2/3E and L6E the
// two slowest (below 1.5 Hz), every other population above 2 Hz. The run's report also gives its
// construction speed (RunReport::synapses_per_core_s).
//
// Why this tolerance: rates over (200, 1000] ms of one run of 1 s (seed 55, the config's). The
// scaled network is not the full one: where the published rates are (Hz) 0.903, 2.965, 4.414,
// 5.876, 7.569, 8.633, 1.105, 7.829, it gives 0.47, 2.08, 3.89, 4.97, 6.75, 7.76, 0.82, 7.00:
// 10-30 % low, L2/3E 48 % (0.44 Hz). The first-order compensation keeps the mean and the variance
// of each neuron's input, not the shape of its distribution (fewer, larger synapses). The
// full-scale network (configs/microcircuit.json, 1 s, seed 55, rates over (100, 1000] ms) gave
// 0.92, 3.01, 4.38, 5.88, 7.72, 8.66, 1.10, 7.84 Hz: within 2.3 % of the published rates, so the
// deviations above are the scaling's. The band 20 % + 0.5 Hz holds every one of them with at least
// 0.2 Hz to spare (L2/3E: 0.44 Hz off, band 0.68 Hz; L2/3I: 0.88 Hz off, band 1.09 Hz); seeds 1-5
// moved each rate by at most 0.74 Hz in L5E (band 2.0 Hz) and by at most 0.17 Hz elsewhere (L2/3I
// 2.05-2.23 Hz).

#include <doctest/doctest.h>

#include <string>

#include "analysis/spike_stats.hpp"
#include "support.hpp"

using namespace ganglion::test;

TEST_CASE("config microcircuit_small: the scaled circuit keeps the published rates") {
  const char *const names[8] = {"L23E", "L23I", "L4E", "L4I", "L5E", "L5I", "L6E", "L6I"};
  const double published[8] = {0.903, 2.965, 4.414, 5.876, 7.569, 8.633, 1.105, 7.829};
  const uint64_t sizes[8] = {2068, 583, 2192, 548, 485, 106, 1440, 295};
  const InProcessRun run =
      run_in_process(read_file(source_path("configs/microcircuit_small.json")));
  REQUIRE_FALSE(run.report.diverged);
  // The report's construction speed: the synapses over the setup's core-seconds.
  const ganglion::RunReport &r = run.report;
  CHECK(r.synapses() == 2988807 + 7717); // the recurrent ones and one per neuron from its drive
  REQUIRE(r.setup_s > 0);
  CHECK(r.synapses_per_core_s ==
        doctest::Approx(double(r.synapses()) / (r.setup_s * double(r.threads))));
  MESSAGE("construction: " << r.synapses_per_core_s << " synapses per second per core");
  // Arrival queues where the delays are drawn (the 55 recurrent projections), none for the
  // drives: each at least its 32-byte slots, one per step of its longest delay.
  REQUIRE(r.projections.size() == 55 + 8);
  for (const auto &p : r.projections) {
    CAPTURE(p.name);
    if (p.name.find("_bg") != std::string::npos)
      CHECK(p.queue_bytes == 0);
    else
      CHECK(p.queue_bytes >= 32 * 10);
  }
  MESSAGE("arrival queues: " << double(r.queue_bytes()) / 1e6 << " MB");
  double rate[8];
  for (int a = 0; a < 8; ++a) {
    const SpikeTrain &s = run.spikes.at(names[a]);
    rate[a] = ganglion::mean_rate_hz(s.times, s.ids, sizes[a], 1000, 200);
    MESSAGE(std::string(names[a]) << ": " << rate[a] << " Hz (published " << published[a] << ")");
    CHECK(std::fabs(rate[a] - published[a]) < 0.2 * published[a] + 0.5);
  }
  for (int layer = 0; layer < 4; ++layer)
    CHECK(rate[2 * layer] < rate[2 * layer + 1]);
  for (int a = 0; a < 8; ++a) {
    CAPTURE(names[a]);
    if (a == 0 || a == 6)
      CHECK(rate[a] < 1.5);
    else
      CHECK(rate[a] > 2.0);
  }
}
