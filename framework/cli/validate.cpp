// `ganglion validate CONFIG`: load and check an experiment without running it; and the loading
// that `run` shares with it.
#include <cstdio>
#include <string>
#include <vector>

#include "commands.hpp"
#include "experiment/loader.hpp"
#include "experiment/units.hpp"
#include "output/hdf5_writer.hpp"

namespace ganglion::cli {

Experiment load(PluginRegistry &reg, const std::string &config,
                const std::vector<std::string> &sets, const std::string &output) {
  std::vector<std::string> all = sets;
  if (!output.empty()) all.push_back("output=\"" + output + "\"");
  Experiment exp = load_experiment(config, all, reg);
  if (!exp.output.empty()) check_output_path(exp.output);
  return exp;
}

int validate(PluginRegistry &reg, const std::string &config, const std::vector<std::string> &sets) {
  Experiment exp = load(reg, config, sets, "");
  uint64_t neurons = 0;
  for (const auto &p : exp.populations)
    neurons += p.size;
  std::printf("%s: valid: %zu populations (%s neurons), %zu projections, %zu recorders, "
              "%llu steps of %.10g ms\n",
              config.c_str(), exp.populations.size(), thousands(neurons).c_str(),
              exp.projections.size(), exp.recorders.size(),
              static_cast<unsigned long long>(exp.simulation.n_steps), exp.simulation.dt);
  return 0;
}

} // namespace ganglion::cli
