// What every front end that runs an experiment checks after loading it and before building
// anything (`ganglion run` and `validate`, the Python package): that writing the output replaces
// nothing it should not and can be done, that the network fits in memory, and that it asks for
// no more threads than the machine has.
#pragma once

#include <string>

#include "experiment/experiment.hpp"

namespace ganglion {

// Throws OutputError (the output path) or ConfigError (the memory); caps the threads at the
// machine's hardware threads with a warning on stderr. `origin` names the experiment in the
// warning and is the file the output must not replace ("" for one from memory).
void prepare_run(Experiment &exp, const std::string &origin);

// prepare_run's check of an output path alone (OutputError): a sweep's batch checks each member's
// file this way once its folder exists.
void check_output(const std::string &output, const std::string &origin);

} // namespace ganglion
