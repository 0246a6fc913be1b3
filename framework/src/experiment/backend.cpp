// Which backend an item (a population, a projection and its plasticity rule) runs on, and whether
// its plugin has an implementation there. Every item's backend is read and checked by
// item_backend, so a new rule about backends goes there.
#include "experiment/loader_internal.hpp"

namespace ganglion::loading {

const char *backend_name(int backend) {
  return backend == GG_BACKEND_CUDA ? "cuda" : "cpu";
}

int Loader::get_backend(const Json &j, const std::string &pointer) const {
  std::string b = get_string(j, pointer);
  if (b == "cpu") return GG_BACKEND_CPU;
  if (b == "cuda") return GG_BACKEND_CUDA;
  fail(pointer, "unknown backend '" + b + "'; use \"cpu\" or \"cuda\"");
}

// The backend of `item` (at `pointer`) running `plugin`: its own "backend", or the simulation's
// when it gives none; checked against the plugin's implementations.
int Loader::item_backend(const Json &item, const std::string &pointer,
                         const LoadedPlugin &plugin) const {
  const Json *b = member(item, "backend");
  int backend = b ? get_backend(*b, child(pointer, "backend")) : ex_.simulation.backend;
  check_backend(plugin, backend, b ? child(pointer, "backend") : pointer, !b);
  return backend;
}

// `pointer` is the "backend" key where the config gave one; otherwise the item's own pointer,
// and the message says the backend came from the simulation's default.
void Loader::check_backend(const LoadedPlugin &plugin, int backend, const std::string &pointer,
                           bool inherited) const {
  const gg_hooks *hooks = backend == GG_BACKEND_CUDA ? plugin.desc->cuda : plugin.desc->cpu;
  if (hooks) return;
  std::vector<std::string> available;
  if (plugin.desc->cpu) available.push_back("cpu");
  if (plugin.desc->cuda) available.push_back("cuda");
  std::string message =
      "plugin '" + plugin.name + "' (" + plugin.path + "): no '" + backend_name(backend) +
      "' implementation (available: " + (available.empty() ? "none" : join_list(available)) + ")";
  if (inherited && !available.empty())
    message += "; the simulation's backend is '" + std::string(backend_name(backend)) +
               "': set \"backend\": \"" + available.front() + "\" here";
  fail(pointer, message);
}

} // namespace ganglion::loading
