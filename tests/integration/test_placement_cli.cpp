// `ganglion validate` says where the populations run once any is on "cuda": every population on the
// GPU, or which on the GPU and which on the CPU, with the per-step exchange a split network costs,
// and the recorders that sample on the GPU.
#include <doctest/doctest.h>

#include <string>

#include "engine/device_engine.hpp"
#include "support.hpp"

using namespace ganglion::test;

TEST_CASE("placement: validate names the populations on the GPU and on the CPU") {
  if (ganglion::device_engine_path().empty()) {
    MESSAGE("built without CUDA: no device engine, nothing runs on cuda");
    return;
  }
  TempDir dir;
  const std::string config = write_file(dir / "x.json", R"({
  "simulation": {"duration": "50 ms"},
  "populations": {"E": {"model": "lif", "size": 100, "backend": "cuda"},
                  "X": {"model": "poisson", "size": 10}},
  "projections": [{"pre": "X", "post": "E", "synapse": "exp_current",
                   "connect": {"rule": "all_to_all"}, "weight": 1}]
})");
  const CliResult split = run_cli("validate " + config);
  CHECK(split.exit_code == 0);
  CHECK(split.out.find(config + ": on the GPU: E; on the CPU: X (each with the projections onto "
                                "it; the spikes that cross are exchanged every step)\n") !=
        std::string::npos);
  // A crossing delay of 2 ms: windows of 20 steps; a recorder of state: every step again.
  const std::string delayed = " --set 'projections.0.delay=\"2 ms\"'";
  CHECK(run_cli("validate " + config + delayed)
            .out.find("the spikes that cross are exchanged every 20 steps)\n") !=
        std::string::npos);
  const std::string state =
      " --set 'recorders=[{\"type\": \"state\", \"populations\": [\"E\"], \"every\": \"1 ms\"}]'";
  CHECK(run_cli("validate " + config + delayed + state)
            .out.find("the spikes that cross are exchanged every step)\n") != std::string::npos);
  const CliResult all = run_cli("validate " + config + " --set populations.X.backend=cuda");
  CHECK(all.out.find(config + ": on the GPU: every population and projection\n") !=
        std::string::npos);
  const CliResult cpu = run_cli("validate " + config + " --set populations.E.backend=cpu");
  CHECK(cpu.out.find("on the GPU") == std::string::npos);
  CHECK(cpu.out.find("GPU memory") == std::string::npos);
  // A weights recorder of X->E, on the GPU with E: it samples there (weights has CUDA code).
  const std::string weights =
      " --set 'recorders=[{\"type\": \"spikes\", \"populations\": [\"E\"]}, "
      "{\"type\": \"weights\", \"projection\": \"X->E\"}]'";
  CHECK(run_cli("validate " + config + weights)
            .out.find(config + ": sampled on the GPU: /recorders/1 (weights of X->E) (a record a "
                               "sample to the host)\n") != std::string::npos);
  CHECK(run_cli("validate " + config + weights + " --set populations.E.backend=cpu")
            .out.find("sampled on the GPU") == std::string::npos);
}

TEST_CASE("placement: a run on cuda of 2^32 steps or more is refused, naming the duration") {
  if (ganglion::device_engine_path().empty()) {
    MESSAGE("built without CUDA: no device engine, nothing runs on cuda");
    return;
  }
  // The device's spike logs keep a spike's step in 32 bits: 2^32 steps of 0.1 ms (119 hours)
  // are one too many, one fewer runs; on the CPU any number does.
  TempDir dir;
  const std::string config = write_file(dir / "x.json", R"({
  "simulation": {"dt": "0.1 ms", "duration": "429496729.6 ms"},
  "populations": {"E": {"model": "lif", "size": 10, "backend": "cuda"}}
})");
  const CliResult over = run_cli("validate " + config);
  CHECK(over.exit_code != 0);
  CHECK(over.err.find("/simulation/duration: 4294967296 steps of 0.1 ms, but population 'E' runs "
                      "on \"cuda\", which takes at most 4294967295 steps a run; run it in parts (a "
                      "shorter duration each), or on \"cpu\"") != std::string::npos);
  CHECK(
      run_cli("validate " + config + " --set 'simulation.duration=\"429496729.5 ms\"'").exit_code ==
      0);
  CHECK(run_cli("validate " + config + " --set populations.E.backend=cpu").exit_code == 0);
}
