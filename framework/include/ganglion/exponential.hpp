// What the exponential synapses (exp_current, exp_conductance, or one of your own whose state x
// decays as tau dx/dt = -x and jumps at each arrival) share: per-step factors derived from tau,
// scheme and convention, the channel form of `current` that a neuron step may compute
// (ganglion/sdk/channels.hpp), and the step that applies the arrivals.
//
// The state is decayed in `current`, in the same pass that hands the neuron its input (the kernel
// calls `current` once per step, before `step`): x_{n+1} = decay x_n + arrivals_n takes one pass
// over x per step instead of two.
#ifndef GANGLION_EXPONENTIAL_HPP
#define GANGLION_EXPONENTIAL_HPP

#include <cmath>
#include <cstdint>

#include "ganglion/plugin_abi.h"
#include "ganglion/sdk/delivery.hpp"
#include "ganglion/sdk/params.hpp"
#include "ganglion/sdk/view.hpp"

namespace ganglion::exponential {

// Field indices of the shared fields in a plugin's table.
struct Fields {
  int tau, scheme, convention, decay, jump, average;
};

// decay: exp(-dt/tau) (exact) or 1 - dt/tau (euler); jump per unit weight: 1/tau (integral: the
// weight is the area) or 1 (peak: the weight is the jump); average: the state's mean over a step
// relative to its start, -expm1(-x)/x with x = dt/tau (exact), 1 (euler: the reference scheme).
inline void precompute(const gg_view &v, const Fields &f) {
  const bool euler = v.fields[f.scheme][0] != 0, peak = v.fields[f.convention][0] != 0;
  for (uint64_t j = 0; j < v.n; ++j) {
    const double t = v.fields[f.tau][j], x = v.dt / t;
    v.fields[f.decay][j] = euler ? 1.0 - x : std::exp(-x);
    v.fields[f.jump][j] = peak ? 1.0 : 1.0 / t;
    v.fields[f.average][j] = euler ? 1.0 : -std::expm1(-x) / x;
  }
}

// The per-step factors of the elements. With one tau in the whole instance (`same`) element 0's
// serve every element and are loaded once.
struct Factors {
  const double *decay_, *jump_, *average_;
  bool same;
  Factors(const gg_view &v, const Fields &f)
      : decay_(v.fields[f.decay]), jump_(v.fields[f.jump]), average_(v.fields[f.average]),
        same(ganglion::uniform(v, f.tau)) {}
};

// The channel form of `current` (gg_channel) where tau is one for the whole instance (and, for a
// conductance, E_syn: pass its field, or -1 for a current): the neuron step may then compute it.
inline gg_channel channel(const gg_view &v, const Fields &f, double *state, int E_syn) {
  const Factors k(v, f);
  if (!k.same || (E_syn >= 0 && !ganglion::uniform(v, E_syn)))
    return {GG_CHANNEL_NONE, nullptr, 0, 0, 0};
  return {E_syn >= 0 ? GG_CHANNEL_CONDUCTANCE : GG_CHANNEL_CURRENT, state, k.average_[0],
          E_syn >= 0 ? v.fields[E_syn][0] : 0.0, k.decay_[0]};
}

// Adds weight x jump to `state` for every synapse whose spike arrives now, times the arrival's
// count of spikes (the state was decayed by this step's `current`). Inlined into the plugins'
// GANGLION_SIMD step hooks.
[[gnu::always_inline]] inline void deliver(const gg_view &v, const Fields &f, double *state) {
  const Factors k(v, f);
  double *__restrict x = state;
  const float *__restrict w = v.weight;
  if (k.same && ganglion::weights_uniform(v)) { // one value for every synapse: no weight loads
    const double add = v.n_arrivals ? double(w[0]) * k.jump_[0] : 0.0;
    ganglion::for_each_arrival(v, [&](uint32_t j, uint64_t, double n) { x[j] += add * n; });
  } else if (k.same) {
    const double jump = k.jump_[0];
    ganglion::for_each_arrival(
        v, [&](uint32_t j, uint64_t s, double n) { x[j] += double(w[s]) * jump * n; });
  } else {
    const double *__restrict jump = k.jump_;
    ganglion::for_each_arrival(
        v, [&](uint32_t j, uint64_t s, double n) { x[j] += double(w[s]) * jump[j] * n; });
  }
}

} // namespace ganglion::exponential

#endif
