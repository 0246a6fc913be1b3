// Calling a plugin's hooks from the engine: the buffer a hook writes its message into, the
// wrapper that names the failing instance (and notes, for a crash report, what runs), and the
// divergence that stops a run (not an error).
#pragma once

#include <cstdio>
#include <stdexcept>
#include <string>

#include "engine/faults.hpp"
#include "engine/simulation.hpp"
#include "ganglion/plugin_abi.h"

namespace ganglion::engine {

// The kernel's side of a hook's gg_error: a message buffer, emptied before each call (only its
// first byte: hooks run for every step) and read with its terminating NUL made sure.
struct HookMessage {
  char text[1024];
  gg_error err{text, sizeof text};
  HookMessage() { text[0] = 0; }
  HookMessage(const HookMessage &) = delete; // err points into this object
  HookMessage &operator=(const HookMessage &) = delete;
  gg_error *clear() {
    text[0] = 0;
    return &err;
  }
  const char *str() {
    text[sizeof text - 1] = 0; // a message without its NUL stays in the buffer
    return text;
  }
};

// A neuron, synapse or rule diverged: the run stops there and says so in its report.
struct Divergence : std::runtime_error {
  using std::runtime_error::runtime_error;
};

inline std::string format_ms(double t) {
  char b[64];
  std::snprintf(b, sizeof b, "%.10g ms", t);
  return b;
}

// Calls a hook of an instance's table (NULL: the plugin has none, nothing to do); on failure
// throws with `who()` (built only then: this runs in the step loop) naming the instance. While
// the hook runs, the thread's faults::running_hook names it (`site`), for a crash report.
// `static`: each translation unit's instance of it is its own, which GCC may inline into the one
// function that calls it (a step's hook call); one shared by all, it keeps out of line.
template <class Who>
static void call_hook(gg_status (*hook)(const gg_view *, gg_error *), const gg_view &v,
                      const faults::HookSite &site, Who &&who, const char *what) {
  if (!hook) return;
  HookMessage m;
  faults::RunningHook &running = faults::running_hook;
  running = {&site, what, &v};
  const gg_status s = hook(&v, &m.err);
  running.site = nullptr;
  if (s == GG_OK) return;
  if (s == GG_DIVERGED)
    throw Divergence(who() + " diverged at t = " + format_ms(v.t) + ": " + m.str());
  throw RunError(who() + ": " + what + " failed: " + m.str());
}

} // namespace ganglion::engine
