// Poisson spike source: each neuron an independent Poisson train of rate `rate`. Every step each
// neuron draws its spike COUNT from Poisson(rate dt), so the train stays exact at rates where
// several spikes fall in one step. The draw is keyed by (seed, global id, step): independent of
// threads and identical on every backend.
#include <cmath>
#include <cstdio>

#include "ganglion/plugin.hpp"

namespace {

using ganglion::inf;

struct Poisson {
  static constexpr const char *name = "poisson";
  static constexpr gg_kind kind = GG_KIND_NEURON;
  static constexpr bool source = true;
  static constexpr const char *doc =
      "Poisson spike source: independent trains of rate `rate`; each step a neuron emits "
      "k ~ Poisson(rate dt) spikes (k > 1 is possible at high rates). Takes no input.";

  enum Field { rate, p_none, count };
  static constexpr gg_field fields[] = {
      ganglion::param("rate", "Hz", 10, 0, inf, "firing rate"),
      ganglion::trace("p_none", "1", "exp(-rate dt): the probability of no spike in a step"),
  };

  // Above this many spikes per step the inversion below loses precision (exp(-lambda) heads for
  // underflow); no use of a Poisson source comes near it (100 spikes per 0.1 ms is 1 MHz).
  static constexpr double kMaxPerStep = 100;

  static void init(const gg_view &v) {
    for (uint64_t i = 0; i < v.n; ++i) {
      const double lambda = v.fields[rate][i] * 1e-3 * v.dt;
      if (lambda > kMaxPerStep) {
        char why[256];
        std::snprintf(why, sizeof why,
                      "rate %g Hz gives %g spikes per step of %g ms, above the supported %g: "
                      "lower the rate, or split the source into several",
                      v.fields[rate][i], lambda, v.dt, kMaxPerStep);
        throw ganglion::Failure(why);
      }
      v.fields[p_none][i] = std::exp(-lambda);
    }
  }

  // A rate schedule changed `rate`: recompute p_none.
  static void update(const gg_view &v) { init(v); }

  static void step(const gg_view &v) {
    const double *r = v.fields[rate], *p0 = v.fields[p_none];
    for (uint64_t i = 0; i < v.n; ++i) {
      const uint64_t gid = v.first_gid + i;
      const gg_u32x4 w = gg_random4(v.seed, v.rng_stream, uint32_t(gid), uint32_t(gid >> 32),
                                    uint32_t(v.step), uint32_t(v.step >> 32));
      const double u = gg_uniform(w.v[0], w.v[1]);
      if (u <= p0[i]) continue; // the common case: no spike
      // Inversion of the Poisson CDF from k = 1 on.
      const double lambda = r[i] * 1e-3 * v.dt;
      double p = p0[i], cdf = p0[i];
      uint64_t k = 0;
      while (u > cdf && k < 10 * uint64_t(kMaxPerStep)) {
        ++k;
        p *= lambda / double(k);
        cdf += p;
      }
      for (uint64_t s = 0; s < k; ++s) ganglion::emit_spike(v, i);
    }
  }
};

} // namespace

GANGLION_PLUGIN(Poisson)
