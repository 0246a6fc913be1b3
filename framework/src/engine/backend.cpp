// See backend.hpp.
#include "engine/backend.hpp"

#include "engine/simulation.hpp"
#include "experiment/errors.hpp"

namespace ganglion {
namespace {

constexpr int kBackends[] = {GG_BACKEND_CPU, GG_BACKEND_CUDA}; // every backend the ABI names

// What makes instance `who` runnable: a backend that both this engine and the plugin run, else
// a plugin with hooks for one this engine runs (and that backend set, where it is not the one
// asked for).
std::string fix(const gg_descriptor *desc, int backend) {
  for (int b : kBackends)
    if (engine_runs(b) && hook_table(desc, b))
      return std::string("set \"backend\": \"") + backend_name(b) + "\"";
  const std::vector<std::string> runs = engine_backends();
  std::string s = "use a plugin with '" + runs.front() + "' hooks";
  if (!engine_runs(backend)) s += " and set \"backend\": \"" + runs.front() + "\"";
  return s;
}

} // namespace

bool engine_runs(int backend) {
  return backend == GG_BACKEND_CPU;
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

const gg_hooks *hook_table(const gg_descriptor *desc, int backend) {
  switch (backend) {
  case GG_BACKEND_CPU: return desc->cpu;
  case GG_BACKEND_CUDA: return desc->cuda;
  default: return nullptr;
  }
}

std::vector<std::string> plugin_backends(const gg_descriptor *desc) {
  std::vector<std::string> names;
  for (int b : kBackends)
    if (hook_table(desc, b)) names.push_back(backend_name(b));
  return names;
}

const gg_hooks *hooks_for(const gg_descriptor *desc, int backend, const std::string &who) {
  const bool runs = engine_runs(backend);
  if (const gg_hooks *hooks = runs ? hook_table(desc, backend) : nullptr) return hooks;
  const std::string plugin = std::string("plugin '") + desc->name + "'";
  const std::vector<std::string> tables = plugin_backends(desc);
  const std::string has = tables.empty() ? "none" : join_list(tables);
  const std::string engine = join_list(engine_backends());
  const std::string why =
      runs ? plugin + " has no '" + backend_name(backend) + "' hooks (it has: " + has +
                 "; this engine runs: " + engine + ")"
           : std::string("this engine does not run the '") + backend_name(backend) +
                 "' backend (it runs: " + engine + "; " + plugin + " has: " + has + ")";
  throw RunError(who + ": " + why + "; " + fix(desc, backend));
}

} // namespace ganglion
