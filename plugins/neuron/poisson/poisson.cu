// poisson's CUDA hooks (its companion library, libganglion_poisson_cuda.so): the step, one thread
// an element, running poisson_model.hpp's Step, the CPU's draws; a neuron's spikes of a step
// appended at once. init and update (the first spike of a train) are left to the CPU's, run on the
// host and uploaded, so both backends draw the same trains.
#include "ganglion/cuda.cuh"

#include "poisson_model.hpp"

namespace {

struct PoissonCuda {
  static constexpr bool enqueues_only = true;

  static void step(const gg_cuda_view &cv) {
    ganglion::cuda::emit_elements(cv, ganglion::poisson::step_of(*cv.view));
  }
};

} // namespace

GANGLION_CUDA_PLUGIN(PoissonCuda)
