// GPU: the device engine (gpu/run/) running whole networks of the reference configs against the
// CPU engine. In the CPU's order ("delivery": "ordered") a network with fixed delays gives the
// CPU's spikes and sampled state bit for bit (the same network, input and arithmetic); with
// atomics, and with drawn delays (a ring of future input), its rates agree with the CPU's within a
// statistical tolerance; a divergence stops the run at the CPU's step with the CPU's message.
// Without a CUDA build or a device the tests say they skipped.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdlib>
#include <string>
#include <vector>

#include "batch_network.hpp"
#include "gpu_skip.hpp"
#include "support.hpp"

using ganglion::test::InProcessRun;
using ganglion::test::read_file;
using ganglion::test::read_h5_f64;
using ganglion::test::run_in_process;
using ganglion::test::run_in_process_to;
using ganglion::test::source_path;
using ganglion::test::TempDir;

namespace {

// ([[maybe_unused]]: a build without CUDA skips the tests that use them)
[[maybe_unused]] std::string config(const std::string &name) {
  return read_file(source_path("configs/" + name + ".json"));
}

// The population rates of two runs agree within `relative` of the CPU's, or 0.5 Hz.
[[maybe_unused]] void check_rates(const InProcessRun &cpu, const InProcessRun &gpu,
                                  double relative) {
  REQUIRE(cpu.report.populations.size() == gpu.report.populations.size());
  for (std::size_t p = 0; p < cpu.report.populations.size(); ++p) {
    const double a = cpu.report.populations[p].rate_hz, b = gpu.report.populations[p].rate_hz;
    INFO(cpu.report.populations[p].name << ": cpu " << a << " Hz, cuda " << b << " Hz");
    CHECK(std::fabs(a - b) <= std::max(relative * a, 0.5));
  }
}

} // namespace

constexpr const char *kOrderedName =
    "gpu: the device engine in the CPU's order gives the CPU's spikes and state bit for bit";

TEST_CASE(kOrderedName) {
#ifndef GANGLION_HAVE_CUDA
  GANGLION_GPU_SKIP_NO_CUDA(kOrderedName);
#else
  GANGLION_GPU_NEEDS_DEVICE(kOrderedName);
  // Every neuron, source and synapse model with fixed delays: eif, poisson and exp_current fused
  // as channels (balanced_eif); lif, spike_times, exp_current and exp_conductance, with the state
  // recorded (synapse_response); hh (hh_spike); rate and rate_linear (rate_model); lif, eif, hh
  // under I_app schedules (fi_curves); an `inputs` recorder's unfused currents (feedforward).
  struct Run {
    std::string name, duration;
    std::vector<std::string> state; // its sampled state: the same bits too
  };
  const std::vector<Run> runs{
      {"balanced_eif", "200 ms", {"/report/E/V/data"}},
      {"synapse_response", "100 ms", {"/report/E_conductance/V/data", "/report/I_current/V/data"}},
      {"hh_spike", "30 ms", {"/report/HH/V/data", "/report/HH/n/data"}},
      {"rate_model", "100 ms", {"/report/E/r/data", "/report/I/r/data"}},
      {"fi_curves", "300 ms", {}},
      {"feedforward", "200 ms", {}}};
  for (const auto &[name, duration, state] : runs) {
    INFO(name);
    TempDir dir;
    const std::vector<std::string> common{"simulation.duration=" + duration};
    std::vector<std::string> on_gpu = common;
    on_gpu.push_back("simulation.backend=cuda");
    on_gpu.push_back("simulation.delivery=ordered");
    const InProcessRun cpu = run_in_process_to(config(name), dir / "cpu.h5", common);
    const InProcessRun gpu = run_in_process_to(config(name), dir / "gpu.h5", on_gpu);
    CHECK(gpu.report.steps_done == cpu.report.steps_done);
    CHECK_FALSE(gpu.report.device.empty());
    if (name == "balanced_eif") { // the device's bytes a synapse: 8 (a 32-bit target, a weight)
      std::string lines;
      for (const auto &line : gpu.report.device)
        lines += line + "\n";
      INFO(lines);
      CHECK(lines.find(" bytes a synapse") != std::string::npos);
      // (drawn on the GPU and kept there: the CPU's synapses, as the spikes below show)
      CHECK(lines.find("its synapses drawn on the GPU and kept there") != std::string::npos);
    }
    REQUIRE(gpu.spikes.size() == cpu.spikes.size());
    for (const auto &[pop, train] : cpu.spikes) {
      INFO(pop);
      CHECK(gpu.spikes.at(pop).times == train.times);
      CHECK(gpu.spikes.at(pop).ids == train.ids);
    }
    for (std::size_t p = 0; p < cpu.report.populations.size(); ++p)
      CHECK(gpu.report.populations[p].spikes == cpu.report.populations[p].spikes);
    for (const auto &dataset : state) {
      INFO(dataset);
      const std::vector<double> expected = read_h5_f64(dir / "cpu.h5", dataset);
      CHECK_FALSE(expected.empty());
      CHECK(read_h5_f64(dir / "gpu.h5", dataset) == expected);
    }
    // An `inputs` recorder's means: each projection's sum, in a block order of the GPU's.
    if (name == "feedforward")
      for (const char *input : {"/inputs/L/E->L", "/inputs/L/I->L"}) {
        const std::vector<double> a = read_h5_f64(dir / "cpu.h5", input),
                                  b = read_h5_f64(dir / "gpu.h5", input);
        REQUIRE(a.size() == b.size());
        for (std::size_t k = 0; k < a.size(); ++k)
          CHECK(std::fabs(a[k] - b[k]) <= 1e-9 * (std::fabs(a[k]) + 1));
      }
  }
#endif
}

