// The device engine's host side (engine/device_plan.hpp), which needs no GPU: how each projection
// is delivered on the device and the refusals with their fixes, what a population's recorders need
// sampled there, the logs' sizes, a step's spikes taken from the spike log in the CPU history's
// order, the divergence message the device shares with the CPU's check, and where the resident step
// applies.
#include <doctest/doctest.h>

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include "engine/device_plan.hpp"
#include "engine/simulation.hpp"
#include "support.hpp"

using namespace ganglion;
using namespace ganglion::device_plan;

namespace {

// The message of the RunError `action` throws.
std::string refusal(const std::function<void()> &action) {
  return ganglion::test::message_of<RunError>(action);
}

gg_cuda_hooks table(uint32_t flags) {
  gg_cuda_hooks h{};
  h.struct_size = sizeof(gg_cuda_hooks);
  h.flags = flags;
  h.arrival_target = 0;
  h.arrival_scale = -1;
  return h;
}

// A projection "E->I" of a synapse model with descriptor flags `flags`.
struct Proj {
  gg_descriptor d{};
  ProjectionSpec spec;
  engine::Projection p;
  explicit Proj(uint32_t flags = 0) {
    d.name = "syn";
    d.flags = flags;
    spec.name = "E->I";
    p.spec = &spec;
    p.desc = &d;
  }
};

constexpr gg_field kFields[] = {
    {"V", "mV", GG_ROLE_STATE, GG_TYPE_F64, -65, -1000, 1000, GG_BOUND_CHECKED, nullptr, "V"},
    {"w", "pA", GG_ROLE_STATE, GG_TYPE_F64, 0, -1e9, 1e9, 0, nullptr, "w"},
    {"tau", "ms", GG_ROLE_PARAM, GG_TYPE_F64, 10, 0, 1e9, 0, nullptr, "tau"},
};

struct Pop {
  gg_descriptor d{};
  PopulationSpec spec;
  engine::Population p;
  Pop() {
    d.name = "adex";
    d.fields = kFields;
    d.n_fields = 3;
    spec.name = std::string("E"); // (GCC 12 warns falsely of a literal's copy here)
    spec.pointer = "/populations/E";
    spec.size = 4;
    p.spec = &spec;
    p.desc = &d;
  }
};

struct Rec {
  gg_descriptor d{};
  RecorderSpec spec;
  engine::Recorder r;
  Rec(uint32_t flags, std::vector<uint32_t> variables, std::vector<uint32_t> neurons,
      uint64_t every) {
    d.name = "rec";
    d.flags = flags;
    spec.variables = std::move(variables);
    spec.neurons = std::move(neurons);
    spec.every = every;
    r.spec = &spec;
    r.desc = &d;
  }
};

} // namespace

TEST_CASE("device plan: each projection's delivery follows its synapse, delays and order") {
  const gg_cuda_hooks form = table(GG_CUDA_ENQUEUES_ONLY | GG_CUDA_ARRIVAL_FORM);
  const gg_cuda_hooks step = table(GG_CUDA_ENQUEUES_ONLY);
  Proj fixed;
  CHECK(delivery_of(fixed.p, form, false) == Delivery::Scattered);
  CHECK(delivery_of(fixed.p, form, true) == Delivery::Ordered);
  CHECK(delivery_of(fixed.p, step, true) == Delivery::Hook);
  Proj rate(GG_DESC_RATE);
  CHECK(delivery_of(rate.p, step, false) == Delivery::Rate);

  Proj drive;
  const double hz[] = {10};
  drive.p.drive_rate = hz;
  CHECK(delivery_of(drive.p, form, false) == Delivery::DriveScattered);
  CHECK(delivery_of(drive.p, form, true) == Delivery::DriveOrdered);
  CHECK(refusal([&] { delivery_of(drive.p, step, false); }) ==
        "projection 'E->I': a poisson_generator's counts on \"cuda\" need a synapse that declares "
        "its arrivals (GG_CUDA_ARRIVAL_FORM), and 'syn' does not; set \"backend\": \"cpu\"");

  Proj drawn;
  drawn.p.csr.delay.resize(3);
  CHECK(delivery_of(drawn.p, form, true) == Delivery::DrawnDelays);
  CHECK(refusal([&] { delivery_of(drawn.p, step, false); }) ==
        "projection 'E->I': drawn delays on \"cuda\" need a synapse that declares its arrivals "
        "(GG_CUDA_ARRIVAL_FORM), and 'syn' does not; set \"backend\": \"cpu\"");

  // Synapses kept on the device (Csr::held): no host array, their drawn delays said by the flag.
  Proj held;
  held.p.csr.held.count = 10;
  CHECK(delivery_of(held.p, form, true) == Delivery::Ordered);
  held.p.csr.held.delays = true;
  CHECK(delivery_of(held.p, form, true) == Delivery::DrawnDelays);

  // A table of ABI 1.7 ends before the form's members: its flag alone declares nothing.
  gg_cuda_hooks old = form;
  old.struct_size = offsetof(gg_cuda_hooks, update) + sizeof(void *);
  CHECK_FALSE(declares_arrivals(old));
  CHECK(declares_arrivals(form));
  CHECK(delivery_of(fixed.p, old, false) == Delivery::Hook);
}

