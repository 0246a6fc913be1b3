// delta's CUDA hooks (its companion library, libganglion_delta_cuda.so): its arrivals are declared,
// and the device engine delivers them into the postsynaptic V, V += weight n, as the CPU's step
// adds. It has no current. init is the CPU's (it checks that the neuron has a V).
#include "ganglion/cuda.cuh"

namespace {

struct DeltaCuda {
  static constexpr bool enqueues_only = true;
  static constexpr ganglion::cuda::Arrivals arrivals{GG_ARRIVAL_POST_V};
};

} // namespace

GANGLION_CUDA_PLUGIN(DeltaCuda)
