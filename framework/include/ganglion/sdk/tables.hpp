// The C tables of a plugin generated from its struct (detail::Tables: the gg_descriptor, its
// flags and the hooks, each wrapped so that an exception becomes a gg_status and a message), and
// GANGLION_PLUGIN, which exports them. ganglion/plugin.hpp documents the members a struct may
// declare.
#ifndef GANGLION_SDK_TABLES_HPP
#define GANGLION_SDK_TABLES_HPP

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <iterator>
#include <string>
#include <utility>

#include "ganglion/plugin_abi.h"
#include "ganglion/sdk/errors.hpp"

namespace ganglion::detail {

inline gg_status report(gg_error *err, gg_status status, const char *what) {
  if (err && err->message && err->capacity) std::snprintf(err->message, err->capacity, "%s", what);
  return status;
}

template <class F> gg_status guarded(gg_error *err, F &&f) {
  try {
    f();
    return GG_OK;
  } catch (const Diverged &e) {
    return report(err, GG_DIVERGED, e.what());
  } catch (const std::exception &e) {
    return report(err, GG_ERROR, e.what());
  } catch (...) {
    return report(err, GG_ERROR, "unknown error in plugin");
  }
}

template <class P> struct Tables {
  static gg_status init(const gg_view *v, gg_error *e) {
    return guarded(e, [&] {
      if constexpr (requires { P::init(*v); }) P::init(*v);
    });
  }
  static gg_status current(const gg_view *v, gg_error *e) {
    return guarded(e, [&] {
      if constexpr (requires { P::current(*v); }) P::current(*v);
    });
  }
  static gg_status step(const gg_view *v, gg_error *e) {
    return guarded(e, [&] { P::step(*v); });
  }
  static gg_status finish(const gg_view *v, gg_error *e) {
    return guarded(e, [&] {
      if constexpr (requires { P::finish(*v); }) P::finish(*v);
    });
  }
  static gg_status update(const gg_view *v, gg_error *e) {
    return guarded(e, [&] {
      if constexpr (requires { P::update(*v); }) P::update(*v);
    });
  }
  static gg_status channel(const gg_view *v, gg_channel *out, gg_error *e) {
    return guarded(e, [&] {
      *out = gg_channel{GG_CHANNEL_NONE, nullptr, 0, 0, 0};
      if constexpr (requires { P::channel(*v); }) *out = P::channel(*v);
    });
  }
  static gg_status validate(const double *values, gg_error *e) {
    std::string why;
    gg_status s = guarded(e, [&] {
      if constexpr (requires { P::validate(values); }) why = P::validate(values);
    });
    if (s != GG_OK) return s;
    return why.empty() ? GG_OK : report(e, GG_ERROR, why.c_str());
  }

  static constexpr gg_hooks cpu_hooks{sizeof(gg_hooks),
                                      requires { P::init(std::declval<const gg_view &>()); } ? &init
                                                                                             : nullptr,
                                      requires { P::current(std::declval<const gg_view &>()); }
                                          ? &current
                                          : nullptr,
                                      &step,
                                      requires { P::finish(std::declval<const gg_view &>()); }
                                          ? &finish
                                          : nullptr,
                                      requires { P::update(std::declval<const gg_view &>()); }
                                          ? &update
                                          : nullptr,
                                      requires { P::channel(std::declval<const gg_view &>()); }
                                          ? &channel
                                          : nullptr};

  static constexpr const char *version() {
    if constexpr (requires { P::version; }) return P::version;
    else return "1.0";
  }
  static constexpr const char *weight_unit() {
    if constexpr (requires { P::weight_unit; }) return P::weight_unit;
    else return nullptr;
  }
  static constexpr uint32_t flags() {
    uint32_t f = 0;
    if constexpr (requires { P::source; }) f |= P::source ? GG_DESC_SOURCE : 0u;
    if constexpr (requires { P::rate; }) f |= P::rate ? GG_DESC_RATE : 0u;
    if constexpr (requires { P::drive; }) f |= P::drive ? GG_DESC_DRIVE : 0u;
    if constexpr (requires { P::writes_post_v; })
      f |= P::writes_post_v ? GG_DESC_WRITES_POST_V : 0u;
    if constexpr (requires { P::compact_csr; }) f |= P::compact_csr ? GG_DESC_COMPACT_CSR : 0u;
    if constexpr (requires { P::split_step; }) f |= P::split_step ? GG_DESC_SPLIT_STEP : 0u;
    if constexpr (requires { P::counts; }) f |= P::counts ? GG_DESC_COUNTS : 0u;
    if constexpr (requires { P::channels; }) f |= P::channels ? GG_DESC_CHANNELS : 0u;
    if constexpr (requires { P::checks_bounds; })
      f |= P::checks_bounds ? GG_DESC_CHECKS_BOUNDS : 0u;
    if constexpr (requires { P::records_projection; })
      f |= P::records_projection ? GG_DESC_PROJECTION : 0u;
    if constexpr (requires { P::spikes_only; }) f |= P::spikes_only ? GG_DESC_SPIKES_ONLY : 0u;
    if constexpr (requires { P::split_rule; }) f |= P::split_rule ? GG_DESC_SPLIT_RULE : 0u;
    if constexpr (requires { P::batch; }) f |= P::batch ? GG_DESC_BATCH : 0u;
    return f;
  }
  static constexpr const char *input_unit() {
    if constexpr (P::kind != GG_KIND_NEURON) return nullptr;
    else if constexpr (requires { P::input_unit; }) return P::input_unit;
    else if constexpr (requires { P::source; }) return P::source ? nullptr : "mV/ms";
    else return "mV/ms";
  }
  static constexpr const char *acts_on() {
    if constexpr (requires { P::acts_on; }) return P::acts_on;
    else return nullptr;
  }
  static constexpr const char *peak_weight_unit() {
    if constexpr (requires { P::peak_weight_unit; }) return P::peak_weight_unit;
    else return nullptr;
  }

  // The CUDA companion's file name, which ganglion_add_plugin() passes where it builds one
  // (CUDA_SOURCES, with CUDA enabled): NULL otherwise.
  static constexpr const char *cuda_library() {
#ifdef GANGLION_CUDA_LIBRARY
    return GANGLION_CUDA_LIBRARY;
#else
    return nullptr;
#endif
  }

  // A plugin with no fields (a recorder, say) declares `enum Field { count };` and no table.
  static constexpr const gg_field *field_table() {
    if constexpr (P::count == 0) return nullptr;
    else {
      static_assert(std::size(P::fields) == static_cast<std::size_t>(P::count),
                    "the field table and the Field enum must list the same fields in the same "
                    "order");
      return P::fields;
    }
  }

  static constexpr gg_descriptor descriptor{sizeof(gg_descriptor),
                                            GG_ABI_MAJOR,
                                            GG_ABI_MINOR,
                                            P::name,
                                            P::kind,
                                            version(),
                                            P::doc,
                                            weight_unit(),
                                            flags(),
                                            input_unit(),
                                            peak_weight_unit(),
                                            acts_on(),
                                            field_table(),
                                            static_cast<uint32_t>(P::count),
                                            requires { P::validate(nullptr); }
  ? &validate : nullptr, &cpu_hooks, nullptr, cuda_library()
  }
  ;
};

} // namespace ganglion::detail

// Exports the one entry symbol of a plugin library built from struct `Type`.
#define GANGLION_PLUGIN(Type)                                                                      \
  extern "C" GG_EXPORT const gg_descriptor *ganglion_plugin_v1(void) {                             \
    return &::ganglion::detail::Tables<Type>::descriptor;                                          \
  }

#endif
