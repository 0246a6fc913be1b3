// The root attributes of a run's output file (run_attributes.hpp).
#include "output/run_attributes.hpp"

#include <unistd.h>

#include <climits>
#include <cstdint>

#include <nlohmann/json.hpp>

#include "engine/backend.hpp"
#include "engine/simulation.hpp"
#include "registry/registry.hpp"
#include "random/version.hpp"

namespace ganglion {

namespace {

// Every plugin an instance of the experiment uses, by name.
nlohmann::json plugins_used(const Experiment &exp) {
  nlohmann::json plugins = nlohmann::json::object();
  auto add = [&](const LoadedPlugin *p) {
    if (!p || !p->desc) return;
    plugins[p->name] = {
        {"path", p->path},
        {"version", p->desc->version ? p->desc->version : ""},
        {"abi", std::to_string(p->desc->abi_major) + "." + std::to_string(p->desc->abi_minor)}};
  };
  for (const auto &p : exp.populations)
    add(p.plugin);
  for (const auto &q : exp.projections) {
    add(q.synapse);
    for (const auto &rule : q.plasticity)
      add(rule.plugin);
  }
  for (const auto &r : exp.recorders)
    add(r.plugin);
  return plugins;
}

std::string host_name() {
  char name[HOST_NAME_MAX + 1] = {0};
  if (gethostname(name, sizeof name - 1) != 0) return "";
  return name;
}

} // namespace

std::string run_status(const RunOutcome &outcome) {
  switch (outcome.kind) {
  case RunOutcome::Kind::failed: return "failed: " + outcome.why;
  case RunOutcome::Kind::diverged: return "diverged: " + outcome.why;
  case RunOutcome::Kind::interrupted: return "interrupted " + outcome.why;
  case RunOutcome::Kind::running: return "running";
  case RunOutcome::Kind::complete: break;
  }
  return "complete";
}

void write_run_attributes(Hdf5Writer &w, const Experiment &exp, const RunOutcome &outcome) {
  w.attribute("/", "experiment", exp.resolved.dump());
  w.attribute("/", "seed", uint64_t(exp.simulation.seed));
  w.attribute("/", "rng", std::string(kRngVersion));
  w.attribute("/", "version", std::string(GANGLION_VERSION));
  nlohmann::json backends = nlohmann::json::object();
  for (const auto &p : exp.populations)
    backends[p.name] = backend_name(p.backend);
  for (const auto &q : exp.projections)
    backends[q.name] = backend_name(q.backend);
  w.attribute("/", "backends", backends.dump());
  w.attribute("/", "plugins", plugins_used(exp).dump());
  w.attribute("/", "host", host_name());
  w.attribute("/", "threads", uint64_t(thread_count(exp.simulation)));
  write_run_status(w, outcome);
}

void write_run_status(Hdf5Writer &w, const RunOutcome &outcome) {
  w.attribute("/", "status", run_status(outcome));
}

} // namespace ganglion
