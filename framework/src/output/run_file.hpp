// A run's output file from start to finish, as every front end that runs an experiment writes it
// (`ganglion run`, the Python package): valid from its creation (the root attributes, status
// "running"), then the recorders' data, then the status, /theory and the final name.
#pragma once

#include <memory>

#include "experiment/experiment.hpp"
#include "output/hdf5_writer.hpp"
#include "output/run_attributes.hpp"
#include "theory/theory.hpp"

namespace ganglion {

// The output file with its root attributes and status "running", flushed; null where the
// experiment has no output. Throws OutputError, leaving no file.
std::unique_ptr<Hdf5Writer> open_run_file(const Experiment &exp);

// Before the first step a failure is bad input, and nothing is left: the writer and its file go.
void discard_run_file(std::unique_ptr<Hdf5Writer> &writer, const Experiment &exp);

// The status and /theory, then the file under its final name. An output error is reported on
// stderr; false where the file could not be finished. A /theory that cannot be written is a note,
// since the run's output matters more.
bool finish_run_file(Hdf5Writer &writer, const RunOutcome &outcome, const theory::Report &theory);

} // namespace ganglion
