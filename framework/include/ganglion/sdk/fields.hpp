// The field table of a plugin: constructors of its gg_field entries (param, state, trace,
// pre_trace, choice) and ganglion::inf for an open bound.
#ifndef GANGLION_SDK_FIELDS_HPP
#define GANGLION_SDK_FIELDS_HPP

#include <cmath>
#include <cstdint>

#include "ganglion/plugin_abi.h"

namespace ganglion {

inline constexpr double inf = HUGE_VAL;

constexpr gg_field param(const char *name, const char *unit, double def, double min, double max,
                         const char *doc, uint32_t flags = 0) {
  return gg_field{name, unit, GG_ROLE_PARAM, GG_TYPE_F64, def, min, max, flags, nullptr, doc};
}
constexpr gg_field state(const char *name, const char *unit, double def, double min, double max,
                         const char *doc, uint32_t flags = 0) {
  return gg_field{name, unit, GG_ROLE_STATE, GG_TYPE_F64, def, min, max, flags, nullptr, doc};
}
constexpr gg_field trace(const char *name, const char *unit, const char *doc) {
  return gg_field{name, unit, GG_ROLE_TRACE, GG_TYPE_F64, 0, -inf, inf, 0, nullptr, doc};
}
// Plasticity: a trace with one value per presynaptic neuron.
constexpr gg_field pre_trace(const char *name, const char *unit, const char *doc) {
  return gg_field{name, unit, GG_ROLE_PRE_TRACE, GG_TYPE_F64, 0, -inf, inf, 0, nullptr, doc};
}
// `choices` is "a|b|c"; `def` the index of the default word.
constexpr gg_field choice(const char *name, const char *choices, int def, const char *doc) {
  return gg_field{name, "1", GG_ROLE_PARAM, GG_TYPE_CHOICE, double(def), 0, 0, 0, choices, doc};
}

} // namespace ganglion

#endif
