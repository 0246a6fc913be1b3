// The engine's backend seam (engine/backend.hpp): hooks_for on hand-made descriptors returns the
// table of the instance's backend and refuses, with the exact message, a plugin without one and
// a backend this engine does not run; the backends' names; and the Simulation refusing, before
// anything is built, instances changed by hand after loading (a population asking for 'cuda', a
// plasticity rule and a recorder whose plugins have only CUDA hooks): the engine's own check.
#include <doctest/doctest.h>

#include <functional>
#include <string>
#include <vector>

#include "engine/backend.hpp"
#include "engine/device_engine.hpp"
#include "engine/simulation.hpp"
#include "experiment/loader.hpp"
#include "ganglion/plugin_abi.h"
#include "registry/registry.hpp"
#include "support.hpp"

using namespace ganglion;
using ganglion::test::source_path;

namespace {

gg_status no_step(const gg_view *, gg_error *) {
  return GG_OK;
}

gg_status no_cuda_step(const gg_cuda_view *, gg_error *) {
  return GG_OK;
}

const gg_hooks kTable{sizeof(gg_hooks), nullptr, nullptr, &no_step, nullptr, nullptr, nullptr};
const gg_cuda_hooks kCudaTable{
    sizeof(gg_cuda_hooks), GG_ABI_MAJOR, GG_ABI_MINOR, 13000, 0u, nullptr, nullptr,
    &no_cuda_step,         nullptr,      nullptr,      -1,    -1, nullptr, nullptr};

// A neuron plugin named `name` with the given CPU hook table and, where `cuda`, CUDA hooks (as
// though its companion library were open; NULL: none for that backend).
struct Plugin {
  gg_descriptor d{};
  LoadedPlugin p;
  Plugin(const char *name, const gg_hooks *cpu, bool cuda) {
    d.struct_size = sizeof(gg_descriptor);
    d.abi_major = GG_ABI_MAJOR;
    d.abi_minor = GG_ABI_MINOR;
    d.name = name;
    d.kind = GG_KIND_NEURON;
    d.cpu = cpu;
    p.name = name;
    p.desc = &d;
    p.cuda = cuda ? &kCudaTable : nullptr;
  }
  Plugin(const Plugin &) = delete;
};

// The message of the RunError `action` throws.
std::string run_error_of(const std::function<void()> &action) {
  return ganglion::test::message_of<RunError>(action);
}

std::string refusal(const Plugin &plugin, int backend, const std::string &who) {
  return run_error_of([&] { hooks_for(plugin.p, backend, who); });
}

std::string build_refusal(const Experiment &exp) {
  return run_error_of([&] { Simulation sim(exp, nullptr); });
}

} // namespace

TEST_CASE("backend seam: an instance on the CPU gets its plugin's CPU table") {
  const Plugin cpu_only("cpu_only", &kTable, false), both("both", &kTable, true);
  CHECK(hooks_for(cpu_only.p, GG_BACKEND_CPU, "/populations/E") == &kTable);
  CHECK(hooks_for(both.p, GG_BACKEND_CPU, "/populations/E") == &kTable);
  CHECK(has_backend(both.p, GG_BACKEND_CUDA));
  CHECK_FALSE(has_backend(cpu_only.p, GG_BACKEND_CUDA));
  CHECK_FALSE(has_backend(both.p, 7));
}

TEST_CASE("backend seam: a plugin with only CUDA hooks is refused naming the instance and fix") {
  const ganglion::test::CpuOnlyEngine cpu_only;
  const Plugin gpu("gpu_lif", nullptr, true);
  CHECK(refusal(gpu, GG_BACKEND_CPU, "/populations/E") ==
        "/populations/E: plugin 'gpu_lif' has no 'cpu' hooks (it has: cuda; this engine runs: "
        "cpu); use a plugin with 'cpu' hooks");
  CHECK(refusal(gpu, GG_BACKEND_CUDA, "/projections/0") ==
        "/projections/0: this engine does not run the 'cuda' backend (it runs: cpu; plugin "
        "'gpu_lif' has: cuda); use a plugin with 'cpu' hooks and set \"backend\": \"cpu\"");
  const Plugin none("empty", nullptr, false);
  CHECK(refusal(none, GG_BACKEND_CPU, "/recorders/1") ==
        "/recorders/1: plugin 'empty' has no 'cpu' hooks (it has: none; this engine runs: cpu); "
        "use a plugin with 'cpu' hooks");
}

