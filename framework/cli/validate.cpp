// `ganglion validate CONFIG`: load and check an experiment without running it, and print what it
// will cost; and the loading that `run` shares with it: the output path, the memory the network
// needs, the threads.
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include "commands.hpp"
#include "experiment/estimate.hpp"
#include "experiment/loader.hpp"
#include "experiment/units.hpp"
#include "output/hdf5_writer.hpp"

namespace ganglion::cli {

namespace {

namespace fs = std::filesystem;

// Whether `path` holds an HDF5 file: its signature at offset 0, 512, 1024, ... (after a user
// block).
bool is_hdf5(const fs::path &path) {
  static const char signature[8] = {'\x89', 'H', 'D', 'F', '\r', '\n', '\x1a', '\n'};
  std::ifstream in(path, std::ios::binary);
  char head[8];
  for (std::streamoff at = 0; in.seekg(at) && in.read(head, 8); at = at ? 2 * at : 512)
    if (std::equal(head, head + 8, signature)) return true;
  return false;
}

// Writing the output replaces the file at its path: that may be an earlier run's output (or an
// empty file), never the experiment itself or any other file.
void check_output_replaces(const std::string &output, const std::string &config) {
  std::error_code ec;
  const fs::file_status status = fs::status(output, ec);
  if (!fs::exists(status) || fs::is_directory(status)) return; // check_output_path's cases
  const std::string fix = ": choose another path with -o or \"output\"";
  if (fs::equivalent(output, config, ec))
    throw OutputError("output path '" + output + "' is the experiment file " + config +
                      " itself; writing the output would replace it" + fix);
  if (!fs::is_regular_file(status))
    throw OutputError("output path '" + output +
                      "' exists and is not a regular file (a device, a pipe, ...)" + fix);
  if (fs::file_size(output, ec) > 0 && !is_hdf5(output))
    throw OutputError("output path '" + output +
                      "' is an existing file that is not an HDF5 file; writing the output would "
                      "replace it" +
                      fix + ", or remove the file first");
}

// More threads than the machine has only share its cores: capped at them, with a word.
void cap_threads(Experiment &exp, const std::string &config) {
  const unsigned hardware = std::thread::hardware_concurrency();
  if (hardware == 0 || exp.simulation.threads <= hardware) return;
  std::cerr << "ganglion: warning: " << config
            << ": /simulation/threads: " << exp.simulation.threads
            << " threads asked for, more than this machine's " << hardware
            << " hardware threads; running " << hardware << "\n";
  exp.simulation.threads = hardware;
  exp.resolved["simulation"]["threads"] = hardware;
}

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
                "spikes that cross are exchanged in every step)\n",
                config.c_str(), on_cuda.c_str(), on_cpu.c_str());
}

} // namespace

Experiment load(PluginRegistry &reg, const std::string &config,
                const std::vector<std::string> &sets, const std::string &output) {
  std::vector<std::string> all = sets;
  if (!output.empty()) all.push_back("output=" + nlohmann::json(output).dump()); // JSON-quoted
  Experiment exp = load_experiment(config, all, reg);
  if (!exp.output.empty()) {
    check_output_replaces(exp.output, config);
    check_output_path(exp.output);
  }
  check_memory(exp, estimate(exp), memory_limit(std::getenv("GANGLION_MEMORY_LIMIT")));
  cap_threads(exp, config);
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
