// A plasticity rule's step as the device walks it (ganglion/cuda_rules.cuh: a kernel for each
// part, each kernel's threads in any order, a presynaptic neuron's repeated spikes taken once with
// their count by ganglion::run_at), run here on the host with the same pieces the CUDA companions
// launch (sdk/rules.hpp's TraceDecay and TraceSpike, the models' Changes built by changes_of),
// must leave every weight and every trace the same bits as the CPU's step through the C ABI hooks,
// step after step: the order the device takes is the CPU's where it matters, and free where the
// arithmetic does not depend on it. The threads are taken backwards here, the CPU's order
// reversed. Random spike trains, a repeated presynaptic index included.
#include <doctest/doctest.h>

#include <cstdint>
#include <cstring>
#include <random>
#include <vector>

#include "ganglion/sdk/params.hpp"
#include "ganglion/sdk/rules.hpp"
#include "models/harness.hpp"

#include "../../plugins/plasticity/istdp/istdp_model.hpp"
#include "../../plugins/plasticity/stdp/stdp_model.hpp"

using namespace ganglion;

namespace {

struct Rule : test::PlasticityInstance {
  Rule(const char *name, uint64_t pre, uint64_t post, float w)
      : PlasticityInstance(test::builtin_descriptor(name), pre, post, w, 0.1, "A->B") {}
};

// The parts of a step as the companions hand them to the device's walks.
template <class Changes> struct Walk {
  TraceDecay pre_decay, post_decay;
  TraceSpike pre_spike, post_spike;
  Changes changes;
};

// Step k of rule r by the device's walks, each kernel's threads backwards (a warp's lanes along a
// row or a column as well).
template <class Changes>
void device_step(Rule &r, const Walk<Changes> &w, const std::vector<uint32_t> &pre,
                 const std::vector<uint32_t> &post, bool learning) {
  const auto n_pre_spikes = uint32_t(pre.size());
  for (uint64_t k = r.n_pre; k-- > 0;)
    w.pre_decay(k);
  for (uint32_t i = n_pre_spikes; i-- > 0;)
    if (const uint32_t c = run_at(pre.data(), n_pre_spikes, i)) w.pre_spike(pre[i], c);
  for (uint64_t j = r.n_post; j-- > 0;)
    w.post_decay(j);
  if (learning) {
    for (uint32_t i = n_pre_spikes; i-- > 0;) {
      const uint32_t c = run_at(pre.data(), n_pre_spikes, i);
      if (c == 0) continue;
      for (uint64_t s = r.row_ptr[pre[i] + 1]; s-- > r.row_ptr[pre[i]];)
        w.changes.pre(r.post_index[s], s, c);
    }
    const test::ByPost &b = r.by_post_index;
    for (std::size_t p = post.size(); p-- > 0;)
      for (uint64_t c = b.col_ptr[post[p] + 1]; c-- > b.col_ptr[post[p]];)
        w.changes.post(post[p], b.col_synapse[c], b.col_pre[c]);
  }
  for (std::size_t p = post.size(); p-- > 0;)
    w.post_spike(post[p]);
}

// The spikes of a step: each neuron with probability 0.08, ascending; presynaptic neuron 0 and
// another twice in some steps (a source's repeats, in a row as the device's gather leaves them).
struct Trains {
  std::mt19937_64 rng{11};
  std::bernoulli_distribution fires{0.08};
  std::vector<uint32_t> draw(uint64_t n, bool repeats) {
    std::vector<uint32_t> out;
    for (uint32_t i = 0; i < n; ++i) {
      if (!fires(rng)) continue;
      out.push_back(i);
      if (repeats && (i == 0 || fires(rng))) out.push_back(i);
    }
    return out;
  }
};

// Runs `cpu` (its hooks) and `device` (make_walk(device)'s walks) side by side for `steps` steps,
// learning in the second half, and REQUIREs the same bits everywhere after every step.
template <class MakeWalk>
void check_same_bits(Rule &cpu, Rule &device, uint64_t steps, const MakeWalk &make_walk) {
  Trains trains;
  const std::vector<float> initial = cpu.weight;
  bool repeated = false;
  for (uint64_t k = 0; k < steps; ++k) {
    const std::vector<uint32_t> pre = trains.draw(cpu.n_pre, true);
    const std::vector<uint32_t> post = trains.draw(cpu.n_post, false);
    for (std::size_t i = 1; i < pre.size(); ++i)
      repeated = repeated || pre[i] == pre[i - 1];
    const bool learning = k >= steps / 2;
    cpu.view.learning = learning;
    cpu.step(k, pre, post);
    device_step(device, make_walk(device), pre, post, learning);
    CAPTURE(k);
    REQUIRE(std::memcmp(cpu.weight.data(), device.weight.data(),
                        cpu.weight.size() * sizeof(float)) == 0);
    for (std::size_t f = 0; f < cpu.data.size(); ++f) {
      CAPTURE(cpu.desc->fields[f].name);
      REQUIRE(std::memcmp(cpu.data[f].data(), device.data[f].data(),
                          cpu.data[f].size() * sizeof(double)) == 0);
    }
  }
  // Not vacuous: the rule changed the weights, and some step repeated a presynaptic neuron.
  CHECK(cpu.weight != initial);
  CHECK(repeated);
}

// istdp's walks as istdp.cu builds them, over the host's arrays.
void check_istdp(Rule &cpu, Rule &device) {
  check_same_bits(cpu, device, 400, [](Rule &r) {
    using namespace ganglion::istdp;
    const gg_view &v = r.view;
    const double d = v.fields[decay][0], jump = 1.0 / v.fields[tau][0];
    Walk<Changes<ArrayParams>> w{{v.fields[x_pre], d},
                                 {v.fields[x_post], d},
                                 {v.fields[x_pre], jump},
                                 {v.fields[x_post], jump},
                                 {}};
    // (the walk takes per-neuron parameters here, the uniform ones where the CPU's step does: a
    // uniform value read from its array is the same bits)
    ArrayParams p{};
    for (int f : {eta, r0, J_min, J_max})
      p.array[f] = v.fields[f];
    w.changes = changes_of(p, v, v);
    return w;
  });
}

} // namespace

