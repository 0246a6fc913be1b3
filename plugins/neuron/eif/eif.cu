// eif's CUDA hooks (its companion library, libganglion_eif_cuda.so): the step, one thread an
// element, running eif_model.hpp's Step, the CPU's arithmetic. eif has no init or update, so the
// step is all there is.
#include "ganglion/cuda.cuh"

#include "eif_model.hpp"

namespace {

struct EifCuda {
  static constexpr bool enqueues_only = true;

  static void step(const gg_cuda_view &cv) {
    ganglion::eif::with_step(*cv.host, *cv.view,
                             [&](const auto &s) { ganglion::cuda::step_elements(cv, s); });
  }
};

} // namespace

GANGLION_CUDA_PLUGIN(EifCuda)
