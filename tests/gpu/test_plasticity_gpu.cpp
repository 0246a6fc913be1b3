// GPU: plasticity rules on the device (istdp.cu, stdp.cu through ganglion/cuda_rules.cuh, run by
// gpu/run/ after each projection's delivery) against the CPU engine. In the CPU's order
// ("delivery": "ordered") a plastic network gives the CPU's spikes and recorded weights bit for
// bit: the same walks' arithmetic, and the `weights` recorder sampling on the device (weights.cu:
// its sums in the CPU's order, a record a sample to the host). With atomics, istdp drives the E
// rate to its target as on the CPU. A rule whose presynaptic population runs on the CPU reads its
// spikes exchanged each step. Without a CUDA build or a device the tests say they skipped.
#include <doctest/doctest.h>

#include <numeric>
#include <string>
#include <vector>

#include "gpu_skip.hpp"
#include "support.hpp"

using ganglion::test::InProcessRun;
using ganglion::test::read_file;
using ganglion::test::read_h5_f64;
using ganglion::test::run_in_process_to;
using ganglion::test::source_path;
using ganglion::test::TempDir;

namespace {

// The reference network with istdp on I->E at N = 2000, learning from 100 ms (the short runs).
[[maybe_unused]] const std::vector<std::string> kSmallIstdp{
    "populations.E.size=1600", "populations.I.size=400", "populations.X.size=400",
    "simulation.duration=\"400 ms\"", "projections.2.plasticity.active=[[\"100 ms\", \"400 ms\"]]"};

// A lif population driven just above threshold (about 60 Hz on the CPU), recurrent through
// exp_current synapses under all-to-all additive stdp, and Poisson sources onto it under nearest
// multiplicative stdp (a source may spike twice in a step); fixed delays; the weights recorded
// every 10 ms.
[[maybe_unused]] constexpr const char *kStdp = R"({
  "simulation": {"dt": "0.1 ms", "duration": "300 ms", "seed": 5},
  "populations": {
    "A": {"model": "lif", "size": 800, "params": {"I_e": "0.9 mV/ms"},
          "init": {"V": {"uniform": ["-65 mV", "-50 mV"]}}},
    "P": {"model": "poisson", "size": 300, "params": {"rate": "40 Hz"}}
  },
  "projections": [
    {"pre": "A", "post": "A", "synapse": "exp_current", "params": {"tau": "5 ms"},
     "connect": {"rule": "fixed_indegree", "indegree": 50}, "weight": {"uniform": [0.05, 0.3]},
     "delay": "1 ms", "plasticity": {"rule": "stdp", "params": {"w_max": 0.5, "A_plus": 0.02}}},
    {"pre": "P", "post": "A", "synapse": "exp_current", "params": {"tau": "5 ms"},
     "connect": {"rule": "fixed_indegree", "indegree": 30}, "weight": {"value": 0.4},
     "plasticity": {"rule": "stdp", "params": {"w_max": 1, "form": "multiplicative",
                                               "pairing": "nearest"}}}
  ],
  "recorders": [
    {"type": "spikes", "populations": ["A", "P"]},
    {"type": "weights", "projection": "A->A", "every": "10 ms", "synapses": {"first": 50}},
    {"type": "weights", "projection": "P->A", "every": "10 ms", "synapses": {"first": 50}}
  ]})";

// Every spike and every recorded weight of two runs the same bits; the weights changed.
[[maybe_unused]] void check_same(const InProcessRun &cpu, const InProcessRun &gpu,
                                 const std::string &cpu_file, const std::string &gpu_file,
                                 const std::vector<std::string> &projections) {
  CHECK(gpu.report.steps_done == cpu.report.steps_done);
  REQUIRE(gpu.spikes.size() == cpu.spikes.size());
  for (const auto &[pop, train] : cpu.spikes) {
    INFO(pop);
    CHECK(gpu.spikes.at(pop).ids == train.ids);
    CHECK(gpu.spikes.at(pop).times == train.times);
  }
  for (const auto &proj : projections)
    for (const char *what : {"/time", "/mean", "/std", "/histogram", "/synapses/data"}) {
      const std::string dataset = "/weights/" + proj + what;
      INFO(dataset);
      const std::vector<double> expected = read_h5_f64(cpu_file, dataset);
      REQUIRE_FALSE(expected.empty());
      CHECK(read_h5_f64(gpu_file, dataset) == expected);
      if (std::string(what) == "/mean") CHECK(expected.front() != expected.back());
    }
}

} // namespace

constexpr const char *kBitsName =
    "gpu: istdp and stdp on the device in the CPU's order give the CPU's spikes and weights";