constexpr const char *kResidentName =
    "gpu: the resident step (a chunk as one kernel on a cluster) gives the CPU's and the graph's "
    "spikes and state bit for bit";

TEST_CASE(kResidentName) {
#ifndef GANGLION_HAVE_CUDA
  GANGLION_GPU_SKIP_NO_CUDA(kResidentName);
#else
  GANGLION_GPU_NEEDS_DEVICE(kResidentName);
  // COBA (bench/coba.json: 4000 lif neurons, four exp_conductance projections fused into them)
  // over 300 ms in the CPU's order, with E's I_app raised at 100 ms (a chunk ends there and the
  // step's data are bound again), E's spikes recorded (I's not: no log of them) and V of three E
  // neurons sampled every ms: the CPU's run, the resident step's and the CUDA graph's give the
  // same spikes, spike counts and samples. With atomics, the
  // resident step's rates are the CPU's within 10 %. A lif population driven out of its range
  // (a current of -1e12 mV/ms from 5 ms) stops at the CPU's step with its message.
  nlohmann::json net = nlohmann::json::parse(read_file(source_path("bench/coba.json")));
  net["simulation"]["duration"] = "300 ms";
  net["populations"]["E"]["I_app"] = {{"schedule", {{"0 ms", 0}, {"100 ms", 0.5}}}};
  net["recorders"] = nlohmann::json::parse(R"([
    {"type": "spikes", "populations": ["E"]},
    {"type": "state", "populations": ["E"], "variables": ["V"], "neurons": [0, 7, 3199],
     "every": "1 ms"}])");
  const std::string json = net.dump();
  TempDir dir;
  const auto run = [&](const char *mode, const std::string &file,
                       const std::vector<std::string> &sets) {
    setenv("GANGLION_DEVICE_STEP", mode, 1);
    const InProcessRun r = run_in_process_to(json, dir / file, sets);
    unsetenv("GANGLION_DEVICE_STEP");
    return r;
  };
  const std::vector<std::string> ordered{"simulation.backend=cuda", "simulation.delivery=ordered"};
  const InProcessRun cpu = run_in_process_to(json, dir / "cpu.h5", {});
  const InProcessRun resident = run("resident", "resident.h5", ordered);
  const InProcessRun graph = run("graph", "graph.h5", ordered);
  std::string lines;
  for (const auto &line : resident.report.device)
    lines += line + "\n";
  INFO(lines);
  CHECK(lines.find("the step: one kernel a chunk on a cluster of 7 blocks (the resident step)") !=
        std::string::npos);
  CHECK(cpu.report.populations.at(0).spikes > 1000);
  for (const InProcessRun *gpu : {&resident, &graph}) {
    CHECK(gpu->report.steps_done == cpu.report.steps_done);
    for (const auto &[pop, train] : cpu.spikes) {
      INFO(pop);
      CHECK(gpu->spikes.at(pop).times == train.times);
      CHECK(gpu->spikes.at(pop).ids == train.ids);
    }
    for (std::size_t p = 0; p < cpu.report.populations.size(); ++p)
      CHECK(gpu->report.populations[p].spikes == cpu.report.populations[p].spikes);
  }
  const std::vector<double> v = read_h5_f64(dir / "cpu.h5", "/report/E/V/data");
  CHECK(v.size() == 300 * 3);
  CHECK(read_h5_f64(dir / "resident.h5", "/report/E/V/data") == v);
  CHECK(read_h5_f64(dir / "graph.h5", "/report/E/V/data") == v);
  const InProcessRun atomics = run("resident", "atomics.h5", {"simulation.backend=cuda"});
  check_rates(cpu, atomics, 0.10);
  // Out of range: the CPU's step and message.
  const std::string wild = R"({
    "simulation": {"dt": "0.1 ms", "duration": "50 ms", "seed": 2},
    "populations": {"L": {"model": "lif", "size": 600,
                          "I_app": {"schedule": [["0 ms", 0], ["5 ms", -1e12]]}}},
    "recorders": [{"type": "spikes", "populations": ["L"]}]})";
  const InProcessRun wild_cpu = run_in_process(wild);
  REQUIRE(wild_cpu.report.diverged);
  setenv("GANGLION_DEVICE_STEP", "resident", 1);
  const InProcessRun wild_gpu = run_in_process(wild, {"simulation.backend=cuda"});
  unsetenv("GANGLION_DEVICE_STEP");
  CHECK(wild_gpu.report.diverged);
  CHECK(wild_gpu.report.divergence == wild_cpu.report.divergence);
  CHECK(wild_gpu.report.steps_done == wild_cpu.report.steps_done);
