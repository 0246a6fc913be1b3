// exp_conductance's CUDA hooks (its companion library, libganglion_exp_conductance_cuda.so). Its
// arrivals are declared, and the device engine delivers them: g += (weight jump) n, as the CPU's
// step adds. `current` serves a neuron that does not take the synapse as a channel: the neuron's
// input gains g's mean over the step times (E_syn - V), V the neuron's at the start of the step,
// then g decays, a thread a target with the CPU loop's arithmetic (ganglion::channel_element).
// init is the CPU's, run on the host (the factors uploaded, the weights checked there).
#include "ganglion/cuda.cuh"
#include "ganglion/sdk/channels.hpp"

#include "exp_conductance_fields.hpp"

namespace {

using namespace ganglion::exp_conductance;

struct Current {
  double *in, *x;
  const double *average, *decay, *E, *V;
  __device__ void operator()(uint64_t j, uint64_t) const {
    ganglion::channel_element<GG_CHANNEL_CONDUCTANCE>(in[j], x[j], average[j], decay[j], E[j],
                                                      V[j]);
  }
};

struct ExpConductanceCuda {
  static constexpr bool enqueues_only = true;
  static constexpr ganglion::cuda::Arrivals arrivals{g, jump};

  static void current(const gg_cuda_view &cv) {
    const gg_view &v = *cv.view;
    ganglion::cuda::for_each_element(cv, Current{v.post_input, v.fields[g], v.fields[average],
                                                 v.fields[decay], v.fields[E_syn], v.post_v});
  }
};

} // namespace

GANGLION_CUDA_PLUGIN(ExpConductanceCuda)