TEST_CASE(kBitsName) {
#ifndef GANGLION_HAVE_CUDA
  GANGLION_GPU_SKIP_NO_CUDA(kBitsName);
#else
  GANGLION_GPU_NEEDS_DEVICE(kBitsName);
  const std::vector<std::string> on_gpu{"simulation.backend=cuda", "simulation.delivery=ordered"};
  {
    TempDir dir;
    const std::string config = read_file(source_path("configs/istdp_balanced.json"));
    std::vector<std::string> gpu_sets = kSmallIstdp;
    gpu_sets.insert(gpu_sets.end(), on_gpu.begin(), on_gpu.end());
    const InProcessRun cpu = run_in_process_to(config, dir / "cpu.h5", kSmallIstdp);
    const InProcessRun gpu = run_in_process_to(config, dir / "gpu.h5", gpu_sets);
    REQUIRE_FALSE(gpu.report.device.empty());
    CHECK(gpu.report.device.back().find("sampled on the GPU") != std::string::npos);
    check_same(cpu, gpu, dir / "cpu.h5", dir / "gpu.h5", {"I->E"});
  }
  {
    TempDir dir;
    const InProcessRun cpu = run_in_process_to(kStdp, dir / "cpu.h5", {});
    const InProcessRun gpu = run_in_process_to(kStdp, dir / "gpu.h5", on_gpu);
    check_same(cpu, gpu, dir / "cpu.h5", dir / "gpu.h5", {"A->A", "P->A"});
  }
#endif
}

constexpr const char *kMixedRuleName =
    "gpu: a rule on the device reads the spikes of a presynaptic population on the CPU";

TEST_CASE(kMixedRuleName) {
#ifndef GANGLION_HAVE_CUDA
  GANGLION_GPU_SKIP_NO_CUDA(kMixedRuleName);
#else
  GANGLION_GPU_NEEDS_DEVICE(kMixedRuleName);
  // E on the GPU with its I->E rule; I and X on the CPU: I's spikes reach the rule through the
  // exchange of every step. The same bits as the all-CPU run.
  TempDir dir;
  const std::string config = read_file(source_path("configs/istdp_balanced.json"));
  std::vector<std::string> mixed = kSmallIstdp;
  mixed.push_back("populations.E.backend=cuda");
  mixed.push_back("simulation.delivery=ordered");
  const InProcessRun cpu = run_in_process_to(config, dir / "cpu.h5", kSmallIstdp);
  const InProcessRun gpu = run_in_process_to(config, dir / "mixed.h5", mixed);
  REQUIRE_FALSE(gpu.report.device.empty());
  CHECK(gpu.report.device[0].find("on the CPU") != std::string::npos);
  check_same(cpu, gpu, dir / "cpu.h5", dir / "mixed.h5", {"I->E"});
#endif
}

constexpr const char *kTargetName =
    "gpu: istdp on the device drives the E rate to its target r0 as on the CPU";

TEST_CASE(kTargetName) {
#ifndef GANGLION_HAVE_CUDA
  GANGLION_GPU_SKIP_NO_CUDA(kTargetName);
#else
  GANGLION_GPU_NEEDS_DEVICE(kTargetName);
  // The claim and tolerance of tests/integration/test_config_istdp_balanced.cpp, on the GPU with
  // atomics (its trajectories part from the CPU's after the first differing bits; the fixed point
  // r_E = r0 does not): the E rate over the last 3 s within 10 % of r0 = 10 Hz, below it before.
  TempDir dir;
  const std::string out = dir / "istdp.h5";
  run_in_process_to(read_file(source_path("configs/istdp_balanced.json")), out,
                    {"populations.E.size=1600", "populations.I.size=400", "populations.X.size=400",
                     "simulation.duration=\"8 s\"",
                     "projections.2.plasticity.active=[[\"1 s\", \"8 s\"]]",
                     "simulation.backend=cuda"});
  const std::vector<double> rate = read_h5_f64(out, "/rates/E/rate");
  const std::vector<double> w = read_h5_f64(out, "/weights/I->E/mean");
  REQUIRE(rate.size() == 80);
  REQUIRE(w.size() == 81);
  const double before = std::accumulate(rate.begin(), rate.begin() + 10, 0.0) / 10;
  const double after = std::accumulate(rate.end() - 30, rate.end(), 0.0) / 30;
  MESSAGE("on the GPU: E rate " << before << " Hz before learning, " << after << " Hz after");
  CHECK(before < 10 * 0.9);
  CHECK(after == doctest::Approx(10).epsilon(0.1));
  CHECK(w.back() > w.front());
  CHECK(w.back() < 0);
#endif
}
