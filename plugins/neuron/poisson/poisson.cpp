// Poisson spike source: each neuron an independent Poisson train of rate `rate`. Each neuron keeps
// the time of its next spike; intervals are exponential with mean 1/rate, so a step costs one
// comparison per neuron and a random draw only per spike (at 10 Hz and dt = 0.1 ms, one draw in a
// thousand steps instead of one every step). A spike is emitted in the step [t, t + dt) its time
// falls in, several in one step where they fall there, so the count in each step is exactly
// Poisson(rate dt). The n-th interval of a neuron is keyed by (seed, global id, n): independent of
// threads and slicing, and identical on every backend (the log is ganglion/elementary.h's).
// Where a neuron's rate gives a spike a step or more on average (kCountFrom), intervals would
// cost a draw and a log per spike: its count in each step is drawn at once instead, Poisson(rate
// dt) exactly (ganglion/poisson_count.hpp), keyed by (seed, global id, step).
#include <algorithm>
#include <cmath>
#include <cstring>

#include "ganglion/plugin.hpp"
#include "ganglion/poisson_count.hpp"
#include "poisson_model.hpp"

namespace {

using ganglion::inf;

struct Poisson {
  static constexpr const char *name = "poisson";
  static constexpr gg_kind kind = GG_KIND_NEURON;
  static constexpr bool batch = true; // element by element; draws by gg_element_*
  static constexpr bool source = true;
  static constexpr const char *doc =
      "Poisson spike source: independent trains of rate `rate` (exponential intervals, the "
      "process started at t = 0). Each spike is emitted in the step where it falls, so the count "
      "in a step is exactly Poisson(rate dt) (k > 1 is possible at high rates). Where rate dt is 1 "
      "or more (10 kHz at dt = 0.1 ms), the step's count is drawn at once instead, the same "
      "distribution at one draw a step. A rate schedule restarts the train at the change with the "
      "new rate. Takes no input.";

  using enum ganglion::poisson::Field; // shared with poisson.cu (poisson_model.hpp)
  static constexpr gg_field fields[] = {
      ganglion::param("rate", "Hz", 10, 0, inf, "firing rate"),
      ganglion::trace("t_next", "ms",
                      "time of the next spike (inf at rate 0; -inf where counts are drawn)"),
      ganglion::trace("draws", "1", "intervals drawn so far: the counter of the next draw"),
  };

  // A step emits rate dt spikes per neuron on average, each costing one draw inside the step, and
  // an infinite rate would never leave the loop; 100 per step (1 MHz at dt = 0.1 ms) is far above
  // any use. (The engine's spike buffer, 8 per source and step plus 1024 per slice, stops a large
  // population well below it, with its own error.)
  static constexpr double kMaxPerStep = 100;

  // Neurons are scanned in blocks of this many for a spike due in the step; only a block that
  // holds one is walked neuron by neuron.
  static constexpr uint64_t kBlock = 64;

  // Where a neuron's count per step is drawn at once (poisson::kCountFrom spikes a step or more):
  // its t_next is then -inf, so that its block is always walked.
  static bool counted(const gg_view &v, uint64_t i) {
    return ganglion::poisson::counted(v.fields[rate][i], v.dt);
  }

  // Where neuron i's next spike is, from view.t: an interval's end, or -inf where counts are
  // drawn.
  static double first_spike(const gg_view &v, uint64_t i) {
    return counted(v, i) ? -inf : v.t + interval(v, i);
  }

  static void check_rates(const gg_view &v) {
    ganglion::check_rate_per_step(v, rate, kMaxPerStep, "spikes per step",
                                  "lower the rate, or split the source into several");
  }

  // The interval (ms) to neuron i's next spike: Exp(rate), from draw number `draws` of its global
  // id, which it then advances. Rate 0: never (+inf), and no draw.
  static double interval(const gg_view &v, uint64_t i) {
    const double r = v.fields[rate][i];
    if (r <= 0) return inf;
    const uint64_t n = uint64_t(v.fields[draws][i]);
    v.fields[draws][i] = double(n + 1);
    return ganglion::poisson::interval(gg_element_seed(&v, i), v.rng_stream, gg_element_gid(&v, i),
                                       n, r);
  }

  // The first spike of a Poisson process started at view.t (0 at init).
  static void init(const gg_view &v) {
    check_rates(v);
    for (uint64_t i = 0; i < v.n; ++i) {
      v.fields[draws][i] = 0;
      v.fields[t_next][i] = first_spike(v, i);
    }
  }

  // A rate schedule changed `rate` at the step starting at view.t: by memorylessness the train
  // goes on from there as a fresh process of the new rate. Draws continue their count, so no
  // interval is drawn twice.
  static void update(const gg_view &v) {
    check_rates(v);
    for (uint64_t i = 0; i < v.n; ++i)
      v.fields[t_next][i] = first_spike(v, i);
  }

  // Whether any of x[0 .. m) is below t_end, as the sign bit of the OR of the bit patterns of
  // x[i] - t_end: negative exactly where x[i] < t_end (no x is NaN; two different doubles never
  // differ by 0, equal ones by +0, and inf - t_end is +inf). Unlike a compare-and-or, which g++ 12
  // vectorises only with AVX, this is a subtract and an OR that vectorise on baseline x86-64
  // (16-byte vectors) too. The fix-up in step compares exactly anyway.
  static bool any_due(const double *x, uint64_t m, double t_end) {
    uint64_t bits = 0;
    for (uint64_t i = 0; i < m; ++i) {
      const double d = x[i] - t_end;
      uint64_t b;
      std::memcpy(&b, &d, sizeof b);
      bits |= b;
    }
    return bits >> 63;
  }

  GANGLION_SIMD static void step(const gg_view &v) {
    const ganglion::poisson::Step s = ganglion::poisson::step_of(v);
    double *next = v.fields[t_next];
    const double t_end = s.t_end(v.step);
    ganglion::PoissonCount count(0); // made again only where the mean changes
    for (uint64_t b = 0; b < v.n; b += kBlock) {
      const uint64_t e = std::min(v.n, b + kBlock);
      if (!any_due(next + b, e - b, t_end)) continue; // the common case: no spike in the block
      for (uint64_t i = b; i < e; ++i) {
        if (s.by_count(i) && s.mean(i) != count.mean()) count = ganglion::PoissonCount(s.mean(i));
        for (uint64_t k = s.spikes(i, v.step, count); k > 0; --k)
          ganglion::emit_spike(v, i);
      }
    }
  }
};

} // namespace

GANGLION_PLUGIN(Poisson)
