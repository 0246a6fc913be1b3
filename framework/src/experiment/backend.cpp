// Which backend an item (a population, a projection and its plasticity rule) runs on, and whether
// its plugin has an implementation there. Every item's backend is read and checked by
// item_backend, so a new rule about backends goes there.
#include <algorithm>

#include "experiment/loader_internal.hpp"

namespace ganglion::loading {

int Loader::get_backend(const Json &j, const std::string &pointer) const {
  std::string b = get_string(j, pointer);
  if (b == "cpu") return GG_BACKEND_CPU;
  if (b == "cuda") return GG_BACKEND_CUDA;
  fail(pointer, "unknown backend '" + clipped(b) + "'; use \"cpu\" or \"cuda\"");
}

// The simulation's default backend, refused where this build's engine does not run it.
int Loader::simulation_backend(const Json &j, const std::string &pointer) const {
  const int backend = get_backend(j, pointer);
  if (!engine_runs(backend))
    fail(pointer,
         "backend '" + std::string(backend_name(backend)) +
             "' is not built into this ganglion (its engine runs: " + join_list(engine_backends()) +
             "); set \"backend\": \"" + engine_backends().front() + "\"");
  return backend;
}

// The backend of `item` (at `pointer`) running `plugin`: its own "backend", or the simulation's
// when it gives none; checked against the plugin's implementations. A projection (and its rule)
// passes its postsynaptic population `post`: it runs where that population runs, since its
// synaptic state feeds the population's input every step, so it inherits that backend and may
// name no other.
int Loader::item_backend(const Json &item, const std::string &pointer, const LoadedPlugin &plugin,
                         const PopulationSpec *post) const {
  const Json *b = member(item, "backend");
  const int inherited = post ? post->backend : ex_.simulation.backend;
  const int backend = b ? get_backend(*b, child(pointer, "backend")) : inherited;
  if (post && backend != post->backend)
    fail(child(pointer, "backend"),
         "\"" + std::string(backend_name(backend)) + "\" but its postsynaptic population '" +
             post->name + "' runs on \"" + backend_name(post->backend) +
             "\"; a projection runs with its postsynaptic population: remove \"backend\" here, "
             "or set population '" +
             post->name + "' to \"" + backend_name(backend) + "\"");
  check_backend(plugin, backend, b ? child(pointer, "backend") : pointer, !b, post);
  return backend;
}

// `pointer` is the "backend" key where the config gave one; otherwise the item's own pointer,
// and the message says the backend came from the simulation's default. An item runs where its
// plugin has hooks and this build's engine runs them (engine/backend.hpp: the engine refuses the
// same configs, from the same facts).
void Loader::check_backend(const LoadedPlugin &plugin, int backend, const std::string &pointer,
                           bool inherited, const PopulationSpec *post) const {
  const bool has = has_backend(plugin, backend);
  if (has && engine_runs(backend)) return;
  const std::string name = backend_name(backend);
  const std::vector<std::string> available = plugin_backends(plugin), runs = engine_backends();
  std::string runnable; // a backend of the plugin's that this engine runs
  for (const auto &b : available)
    if (runnable.empty() && std::find(runs.begin(), runs.end(), b) != runs.end()) runnable = b;
  std::string message = "plugin '" + plugin.name + "' (" + plugin.path + "): ";
  if (has)
    message += "backend '" + name +
               "' is not built into this ganglion (its engine runs: " + join_list(runs) + ")";
  else
    message += "no '" + name + "' implementation (available: " + join_list(available) +
               (backend == GG_BACKEND_CUDA && !plugin.cuda_path.empty() ? "; " + why_no_cuda(plugin)
                                                                        : std::string()) +
               ")";
  if (runnable.empty())
    message += std::string(has ? "; the plugin has no other implementation"
                               : "; this ganglion's engine runs " + join_list(runs) + " only") +
               ": use a model with a '" + runs.front() + "' implementation";
  else if (inherited && post)
    message += "; its postsynaptic population '" + post->name + "' runs on '" + name +
               "', and a projection runs with it: use a synapse with a '" + name +
               "' implementation, or set population '" + post->name + "' to \"" + runnable + "\"";
  else if (inherited)
    message +=
        "; the simulation's backend is '" + name + "': set \"backend\": \"" + runnable + "\" here";
  else
    message += "; set \"backend\": \"" + runnable + "\"";
  fail(pointer, message);
}

} // namespace ganglion::loading
