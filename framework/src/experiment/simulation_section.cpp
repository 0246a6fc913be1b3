// The "simulation" section: dt, duration, seed, threads, the default backend, the GPU's
// delivery order and Dale's law.
#include <climits>

#include "experiment/loader_internal.hpp"
#include "experiment/units.hpp"

namespace ganglion::loading {

void Loader::load_simulation(const Json &doc, Json &resolved) {
  static const Json empty = Json::object();
  const std::string pointer = "/simulation";
  const Json *sim = member(doc, "simulation");
  if (!sim) sim = &empty;
  require_object(*sim, pointer, "{\"dt\": \"0.1 ms\", \"duration\": \"1 s\"}");
  check_keys(*sim, pointer, {"dt", "duration", "seed", "threads", "backend", "delivery", "dale"});
  SimulationSpec &s = ex_.simulation;

  s.dt = 0.1;
  if (const Json *dt = member(*sim, "dt")) s.dt = get_time(*dt, child(pointer, "dt"));
  if (!(s.dt > 0))
    fail(child(pointer, "dt"), "dt must be positive, got " + format_value(s.dt, "ms"));

  s.duration = 1000;
  std::string duration_pointer = child(pointer, "duration");
  if (const Json *d = member(*sim, "duration")) s.duration = get_time(*d, duration_pointer);
  if (!(s.duration > 0))
    fail(duration_pointer, "the duration must be positive, got " + format_value(s.duration, "ms"));
  s.n_steps = whole_steps(s.duration, duration_pointer);

  s.seed = 1;
  if (const Json *seed = member(*sim, "seed"))
    s.seed = get_count(*seed, child(pointer, "seed"), "a non-negative integer seed");
  s.threads = 0;
  if (const Json *threads = member(*sim, "threads")) {
    uint64_t n = get_count(*threads, child(pointer, "threads"),
                           "a non-negative number of threads (0: all cores)");
    if (n > UINT_MAX) fail(child(pointer, "threads"), "too many threads: " + std::to_string(n));
    s.threads = unsigned(n);
  }
  s.backend = GG_BACKEND_CPU;
  if (const Json *backend = member(*sim, "backend"))
    s.backend = simulation_backend(*backend, child(pointer, "backend"));
  s.ordered_delivery = false;
  if (const Json *d = member(*sim, "delivery")) {
    const std::string pd = child(pointer, "delivery"), how = get_string(*d, pd);
    if (how != "atomic" && how != "ordered")
      fail(pd, "unknown delivery '" + clipped(how) +
                   "'; use \"atomic\" (the default: a GPU adds arrivals in any order) or "
                   "\"ordered\" (in the CPU's order, giving its bits)");
    s.ordered_delivery = how == "ordered";
  }
  dale_ = true;
  if (const Json *dale = member(*sim, "dale")) dale_ = get_bool(*dale, child(pointer, "dale"));

  resolved["simulation"] = Json{{"dt", format_value(s.dt, "ms")},
                                {"duration", format_value(s.duration, "ms")},
                                {"seed", s.seed},
                                {"threads", s.threads},
                                {"backend", backend_name(s.backend)},
                                {"dale", dale_}};
  if (member(*sim, "delivery")) // (a CPU run's resolved config stays as it was)
    resolved["simulation"]["delivery"] = s.ordered_delivery ? "ordered" : "atomic";
}

} // namespace ganglion::loading
