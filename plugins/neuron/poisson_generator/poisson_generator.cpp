// Poisson drive (NEST's poisson_generator): a source whose trains are never emitted as spikes.
// The kernel draws them where they arrive (GG_DESC_DRIVE): each step, every synapse of the
// generator's projections takes a Poisson(rate dt) count of spikes, independent between
// synapses and steps, so the cost is one draw per target and step whatever the rate. This
// plugin holds the rate and checks it; its step does nothing.
#include "ganglion/plugin.hpp"

namespace {

struct PoissonGenerator {
  static constexpr const char *name = "poisson_generator";
  static constexpr gg_kind kind = GG_KIND_NEURON;
  static constexpr bool batch = true; // element by element; draws by gg_element_*
  static constexpr bool source = true;
  static constexpr bool drive = true;
  static constexpr const char *doc =
      "Poisson drive, as NEST's poisson_generator: each step, every synapse of its projections "
      "gets an independent Poisson(rate dt) count of spikes (c spikes: c times the weight), drawn "
      "exactly where it arrives, so the cost is per target and step, not per spike. Connected "
      "all_to_all from one generator, every target gets its own train of rate `rate` (give it "
      "8 Hz x 2000 inputs = 16000 Hz for 2000 independent 8 Hz inputs). The counts depend on the "
      "seed, the projection, the generator's element, the target's global id and the step only "
      "(any thread count gives the same); the delay of its projections has no effect (the train "
      "is stationary; a rate schedule acts from its step on). It emits no spikes: it cannot be "
      "recorded, and no plasticity acts on its projections. Takes no input.";

  enum Field { rate, count };
  static constexpr gg_field fields[] = {
      ganglion::param("rate", "Hz", 10, 0, ganglion::inf,
                      "rate of every train it gives a synapse (Hz)"),
  };

  // The count of a step is drawn inside the step and handed as that many arrivals: above 100 a
  // step (1 MHz at dt = 0.1 ms) the arrivals outweigh the drive's point.
  static constexpr double kMaxPerStep = 100;

  static void check_rates(const gg_view &v) {
    ganglion::check_rate_per_step(v, rate, kMaxPerStep, "arrivals per synapse and step",
                                  "lower the rate, or give the targets several projections");
  }

  static void init(const gg_view &v) { check_rates(v); }
  static void update(const gg_view &v) { check_rates(v); }
  static void step(const gg_view &) {}
};

} // namespace

GANGLION_PLUGIN(PoissonGenerator)
