// The root attributes of a run's output file: the resolved experiment, its seed and random
// mapping, the version of ganglion that ran it, the backend of each population and projection,
// where it ran (the plugins' libraries and versions, the host, the threads) and how the run ended. Every front end that runs
// an experiment writes them with write_run_attributes, so that a file says the same whoever made
// it.
#pragma once

#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "engine/simulation.hpp"
#include "experiment/experiment.hpp"
#include "output/hdf5_writer.hpp"

namespace ganglion {

// How a run ended, or that it runs still. A failure (a plugin's error, say) outranks a divergence.
struct RunOutcome {
  enum class Kind { complete, diverged, failed, interrupted, running };
  Kind kind = Kind::complete;
  // diverged: where and when; failed: the error's message; interrupted: when and by what
  // ("at t = 812.5 ms by SIGINT")
  std::string why;
};

// Every plugin an instance of the experiment uses, by name: its library's path, its version and
// ABI ({"lif": {"path": ..., "version": "1.0", "abi": "1.9"}, ...}).
nlohmann::json plugins_used(const Experiment &exp);

// How a run that did not fail ended, from its report: diverged (where and when), interrupted
// ("at t = 812.5 ms by <stopped_by>", where the report says a stop ended it) or complete.
RunOutcome outcome_of(const RunReport &report, const std::string &stopped_by);

// The "status" attribute: "complete", "diverged: <why>", "failed: <why>", "interrupted <why>" or
// "running".
std::string run_status(const RunOutcome &outcome);

// SONATA's root attributes: "magic" (uint32 0x0A7A) and "version" (uint32 [major, minor] of the
// format's specification), which make the file one that SONATA readers open.
constexpr uint32_t kSonataMagic = 0x0A7A;
constexpr uint32_t kSonataVersion[2] = {0, 1};

// On "/": SONATA's magic and version, experiment (the resolved experiment's JSON), seed, rng (the
// version of the mapping from a seed to random values, random/version.hpp), ganglion_version,
// backends (a JSON object of "cpu" or "cuda" by population and projection name), plugins (a JSON
// object by plugin name of the plugins the experiment uses: "path" of the library, its "version"
// and the "abi" it was built for, "1.5"), host, threads and status.
void write_run_attributes(Hdf5Writer &w, const Experiment &exp, const RunOutcome &outcome);
// The same attributes but the status, as data: strings (the JSON ones as text) and unsigned
// numbers, in the order they are written.
nlohmann::ordered_json run_attributes(const Experiment &exp);

// The "status" attribute alone, replacing the one written before.
void write_run_status(Hdf5Writer &w, const RunOutcome &outcome);

} // namespace ganglion
