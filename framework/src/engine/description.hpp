// What a plugin says of itself (its descriptor and libraries), as data: what `ganglion describe`
// prints, `describe --json` and the Python package's describe() return, and the experiment
// format's reference is generated from, so that none of them can drift from the plugin.
#pragma once

#include <nlohmann/json.hpp>

#include "registry/registry.hpp"

namespace ganglion {

// {"name", "kind", "version", "abi", "file", "builtin" (whether it is one of ganglion's own, from
// the built-in folder), "backends": ["cpu", "cuda"], "cuda_library" (or
// null), "weight_unit" (or null), "properties": [{"key", "text"}] (what its flags and hooks
// declare, in words), "doc", "fields": [{"name", "role", "unit", "default" (a number, or the
// choice's word), "min", "max" (numbers, or "inf"/"-inf"), "range" (as the loader writes it),
// "choices" (a list, for a choice), "doc"}]}.
nlohmann::ordered_json describe_plugin(const LoadedPlugin &p);

// The plugin `name` for a description, or a PluginError saying why there is none (the library
// that failed, or a likely typo) and, after `listing`, how to see those found.
const LoadedPlugin &plugin_to_describe(const PluginRegistry &reg, const std::string &name,
                                       const std::string &listing);

} // namespace ganglion
