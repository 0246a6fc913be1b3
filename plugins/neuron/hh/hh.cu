// hh's CUDA hooks (its companion library, libganglion_hh_cuda.so): the step, one thread an
// element, running hh_model.hpp's Step, the CPU's arithmetic. init (the gates' steady states) is
// left to the CPU's, run on the host and uploaded, so both backends start from the same bits.
#include "ganglion/cuda.cuh"

#include "hh_model.hpp"

namespace {

struct HhCuda {
  static constexpr bool enqueues_only = true;

  static void step(const gg_cuda_view &cv) {
    ganglion::cuda::step_elements(cv, ganglion::hh::step_of(*cv.view));
  }
};

} // namespace

GANGLION_CUDA_PLUGIN(HhCuda)
