// What the fault tests share: `ganglion run` as a child process (fork/exec, its output into
// files, signalled, waited for with a time limit), reading its output file while it runs, and
// the checks of a file that a stopped run left behind.
#pragma once

#include <hdf5.h>
#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "support.hpp"
#include "unit/output/read_back.hpp"

namespace ganglion::test {

// How a child process ended, with what it wrote.
struct Ended {
  bool exited = false; // by exit (code) rather than by a signal (signal)
  int code = -1;
  int signal = 0;
  std::string out, err;
};

// `ganglion COMMAND CONFIG [args]` (`run` unless said) started in the background, its stdout and
// stderr into files of `dir`, with `env` (NAME=value) added to its environment. Killed and reaped
// at scope exit if it still runs.
class Child {
public:
  Child(const TempDir &dir, const std::string &config, const std::vector<std::string> &args = {},
        const std::vector<std::string> &env = {}, const std::string &command = "run");
  ~Child();
  Child(const Child &) = delete;
  Child &operator=(const Child &) = delete;

  void signal(int sig) const;
  // Waits up to `seconds` for the end; REQUIREs that it came.
  Ended wait(double seconds);

private:
  pid_t pid_ = -1;
  std::string out_, err_;
};

// Polls `path` (a file a child writes: HDF5 file locking is off for this process, since the
// writer holds the lock) every 20 ms until `ready(file)` holds or `seconds` pass; each time the
// file is opened anew, and a failed open counts as not ready (the child may be flushing).
bool wait_for_file(const std::string &path, double seconds,
                   const std::function<bool(hid_t)> &ready);

// The rows of a dataset, 0 where it does not exist (or cannot be read now).
uint64_t rows_of(hid_t file, const std::string &dataset);

// A file's root attribute that must exist (REQUIREd).
std::string root_attribute(const std::string &file, const std::string &name);

bool contains(const std::string &text, const std::string &part);

// The number after `key` in `text`; NaN where `key` is not there.
double number_after(const std::string &text, const std::string &key);

// The "spikes" column of a population's row in a run's summary ("  X  poisson  500  10,124 ...").
uint64_t summary_spikes(const std::string &summary, const std::string &population);

// The "rate (Hz)" column of a population's row in `ganglion analyze`'s table.
double analyzed_rate(const std::string &analysis, const std::string &population);

// A file's numeric root attribute that must exist (REQUIREd).
double root_number(const std::string &file, const std::string &name);

// A fixture library of tests/fixtures (a plugin, or preload/full_disk.so).
std::string fixture(const std::string &file);

} // namespace ganglion::test
