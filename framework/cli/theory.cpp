// `ganglion theory CONFIG`: the mean-field prediction of an experiment (theory/theory.hpp).
#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

#include "commands.hpp"
#include "experiment/loader.hpp"

namespace ganglion::cli {

// The report, exit 0. No prediction (Report::error): the reason on stderr, exit 1, after what
// could be worked out (W, X and the LCP of a singular W) on stdout.
int theory_command(PluginRegistry &reg, const std::string &config,
                   const std::vector<std::string> &sets) {
  const Experiment exp = load_experiment(config, sets, reg); // no output is written: no path check
  const theory::Report r = theory::predict(exp);
  if (!r.error.empty()) {
    if (!r.mf.names.empty()) std::printf("%s", theory::format(r).c_str());
    std::cerr << "ganglion: " << config << ": " << r.error << "\n";
    return kBadInput;
  }
  std::printf("%s", theory::format(r).c_str()); // it names the config itself
  return 0;
}

} // namespace ganglion::cli