TEST_CASE("device plan: hooks that may do more than enqueue are refused, the step being captured") {
  CHECK(refusal([] { check_capturable(table(0), "population 'E'", "adex"); }) ==
        "population 'E': the CUDA hooks of 'adex' do not promise to only enqueue work "
        "(GG_CUDA_ENQUEUES_ONLY), which the device engine needs to capture the step as a CUDA "
        "graph; set \"backend\": \"cpu\"");
  check_capturable(table(GG_CUDA_ENQUEUES_ONLY), "population 'E'", "adex"); // (no throw)
}

TEST_CASE("device plan: a population's recorders get the pairs and steps they read sampled") {
  Pop pop;
  Rec spikes(GG_DESC_SPIKES_ONLY, {}, {}, 1), state(0, {0, 2}, {1, 3}, 2), all(0, {}, {}, 2),
      every5(0, {1}, {0}, 5);
  const Samples s = samples_of(pop.p, {&spikes.r, &state.r, &all.r, &every5.r}, 8);
  // state: V and tau of neurons 1 and 3; all: every field of every neuron; every5: w of 0.
  const std::vector<uint32_t> field{0, 0, 2, 2, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 1};
  const std::vector<uint32_t> element{1, 3, 1, 3, 0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3, 0};
  CHECK(s.field == field);
  CHECK(s.element == element);
  CHECK(s.every == std::vector<uint64_t>{2, 5});
  // The state recorder's steps: (step + 1) a multiple of an interval.
  std::vector<uint64_t> due;
  for (uint64_t step = 0; step < 12; ++step)
    if (s.due(step)) due.push_back(step);
  CHECK(due == std::vector<uint64_t>{1, 3, 4, 5, 7, 9, 11});
  CHECK(samples_of(pop.p, {&spikes.r}, 8).field.empty());
  // A batch's recorders (Recorder::member_block) of the second member of two of 4 neurons: its
  // block's elements, [at, at + n) = [4, 8).
  state.r.member_block = all.r.member_block = true;
  state.r.at = all.r.at = 4;
  state.r.n = all.r.n = 4;
  const Samples b = samples_of(pop.p, {&state.r, &all.r}, 8);
  CHECK(b.element == std::vector<uint32_t>{5, 7, 5, 7, 4, 5, 6, 7, 4, 5, 6, 7, 4, 5, 6, 7});
  CHECK(b.field == std::vector<uint32_t>{0, 0, 2, 2, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2});
  CHECK(refusal([&] {
          samples_of(pop.p, {&state.r, &every5.r}, 1);
        }) ==
        "population 'E': its recorders sample at 2 different intervals (\"every\"), more than the "
        "1 the device engine gathers; give some of them the same \"every\"");
}

