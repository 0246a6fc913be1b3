// A projection's "delay": a constant (a whole number of steps, at least one), or per synapse
// {"uniform": [lo, hi]} / {"normal": [mean, std]} in ms, a normal with an optional "min" below
// which draws are drawn again (NEST's redraw). A drawn delay is rounded to whole steps per
// synapse; a draw below one step (the lower end may be below dt, and a normal without "min" has
// no lower end) is raised to one step by the engine, and one above kMaxDrawnDelaySteps stops the
// build. `delay` is then the mean, and delay_steps = max(1, round(mean / dt)).
#include <algorithm>
#include <cmath>

#include "experiment/loader_internal.hpp"
#include "experiment/units.hpp"

namespace ganglion::loading {

namespace {

// The most steps a drawn delay holds: the engine keeps them in 16 bits (connect/connectivity.hpp).
constexpr uint64_t kMaxDrawnDelaySteps = 65535;

} // namespace

// Reads the "delay" of projection `j` (one step where it gives none) into `spec`, writes it to
// `r`.
void Loader::load_delay(const Json &j, ProjectionSpec &spec, Json &r) const {
  std::string dp = child(spec.pointer, "delay");
  spec.delay = ex_.simulation.dt;
  const Json *delay = member(j, "delay");
  if (delay && delay->is_object()) {
    // (a rate synapse reads its presynaptic rates of the step itself, whatever the delay; its
    // rows, sorted by drawn delays, would only be out of order for its sums)
    if (spec.synapse->desc->flags & GG_DESC_RATE)
      fail(dp, "'" + spec.synapse->name +
                   "' carries rates (W r) as they are in each step, so a drawn delay does not "
                   "apply to it; remove \"delay\"");
    drawn_delay(*delay, dp, spec, r);
    return;
  }
  if (delay) spec.delay = get_time(*delay, dp);
  spec.delay_steps = whole_steps(spec.delay, dp);
  spec.delay_dist = make_spec(ValueSpec::Kind::Constant, spec.delay);
  r["delay"] = format_value(spec.delay, "ms");
}

// {"uniform": [lo, hi]} or {"normal": [mean, std]} at `pointer`.
void Loader::drawn_delay(const Json &delay, const std::string &pointer, ProjectionSpec &spec,
                         Json &r) const {
  const std::vector<std::string> forms = {"uniform", "normal"};
  double dt = ex_.simulation.dt;
  const Json *min = member(delay, "min");
  if (delay.size() != (min ? 2u : 1u))
    fail(pointer, "expected a delay like \"1.5 ms\", {\"uniform\": [lo, hi]} or {\"normal\": "
                  "[mean, std]} (with \"min\": a time, below which a normal is drawn again), "
                  "got " +
                      shown(delay));
  auto it = delay.begin();
  if (it.key() == "min") ++it;
  std::string form = it.key();
  std::string fp = child(pointer, form);
  if (form != "uniform" && form != "normal")
    fail(pointer, "unknown distribution '" + clipped(form) + "'" + did_you_mean(form, forms) +
                      "; use one of: " + join_list(forms));
  auto [a, b] = pair_of(it.value(), "ms", "the delay", fp,
                        form == "uniform" ? "[\"1 ms\", \"3 ms\"]" : "[\"2 ms\", \"0.5 ms\"]");
  double longest = a;
  if (form == "uniform") {
    if (!(a >= 0)) fail(child(fp, 0), "a delay cannot be negative, got " + format_value(a, "ms"));
    if (a > b)
      fail(fp, "the low end " + format_value(a, "ms") + " is above the high end " +
                   format_value(b, "ms"));
    if (!std::isfinite(b)) fail(child(fp, 1), "the delay must be finite");
    spec.delay = (a + b) / 2;
    longest = b;
  } else {
    if (!(a > 0) || !std::isfinite(a))
      fail(child(fp, 0),
           "the mean delay must be positive and finite, got " + format_value(a, "ms"));
    check_std(b, "ms", child(fp, 1));
    spec.delay = a;
  }
  // The engine stores a drawn delay per synapse in 16 bits of steps; the uniform's high end, or
  // a normal's mean (half the draws lie beyond it), must fit.
  if (!(std::round(longest / dt) <= double(kMaxDrawnDelaySteps)))
    fail(child(fp, form == "uniform" ? 1 : 0),
         (form == "uniform" ? "" : "a mean of ") + format_value(longest, "ms") +
             " is more steps of dt = " + format_value(dt, "ms") + " than a drawn delay holds (" +
             std::to_string(kMaxDrawnDelaySteps) + "): the longest is " +
             rounded_ms(double(kMaxDrawnDelaySteps) * dt) +
             "; shorten it, raise dt, or give a constant delay");
  spec.delay_dist =
      make_spec(form == "uniform" ? ValueSpec::Kind::Uniform : ValueSpec::Kind::Normal, a, b);
  spec.delay_steps = std::max<uint64_t>(1, uint64_t(std::llround(spec.delay / dt)));
  r["delay"] = Json{{form, Json::array({format_value(a, "ms"), format_value(b, "ms")})}};
  if (min) {
    const std::string mp = child(pointer, "min");
    if (form != "normal")
      fail(mp, "\"min\" applies to a normal delay; a uniform's low end is its smallest: raise "
               "the low end instead");
    spec.delay_min = get_time(*min, mp);
    if (!(spec.delay_min >= 0) || !(spec.delay_min < a))
      fail(mp, "the smallest delay must be >= 0 and below the mean (" + format_value(a, "ms") +
                   "), got " + format_value(spec.delay_min, "ms"));
    r["delay"]["min"] = format_value(spec.delay_min, "ms");
  }
}

} // namespace ganglion::loading
