// `ganglion validate` says where the populations run once any is on "cuda": every population on the
// GPU, or which on the GPU and which on the CPU, with the per-step exchange a split network costs.
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
}
