// with_channels: a neuron step's input with the synaptic channels the kernel hands it
// (GG_DESC_CHANNELS) computed in the neuron's own element loop.
#ifndef GANGLION_SDK_CHANNELS_HPP
#define GANGLION_SDK_CHANNELS_HPP

#include <cstdint>
#include <initializer_list>
#include <string>

#include "ganglion/hd.h"
#include "ganglion/plugin_abi.h"
#include "ganglion/sdk/errors.hpp"
#include "ganglion/sdk/params.hpp"
#include "ganglion/sdk/view.hpp"

namespace ganglion {

// One channel's current at potential V from its state s at the start of the step (gg_channel's
// forms), for the host and a CUDA device (GG_HD): with_channels below and a device kernel give the
// same bits. Where the scale is exactly 1 (UnitScale) its multiplication is left out: s * 1.0 is
// s, bit for bit.
template <int Form, bool UnitScale>
GG_HD double channel_current(double s, double scale, double E, double V) {
  const double scaled = UnitScale ? s : s * scale;
  if constexpr (Form == GG_CHANNEL_CONDUCTANCE)
    return scaled * (E - V);
  else
    return scaled;
}

// One element of a synapse's `current` in a channel's form, with its own scale and decay (the
// synapses' host loops and their CUDA kernels alike): the input gains channel_current, then the
// state decays.
template <int Form>
GG_HD void channel_element(double &in, double &s, double scale, double decay, double E, double V) {
  const double x = s;
  in += channel_current<Form, false>(x, scale, E, V);
  s = x * decay;
}

// The input of a neuron step that fuses its synaptic channels (GG_DESC_CHANNELS, a neuron
// declaring `channels = true`): the incoming projections whose current the step computes in its own
// element loop, in place of their `current` hooks, so that the synapses' state is read and written
// once per step, in the neuron's pass. Written once for every case:
//
//   ganglion::with_channels(v, [&](const auto &syn) GANGLION_INLINE {
//     #pragma GCC ivdep
//     for (uint64_t i = ...) {
//       const double I = syn(i, V[i]); // before V[i] changes
//       ...
//
// syn(i, V) is element i's input: the kernel's `input` (none where it is NULL) plus each channel's
// current at potential V (gg_channel's forms, in the channels' order and with their rounding: the
// same values as the synapses' `current` hooks add to a cleared input, to the sign of a zero sum
// where there is no input); it advances the channels' state over the step, so call it once per
// element and step. The body is instantiated for each case (no channel, 1 to GG_MAX_CHANNELS of
// either form, with and without `input`, and without `input` also for scales all exactly 1), with
// the channels' constants loaded once. `#pragma GCC ivdep`: the channels' state arrays come as
// pointers the compiler cannot prove apart from the neuron's own. A CUDA hook calls with_channels
// on its device view (the gg_channel array is in host memory, the states on the device) and hands
// `syn`, a plain struct of pointers and constants, to its kernel by value: syn(i, V) is GG_HD.
template <int Form, int N, bool Input, bool UnitScale = false> struct Channels {
  const double *input;
  double *g[N > 0 ? N : 1];
  double scale[N > 0 ? N : 1], E[N > 0 ? N : 1], decay[N > 0 ? N : 1];
  GG_HD double operator()(uint64_t i, double V) const {
    static_assert(N <= 3, "Channels: at most 3");
    // Without an input the sum starts from the first channel, not from 0 + it: the same value
    // but for the sign of a zero sum (one vector operation less an element).
    double x = 0;
    if constexpr (Input) x = input[i];
    if constexpr (N >= 1) x = Input ? x + current<0>(i, V) : current<0>(i, V);
    if constexpr (N >= 2) x = x + current<1>(i, V);
    if constexpr (N >= 3) x = x + current<2>(i, V);
    return x;
  }
  // Channel K's current at V (channel_current); advances its state over the step.
  template <int K> GG_HD double current(uint64_t i, double V) const {
    const double s = g[K][i];
    g[K][i] = s * decay[K];
    return channel_current<Form, UnitScale>(s, scale[K], E[K], V);
  }
};

namespace detail {
template <int Form, int N, bool Input, bool UnitScale = false, class Body>
[[gnu::always_inline]] inline void call_with_channels(const gg_view &v, Body &body) {
  Channels<Form, N, Input, UnitScale> c{};
  c.input = v.input;
  for (int k = 0; k < N; ++k) {
    c.g[k] = v.channels[k].g;
    c.scale[k] = v.channels[k].scale;
    c.E[k] = v.channels[k].E;
    c.decay[k] = v.channels[k].decay;
  }
  body(c);
}
template <int Form, bool Input, bool UnitScale, class Body>
[[gnu::always_inline]] inline void channels_of_form(const gg_view &v, uint32_t n, Body &body) {
  static_assert(GG_MAX_CHANNELS == 3, "with_channels instantiates 1 to 3 channels");
  if (n == 1)
    call_with_channels<Form, 1, Input, UnitScale>(v, body);
  else if (n == 2)
    call_with_channels<Form, 2, Input, UnitScale>(v, body);
  else
    call_with_channels<Form, 3, Input, UnitScale>(v, body);
}
inline bool unit_scales(const gg_view &v, uint32_t n) {
  for (uint32_t k = 0; k < n; ++k)
    if (v.channels[k].scale != 1.0) return false;
  return true;
}
template <int Form, class Body>
[[gnu::always_inline]] inline void channels_of_form(const gg_view &v, uint32_t n, Body &body) {
  // Unit scales get their own loop only without an input (the common, fused case): each case
  // is a loop version compiled per instruction set.
  if (v.input)
    channels_of_form<Form, true, false>(v, n, body);
  else if (unit_scales(v, n))
    channels_of_form<Form, false, true>(v, n, body);
  else
    channels_of_form<Form, false, false>(v, n, body);
}
} // namespace detail

template <class Body>
[[gnu::always_inline]] inline void with_channels(const gg_view &v, Body &&body) {
  const uint32_t n = GANGLION_VIEW_HAS(v, n_channels) ? v.n_channels : 0;
  if (n == 0) {
    if (!v.input)
      throw Failure("with_channels: neither input nor channels; the kernel and the SDK disagree");
    detail::call_with_channels<GG_CHANNEL_NONE, 0, true>(v, body);
    return;
  }
  const int form = v.channels[0].form;
  bool valid =
      n <= GG_MAX_CHANNELS && (form == GG_CHANNEL_CURRENT || form == GG_CHANNEL_CONDUCTANCE);
  for (uint32_t k = 1; k < n && valid; ++k)
    valid = v.channels[k].form == form;
  if (!valid)
    throw Failure("with_channels: the kernel handed " + std::to_string(n) +
                  " channels that are not all of one form, or more than " +
                  std::to_string(GG_MAX_CHANNELS) + "; the kernel and the SDK disagree");
  if (form == GG_CHANNEL_CONDUCTANCE)
    detail::channels_of_form<GG_CHANNEL_CONDUCTANCE>(v, n, body);
  else
    detail::channels_of_form<GG_CHANNEL_CURRENT>(v, n, body);
}

// with_params (the listed parameters' uniform values from `values`, the arrays from `arrays`) and
// with_channels (of `arrays`) together: body(p, syn), once per case. A step written once for both
// backends takes its structs here (lif_model.hpp's with_step): on the CPU both views are the view;
// a CUDA hook passes its host copies and its device view.
template <class Body>
void with_params_and_channels(const gg_view &values, const gg_view &arrays,
                              std::initializer_list<int> which, Body &&body) {
  with_params(values, arrays, which, [&](const auto &p) {
    with_channels(arrays, [&](const auto &syn) { body(p, syn); });
  });
}

} // namespace ganglion

#endif
