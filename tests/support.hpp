// Helpers shared by the tests: temporary folders, running the `ganglion` command, files, running an
// experiment in-process and reading its spikes back.
#pragma once

#include <doctest/doctest.h>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/simulation.hpp"

namespace ganglion::test {

// A fresh folder under the system's temporary folder, removed with everything in it at scope exit.
struct TempDir {
  TempDir();
  ~TempDir();
  TempDir(const TempDir &) = delete;
  TempDir &operator=(const TempDir &) = delete;
  std::filesystem::path path;
  std::string operator/(const std::string &name) const { return (path / name).string(); }
};

struct CliResult {
  int exit_code = -1;
  std::string out; // stdout
  std::string err; // stderr
};

// Runs the built `ganglion` with `args` (a shell-quoted argument string) and captures its output.
// `env` is prepended to the command line (e.g. "GANGLION_PLUGIN_PATH=/x").
CliResult run_cli(const std::string &args, const std::string &env = "");

// While it lives, this process's engine runs the CPU alone ($GANGLION_CUDA_ENGINE set empty: no
// device engine, as in a build without CUDA), so that a test of that build's messages holds in a
// build with CUDA too; the variable's value before is restored after.
struct CpuOnlyEngine {
  CpuOnlyEngine();
  ~CpuOnlyEngine();
  CpuOnlyEngine(const CpuOnlyEngine &) = delete;
  bool had = false;
  std::string before;
};

// The message of the E that `action` throws; "" (and a failed check) where it throws none.
template <class E> std::string message_of(const std::function<void()> &action) {
  try {
    action();
  } catch (const E &e) {
    return e.what();
  }
  FAIL_CHECK("the expected exception was not thrown");
  return "";
}

std::string write_file(const std::string &path, const std::string &text);
std::string read_file(const std::string &path);
std::string source_path(const std::string &relative); // a file of the source tree
std::string cli_path();

// The spikes of one population as the spikes recorder wrote them: parallel arrays in the order
// recorded (time ascending; within a step node ids ascending, a source's id repeated for several
// spikes in one step).
struct SpikeTrain {
  std::vector<double> times; // ms
  std::vector<uint64_t> ids; // index in the population
};

struct InProcessRun {
  RunReport report;
  std::map<std::string, SpikeTrain> spikes; // the populations that have a /spikes/<pop> group
};

// Runs an experiment given as JSON text in this process: discovers the plugins, loads the text
// (with --set style `overrides`), runs a Simulation writing into an HDF5 file in a TempDir,
// commits it and reads /spikes/<pop>/{timestamps,node_ids} back with the HDF5 C API. Throws what
// loading or running throws (ConfigError, RunError, ...).
InProcessRun run_in_process(const std::string &json, const std::vector<std::string> &overrides = {});
// The same, writing the HDF5 output to `h5_path` (a file in the caller's TempDir) and keeping it,
// for the datasets other than spikes (/report, /inputs, /rates): read them with read_h5_f64.
InProcessRun run_in_process_to(const std::string &json, const std::string &h5_path,
                               const std::vector<std::string> &overrides = {});

// A whole 1-D dataset of an HDF5 file converted to double / uint64; empty when it does not exist.
std::vector<double> read_h5_f64(const std::string &file, const std::string &dataset);
std::vector<uint64_t> read_h5_u64(const std::string &file, const std::string &dataset);

// Every dataset of an HDF5 file by path: its dimensions and its bytes as stored (strings' aside),
// for comparing two files' data bit for bit.
std::map<std::string, std::string> h5_datasets(const std::string &file);

// A string attribute of an object ("/" for the root) of an HDF5 file, variable- or fixed-length;
// throws std::runtime_error naming the file, object and attribute when it cannot be read.
std::string read_h5_string_attribute(const std::string &file, const std::string &object,
                                     const std::string &name);

// A number of a config: bare, or a string with a unit ("5 ms"), whose unit is REQUIREd to be
// `unit`.
double config_number(const nlohmann::json &j, const std::string &unit);

} // namespace ganglion::test
