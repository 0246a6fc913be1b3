// What the fault tests share (stops_support.hpp).
#include "faults/stops_support.hpp"

#include <doctest/doctest.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdlib>
#include <sstream>
#include <thread>

#include "output/hdf5_handles.hpp"

namespace ganglion::test {

Child::Child(const TempDir &dir, const std::string &config, const std::vector<std::string> &args,
             const std::vector<std::string> &env, const std::string &command)
    : out_(dir / "child.out"), err_(dir / "child.err") {
  // Everything the child needs is made before the fork: between fork and exec it only opens,
  // duplicates and executes.
  std::vector<std::string> argv = {cli_path(), command, config};
  argv.insert(argv.end(), args.begin(), args.end());
  std::vector<char *> c_argv, c_env;
  for (const std::string &a : argv)
    c_argv.push_back(const_cast<char *>(a.c_str()));
  c_argv.push_back(nullptr);
  for (char **e = environ; *e; ++e)
    c_env.push_back(*e);
  for (const std::string &e : env)
    c_env.push_back(const_cast<char *>(e.c_str()));
  c_env.push_back(nullptr);
  pid_ = fork();
  REQUIRE(pid_ >= 0);
  if (pid_ > 0) return;
  const int out = ::open(out_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  const int err = ::open(err_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (out < 0 || err < 0 || dup2(out, 1) < 0 || dup2(err, 2) < 0) _exit(127);
  execve(c_argv[0], c_argv.data(), c_env.data());
  _exit(127);
}

Child::~Child() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  waitpid(pid_, nullptr, 0);
}

void Child::signal(int sig) const {
  REQUIRE(pid_ > 0);
  REQUIRE(::kill(pid_, sig) == 0);
}

Ended Child::wait(double seconds) {
  REQUIRE(pid_ > 0);
  const auto until = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  int status = 0;
  pid_t done = 0;
  while ((done = waitpid(pid_, &status, WNOHANG)) == 0 && std::chrono::steady_clock::now() < until)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  REQUIRE_MESSAGE(done == pid_, "ganglion run did not end within " << seconds << " s");
  pid_ = -1;
  Ended e;
  e.exited = WIFEXITED(status);
  e.code = e.exited ? WEXITSTATUS(status) : -1;
  e.signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
  e.out = read_file(out_);
  e.err = read_file(err_);
  return e;
}

bool wait_for_file(const std::string &path, double seconds,
                   const std::function<bool(hid_t)> &ready) {
  setenv("HDF5_USE_FILE_LOCKING", "FALSE", 1);
  const auto until = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  for (;;) {
    if (access(path.c_str(), R_OK) == 0) {
      const QuietHdf5 quiet;
      const Hid file(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose);
      if (file.valid() && ready(file.get())) return true;
    }
    if (std::chrono::steady_clock::now() > until) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

uint64_t rows_of(hid_t file, const std::string &dataset) {
  if (!has_object(file, dataset)) return 0;
  const Hid d(H5Dopen2(file, dataset.c_str(), H5P_DEFAULT), H5Dclose);
  const Hid space(d.valid() ? H5Dget_space(d.get()) : H5I_INVALID_HID, H5Sclose);
  hsize_t dims[2] = {0, 0};
  if (!space.valid() || H5Sget_simple_extent_dims(space.get(), dims, nullptr) < 0) return 0;
  return dims[0];
}

std::string root_attribute(const std::string &file, const std::string &name) {
  try {
    return read_h5_string_attribute(file, "/", name);
  } catch (const std::exception &e) {
    FAIL(e.what());
  }
  return "";
}

bool contains(const std::string &text, const std::string &part) {
  return text.find(part) != std::string::npos;
}

double number_after(const std::string &text, const std::string &key) {
  const auto at = text.find(key);
  if (at == std::string::npos) return std::nan("");
  return std::strtod(text.c_str() + at + key.size(), nullptr);
}

uint64_t summary_spikes(const std::string &summary, const std::string &population) {
  std::istringstream lines(summary);
  for (std::string line; std::getline(lines, line);) {
    std::istringstream words(line);
    std::string name, model, neurons, spikes;
    if (!(words >> name >> model >> neurons >> spikes) || name != population) continue;
    std::string digits;
    for (char c : spikes)
      if (c != ',') digits += c;
    return std::stoull(digits);
  }
  FAIL("no row of population " << population << " in the summary:\n" << summary);
  return 0;
}

double analyzed_rate(const std::string &analysis, const std::string &population) {
  std::istringstream lines(analysis);
  for (std::string line; std::getline(lines, line);) {
    std::istringstream words(line);
    std::string name, neurons, spikes;
    double rate = 0;
    if ((words >> name >> neurons >> spikes >> rate) && name == population) return rate;
  }
  FAIL("no row of population " << population << " in the analysis:\n" << analysis);
  return 0;
}

double root_number(const std::string &file, const std::string &name) {
  const hid_t f = H5Fopen(file.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  REQUIRE_MESSAGE(f >= 0, "cannot open " << file);
  const double x = number_attribute<double>(f, "/", name);
  H5Fclose(f);
  return x;
}

std::string fixture(const std::string &file) {
  return std::string(GANGLION_TEST_PLUGIN_DIR) + "/" + file;
}

} // namespace ganglion::test
