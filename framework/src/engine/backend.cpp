// See backend.hpp.
#include "engine/backend.hpp"

#include "engine/device_engine.hpp"
#include "engine/simulation.hpp"
#include "experiment/errors.hpp"

namespace ganglion {
namespace {

constexpr int kBackends[] = {GG_BACKEND_CPU, GG_BACKEND_CUDA}; // every backend the ABI names

// What makes instance `who` runnable: a backend that both this engine and the plugin run, else
// a plugin with hooks for one this engine runs (and that backend set, where it is not the one
// asked for).
std::string fix(const LoadedPlugin &plugin, int backend) {
  for (int b : kBackends)
    if (engine_runs(b) && has_backend(plugin, b))
      return std::string("set \"backend\": \"") + backend_name(b) + "\"";
  const std::vector<std::string> runs = engine_backends();
  std::string s = "use a plugin with '" + runs.front() + "' hooks";
  if (!engine_runs(backend)) s += " and set \"backend\": \"" + runs.front() + "\"";
  return s;
}

} // namespace

bool engine_runs(int backend) {
  return backend == GG_BACKEND_CPU || (backend == GG_BACKEND_CUDA && !device_engine_path().empty());
}

std::vector<std::string> engine_backends() {
  std::vector<std::string> names;
  for (int b : kBackends)
    if (engine_runs(b)) names.push_back(backend_name(b));
  return names;
}

const char *backend_name(int backend) {
  switch (backend) {
  case GG_BACKEND_CPU: return "cpu";
  case GG_BACKEND_CUDA: return "cuda";
  default: return "unknown";
  }
}

bool has_backend(const LoadedPlugin &plugin, int backend) {
  switch (backend) {
  case GG_BACKEND_CPU: return plugin.desc->cpu != nullptr;
  case GG_BACKEND_CUDA: return has_cuda(plugin);
  default: return false;
  }
}

std::vector<std::string> plugin_backends(const LoadedPlugin &plugin) {
  std::vector<std::string> names;
  for (int b : kBackends)
    if (has_backend(plugin, b)) names.push_back(backend_name(b));
  return names;
}

const gg_hooks *hooks_for(const LoadedPlugin &plugin, int backend, const std::string &who) {
  const bool runs = engine_runs(backend);
  if (runs && backend == GG_BACKEND_CPU && plugin.desc->cpu) return plugin.desc->cpu;
  // On cuda the host half (init, update, channel on host copies): the CPU table, or none.
  if (runs && backend == GG_BACKEND_CUDA && has_cuda(plugin)) return plugin.desc->cpu;
  const std::string name = std::string("plugin '") + plugin.desc->name + "'";
  const std::vector<std::string> tables = plugin_backends(plugin);
  const std::string has = tables.empty() ? "none" : join_list(tables);
  const std::string engine = join_list(engine_backends());
  const std::string why =
      runs ? name + " has no '" + backend_name(backend) + "' hooks (it has: " + has +
                 "; this engine runs: " + engine + ")"
           : std::string("this engine does not run the '") + backend_name(backend) +
                 "' backend (it runs: " + engine + "; " + name + " has: " + has + ")";
  throw RunError(who + ": " + why + "; " + fix(plugin, backend));
}

} // namespace ganglion