TEST_CASE("device plan: the logs hold a chunk at the planned rate and always one whole step") {
  // 10^5 neurons at 40 Hz, 1024 steps of 0.1 ms: 409,600 spikes.
  CHECK(spike_log_entries(100000, 100000, 0.1, 1024, 40) == 409600);
  // A small population: twice its most in one step, and a margin.
  CHECK(spike_log_entries(10, 10, 0.1, 1024, 40) == 2 * 10 + 1024);
  CHECK(spike_log_entries(1000, 9024, 0.1, 1024, 40) == 2 * 9024 + 1024);
  CHECK(sample_rows(1, 1024.0 * 1024, 1024) == 1024);         // a chunk's steps at most
  CHECK(sample_rows(1 << 20, 1024.0 * 1024 * 64, 1024) == 8); // 64 MiB of 8 MiB rows
  CHECK(sample_rows(1 << 30, 1024.0, 1024) == 1);             // at least one
}

TEST_CASE("device plan: a step's spikes come from the log in its order, the next step's kept") {
  const auto e = [](unsigned long long step, unsigned long long i) { return step << 32 | i; };
  const std::vector<unsigned long long> log{e(5, 0), e(5, 3), e(5, 3), e(6, 2), e(8, 1)};
  std::vector<uint32_t> out(1);
  std::size_t at = 0;
  CHECK(take_spikes(log, at, 5, out) == 3);
  CHECK(std::vector<uint32_t>(out.begin(), out.begin() + 3) == std::vector<uint32_t>{0, 3, 3});
  CHECK(take_spikes(log, at, 6, out) == 1);
  CHECK(out[0] == 2);
  CHECK(take_spikes(log, at, 7, out) == 0);
  CHECK(at == 4);
  CHECK(take_spikes(log, at, 8, out) == 1);
  CHECK(out[0] == 1);
  CHECK(at == log.size());
}

TEST_CASE("device plan: a divergence found on the device reads as the CPU's") {
  Pop pop;
  CHECK(engine::divergence_message(pop.p, 0, 3, 1234.5, 12.5) ==
        "population 'E' (adex) diverged at t = 12.5 ms: neuron 3 has V = 1234.5 mV, outside "
        "[-1000, 1000] mV; reduce dt, the weights or the drive (/populations/E)");
}

TEST_CASE("device plan: a rule learns on the device in the steps the host's rule does") {
  PlasticitySpec spec;
  engine::Plasticity rule;
  rule.spec = &spec;
  const std::vector<std::vector<std::pair<uint64_t, uint64_t>>> cases{
      {}, {{10, 20}}, {{0, 1}, {5, 7}, {30, 31}}};
  for (const auto &active : cases) {
    spec.active = active;
    std::vector<uint64_t> phases;
    for (const auto &[start, stop] : active) {
      phases.push_back(start);
      phases.push_back(stop);
    }
    std::vector<uint64_t> host, device;
    for (uint64_t step = 0; step < 40; ++step) {
      if (rule.learning(step)) host.push_back(step);
      if (learning_at(step, phases.data(), uint32_t(active.size()))) device.push_back(step);
    }
    CAPTURE(active.size());
    CHECK(device == host);
    CHECK(device.size() == (active.empty() ? 40 : active.size() == 1 ? 10 : 4));
  }
}

TEST_CASE("device plan: chunks end where a recorder reads a rule's weights from the device") {
  std::vector<RecorderSpec> specs(3);
  specs[0].projection = 2; // weights of projection 2 every 10 steps
  specs[0].every = 10;
  specs[1].projection = -1; // a population's recorder
  specs[1].every = 3;
  specs[2].projection = 2; // and every 4
  specs[2].every = 4;
  std::vector<engine::Recorder> recs(specs.size());
  for (std::size_t r = 0; r < specs.size(); ++r)
    recs[r].spec = &specs[r];
  const Samples read = weight_reads(recs, 2);
  CHECK(read.every == std::vector<uint64_t>{10, 4});
  CHECK(weight_reads(recs, 1).every.empty());
  // The sample after step 9 (the weights at t = 10 steps) needs a chunk that ends at step 10.
  CHECK(read.due(9));
  CHECK(read.due(3));
  CHECK_FALSE(read.due(10));
  CHECK(next_sample_end(0, read.every, 1000) == 4);
  CHECK(next_sample_end(4, read.every, 1000) == 8);
  CHECK(next_sample_end(8, read.every, 1000) == 10);
  CHECK(next_sample_end(9, read.every, 1000) == 10);
  CHECK(next_sample_end(10, read.every, 1000) == 12);
  CHECK(next_sample_end(10, {}, 1000) == 1000);
  CHECK(next_sample_end(10, read.every, 11) == 11); // the run's end comes first
}

