// The poisson source's draws, for the host and a CUDA device (GG_HD): the plugin (poisson.cpp)
// calls them, and its CUDA step (poisson.cu) runs `Step` for each element, so both give the same
// spikes for one seed.
#pragma once

#include <cstdint>

#include "ganglion/elementary.h"
#include "ganglion/hd.h"
#include "ganglion/philox.h"
#include "ganglion/plugin_abi.h"
#include "ganglion/poisson_count.hpp"
#include "ganglion/uniform_stream.hpp"

namespace ganglion::poisson {

// Spikes a step from which a neuron's count per step is drawn at once: there intervals would cost
// a draw and a log per spike.
constexpr double kCountFrom = 1;

GG_HD bool counted(double rate, double dt) {
  return rate * 1e-3 * dt >= kCountFrom;
}

// The interval (ms) to a neuron's next spike at rate r > 0 (Hz): Exp(r), from Philox draw number
// n of its global id (counter: gid low, gid high, n low, n high; n's high half stays below 2^31).
GG_HD double interval(uint64_t seed, uint64_t stream, uint64_t gid, uint64_t n, double r) {
  const gg_u32x4 w =
      gg_random4(seed, stream, uint32_t(gid), uint32_t(gid >> 32), uint32_t(n), uint32_t(n >> 32));
  // u in (0, 1): the interval is finite and positive.
  return -gg_log(gg_uniform(w.v[0], w.v[1])) * (1e3 / r);
}

// A neuron's spikes before t_end (the end of the step) from its next spike's time t_next: each
// spike's interval drawn after it, t_next and the draw counter `draws` advanced past them. Rate
// r > 0 (at rate 0, t_next is inf and nothing is drawn).
GG_HD uint64_t spikes_before(double t_end, double &t_next, double &draws, uint64_t seed,
                             uint64_t stream, uint64_t gid, double r) {
  uint64_t k = 0;
  for (; t_next < t_end; ++k) {
    const auto n = uint64_t(draws);
    draws = double(n + 1);
    t_next += interval(seed, stream, gid, n, r);
  }
  return k;
}

// A neuron's spikes in one step drawn at once (its rate a spike a step or more): Poisson(rate dt)
// from the uniforms of the blocks (gid, step mod 2^32, 2^31 + block), apart from the intervals'.
GG_HD uint64_t step_count(uint64_t seed, uint64_t stream, uint64_t gid, uint64_t step,
                          const PoissonCount &count) {
  UniformStream u(seed, stream, gid, uint32_t(step), 0x80000000u);
  return count.draw([&] { return u.uniform(); });
}

// The fields, in the table's order (poisson.cpp), shared by both backends.
enum Field { rate, t_next, draws, count };

// One element's step: its spikes in the step, drawn at once where its t_next is -inf (counted),
// else those of its intervals before the step's end t_end = t + dt (t = step dt, as the kernel
// gives it). A rate-0 neuron (t_next inf) has none.
struct Step {
  const double *rates;
  double *next, *drawn; // t_next and draws
  uint64_t seed, stream, first_gid;
  double dt;
  // A batch's members (gg_view::batch_n; 0: none): element i draws with its member's seed and
  // global id, as gg_element_seed and gg_element_gid say, here on the device too.
  uint64_t batch_n, batch_offset, batch_first_gid;
  const uint64_t *batch_seeds;
  GG_HD uint64_t seed_of(uint64_t i) const {
    return batch_n ? batch_seeds[(batch_offset + i) / batch_n] : seed;
  }
  GG_HD uint64_t gid_of(uint64_t i) const {
    return batch_n ? batch_first_gid + (batch_offset + i) % batch_n : first_gid + i;
  }
  GG_HD double t_end(uint64_t step) const { return double(step) * dt + dt; }
  GG_HD bool by_count(uint64_t i) const { return next[i] == -gg_double_of(0x7ff0000000000000ull); }
  // Its mean count in a step, where counted.
  GG_HD double mean(uint64_t i) const { return rates[i] * 1e-3 * dt; }
  // With `count` made for mean(i) where it is counted (the CPU keeps one while the mean is the
  // same).
  GG_HD uint64_t spikes(uint64_t i, uint64_t step, const PoissonCount &count) const {
    if (by_count(i)) return step_count(seed_of(i), stream, gid_of(i), step, count);
    return spikes_before(t_end(step), next[i], drawn[i], seed_of(i), stream, gid_of(i), rates[i]);
  }
  GG_HD uint64_t operator()(uint64_t i, uint64_t step) const {
    return spikes(i, step, PoissonCount(by_count(i) ? mean(i) : 0.0));
  }
};

inline Step step_of(const gg_view &v) {
  return Step{v.fields[rate],
              v.fields[t_next],
              v.fields[draws],
              v.seed,
              v.rng_stream,
              v.first_gid,
              v.dt,
              v.batch_n,
              v.batch_offset,
              v.batch_first_gid,
              v.batch_seeds};
}

// One neuron of rate r (Hz) from t = 0 over n_steps steps of dt (ms), as the plugin steps it
// (init, then step after step; no schedule): its spike count in step s into counts[s * stride].
// What a test compares between the plugin, the host and a device.
GG_HD void run_source(uint64_t seed, uint64_t stream, uint64_t gid, double r, double dt,
                      uint64_t n_steps, uint32_t *counts, uint64_t stride) {
  const double inf = gg_double_of(0x7ff0000000000000ull);
  const bool by_count = counted(r, dt);
  const PoissonCount count(by_count ? r * 1e-3 * dt : 0.0);
  double draws = by_count || !(r > 0) ? 0 : 1;
  double t_next = by_count ? -inf : (r > 0 ? 0.0 + interval(seed, stream, gid, 0, r) : inf);
  for (uint64_t s = 0; s < n_steps; ++s) {
    const double t_end = double(s) * dt + dt;
    counts[s * stride] =
        uint32_t(by_count ? step_count(seed, stream, gid, s, count)
                          : spikes_before(t_end, t_next, draws, seed, stream, gid, r));
  }
}

} // namespace ganglion::poisson
