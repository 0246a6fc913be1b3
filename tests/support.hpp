// Helpers shared by the tests: temporary folders, running the `ganglion` command, files.
#pragma once

#include <filesystem>
#include <string>

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

std::string write_file(const std::string &path, const std::string &text);
std::string read_file(const std::string &path);
std::string source_path(const std::string &relative); // a file of the source tree
std::string cli_path();

} // namespace ganglion::test
