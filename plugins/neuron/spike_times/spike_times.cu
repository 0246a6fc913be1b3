// spike_times' CUDA hooks (its companion library, libganglion_spike_times_cuda.so): the step, one
// thread an element, running spike_times_model.hpp's Step, the CPU's; an element's spikes of a
// step appended at once. init (each element's first time) is left to the CPU's, run on the host
// and uploaded.
#include "ganglion/cuda.cuh"

#include "spike_times_model.hpp"

namespace {

struct SpikeTimesCuda {
  static constexpr bool enqueues_only = true;

  static void step(const gg_cuda_view &cv) {
    ganglion::cuda::emit_elements(cv, ganglion::spike_times::step_of(*cv.view));
  }
};

} // namespace

GANGLION_CUDA_PLUGIN(SpikeTimesCuda)
