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

} // namespace

void prepare_run(Experiment &exp, const std::string &origin) {
  if (!exp.output.empty()) {
    check_output_replaces(exp.output, origin);
    check_output_path(exp.output);
  }
  check_memory(exp, estimate(exp), memory_limit(std::getenv("GANGLION_MEMORY_LIMIT")));
  cap_threads(exp, origin.empty() ? "the experiment" : origin);
}

} // namespace ganglion
