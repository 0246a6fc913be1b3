// `ganglion plot FILE|SWEEP [-o DIR]` and `ganglion run --plot`: the figures of a run's file or of
// a sweep, drawn by the Python package's plot module (python/ganglion/plot.py, matplotlib) in a
// python3 child process, so that the command itself needs no Python.
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include "commands.hpp"

extern char **environ;

namespace ganglion::cli {

namespace {

namespace fs = std::filesystem;

// The folder holding the package `ganglion` for this binary: build/python beside build/bin in
// the build tree, the install folder under the prefix once installed; "" where there is none.
std::string package_folder() {
#ifdef GANGLION_PYTHON_PACKAGE_DIRS
  std::error_code ec;
  const fs::path bin = fs::read_symlink("/proc/self/exe", ec).parent_path();
  for (const char *relative : {GANGLION_PYTHON_PACKAGE_DIRS}) {
    const fs::path dir = bin / ".." / relative;
    if (fs::exists(dir / "ganglion" / "plot.py", ec)) return fs::weakly_canonical(dir).string();
  }
#endif
  return "";
}

// The environment with `folder` first on PYTHONPATH, and matplotlib drawing to files.
std::vector<std::string> plot_environment(const std::string &folder) {
  std::vector<std::string> env;
  std::string path("PYTHONPATH=");
  path += folder;
  bool backend = false;
  for (char **e = environ; *e; ++e) {
    const std::string var = *e;
    if (var.rfind("PYTHONPATH=", 0) == 0)
      path.append(":").append(var, 11);
    else
      env.push_back(var);
    backend |= var.rfind("MPLBACKEND=", 0) == 0;
  }
  env.push_back(path);
  if (!backend) env.push_back("MPLBACKEND=Agg");
  return env;
}

} // namespace

int plot(const std::string &source, const std::string &folder) {
  const std::string package = package_folder();
#ifdef GANGLION_PYTHON
  const std::string python = GANGLION_PYTHON;
#else
  const std::string python;
#endif
  if (package.empty() || python.empty()) {
    std::cerr << "ganglion: plot: this build has no Python package, which draws the figures; "
                 "install python3 and pybind11 (bash tools/install-deps.sh) and build again\n";
    return kBadInput;
  }
  std::vector<std::string> args{python, "-m", "ganglion.plot", source};
  if (!folder.empty()) args.insert(args.end(), {"-o", folder});
  std::vector<char *> argv, envp;
  for (auto &a : args)
    argv.push_back(a.data());
  argv.push_back(nullptr);
  std::vector<std::string> env = plot_environment(package);
  for (auto &e : env)
    envp.push_back(e.data());
  envp.push_back(nullptr);
  pid_t pid = 0;
  const int e = posix_spawn(&pid, python.c_str(), nullptr, nullptr, argv.data(), envp.data());
  if (e != 0) {
    std::cerr << "ganglion: plot: cannot start " << python << ": " << std::strerror(e) << "\n";
    return kBadInput;
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : kRunFailed;
}

} // namespace ganglion::cli