#endif
}

constexpr const char *kAtomicName =
    "gpu: the device engine with atomics and drawn delays gives the CPU's rates";

TEST_CASE(kAtomicName) {
#ifndef GANGLION_HAVE_CUDA
  GANGLION_GPU_SKIP_NO_CUDA(kAtomicName);
#else
  GANGLION_GPU_NEEDS_DEVICE(kAtomicName);
  // The balanced network over 1 s (its rates within 10 %: the trajectories part after the first
  // bits differ, the statistics do not); the scaled microcircuit, with drawn delays and a
  // poisson_generator's drive, over 500 ms (within 15 %: its populations are small).
  const InProcessRun cpu = run_in_process(config("balanced_eif"));
  const InProcessRun gpu = run_in_process(config("balanced_eif"), {"simulation.backend=cuda"});
  check_rates(cpu, gpu, 0.10);
  const std::vector<std::string> half{"simulation.duration=500 ms"};
  const InProcessRun mc_cpu = run_in_process(config("microcircuit_small"), half);
  const InProcessRun mc_gpu = run_in_process(
      config("microcircuit_small"), {"simulation.duration=500 ms", "simulation.backend=cuda"});
  check_rates(mc_cpu, mc_gpu, 0.15);
#endif
}

constexpr const char *kDivergenceName =
    "gpu: a divergence on the device stops the run at the CPU's step with the CPU's message";

