// The integrate-and-fire step of lif and eif, for any neuron whose V integrates, crosses V_th,
// resets to V_re and is held there for tau_ref: a branch-free vector loop over
// ganglion::step_chunks that fuses the synaptic channels (with_channels) and checks V's range as
// it stores V (GG_DESC_CHECKS_BOUNDS). A neuron uses it as lif does:
//
//   static constexpr bool channels = true, checks_bounds = true;
//   static constexpr integrate_and_fire::Fields kFields{V, refractory_until, V_th, V_re, tau_ref,
//                                                       fields[V].min, fields[V].max};
//   GANGLION_SIMD static void step(const gg_view &v) {
//     ganglion::with_params(v, {V_th, V_re, tau_ref, ...}, [&](const auto &p) GANGLION_INLINE {
//       ganglion::with_channels(v, [&](const auto &syn) GANGLION_INLINE {
//         integrate_and_fire::step<kFields>(v, p, [&](uint64_t i, double V) GANGLION_INLINE {
//           return /* V integrated over the step, with input syn(i, V) */;
//         });
//       });
//     });
//   }
//
// `until` (the refractory_until field, a trace) is the first step after a spike's hold of V at
// V_re: a step earlier than it is held. Kept as a step number rather than a count down, it is
// written only at a spike, not in every step.
#ifndef GANGLION_INTEGRATE_AND_FIRE_HPP
#define GANGLION_INTEGRATE_AND_FIRE_HPP

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <type_traits>

#include "ganglion/integrate_and_fire_element.hpp"
#include "ganglion/plugin_abi.h"
#include "ganglion/sdk/neuron_loop.hpp"
#include "ganglion/sdk/view.hpp"
#include "ganglion/simd.hpp"

namespace ganglion::integrate_and_fire {

// step_chunks' crossed: whether V reached V_th after the step (a comparison that vectorises).
[[gnu::always_inline]] inline bool crossed(double V, double V_th) {
  return V >= V_th;
}

// step_chunks' fire: at V >= V_th a spike at step `now`, V = V_re, held for `hold` steps
// (tau_ref / dt rounded) from the next step on.
inline bool fire(double &V, double &until, double now, double V_th, double V_re, double hold) {
  if (!crossed(V, V_th)) return false;
  V = V_re;
  until = now + 1 + hold;
  return true;
}

// The fields the whole step needs: indices in the plugin's table, and V's range (its bound check).
struct Fields {
  int V, until, V_th, V_re, tau_ref;
  double V_min, V_max;
};

// The whole step through ganglion::step_chunks: next(i, V) is element i's integrated potential
// from V (its value at the start of the step), branch-free and inlined into the vector loop
// (GANGLION_INLINE); then the hold, and the threshold and reset only where an element crossed.
// p is with_params' parameters (with at least V_th, V_re and tau_ref). The loop also checks V's
// range as it stores V (a NaN fails too), so the kernel need not scan V again
// (GG_DESC_CHECKS_BOUNDS: declare `checks_bounds = true`): where V may be outside, it sets
// v.out_of_range and the kernel finds the element.
template <Fields F, class Params, class Next>
[[gnu::always_inline]] inline void step(const gg_view &v, const Params &p, Next &&next) {
  // V's range is |V| <= V_max, so that one comparison of magnitudes checks it.
  static_assert(F.V_min == -F.V_max && F.V_max > 0,
                "integrate_and_fire: V's range must be symmetric");
  double *const V_ = v.fields[F.V], *const until = v.fields[F.until];
  const double now = double(v.step), dt = v.dt;
  int outside = 0;
  // The hold in steps, rounded once where tau_ref is one for all (a call of round per spike
  // otherwise: Vogels' E fires at 135 Hz).
  constexpr bool same = std::remove_cvref_t<Params>::is_uniform;
  const double hold0 = hold_steps(p(F.tau_ref, 0), dt);
  // |V|'s bits (sign cleared) order as |V| does, with inf and then NaN above every finite value.
  constexpr uint64_t kMagnitude = ~(uint64_t(1) << 63);
  constexpr auto kMaxBits = int64_t(std::bit_cast<uint64_t>(F.V_max));
  ganglion::step_chunks(
      v,
      [&](uint64_t begin, uint64_t end) GANGLION_INLINE {
        double *__restrict x = V_;
        const double *__restrict u = until;
        // Two integer reductions, two vector operations an element each (comparisons and flags
        // took eight): the lowest V_th - V as bits, at most 0 (as an int64: a zero or negative
        // double) iff some V >= V_th; the highest |V| as bits, above V_max's iff some V is
        // outside its range or NaN. (A max of doubles does not vectorise: NaN's rules.)
        int64_t below = std::numeric_limits<int64_t>::max();
        int64_t magnitude = 0;
#pragma GCC ivdep // next may read and advance synaptic channels (ganglion::with_channels)
        for (uint64_t i = begin; i < end; ++i) {
          // A held element stays at V_re, any other takes the integrated value (next runs for
          // every element: it advances the channels). The new V is compared from the register:
          // reading it back after the store slows the vector loop.
          const double integrated = next(i, x[i]);
          const double V = u[i] <= now ? integrated : p(F.V_re, i);
          x[i] = V;
          // (Exact for finite values: V_th - V is +0 or -0 only where they are equal.)
          below = std::min(below, int64_t(std::bit_cast<uint64_t>(p(F.V_th, i) - V)));
          magnitude = std::max(magnitude, int64_t(std::bit_cast<uint64_t>(V) & kMagnitude));
        }
        // A NaN or infinite V is outside; whether it also counts as crossed does not matter.
        outside |= int(magnitude > kMaxBits);
        return below <= 0;
      },
      [&](uint64_t i) GANGLION_INLINE { return crossed(V_[i], p(F.V_th, i)); },
      [&](uint64_t i) {
        // A spike sets V to V_re, which the loop above did not see.
        outside |= !(p(F.V_re, i) >= F.V_min && p(F.V_re, i) <= F.V_max);
        return fire(V_[i], until[i], now, p(F.V_th, i), p(F.V_re, i),
                    same ? hold0 : hold_steps(p(F.tau_ref, i), dt));
      });
  if (outside && GANGLION_VIEW_HAS(v, out_of_range) && v.out_of_range) *v.out_of_range = 1;
}

} // namespace ganglion::integrate_and_fire

#endif
