// Linear rate coupling: the postsynaptic rate units receive W r, the weighted sum of the
// presynaptic rates. Taken up at the end of each step from the rates just computed, so a rate
// projection has a delay of one step (drawn delays do not apply to it).
#include "ganglion/plugin.hpp"

#include "rate_linear_fields.hpp"

namespace {

struct RateLinear {
  static constexpr const char *name = "rate_linear";
  static constexpr gg_kind kind = GG_KIND_SYNAPSE;
  static constexpr bool batch = true; // element by element; draws by gg_element_*
  static constexpr bool rate = true;
  static constexpr const char *weight_unit = "1";
  static constexpr const char *doc =
      "Linear rate coupling: postsynaptic input sum_i w_ij r_i (Hz), with w dimensionless, "
      "from the presynaptic rates of the previous step. Connects rate units only.";
  using enum ganglion::rate_linear::Field; // shared with rate_linear.cu
  static constexpr gg_field fields[] = {
      ganglion::state("I", "Hz", 0, -ganglion::inf, ganglion::inf, "input W r"),
  };

  static void current(const gg_view &v) {
    for (uint64_t j = 0; j < v.n; ++j) v.post_input[j] += v.fields[I][j];
  }
  static void step(const gg_view &v) {
    double *in = v.fields[I];
    for (uint64_t j = 0; j < v.n; ++j) in[j] = 0;
    for (uint64_t i = 0; i < v.n_pre; ++i) {
      const double r = v.pre_rate[i];
      for (uint64_t k = v.row_ptr[i]; k < v.row_ptr[i + 1]; ++k)
        in[v.post_index[k]] += double(v.weight[k]) * r;
    }
  }
};

} // namespace

GANGLION_PLUGIN(RateLinear)