TEST_CASE(kDivergenceName) {
#ifndef GANGLION_HAVE_CUDA
  GANGLION_GPU_SKIP_NO_CUDA(kDivergenceName);
#else
  GANGLION_GPU_NEEDS_DEVICE(kDivergenceName);
  // hh driven far beyond its range by a current switched on at 5 ms: its V leaves [-1000, 1000] mV.
  const std::string json = R"({
    "simulation": {"dt": "0.1 ms", "duration": "50 ms", "seed": 2},
    "populations": {"HH": {"model": "hh", "size": 4,
                           "I_app": {"schedule": [["0 ms", 0], ["5 ms", 1e9]]}}},
    "recorders": [{"type": "spikes", "populations": ["HH"]}]})";
  const InProcessRun cpu = run_in_process(json);
  REQUIRE(cpu.report.diverged);
  const InProcessRun gpu = run_in_process(json, {"simulation.backend=cuda"});
  CHECK(gpu.report.diverged);
  CHECK(gpu.report.divergence == cpu.report.divergence);
  CHECK(gpu.report.steps_done == cpu.report.steps_done);
#endif
}

constexpr const char *kMixedName =
    "gpu: a network split between the CPU and the GPU gives the CPU's spikes in the CPU's order";

TEST_CASE(kMixedName) {
#ifndef GANGLION_HAVE_CUDA
  GANGLION_GPU_SKIP_NO_CUDA(kMixedName);
#else
  GANGLION_GPU_NEEDS_DEVICE(kMixedName);
  // The balanced network with its Poisson sources on the CPU and E, I on the GPU, then with E on
  // the GPU and I, X on the CPU: each crossing projection's spikes exchanged in every step (delays
  // of one step), each side delivering in the CPU's order, so the spikes are the all-CPU run's.
  const std::vector<std::string> common{"simulation.duration=200 ms",
                                        "simulation.delivery=ordered"};
  const InProcessRun cpu = run_in_process(config("balanced_eif"), common);
  for (const auto &split : std::vector<std::vector<std::string>>{
           {"populations.E.backend=cuda", "populations.I.backend=cuda"},
           {"populations.E.backend=cuda"}}) {
    std::vector<std::string> sets = common;
    sets.insert(sets.end(), split.begin(), split.end());
    const InProcessRun mixed = run_in_process(config("balanced_eif"), sets);
    REQUIRE(mixed.report.device.size() >= 1);
    CHECK(mixed.report.device[0].find("on the CPU") != std::string::npos);
    for (const auto &[pop, train] : cpu.spikes) {
      INFO(pop << " with " << split.back());
      CHECK(mixed.spikes.at(pop).ids == train.ids);
      CHECK(mixed.spikes.at(pop).times == train.times);
    }
  }
  // X's projections with a delay of 2 ms, X on the CPU, spikes alone recorded: windows of 20
  // steps between exchanges.
  std::vector<std::string> delayed = common;
  delayed.push_back("recorders=[{\"type\": \"spikes\", \"populations\": [\"E\", \"I\"]}]");
  for (const char *q : {"projections.4.delay=\"2 ms\"", "projections.5.delay=\"2 ms\""})
    delayed.push_back(q);
  const InProcessRun cpu_delayed = run_in_process(config("balanced_eif"), delayed);
  delayed.insert(delayed.end(), {"populations.E.backend=cuda", "populations.I.backend=cuda"});
  const InProcessRun windows = run_in_process(config("balanced_eif"), delayed);
  REQUIRE(windows.report.device.size() >= 1);
  CHECK(windows.report.device[0].find("exchanged every 20 steps") != std::string::npos);
  for (const auto &[pop, train] : cpu_delayed.spikes) {
    INFO(pop << " in windows of 20 steps");
    CHECK(windows.spikes.at(pop).ids == train.ids);
    CHECK(windows.spikes.at(pop).times == train.times);
  }
#endif
}

