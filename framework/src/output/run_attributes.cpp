// The root attributes of a run's output file (run_attributes.hpp).
#include "output/run_attributes.hpp"

#include <cstdint>

#include <nlohmann/json.hpp>

#include "engine/backend.hpp"

namespace ganglion {

std::string run_status(const RunOutcome &outcome) {
  switch (outcome.kind) {
  case RunOutcome::Kind::failed: return "failed: " + outcome.why;
  case RunOutcome::Kind::diverged: return "diverged: " + outcome.why;
  case RunOutcome::Kind::complete: break;
  }
  return "complete";
}

void write_run_attributes(Hdf5Writer &w, const Experiment &exp, const RunOutcome &outcome) {
  w.attribute("/", "experiment", exp.resolved.dump());
  w.attribute("/", "seed", uint64_t(exp.simulation.seed));
  w.attribute("/", "version", std::string(GANGLION_VERSION));
  nlohmann::json backends = nlohmann::json::object();
  for (const auto &p : exp.populations)
    backends[p.name] = backend_name(p.backend);
  for (const auto &q : exp.projections)
    backends[q.name] = backend_name(q.backend);
  w.attribute("/", "backends", backends.dump());
  w.attribute("/", "status", run_status(outcome));
}

} // namespace ganglion
