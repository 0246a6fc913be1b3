// rate_linear's CUDA hooks (its companion library, libganglion_rate_linear_cuda.so): `current`
// hands the neuron I, and `step` sums I_j = sum_i w_ij r_i a thread a target, over the rows in
// their order and each row's synapses onto j in CSR order (first_onto): the CPU step's order of
// additions, so the same bits. Rate networks are small and dense, where a target's walk over every
// row by bisection costs little.
#include "ganglion/cuda.cuh"
#include "ganglion/sdk/row_search.hpp"

#include "rate_linear_fields.hpp"

namespace {

using namespace ganglion::rate_linear;

struct Current {
  double *in;
  const double *x;
  __device__ void operator()(uint64_t j, uint64_t) const { in[j] += x[j]; }
};

struct Sum {
  double *x;
  const uint64_t *row_ptr;
  const uint32_t *post;
  const float *weight;
  const double *rate;
  uint64_t n_pre;
  __device__ void operator()(uint64_t j, uint64_t) const {
    double sum = 0;
    for (uint64_t i = 0; i < n_pre; ++i) {
      const double r = rate[i];
      const uint64_t end = row_ptr[i + 1];
      for (uint64_t k = ganglion::first_onto(post, row_ptr[i], end, uint32_t(j));
           k < end && post[k] == j; ++k)
        sum += double(weight[k]) * r;
    }
    x[j] = sum;
  }
};

struct RateLinearCuda {
  static constexpr bool enqueues_only = true;

  static void current(const gg_cuda_view &cv) {
    ganglion::cuda::for_each_element(cv, Current{cv.view->post_input, cv.view->fields[I]});
  }
  static void step(const gg_cuda_view &cv) {
    const gg_view &v = *cv.view;
    ganglion::cuda::for_each_element(
        cv, Sum{v.fields[I], v.row_ptr, v.post_index, v.weight, v.pre_rate, v.n_pre});
  }
};

} // namespace

GANGLION_CUDA_PLUGIN(RateLinearCuda)
