// `ganglion validate CONFIG`: load and check an experiment without running it, and print what it
// will cost; and the loading that `run` shares with it (experiment/prepare.hpp).
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include "commands.hpp"
#include "engine/device_plan.hpp"
#include "experiment/estimate.hpp"
#include "experiment/loader.hpp"
#include "experiment/prepare.hpp"
#include "experiment/units.hpp"
#include "output/hdf5_writer.hpp"

namespace ganglion::cli {

namespace {

namespace fs = std::filesystem;

// "; spikes at a source's rate, else 10 Hz per neuron": what the estimate of the output assumed.
std::string output_notes(const Experiment &exp, const Estimate &e) {
  std::string notes;
  for (const auto &r : exp.recorders)
    if (r.plugin && r.plugin->name == "spikes") {
      notes = "; spikes at a source's rate, else " + format_number(kNominalRate) + " Hz per neuron";
      break;
    }
  if (!e.unknown_output.empty())
    notes += "; not counted: the output of " + join_list(e.unknown_output);
  return notes;
}

// How often a network on both backends exchanges the spikes that cross: "step", "20 steps".
std::string steps(const Experiment &exp) {
  const uint64_t n = device_plan::mixed_interval(exp);
  return n == 1 ? "step" : std::to_string(n) + " steps";
}

// Where the populations run, where any is on "cuda" (their projections run with them).
void print_placement(const std::string &config, const Experiment &exp) {
  std::string on_cpu, on_cuda;
  for (const auto &p : exp.populations) {
    std::string &list = p.backend == GG_BACKEND_CUDA ? on_cuda : on_cpu;
    list += (list.empty() ? "" : ", ") + p.name;
  }
  if (on_cuda.empty()) return;
  if (on_cpu.empty())
    std::printf("%s: on the GPU: every population and projection\n", config.c_str());
  else
    std::printf("%s: on the GPU: %s; on the CPU: %s (each with the projections onto it; the "
                "spikes that cross are exchanged every %s)\n",
                config.c_str(), on_cuda.c_str(), on_cpu.c_str(), steps(exp).c_str());
  std::string sampled;
  for (const auto &r : exp.recorders)
    if (recorded_on_device(exp, r))
      sampled += (sampled.empty() ? "" : ", ") + r.pointer + " (" + r.plugin->name + " of " +
                 exp.projections[size_t(r.projection)].name + ")";
  if (!sampled.empty())
    std::printf("%s: sampled on the GPU: %s (a record a sample to the host)\n", config.c_str(),
                sampled.c_str());
}

} // namespace

Experiment load(PluginRegistry &reg, const std::string &config,
                const std::vector<std::string> &sets, const std::string &output) {
  std::vector<std::string> all = sets;
  if (!output.empty()) all.push_back("output=" + nlohmann::json(output).dump()); // JSON-quoted
  Experiment exp = load_experiment(config, all, reg);
  prepare_run(exp, config);
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
  print_placement(config, exp);
  const Estimate e = estimate(exp);
  // Where something runs on "cuda": the GPU's memory too (the host builds the network first,
  // then the device holds its copy; checked against the GPU's free memory when the run starts).
  const std::string gpu = e.device_memory > 0
                              ? " and " + format_bytes(e.device_memory) + " of GPU memory"
                              : std::string();
  if (exp.output.empty())
    std::printf("%s: estimate: %s of memory%s; no output file\n", config.c_str(),
                format_bytes(e.memory).c_str(), gpu.c_str());
  else
    std::printf("%s: estimate: %s of memory%s; %s of output per simulated second, %s in all%s\n",
                config.c_str(), format_bytes(e.memory).c_str(), gpu.c_str(),
                format_bytes(e.output_per_second).c_str(), format_bytes(e.output).c_str(),
                output_notes(exp, e).c_str());
  return 0;
}

} // namespace ganglion::cli