TEST_CASE("backend seam: an instance asking for a backend the engine does not run is refused") {
  const ganglion::test::CpuOnlyEngine cpu_only;
  const Plugin both("lif", &kTable, true);
  CHECK(refusal(both, GG_BACKEND_CUDA, "/populations/E") ==
        "/populations/E: this engine does not run the 'cuda' backend (it runs: cpu; plugin 'lif' "
        "has: cpu, cuda); set \"backend\": \"cpu\"");
  CHECK(refusal(both, 7, "/populations/E") ==
        "/populations/E: this engine does not run the 'unknown' backend (it runs: cpu; plugin "
        "'lif' has: cpu, cuda); set \"backend\": \"cpu\"");
}

TEST_CASE("backend seam: the backends' names and the ones this engine runs") {
  const ganglion::test::CpuOnlyEngine cpu_only;
  CHECK(std::string(backend_name(GG_BACKEND_CPU)) == "cpu");
  CHECK(std::string(backend_name(GG_BACKEND_CUDA)) == "cuda");
  CHECK(std::string(backend_name(7)) == "unknown");
  CHECK(engine_runs(GG_BACKEND_CPU));
  CHECK_FALSE(engine_runs(GG_BACKEND_CUDA));
  CHECK(engine_backends() == std::vector<std::string>{"cpu"});
  const Plugin both("both", &kTable, true), gpu("gpu", nullptr, true);
  CHECK(plugin_backends(both.p) == std::vector<std::string>{"cpu", "cuda"});
  CHECK(plugin_backends(gpu.p) == std::vector<std::string>{"cuda"});
}

TEST_CASE("backend seam: the Simulation refuses what the CPU engine cannot run, before building") {
  const ganglion::test::CpuOnlyEngine cpu_only;
  PluginRegistry registry = PluginRegistry::discover(); // outlives the Experiments
  const Experiment loaded =
      load_experiment(source_path("configs/istdp_balanced.json"), {}, registry);

  Experiment exp = loaded; // a population on CUDA (eif: a companion where built with CUDA)
  exp.populations[0].backend = GG_BACKEND_CUDA;
  const bool companion = plugin_backends(*exp.populations[0].plugin).size() == 2;
  CHECK(build_refusal(exp) ==
        "/populations/E: this engine does not run the 'cuda' backend (it runs: cpu; plugin 'eif' "
        "has: cpu" +
            std::string(companion ? ", cuda" : "") + "); set \"backend\": \"cpu\"");

  // A plasticity rule and a recorder whose plugins have only CUDA hooks.
  for (const bool rule : {true, false}) {
    exp = loaded;
    const LoadedPlugin *original =
        rule ? exp.projections[2].plasticity.at(0).plugin : exp.recorders[0].plugin;
    gg_descriptor gpu_only = *original->desc;
    gpu_only.cpu = nullptr;
    LoadedPlugin swapped = *original;
    swapped.desc = &gpu_only;
    swapped.cuda = &kCudaTable;
    if (rule)
      exp.projections[2].plasticity[0].plugin = &swapped;
    else
      exp.recorders[0].plugin = &swapped;
    const std::string who =
        rule ? "/projections/2/plasticity: plugin 'istdp'" : "/recorders/0: plugin 'spikes'";
    CHECK(build_refusal(exp) == who + " has no 'cpu' hooks (it has: cuda; this engine runs: cpu); "
                                      "use a plugin with 'cpu' hooks");
  }
}

TEST_CASE(
    "backend seam: with the device engine, cuda runs and an instance there gets its host half") {
  if (device_engine_path().empty()) {
    MESSAGE("built without CUDA: no device engine");
    return;
  }
  CHECK(engine_runs(GG_BACKEND_CUDA));
  CHECK(engine_backends() == std::vector<std::string>{"cpu", "cuda"});
  const Plugin both("both", &kTable, true), gpu("gpu", nullptr, true);
  // The host half of an instance on cuda: its CPU table (init, update, channel on host copies),
  // or none for a plugin that has only CUDA hooks.
  CHECK(hooks_for(both.p, GG_BACKEND_CUDA, "/populations/E") == &kTable);
  CHECK(hooks_for(gpu.p, GG_BACKEND_CUDA, "/populations/E") == nullptr);
  const Plugin cpu_only("cpu_only", &kTable, false);
  CHECK(refusal(cpu_only, GG_BACKEND_CUDA, "/populations/E") ==
        "/populations/E: plugin 'cpu_only' has no 'cuda' hooks (it has: cpu; this engine runs: "
        "cpu, cuda); set \"backend\": \"cpu\"");
}
