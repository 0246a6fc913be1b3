// The signals a run must survive, in one place: the stop signals (SIGINT, SIGTERM, SIGHUP), which
// end a run at a step boundary, and the crashes (SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT), which
// are reported with the plugin hook that was running on the crashing thread. The handlers set a
// flag, or write(2) their report and _exit; what a signal handler may not do (HDF5, allocation)
// the crash handler does only after its report is out, as a best effort to finish the file.
#pragma once

#include <atomic>
#include <string>

#include "ganglion/plugin_abi.h"

namespace ganglion::faults {

// An instance whose hooks run, named once at build so that a crash handler can name it without
// allocating. Every string outlives the run (the experiment's and the plugin's).
struct HookSite {
  const char *kind = "";     // "population", "projection", "plasticity of projection", "recorder"
  const char *instance = ""; // its name (a recorder: its JSON pointer)
  const char *plugin = "";   // the plugin's name
  const char *library = "";  // the file the plugin came from
};

// The hook the calling thread runs now (site null: none). call_hook (hook_call.hpp) sets it
// around every hook call: three stores into memory of its own thread, at a fixed offset
// (initial-exec TLS: no call, and readable from a signal handler).
struct RunningHook {
  const HookSite *site;
  const char *hook; // "step", "current", ...
  const gg_view *view;
};
[[gnu::tls_model("initial-exec")]] extern constinit thread_local RunningHook running_hook;

// "SIGINT", "SIGTERM", ...; "signal N" for one not named here.
std::string signal_name(int sig);

// While it lives, SIGINT, SIGTERM and SIGHUP only set flag() (to the signal's number) and the
// run loop, which checks it at every step boundary, stops there; a second signal ends the process
// at once (the default action). One at a time: the flag and the handlers are the process's.
class StopSignals {
public:
  StopSignals();
  ~StopSignals(); // the earlier actions again
  StopSignals(const StopSignals &) = delete;
  StopSignals &operator=(const StopSignals &) = delete;

  const std::atomic<int> &flag() const;
  int signal() const { return flag().load(); } // 0: none yet
};

// While it lives, a crash (SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT) writes to stderr what ran:
// inside a plugin's hook, the plugin, its library, the instance, the hook and the step and time;
// then calls `salvage(ctx, status)`, the best effort to finish the output file with `status`
// ("failed: <the report>"), which returns the file's path where it succeeded (NULL otherwise);
// says where the file is (that path, or `fallback`, the file as last flushed); and exits with
// `exit_status`, or, for a crash outside any hook (a bug of ganglion's), ends by the signal's
// default action. A salvage that hangs (the crash left a lock taken) is cut short after a few
// seconds, with the same exit status.
class CrashGuard {
public:
  using Salvage = const char *(*)(void *ctx, const char *status);
  CrashGuard(Salvage salvage, void *ctx, std::string fallback, int exit_status);
  ~CrashGuard(); // the earlier actions again
  CrashGuard(const CrashGuard &) = delete;
  CrashGuard &operator=(const CrashGuard &) = delete;
};

// While it lives, a crash on the calling thread is the plugin library `path` crashing as it is
// opened (its constructors or its descriptor function run ganglion cannot check): the report
// names the file and the fix, and the process exits with `exit_status`. Inside a CrashGuard the
// guard's handlers report it; outside one, its own are installed for the while.
class OpeningLibrary {
public:
  OpeningLibrary(const char *path, int exit_status);
  ~OpeningLibrary();
  OpeningLibrary(const OpeningLibrary &) = delete;
  OpeningLibrary &operator=(const OpeningLibrary &) = delete;

private:
  const char *previous_;
  bool installed_;
  int previous_status_;
};

} // namespace ganglion::faults
