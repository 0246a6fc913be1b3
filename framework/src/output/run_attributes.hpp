// The root attributes of a run's output file: the resolved experiment, its seed, the version of
// ganglion that ran it, the backend of each population and projection, and how the run ended.
// Every front end that runs an experiment writes them with write_run_attributes, so that a file
// says the same whoever made it.
#pragma once

#include <string>

#include "experiment/experiment.hpp"
#include "output/hdf5_writer.hpp"

namespace ganglion {

// How a run ended. A failure (a plugin's error, say) outranks a divergence.
struct RunOutcome {
  enum class Kind { complete, diverged, failed };
  Kind kind = Kind::complete;
  std::string why; // diverged: where and when; failed: the error's message
};

// The "status" attribute: "complete", "diverged: <why>" or "failed: <why>".
std::string run_status(const RunOutcome &outcome);

// On "/": experiment (the resolved experiment's JSON), seed, version, backends (a JSON object of
// "cpu" or "cuda" by population and projection name) and status.
void write_run_attributes(Hdf5Writer &w, const Experiment &exp, const RunOutcome &outcome);

} // namespace ganglion
