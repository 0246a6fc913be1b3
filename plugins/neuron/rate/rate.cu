// rate's CUDA hooks (its companion library, libganglion_rate_cuda.so): the step, one thread an
// element, running rate_model.hpp's Step, the CPU's arithmetic. init and update (the decay from
// tau) are left to the CPU's, run on the host and uploaded, so both backends step with the same
// bits.
#include "ganglion/cuda.cuh"

#include "rate_model.hpp"

namespace {

struct RateCuda {
  static constexpr bool enqueues_only = true;

  static void step(const gg_cuda_view &cv) {
    ganglion::cuda::for_each_element(cv, ganglion::rate::step_of(*cv.host, *cv.view));
  }
};

} // namespace

GANGLION_CUDA_PLUGIN(RateCuda)
