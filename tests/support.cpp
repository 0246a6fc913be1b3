// Helpers shared by the tests (see support.hpp).
#include "support.hpp"

#include <array>
#include <cstdio>
#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>
#include <sys/wait.h>

namespace ganglion::test {

TempDir::TempDir() {
  std::random_device rd;
  path = std::filesystem::temp_directory_path() / ("ganglion-test-" + std::to_string(rd()));
  std::filesystem::create_directories(path);
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path, ec);
}

std::string cli_path() { return std::string(GANGLION_BINARY_DIR) + "/bin/ganglion"; }

std::string source_path(const std::string &relative) {
  return std::string(GANGLION_SOURCE_DIR) + "/" + relative;
}

std::string write_file(const std::string &path, const std::string &text) {
  std::ofstream f(path);
  if (!f) throw std::runtime_error("cannot write " + path);
  f << text;
  return path;
}

std::string read_file(const std::string &path) {
  std::ifstream f(path);
  if (!f) throw std::runtime_error("cannot read " + path);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

CliResult run_cli(const std::string &args, const std::string &env) {
  TempDir tmp;
  const std::string out = tmp / "out.txt", err = tmp / "err.txt";
  const std::string cmd =
      env + (env.empty() ? "" : " ") + cli_path() + " " + args + " >" + out + " 2>" + err;
  const int status = std::system(cmd.c_str());
  CliResult r;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.out = read_file(out);
  r.err = read_file(err);
  return r;
}

} // namespace ganglion::test
