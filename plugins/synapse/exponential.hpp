// What the exponential synapses (exp_current, exp_conductance) share: per-step factors derived
// from tau, scheme and convention, and the step that decays the state and applies the arrivals.
#pragma once

#include <cmath>

#include "ganglion/plugin_abi.h"

namespace ganglion::exponential {

// Field indices of the shared fields in a plugin's table.
struct Fields {
  int tau, scheme, convention, decay, jump, average, same_jump;
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
  // Whether every element has the same jump (one tau): delivery then skips a scattered load.
  bool same = true;
  for (uint64_t j = 1; j < v.n; ++j)
    same = same && v.fields[f.jump][j] == v.fields[f.jump][0];
  if (v.n) v.fields[f.same_jump][0] = same ? 1.0 : 0.0;
}

// Decays `state` by one step, then adds weight x jump for every synapse whose spike arrives now.
inline void step(const gg_view &v, const Fields &f, double *state) {
  const double *dec = v.fields[f.decay], *jmp = v.fields[f.jump];
  for (uint64_t j = 0; j < v.n; ++j)
    state[j] *= dec[j];
  if (v.n && v.fields[f.same_jump][0] != 0) {
    const double jump = jmp[0];
    for (uint64_t a = 0; a < v.n_arrivals; ++a)
      for (uint64_t k = v.arrivals[a].begin; k < v.arrivals[a].end; ++k)
        state[v.post_index[k]] += double(v.weight[k]) * jump;
    return;
  }
  for (uint64_t a = 0; a < v.n_arrivals; ++a)
    for (uint64_t k = v.arrivals[a].begin; k < v.arrivals[a].end; ++k) {
      const uint32_t j = v.post_index[k];
      state[j] += double(v.weight[k]) * jmp[j];
    }
}

} // namespace ganglion::exponential