TEST_CASE("rule on the device: istdp's walks give the CPU step's bits, repeated spikes included") {
  for (int form : {0, 1}) { // multiplicative, additive
    for (bool per_neuron : {false, true}) {
      CAPTURE(form);
      CAPTURE(per_neuron);
      Rule cpu("istdp", 9, 23, -0.5f), device("istdp", 9, 23, -0.5f);
      for (Rule *r : {&cpu, &device}) {
        r->set("form", form);
        r->set("tau", 5);
        r->set("eta", 0.2);
        r->set("J_max", 2);
        if (per_neuron)
          for (uint64_t j = 0; j < r->n_post; ++j)
            r->field("eta")[j] = 0.1 + 0.01 * double(j);
        r->init();
      }
      check_istdp(cpu, device);
    }
  }
}

TEST_CASE("rule on the device: stdp's walks give the CPU step's bits, repeated spikes included") {
  for (int shape : {0, 1})    // form: additive, multiplicative
    for (int pair : {0, 1}) { // pairing: all_to_all, nearest
      CAPTURE(shape);
      CAPTURE(pair);
      Rule cpu("stdp", 9, 23, 0.5f), device("stdp", 9, 23, 0.5f);
      for (Rule *r : {&cpu, &device}) {
        r->set("form", shape);
        r->set("pairing", pair);
        r->set("A_plus", 0.05);
        r->set("A_minus", 0.06);
        for (uint64_t j = 0; j < r->n_post; ++j) // a per-neuron tau_minus: y's decay per neuron
          r->field("tau_minus")[j] = 15 + double(j);
        r->init();
      }
      check_same_bits(cpu, device, 400, [](Rule &r) {
        using namespace ganglion::stdp;
        const gg_view &v = r.view;
        const bool nearest = v.fields[pairing][0] != 0;
        return Walk<Changes>{{v.fields[x_pre], v.fields[decay_plus][0]},
                             {v.fields[y_post], 0.0, v.fields[decay_minus]},
                             {v.fields[x_pre], 1.0, nearest},
                             {v.fields[y_post], 1.0, nearest},
                             changes_of(v, v)};
      });
    }
}
