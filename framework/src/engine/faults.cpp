// The stop signals and the crash handler (faults.hpp). Inside the handlers only async-signal-safe
// calls are made (atomics, write, signal, raise, alarm, _exit), except the crash handler's
// salvage, which runs after the report is out and under an alarm.
#include "engine/faults.hpp"

#include <signal.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstring>

namespace ganglion::faults {

constinit thread_local RunningHook running_hook{nullptr, nullptr, nullptr};

namespace {
// The library an OpeningLibrary names, on the thread that opens it (null: none).
[[gnu::tls_model("initial-exec")]] constinit thread_local const char *opening_library = nullptr;
} // namespace

namespace {

static_assert(std::atomic<int>::is_always_lock_free,
              "a signal handler may touch only lock-free atomics");

// A line of text built without allocating (a signal handler may not); what does not fit is cut.
class Line {
public:
  Line &operator<<(const char *s) {
    while (s && *s && n_ + 1 < sizeof text_)
      text_[n_++] = *s++;
    text_[n_] = 0;
    return *this;
  }
  Line &operator<<(uint64_t x) {
    char digits[24];
    int k = 0;
    do {
      digits[k++] = char('0' + x % 10);
      x /= 10;
    } while (x);
    char reversed[24];
    for (int i = 0; i < k; ++i)
      reversed[i] = digits[k - 1 - i];
    reversed[k] = 0;
    return *this << reversed;
  }
  // Milliseconds as "%.10g" would print a step's time: up to six decimals, trailing zeros cut.
  Line &ms(double t) {
    if (!std::isfinite(t) || t < 0 || t > 1e12) return *this << "?"; // (micro below 2^64)
    const auto micro = uint64_t(std::llround(t * 1e6));
    *this << micro / 1000000;
    uint64_t frac = micro % 1000000;
    if (frac == 0) return *this;
    char d[8] = ".000000";
    for (int i = 6; i > 0; --i, frac /= 10)
      d[i] = char('0' + frac % 10);
    for (int i = 6; i > 0 && d[i] == '0'; --i)
      d[i] = 0;
    return *this << d;
  }
  const char *c_str() const { return text_; }
  void write_to(int fd) const {
    for (std::size_t done = 0; done < n_;) {
      const ssize_t w = ::write(fd, text_ + done, n_ - done);
      if (w < 0 && errno == EINTR) continue;
      if (w <= 0) return;
      done += std::size_t(w);
    }
  }

private:
  char text_[2048] = {0};
  std::size_t n_ = 0;
};

const char *name_of(int sig) {
  switch (sig) {
  case SIGINT: return "SIGINT";
  case SIGTERM: return "SIGTERM";
  case SIGHUP: return "SIGHUP";
  case SIGSEGV: return "SIGSEGV";
  case SIGBUS: return "SIGBUS";
  case SIGFPE: return "SIGFPE";
  case SIGILL: return "SIGILL";
  case SIGABRT: return "SIGABRT";
  default: return nullptr;
  }
}

// Signals that share a handler, and the actions it replaced. While the handler runs for one of
// them, the others wait: a second one then finds the first one's work done.
template <std::size_t N> struct Handled {
  std::array<int, N> signals;
  std::array<struct sigaction, N> saved{};
  void install(void (*handler)(int, siginfo_t *, void *), int flags) {
    struct sigaction a = {};
    a.sa_sigaction = handler;
    a.sa_flags = SA_SIGINFO | flags;
    sigemptyset(&a.sa_mask);
    for (int sig : signals)
      sigaddset(&a.sa_mask, sig);
    for (std::size_t i = 0; i < N; ++i)
      ::sigaction(signals[i], &a, &saved[i]);
  }
  void restore() {
    for (std::size_t i = 0; i < N; ++i)
      ::sigaction(signals[i], &saved[i], nullptr);
  }
};

// ---- stop signals ----

Handled<3> stop_signals{{SIGINT, SIGTERM, SIGHUP}};
std::atomic<int> stop_signal{0};

void on_stop(int sig, siginfo_t *, void *) {
  int none = 0;
  if (stop_signal.compare_exchange_strong(none, sig)) return;
  // The second: the default action, once this handler returns (the signal is blocked until then).
  ::signal(sig, SIG_DFL);
  ::raise(sig);
}

// ---- crashes ----

Handled<5> crash_signals{{SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT}};
stack_t saved_stack;
alignas(16) char crash_stack[64 * 1024]; // the handler's own: a stack overflow has none left
CrashGuard::Salvage crash_salvage = nullptr;
void *crash_ctx = nullptr;
std::string crash_fallback;
int crash_status = 3;
bool crash_guarded = false; // a CrashGuard lives

// What crashed, in words: the plugin, its library, the instance, the hook and when.
void describe(Line &line, int sig, const RunningHook &r) {
  const char *name = name_of(sig);
  if (opening_library) {
    line << "the plugin library " << opening_library << " crashed ("
         << (name ? name : "a signal")
         << ") as it was opened (in its constructors or its descriptor function): rebuild it, or "
            "take it off GANGLION_PLUGIN_PATH";
    return;
  }
  if (!r.site) {
    line << "ganglion crashed (" << (name ? name : "a signal")
         << ") outside any plugin's hook: a bug of ganglion's, please report it";
    return;
  }
  line << "plugin '" << r.site->plugin << "' (" << r.site->library << ") crashed ("
       << (name ? name : "a signal") << ") in hook '" << r.hook << "' of " << r.site->kind << " '"
       << r.site->instance << "'";
  if (std::strcmp(r.hook, "init") == 0 || !r.view) {
    line << ", before the first step";
    return;
  }
  line << " at step " << uint64_t(r.view->step) << " (t = ";
  line.ms(r.view->t) << " ms)";
}

void on_alarm(int) {
  ::_exit(crash_status);
}

void on_crash(int sig, siginfo_t *, void *) {
  static std::atomic<bool> entered{false};
  if (entered.exchange(true)) // another thread's crash is being reported; the process ends with it
    for (;;)
      ::pause();
  const RunningHook running = running_hook;
  Line report;
  describe(report, sig, running);
  Line message;
  message << "ganglion: " << report.c_str() << "\n";
  message.write_to(STDERR_FILENO);

  // The best effort to finish the file: it may hang on a lock the crash left taken.
  struct sigaction quit = {};
  quit.sa_handler = on_alarm;
  ::sigaction(SIGALRM, &quit, nullptr);
  ::alarm(5);
  Line status;
  status << "failed: " << report.c_str();
  const char *where = crash_salvage ? crash_salvage(crash_ctx, status.c_str()) : nullptr;
  ::alarm(0);
  Line file;
  if (where)
    file << "ganglion: what was recorded up to then is in " << where << "\n";
  else if (!crash_fallback.empty())
    file << "ganglion: what was recorded up to the last flush is in " << crash_fallback.c_str()
         << "\n";
  file.write_to(STDERR_FILENO);

  if (running.site || opening_library) ::_exit(crash_status);
  // ganglion's own crash: the default action (a core dump), when this handler returns.
  ::signal(sig, SIG_DFL);
  ::raise(sig);
}

} // namespace

std::string signal_name(int sig) {
  const char *name = name_of(sig);
  return name ? name : "signal " + std::to_string(sig);
}

StopSignals::StopSignals() {
  stop_signal.store(0);
  stop_signals.install(on_stop, SA_RESTART); // system calls go on where a signal interrupts them
}

StopSignals::~StopSignals() {
  stop_signals.restore();
}

const std::atomic<int> &StopSignals::flag() const {
  return stop_signal;
}

CrashGuard::CrashGuard(Salvage salvage, void *ctx, std::string fallback, int exit_status) {
  crash_salvage = salvage;
  crash_ctx = ctx;
  crash_fallback = std::move(fallback);
  crash_status = exit_status;
  crash_guarded = true;
  stack_t stack = {};
  stack.ss_sp = crash_stack;
  stack.ss_size = sizeof crash_stack;
  ::sigaltstack(&stack, &saved_stack);
  crash_signals.install(on_crash, SA_ONSTACK);
}

CrashGuard::~CrashGuard() {
  crash_signals.restore();
  ::sigaltstack(&saved_stack, nullptr);
  crash_salvage = nullptr;
  crash_ctx = nullptr;
  crash_fallback.clear();
  crash_guarded = false;
}

OpeningLibrary::OpeningLibrary(const char *path, int exit_status)
    : previous_(opening_library), installed_(!crash_guarded), previous_status_(crash_status) {
  crash_status = exit_status;
  if (installed_) crash_signals.install(on_crash, 0);
  opening_library = path;
}

OpeningLibrary::~OpeningLibrary() {
  opening_library = previous_;
  crash_status = previous_status_;
  if (installed_) crash_signals.restore();
}

} // namespace ganglion::faults
