// The checks before a run (see prepare.hpp).
#include "experiment/prepare.hpp"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <thread>

#include "experiment/estimate.hpp"
#include "output/hdf5_writer.hpp"
#include "parallel/ranks.hpp"

namespace ganglion {

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

// Several ranks: what this machine holds of the network. Each rank holds every population's state
// and the synapses onto its own neurons (about its share of them), and this machine runs
// ranks::local_size() of the ranks.
void share_over_ranks(Estimate &e) {
  const double size = ranks::size(), local = ranks::local_size();
  e.memory = 0;
  for (auto &part : e.parts) {
    const bool synapses = part.pointer.size() >= 8 &&
                          part.pointer.compare(part.pointer.size() - 8, 8, "/connect") == 0;
    part.bytes *= synapses ? local / size : local;
    e.memory += part.bytes;
  }
}

} // namespace

void check_output(const std::string &output, const std::string &origin) {
  check_output_replaces(output, origin);
  check_output_path(output);
}

void prepare_run(Experiment &exp, const std::string &origin) {
  if (!exp.output.empty()) check_output(exp.output, origin);
  Estimate e = estimate(exp);
  if (ranks::size() > 1) share_over_ranks(e);
  check_memory(exp, e, memory_limit(std::getenv("GANGLION_MEMORY_LIMIT")));
  cap_threads(exp, origin.empty() ? "the experiment" : origin);
}

} // namespace ganglion
