// Rate unit (docs/science.md): tau dr/dt = -r + f(input + X), with f one of relu, threshold-linear,
// sigmoid, tanh, power law. Rates and inputs are in Hz; projections between rate populations use
// a rate synapse (rate_linear), which carries W r. Integrated exactly for the input frozen over
// the step: r <- f + (r - f) exp(-dt/tau) (scheme 'euler': r += dt (f - r)/tau).
#include <cmath>

#include "ganglion/plugin.hpp"
#include "rate_model.hpp"

namespace {

using ganglion::inf;

struct Rate {
  static constexpr const char *name = "rate";
  // 1.1: e^x, e^x - 1, tanh and x^y by ganglion/elementary.h (the same bits on a GPU), not libm
  static constexpr const char *version = "1.1";
  static constexpr gg_kind kind = GG_KIND_NEURON;
  static constexpr bool batch = true; // element by element; draws by gg_element_*
  static constexpr bool rate = true;
  static constexpr const char *input_unit = "Hz";
  static constexpr const char *doc =
      "Rate unit: tau dr/dt = -r + f(x), x = input + X (Hz). f: relu [x]+; threshold_linear "
      "gain [x - theta]+; sigmoid r_max / (1 + exp(-(x - theta)/sigma)); tanh r_max tanh(gain "
      "(x - theta)/r_max) (may be negative); power gain [x - theta]+^exponent. Emits no spikes: "
      "its output r reaches other rate units through rate_linear projections. The coupling is "
      "explicit (a step late), so strong loops (gain |W| dt/tau near 1 or above) oscillate from "
      "step to step: lower dt until the result no longer changes.";

  using enum ganglion::rate::Field; // shared with rate.cu (rate_model.hpp)
  static constexpr gg_field fields[] = {
      ganglion::param("tau", "ms", 10, 0, inf, "time constant", GG_MIN_EXCLUSIVE),
      ganglion::param("X", "Hz", 0, -inf, inf, "external input"),
      ganglion::choice("function", "relu|threshold_linear|sigmoid|tanh|power", 0,
                       "transfer function f"),
      ganglion::param("gain", "1", 1, 0, inf, "slope (threshold_linear, tanh, power)"),
      ganglion::param("theta", "Hz", 0, -inf, inf, "threshold (all but relu)"),
      ganglion::param("sigma", "Hz", 1, 0, inf, "width of the sigmoid", GG_MIN_EXCLUSIVE),
      ganglion::param("r_max", "Hz", 100, 0, inf, "saturation (sigmoid, tanh)", GG_MIN_EXCLUSIVE),
      ganglion::param("exponent", "1", 2, 0, inf, "power of the power law", GG_MIN_EXCLUSIVE),
      ganglion::choice("scheme", "exact|euler", 0, "integration scheme"),
      ganglion::state("r", "Hz", 0, -1e9, 1e9, "rate", GG_BOUND_CHECKED),
      ganglion::trace("decay", "1", "exp(-dt/tau), precomputed"),
  };

  static void init(const gg_view &v) {
    const bool euler = v.fields[scheme][0] != 0;
    for (uint64_t i = 0; i < v.n; ++i)
      v.fields[decay][i] = euler ? 1.0 - v.dt / v.fields[tau][i] : std::exp(-v.dt / v.fields[tau][i]);
  }
  static void update(const gg_view &v) { init(v); }

  static void step(const gg_view &v) {
    const ganglion::rate::Step s = ganglion::rate::step_of(v, v);
    for (uint64_t i = 0; i < v.n; ++i)
      s(i, v.step);
  }
};

} // namespace

GANGLION_PLUGIN(Rate)
