// The one seam between the engine and the plugins' backends: which backends this build of the
// engine runs, and the hook table each instance runs, picked once at build by its backend. The
// names and engine_runs() are for the loader too, so that it and the engine refuse the same
// configs from one source.
#pragma once

#include <string>
#include <vector>

#include "ganglion/plugin_abi.h"

namespace ganglion {

// Whether this build of the engine runs instances on `backend` (GG_BACKEND_*): the CPU engine
// runs GG_BACKEND_CPU only.
bool engine_runs(int backend);

// The names of the backends this build of the engine runs, as configs spell them ("cpu").
std::vector<std::string> engine_backends();

// A backend's name as configs spell it ("cpu", "cuda"; "unknown" for any other number).
const char *backend_name(int backend);

// Plugin `desc`'s hook table for `backend`, or NULL where it has none.
const gg_hooks *hook_table(const gg_descriptor *desc, int backend);

// The names of the backends plugin `desc` has a hook table for ("cpu", "cuda").
std::vector<std::string> plugin_backends(const gg_descriptor *desc);

// The hook table that instance `who` (its JSON pointer) runs: plugin `desc`'s for `backend`.
// Throws RunError (engine/simulation.hpp) naming the instance, the plugin, the backends it has
// and the fix where this engine does not run `backend` or the plugin has no table for it.
const gg_hooks *hooks_for(const gg_descriptor *desc, int backend, const std::string &who);

} // namespace ganglion
