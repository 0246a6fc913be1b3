// qif's CUDA implementation, built by nvcc into its companion library libganglion_qif_cuda.so
// (ganglion_add_plugin's CUDA_SOURCES) where CUDA is found: the step runs qif_model.hpp's Step a
// thread an element, the arithmetic the CPU's vector loop runs. init and update are not given: qif
// has none on the CPU either.
#include <ganglion/cuda.cuh>

#include "qif_model.hpp"

namespace {

struct QifCuda {
  static constexpr bool enqueues_only = true; // hooks only enqueue work: graph capture allowed

  static void step(const gg_cuda_view &cv) {
    qif::with_step(*cv.host, *cv.view,
                   [&](const auto &s) { ganglion::cuda::step_elements(cv, s); });
  }
};

} // namespace

GANGLION_CUDA_PLUGIN(QifCuda)
