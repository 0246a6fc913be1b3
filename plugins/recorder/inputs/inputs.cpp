// Input recorder: the population-mean current each incoming projection delivers, every `every`
// steps, as /inputs/<population>/<projection> (input unit) with /inputs/<population>/time (ms).
// Beside each other they show the balanced state's cancellation of large E and I inputs.
#include <string>

#include "ganglion/plugin.hpp"

namespace {

struct Inputs {
  static constexpr const char *name = "inputs";
  static constexpr gg_kind kind = GG_KIND_RECORDER;
  static constexpr const char *doc =
      "Records, every \"every\", the population-mean input of each incoming projection: "
      "/inputs/<population>/<projection name> (the neuron's input unit) and "
      "/inputs/<population>/time (ms, the end of the sampled step).";
  enum Field { count };

  static void init(const gg_view &v) {
    const std::string base = std::string("/inputs/") + v.population + "/";
    for (uint32_t k = 0; k < v.n_inputs; ++k)
      v.sink.declare(v.sink.ctx, (base + v.input_names[k]).c_str(), GG_DTYPE_F64, 1, v.input_unit);
    v.sink.declare(v.sink.ctx, (base + "time").c_str(), GG_DTYPE_F64, 1, "ms");
  }

  static void step(const gg_view &v) {
    if ((v.step + 1) % v.every != 0) return;
    for (uint32_t k = 0; k < v.n_inputs; ++k) v.sink.append(v.sink.ctx, int32_t(k), &v.input_means[k], 1);
    const double t = double(v.step + 1) * v.dt;
    v.sink.append(v.sink.ctx, int32_t(v.n_inputs), &t, 1);
  }
};

} // namespace

GANGLION_PLUGIN(Inputs)
