// stdp's CUDA hooks (its companion library, libganglion_stdp_cuda.so): the step as the CPU's
// (stdp.cpp), each part a kernel walking this step's spikes (ganglion/cuda_rules.cuh) with
// stdp_model.hpp's arithmetic, so both backends change the same weights by the same bits. init
// and update are the CPU's, run on the host (the derived decays uploaded).
#include "ganglion/cuda.cuh"
#include "ganglion/cuda_rules.cuh"

#include "stdp_model.hpp"

namespace {

using namespace ganglion::stdp;

struct StdpCuda {
  static constexpr bool enqueues_only = true;

  static void step(const gg_cuda_view &cv) {
    const gg_view &v = *cv.view, &h = *cv.host;
    if (v.n == 0) return;
    double *x = v.fields[x_pre], *y = v.fields[y_post];
    const bool nearest = h.fields[pairing][0] != 0;
    namespace cuda = ganglion::cuda;
    // (nearest: a spike sets its trace to 1; all-to-all: adds 1)
    cuda::for_each_index(cv, v.n_pre, ganglion::TraceDecay{x, h.fields[decay_plus][0]});
    cuda::for_each_pre_spike(cv, ganglion::TraceSpike{x, 1.0, nearest});
    cuda::for_each_index(cv, v.n, ganglion::TraceDecay{y, 0.0, v.fields[decay_minus]});
    const Changes ch = changes_of(h, v);
    cuda::for_each_pre_synapse(cv, ch);
    cuda::for_each_post_synapse(cv, ch);
    cuda::for_each_post_spike(cv, ganglion::TraceSpike{y, 1.0, nearest});
  }
};

} // namespace

GANGLION_CUDA_PLUGIN(StdpCuda)