TEST_CASE("device plan: the resident step takes a small network of lif, eif and poisson with "
          "fused channels, and says why not otherwise") {
  // COBA's shape: two lif populations, four exp_conductance projections fused, delivered from the
  // ring.
  ResidentShape coba;
  coba.pops = {{"E", "lif", 3200}, {"I", "eif", 800}};
  for (const char *q : {"E->E", "E->I", "I->E", "I->I"})
    coba.projs.push_back({q, true, false, Delivery::Scattered});
  coba.projs[0].delivery = Delivery::Ordered;
  CHECK(resident_refusal(coba) == "");
  const auto with = [&](const std::function<void(ResidentShape &)> &change) {
    ResidentShape s = coba;
    change(s);
    return resident_refusal(s);
  };
  CHECK(with([](ResidentShape &s) { s.batch = true; }) == "a batch of a sweep's members");
  CHECK(with([](ResidentShape &s) { s.device_recorders = 1; }) ==
        "a recorder samples a projection on the device");
  CHECK(with([](ResidentShape &s) { s.pops.resize(9, s.pops[0]); }) == "more than 8 populations");
  CHECK(with([](ResidentShape &s) { s.projs.resize(17, s.projs[0]); }) ==
        "more than 16 projections");
  CHECK(with([](ResidentShape &s) { s.pops[1].on_device = false; }) ==
        "population 'I' runs on the CPU");
  CHECK(with([](ResidentShape &s) { s.pops[1].model = "hh"; }) ==
        "population 'I' is of model 'hh' (the resident step takes lif, eif and poisson)");
  CHECK(with([](ResidentShape &s) { s.pops.push_back({"X", "poisson", 2000}); }) == "");
  CHECK(with([](ResidentShape &s) { s.pops[0].n = kResidentMost + 1; }) ==
        "population 'E' has more than 32768 neurons");
  CHECK(with([](ResidentShape &s) { s.pops[0].n = kResidentMost; }) == "");
  CHECK(with([](ResidentShape &s) { s.pops[0].sums_inputs = true; }) ==
        "population 'E' has an inputs recorder");
  CHECK(with([](ResidentShape &s) { s.pops[0].all_fused = false; }) ==
        "population 'E' has an input whose synapse is not fused into its step");
  CHECK(with([](ResidentShape &s) { s.projs[2].plastic = true; }) == "projection 'I->E' learns");
  CHECK(with([](ResidentShape &s) { s.projs[2].fused = false; }) ==
        "projection 'I->E' is not fused into its target's step");
  CHECK(with([](ResidentShape &s) { s.projs[3].delivery = Delivery::DrawnDelays; }) ==
        "projection 'I->I' is delivered by drawn delays through a ring of future input");
  // GANGLION_DEVICE_STEP.
  CHECK(step_mode(nullptr) == StepMode::Auto);
  CHECK(step_mode("auto") == StepMode::Auto);
  CHECK(step_mode("graph") == StepMode::Graph);
  CHECK(step_mode("resident") == StepMode::Resident);
  CHECK(refusal([] { step_mode("fast"); }) ==
        "GANGLION_DEVICE_STEP=fast: say \"auto\" (the default: one kernel a chunk where the "
        "network allows it), \"graph\" (a CUDA graph of the step's kernels) or \"resident\" (one "
        "kernel a chunk, refused where the network does not allow it)");
}
