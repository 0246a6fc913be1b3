// The one seam between the engine and the plugins' backends: which backends this build of the
// engine runs, and the hook table each instance runs, picked once at build by its backend. The
// names and engine_runs() are for the loader too, so that it and the engine refuse the same
// configs from one source.
#pragma once

#include <string>
#include <vector>

#include "ganglion/plugin_abi.h"
#include "registry/registry.hpp"

namespace ganglion {

// Whether this build of the engine runs instances on `backend` (GG_BACKEND_*): GG_BACKEND_CPU
// always, GG_BACKEND_CUDA where the device engine library exists (device_engine.hpp; whether a
// GPU is there is known only when a run opens it).
bool engine_runs(int backend);

// The names of the backends this build of the engine runs, as configs spell them ("cpu").
std::vector<std::string> engine_backends();

// A backend's name as configs spell it ("cpu", "cuda"; "unknown" for any other number).
const char *backend_name(int backend);

// Whether `plugin` has an implementation for `backend`: its CPU hook table, or a CUDA companion
// library (registry.hpp: has_cuda; not opened here).
bool has_backend(const LoadedPlugin &plugin, int backend);

// The names of the backends `plugin` has an implementation for ("cpu", "cuda").
std::vector<std::string> plugin_backends(const LoadedPlugin &plugin);

// The CPU hook table that instance `who` (its JSON pointer) runs: `plugin`'s, on `backend`. On
// cuda that is the host half of the instance (its `init`, `update` and `channel`, run on host
// copies where its CUDA table leaves them NULL), possibly NULL; its device hooks come from the
// registry (cuda_hooks).
// Throws RunError (engine/simulation.hpp) naming the instance, the plugin, the backends it has
// and the fix where this engine does not run `backend` or the plugin has no implementation there.
const gg_hooks *hooks_for(const LoadedPlugin &plugin, int backend, const std::string &who);

} // namespace ganglion
