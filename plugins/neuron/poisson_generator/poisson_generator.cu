// poisson_generator's CUDA hooks (libganglion_poisson_generator_cuda.so): as on the CPU, the
// generator emits nothing and its step does nothing; the device engine draws its projections'
// counts where they arrive (gpu/delivery/drive.hpp), from its rates uploaded after the CPU's init.
#include "ganglion/cuda.cuh"

namespace {

struct PoissonGeneratorCuda {
  static constexpr bool enqueues_only = true;
  static void step(const gg_cuda_view &) {}
};

} // namespace

GANGLION_CUDA_PLUGIN(PoissonGeneratorCuda)
