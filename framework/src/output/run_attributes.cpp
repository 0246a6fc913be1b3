// The root attributes of a run's output file (run_attributes.hpp).
#include "output/run_attributes.hpp"

#include <unistd.h>

#include <climits>
#include <cstdint>

#include <nlohmann/json.hpp>

#include "engine/backend.hpp"
#include "engine/hook_call.hpp"
#include "engine/simulation.hpp"
#include "parallel/ranks.hpp"
#include "random/version.hpp"
#include "registry/registry.hpp"

namespace ganglion {

namespace {

std::string host_name() {
  char name[HOST_NAME_MAX + 1] = {0};
  if (gethostname(name, sizeof name - 1) != 0) return "";
  return name;
}

} // namespace

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

RunOutcome outcome_of(const RunReport &report, const std::string &stopped_by) {
  if (report.diverged) return {RunOutcome::Kind::diverged, report.divergence};
  if (report.stopped_by)
    return {RunOutcome::Kind::interrupted,
            "at t = " + engine::format_ms(report.simulated_ms) + " by " + stopped_by};
  return {};
}

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

nlohmann::ordered_json run_attributes(const Experiment &exp) {
  nlohmann::json backends = nlohmann::json::object();
  for (const auto &p : exp.populations)
    backends[p.name] = backend_name(p.backend);
  for (const auto &q : exp.projections)
    backends[q.name] = backend_name(q.backend);
  return {{"experiment", exp.resolved.dump()},
          {"seed", uint64_t(exp.simulation.seed)},
          {"rng", std::string(kRngVersion)},
          {"ganglion_version", std::string(GANGLION_VERSION)},
          {"backends", backends.dump()},
          {"plugins", plugins_used(exp).dump()},
          {"host", host_name()},
          {"threads", uint64_t(thread_count(exp.simulation))}, // (per rank)
          {"ranks", uint64_t(ranks::size())}};
}

void write_run_attributes(Hdf5Writer &w, const Experiment &exp, const RunOutcome &outcome) {
  // SONATA's marks of one of its files: the magic number and the version of the format.
  w.attribute("/", "magic", std::vector<uint32_t>{kSonataMagic});
  w.attribute("/", "version", std::vector<uint32_t>{kSonataVersion[0], kSonataVersion[1]});
  const nlohmann::ordered_json attributes = run_attributes(exp);
  for (const auto &[name, value] : attributes.items()) {
    if (value.is_number_unsigned())
      w.attribute("/", name, value.get<uint64_t>());
    else
      w.attribute("/", name, value.get<std::string>());
  }
  write_run_status(w, outcome);
}

void write_run_status(Hdf5Writer &w, const RunOutcome &outcome) {
  w.attribute("/", "status", run_status(outcome));
}

} // namespace ganglion