constexpr const char *kTogetherName =
    "gpu: a sweep's members together in one process give each member's CPU run bit for bit";

TEST_CASE(kTogetherName) {
#ifndef GANGLION_HAVE_CUDA
  GANGLION_GPU_SKIP_NO_CUDA(kTogetherName);
#else
  GANGLION_GPU_NEEDS_DEVICE(kTogetherName);
  // Four members of the balanced network (two drives, two seeds) side by side on the GPU, one
  // context, a stream each, in the CPU's order: each member's spikes are its CPU run's alone.
  TempDir dir;
  const std::string json =
      ganglion::test::write_file(dir / "balanced.json", config("balanced_eif"));
  const std::string common =
      " --set 'simulation.duration=200 ms' --set simulation.delivery=ordered";
  const ganglion::test::CliResult sweep = ganglion::test::run_cli(
      "sweep " + json + common +
      " --set simulation.backend=cuda --vary 'populations.X.params.rate=10 Hz,12 Hz' --seeds 2 "
      "-j 4 --together -o " +
      (dir / "sweep"));
  INFO(sweep.err);
  REQUIRE(sweep.exit_code == 0);
  const std::vector<std::pair<std::string, int>> members{
      {"10 Hz", 1}, {"10 Hz", 2}, {"12 Hz", 1}, {"12 Hz", 2}};
  for (std::size_t i = 0; i < members.size(); ++i) {
    INFO("member " << i);
    const std::string alone = dir / ("cpu" + std::to_string(i) + ".h5");
    const ganglion::test::CliResult cpu = ganglion::test::run_cli(
        "run " + json + common + " --set 'populations.X.params.rate=" + members[i].first +
        "' --set simulation.seed=" + std::to_string(members[i].second) + " -o " + alone);
    REQUIRE(cpu.exit_code == 0);
    const std::string file = dir / "sweep" + ("/member_000" + std::to_string(i) + ".h5");
    for (const char *pop : {"E", "I"}) {
      const std::string base = std::string("/spikes/") + pop;
      CHECK(read_h5_f64(file, base + "/timestamps") == read_h5_f64(alone, base + "/timestamps"));
      CHECK(ganglion::test::read_h5_u64(file, base + "/node_ids") ==
            ganglion::test::read_h5_u64(alone, base + "/node_ids"));
    }
  }
#endif
}

constexpr const char *kBatchName =
    "gpu: a batch of a sweep's members on the device gives each member's CPU run bit for bit";

