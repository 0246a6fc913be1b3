// Reads an experiment (JSON) into a validated Experiment: every key checked, every value converted
// to its field's unit and range-checked, every name resolved to a plugin or a population. Nothing
// runs until this succeeds; each failure is a ConfigError naming the file, the JSON pointer and
// the fix.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "experiment/errors.hpp"
#include "experiment/experiment.hpp"
#include "registry/registry.hpp"

namespace ganglion {

// Loads `path`, applies the --set `overrides` (in order) and validates. Plugins the experiment
// lists under "plugins" are added to `registry` first, so the registry must outlive the
// Experiment (which points into it) and must not be added to while the Experiment is in use.
Experiment load_experiment(const std::string &path, const std::vector<std::string> &overrides,
                           PluginRegistry &registry);

// The same for text already in memory. `origin` names it in messages; relative "plugins" paths
// are taken relative to `base_dir` ("" = the working directory).
Experiment load_experiment_text(const std::string &text, const std::string &origin,
                                const std::string &base_dir,
                                const std::vector<std::string> &overrides,
                                PluginRegistry &registry);

// Applies one "--set" assignment, "populations.E.size=16000": a dotted path (numeric components
// index arrays) and a value, parsed as JSON where it parses ("16000", "true", "[1,2]") and taken
// as a string otherwise ("15 ms"). The last component may be a new key; every other one must
// exist, or a ConfigError names the path and the keys that do exist there.
void apply_override(nlohmann::json &doc, const std::string &assignment);
void apply_override(nlohmann::ordered_json &doc, const std::string &assignment);

} // namespace ganglion
