// The one include of a ganglion plugin: header-only C++ helpers that turn a plain struct into a
// plugin (fill the C tables of plugin_abi.h). A neuron is written as:
//
//   struct Leaky {
//     static constexpr const char *name = "leaky";
//     static constexpr gg_kind kind = GG_KIND_NEURON;
//     static constexpr const char *doc = "tau dV/dt = -(V - E_L) + tau I";
//     enum Field { tau_m, E_L, V, count };               // indices, in table order
//     static constexpr gg_field fields[] = {
//         ganglion::param("tau_m", "ms", 10, 0, ganglion::inf, "membrane time constant",
//                         GG_MIN_EXCLUSIVE),
//         ganglion::param("E_L", "mV", -65, -ganglion::inf, ganglion::inf, "rest"),
//         ganglion::state("V", "mV", -65, -1000, 1000, "membrane potential", GG_BOUND_CHECKED)};
//     static void step(const gg_view &v);                 // required for neurons
//   };
//   GANGLION_PLUGIN(Leaky)
//
// Optional members, found by name: `init(const gg_view&)`, `current(const gg_view&)` (synapses),
// `finish(const gg_view&)`, `update(const gg_view&)` (parameters changed by a schedule),
// `validate(const double *values)` returning a std::string that is empty when the values are
// fine, `version`, `input_unit` (neurons; default "mV/ms"), `weight_unit` and `peak_weight_unit`
// (synapses), `source` (true: takes no input), `drive` (a source whose trains the kernel draws
// per synapse: GG_DESC_DRIVE), `rate` (true: a rate unit, or a synapse carrying
// rates), `records_projection` (true: a recorder of a projection's weights), `acts_on`
// (plasticity: "exp_current|delta", the synapse models it can act on), `writes_post_v` (a
// synapse whose step moves the postsynaptic V, as delta does), `compact_csr` (a synapse whose
// hooks read targets and weights only through ganglion::for_each_arrival, or that otherwise honour
// GG_DESC_COMPACT_CSR: the kernel may then store its synapses in 2 bytes each), `split_step` (a
// synapse whose step does nothing but apply the arrivals, each to its own target: the kernel may
// then deliver a large projection on several threads at once, by target range), `counts` (a
// synapse whose step honours arrival_counts, as ganglion::for_each_arrival does for a callback
// that takes a count: GG_DESC_COUNTS), `channel(const
// gg_view&)` (a synapse whose `current` has a channel form: returns the gg_channel), `channels` (a
// neuron whose step fuses the channels it is handed, through ganglion::with_channels),
// `checks_bounds` (a neuron whose step sets v.out_of_range where its bound-checked state may have
// left its range: the kernel scans the state only then), `spikes_only` (a recorder that reads
// nothing but the population's spikes, or a projection's weights: the kernel may step the state
// further before calling it), `split_rule` (a plasticity rule whose step honours v.rule_part,
// through the ganglion::rule_* helpers: the kernel may then run it by target range), `batch` (a
// neuron, synapse or rule whose hooks act element by element and draw through gg_element_seed and
// gg_element_gid: it may run a batch of a sweep's members as one network, GG_DESC_BATCH).
// Hooks report failure by throwing ganglion::Failure (or ganglion::Diverged); the wrapper turns it
// into a status and a message, so no exception crosses the C boundary.
//
// The parts, each usable alone (ganglion/sdk/):
//   fields.hpp       param, state, trace, pre_trace, choice: the field table; inf
//   errors.hpp       Failure, Diverged: what a hook throws
//   view.hpp         GANGLION_VIEW_HAS, emit_spike, weights_uniform, post_index16
//   params.hpp       uniform, with_params: an element loop for uniform and per-element parameters
//   neuron_loop.hpp  step_chunks: a neuron step that vectorises, then fires where crossed
//   channels.hpp     with_channels: a neuron step computing its synaptic channels (`channels`);
//                    channel_element: a synapse's current in a channel's form, one element
//   prefetch.hpp     prefetch_synapses: a run of the CSR asked for ahead of its walk
//   delivery.hpp     for_each_arrival: a synapse step's arrivals, in either target width
//   row_search.hpp   first_onto: a target's synapses in a row run (host and device; not
//                    included here)
//   rules.hpp        a plasticity rule's parts and walks (rule_*, for_each_pre/post_synapse)
//   tables.hpp       detail::Tables and GANGLION_PLUGIN: the C tables from the struct
// with ganglion/simd.hpp (GANGLION_SIMD, GANGLION_INLINE, exp_simd) and ganglion/philox.h (the
// random numbers). Models' shared steps are installed beside it: ganglion/integrate_and_fire.hpp
// (the lif/eif step over step_chunks, with_params and with_channels) and ganglion/exponential.hpp
// (the exponential synapses' factors, channel and delivery).
#ifndef GANGLION_PLUGIN_HPP
#define GANGLION_PLUGIN_HPP

// The standard headers this file brought before it was split into parts: a plugin that uses them
// without including them still compiles.
#include <algorithm>
#include <bit>
#include <cmath>
#include <cstddef>
#include <cstdio>
#include <cstring>
#include <exception>
#include <initializer_list>
#include <iterator>
#include <stdexcept>
#include <string>

// In the order the declarations had before plugin.hpp was split into parts, not sorted: GCC's code
// for a plugin, down to its register allocation, follows the order of the declarations.
// clang-format off
#include "ganglion/philox.h"
#include "ganglion/plugin_abi.h"
#include "ganglion/simd.hpp"
#include "ganglion/sdk/errors.hpp"
#include "ganglion/sdk/fields.hpp"
#include "ganglion/sdk/view.hpp"
#include "ganglion/sdk/prefetch.hpp"
#include "ganglion/sdk/rules.hpp"
#include "ganglion/sdk/delivery.hpp"
#include "ganglion/sdk/params.hpp"
#include "ganglion/sdk/neuron_loop.hpp"
#include "ganglion/sdk/channels.hpp"
#include "ganglion/sdk/tables.hpp"
// clang-format on

#endif
