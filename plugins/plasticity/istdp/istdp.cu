// istdp's CUDA hooks (its companion library, libganglion_istdp_cuda.so): the step as the CPU's
// (istdp.cpp), each part a kernel walking this step's spikes (ganglion/cuda_rules.cuh) with
// istdp_model.hpp's arithmetic, so both backends change the same weights by the same bits. init
// and update are the CPU's, run on the host (the derived decay, 2 r0 and sign uploaded).
#include "ganglion/cuda.cuh"
#include "ganglion/cuda_rules.cuh"

#include "istdp_model.hpp"

namespace {

using namespace ganglion::istdp;

struct IstdpCuda {
  static constexpr bool enqueues_only = true;

  static void step(const gg_cuda_view &cv) {
    const gg_view &v = *cv.view, &h = *cv.host;
    if (v.n == 0) return;
    double *xp = v.fields[x_post], *xq = v.fields[x_pre];
    const double d = h.fields[decay][0], jump = 1.0 / h.fields[tau][0];
    namespace cuda = ganglion::cuda;
    cuda::for_each_index(cv, v.n_pre, ganglion::TraceDecay{xq, d});
    cuda::for_each_pre_spike(cv, ganglion::TraceSpike{xq, jump});
    cuda::for_each_index(cv, v.n, ganglion::TraceDecay{xp, d});
    cuda::with_params(cv, {eta, r0, J_min, J_max}, [&](const auto &p) {
      const auto ch = changes_of(p, h, v);
      cuda::for_each_pre_synapse(cv, ch);
      cuda::for_each_post_synapse(cv, ch);
    });
    // This step's postsynaptic spikes add to x_post, after the changes (which read x_pre only).
    cuda::for_each_post_spike(cv, ganglion::TraceSpike{xp, jump});
  }
};

} // namespace

GANGLION_CUDA_PLUGIN(IstdpCuda)