TEST_CASE(kBatchName) {
#ifndef GANGLION_HAVE_CUDA
  GANGLION_GPU_SKIP_NO_CUDA(kBatchName);
#else
  GANGLION_GPU_NEEDS_DEVICE(kBatchName);
  // Four members (two drive rates with two drive weights, two seeds) merged into one network on
  // the GPU (--batch), delivered in the CPU's order (fixed delays: the device sums drawn ones
  // with atomics): the static projections' members drawn, kept and joined on the device, the
  // poisson source drawing by each member's seed and ids there (gg_view::batch_seeds), the
  // drive's counts by each row's member (each member's weight loaded: they differ), the rule
  // acting on the joined synapses, the state and weights sampled per member on the host. Every
  // dataset of each member's file is the CPU's run of that member alone, and its log's spike
  // counts (the device's per member).
  TempDir dir;
  nlohmann::json net = nlohmann::json::parse(ganglion::test::kBatchNetwork);
  net["simulation"]["delivery"] = "ordered";
  net["projections"][1]["delay"] = "1 ms"; // (drawn delays sum with atomics on the device)
  const std::string json = ganglion::test::write_file(dir / "batch.json", net.dump());
  const std::string vary = " --vary 'populations.D.params.rate=1500 Hz,2000 Hz' --vary "
                           "'projections.2.weight=1,1.5' --zip --seeds 2";
  const ganglion::test::CliResult gpu = ganglion::test::run_cli(
      "sweep " + json + vary + " --set simulation.backend=cuda --batch -o " + (dir / "gpu"));
  const ganglion::test::CliResult cpu =
      ganglion::test::run_cli("sweep " + json + vary + " -o " + (dir / "cpu"));
  INFO(gpu.err);
  REQUIRE(gpu.exit_code == 0);
  REQUIRE(cpu.exit_code == 0);
  CHECK(gpu.err.find("did not complete") == std::string::npos); // (no fallback: the batch ran)
  for (int i = 0; i < 4; ++i) {
    const std::string member = "/member_000" + std::to_string(i) + ".h5";
    INFO(member);
    const auto expected = ganglion::test::h5_datasets(dir / "cpu" + member);
    CHECK(expected.size() >= 15);
    CHECK(ganglion::test::h5_datasets(dir / "gpu" + member) == expected);
    const auto line_of = [](const std::string &log, const std::string &start) {
      const std::size_t at = log.find("\n" + start);
      return at == std::string::npos ? std::string("none")
                                     : log.substr(at + 1, log.find('\n', at + 1) - at - 1);
    };
    const std::string log = "/member_000" + std::to_string(i) + ".log";
    for (const char *pop : {"  E   ", "  I   "})
      CHECK(line_of(read_file(dir / "gpu" + log), pop) ==
            line_of(read_file(dir / "cpu" + log), pop));
    CHECK(read_file(dir / "gpu" + log).find("its synapses drawn on the GPU and kept there") !=
          std::string::npos);
  }
#endif
}

constexpr const char *kWeightsName =
    "gpu: a weights recorder of a projection on the device samples there with the CPU's bits";

TEST_CASE(kWeightsName) {
#ifndef GANGLION_HAVE_CUDA
  GANGLION_GPU_SKIP_NO_CUDA(kWeightsName);
#else
  GANGLION_GPU_NEEDS_DEVICE(kWeightsName);
  // 1.2 million drawn weights (past several of the sums' blocks and groups), static, sampled
  // every 2 ms (chunks end there) and at t = 0 on the host: every dataset of the recorder equal.
  TempDir dir;
  const std::string net = R"({
  "simulation": {"dt": "0.1 ms", "duration": "20 ms", "seed": 9},
  "populations": {"X": {"model": "poisson", "size": 1200, "params": {"rate": "5 Hz"}},
                  "E": {"model": "lif", "size": 1000}},
  "projections": [{"pre": "X", "post": "E", "synapse": "exp_current",
                   "connect": {"rule": "all_to_all"},
                   "weight": {"normal": [0.1, 0.05]}}],
  "recorders": [{"type": "weights", "projection": "X->E", "every": "2 ms",
                 "synapses": {"first": 40}, "params": {"bins": 30}}]
})";
  const InProcessRun cpu = run_in_process_to(net, dir / "cpu.h5", {});
  const InProcessRun gpu = run_in_process_to(net, dir / "gpu.h5", {"simulation.backend=cuda"});
  std::string lines;
  for (const auto &line : gpu.report.device)
    lines += line + "\n";
  INFO(lines);
  CHECK(lines.find("recorder /recorders/0 (weights) of projection 'X->E': sampled on the GPU") !=
        std::string::npos);
  for (const char *what : {"/time", "/mean", "/std", "/histogram", "/synapses/data"}) {
    const std::string dataset = std::string("/weights/X->E") + what;
    INFO(dataset);
    const std::vector<double> expected = read_h5_f64(dir / "cpu.h5", dataset);
    CHECK(expected.size() >= 11); // t = 0, 2, ..., 20 ms
    CHECK(read_h5_f64(dir / "gpu.h5", dataset) == expected);
  }
#endif
}
