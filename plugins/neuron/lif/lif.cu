// lif's CUDA hooks (its companion library, libganglion_lif_cuda.so): the step, one thread an
// element, running lif_model.hpp's Step, the CPU's arithmetic. init and update are left to the
// CPU's (run on the host, the derived coefficients uploaded), so both backends step with the same
// bits.
#include "ganglion/cuda.cuh"

#include "lif_model.hpp"

namespace {

struct LifCuda {
  static constexpr bool enqueues_only = true;

  static void step(const gg_cuda_view &cv) {
    ganglion::lif::with_step(*cv.host, *cv.view,
                             [&](const auto &s) { ganglion::cuda::step_elements(cv, s); });
  }
};

} // namespace

GANGLION_CUDA_PLUGIN(LifCuda)
