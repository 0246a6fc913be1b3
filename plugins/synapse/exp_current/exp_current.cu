// exp_current's CUDA hooks (its companion library, libganglion_exp_current_cuda.so). Its arrivals
// are declared, and the device engine delivers them: I += (weight jump) n, as the CPU's step adds.
// `current` serves a neuron that does not take the synapse as a channel: the neuron's input gains
// I's mean over the step, then I decays, a thread a target with the CPU loop's arithmetic
// (ganglion::channel_element). init is the CPU's, run on the host (the factors uploaded).
#include "ganglion/cuda.cuh"
#include "ganglion/sdk/channels.hpp"

#include "exp_current_fields.hpp"

namespace {

using namespace ganglion::exp_current;

struct Current {
  double *in, *x;
  const double *average, *decay;
  __device__ void operator()(uint64_t j, uint64_t) const {
    ganglion::channel_element<GG_CHANNEL_CURRENT>(in[j], x[j], average[j], decay[j], 0, 0);
  }
};

struct ExpCurrentCuda {
  static constexpr bool enqueues_only = true;
  static constexpr ganglion::cuda::Arrivals arrivals{I, jump};

  static void current(const gg_cuda_view &cv) {
    const gg_view &v = *cv.view;
    ganglion::cuda::for_each_element(
        cv, Current{v.post_input, v.fields[I], v.fields[average], v.fields[decay]});
  }
};

} // namespace

GANGLION_CUDA_PLUGIN(ExpCurrentCuda)
