// A plugin's CUDA companion library (ABI 1.7): the registry finds it beside the plugin by the
// descriptor's cuda_library, lists the plugin's 'cuda' backend only where the file exists, opens it
// on demand and checks its hook table (size, ABI, CUDA major version, the kind's hooks, a
// synapse's declared arrivals, ABI 1.8; a recorder's record hooks, ABI 1.11), refuses a
// descriptor that sets the retired `cuda` member, and never takes a companion for a plugin of its
// own. The built-in companions, where ganglion is built with CUDA, open on this machine without a
// GPU: opening runs no CUDA call.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstddef>
#include <filesystem>
#include <string>
#include <tuple>

#include "engine/backend.hpp"
#include "ganglion/plugin_abi.h"
#include "registry/registry.hpp"

namespace fs = std::filesystem;
using namespace ganglion;

namespace {

std::string test_plugin(const std::string &file) {
  return std::string(GANGLION_TEST_PLUGIN_DIR) + "/" + file;
}

gg_status no_step(const gg_cuda_view *, gg_error *) {
  return GG_OK;
}

// A CUDA hook table as this SDK builds it, for check_cuda_hooks to refuse once changed.
gg_cuda_hooks good_hooks() {
  const int major = cuda_runtime_major() ? cuda_runtime_major() : 13;
  return gg_cuda_hooks{sizeof(gg_cuda_hooks),
                       GG_ABI_MAJOR,
                       GG_ABI_MINOR,
                       major * 1000 + 20,
                       0u,
                       nullptr,
                       nullptr,
                       &no_step,
                       nullptr,
                       nullptr,
                       -1,
                       -1,
                       nullptr,
                       nullptr};
}

gg_descriptor neuron(const char *name) {
  gg_descriptor d{};
  d.struct_size = sizeof(gg_descriptor);
  d.abi_major = GG_ABI_MAJOR;
  d.abi_minor = GG_ABI_MINOR;
  d.name = name;
  d.kind = GG_KIND_NEURON;
  return d;
}

std::string hooks_refusal(const gg_cuda_hooks &h, const gg_descriptor &d = neuron("gpu_lif")) {
  try {
    check_cuda_hooks(&h, &d, "/x/libganglion_gpu_lif_cuda.so");
  } catch (const PluginError &e) {
    return e.what();
  }
  FAIL_CHECK("check_cuda_hooks accepted a table it must refuse");
  return "";
}

const std::string kAt = "plugin 'gpu_lif': its CUDA companion /x/libganglion_gpu_lif_cuda.so: ";

} // namespace

TEST_CASE("cuda companion: a plugin with only a CUDA companion loads, its one backend cuda, and "
          "the companion opens on demand") {
  const LoadedPlugin p = PluginRegistry::load_library(test_plugin("cuda_only_neuron.so"));
  CHECK(p.desc->cpu == nullptr);
  CHECK(p.cuda_path == test_plugin("cuda_only_neuron_cuda.so"));
  CHECK(p.cuda == nullptr); // not opened by loading the plugin
  CHECK(has_cuda(p));
  CHECK(plugin_backends(p) == std::vector<std::string>{"cuda"});
  const gg_cuda_hooks *h = cuda_hooks(p);
  REQUIRE(h != nullptr);
  CHECK(p.cuda == h);
  CHECK(h->struct_size == sizeof(gg_cuda_hooks));
  CHECK(bool(h->step));
  CHECK_FALSE(bool(h->init));
  CHECK(cuda_hooks(p) == h); // opened once
}

TEST_CASE("cuda companion: a companion the descriptor names but that is missing leaves the CPU "
          "backend, and asking for it names the file") {
  const LoadedPlugin p = PluginRegistry::load_library(test_plugin("cuda_companion_missing.so"));
  const std::string missing = test_plugin("cuda_companion_missing_cuda.so");
  CHECK(p.cuda_path == missing);
  CHECK_FALSE(has_cuda(p));
  CHECK(plugin_backends(p) == std::vector<std::string>{"cpu"});
  CHECK(why_no_cuda(p) == "its companion library " + missing + " is missing");
  std::string message;
  try {
    cuda_hooks(p);
  } catch (const PluginError &e) {
    message = e.what();
  }
  CHECK(message ==
        "plugin 'gg_test_companion_missing' (" + test_plugin("cuda_companion_missing.so") +
            "): no 'cuda' implementation: its companion library " + missing + " is missing");
}

TEST_CASE("cuda companion: a descriptor that sets the retired 'cuda' table is refused with the "
          "fix") {
  static const gg_hooks table{sizeof(gg_hooks), nullptr, nullptr, nullptr,
                              nullptr,          nullptr, nullptr};
  gg_descriptor d = neuron("old_gpu");
  d.cuda = &table;
  std::string message;
  try {
    check_descriptor(&d, "/x/libganglion_old_gpu.so");
  } catch (const PluginError &e) {
    message = e.what();
  }
  CHECK(message == "plugin 'old_gpu' (/x/libganglion_old_gpu.so): its descriptor sets 'cuda', "
                   "which ganglion does not read: CUDA hooks come from a companion library that "
                   "'cuda_library' names (ABI 1.7); build it with ganglion_add_plugin(... "
                   "CUDA_SOURCES ...) and GANGLION_CUDA_PLUGIN");
  d.cuda = nullptr; // and without any implementation at all
  message.clear();
  try {
    check_descriptor(&d, "/x/libganglion_old_gpu.so");
  } catch (const PluginError &e) {
    message = e.what();
  }
  CHECK(message == "plugin 'old_gpu' (/x/libganglion_old_gpu.so): it has no implementation: give "
                   "a 'cpu' hook table or a CUDA companion library ('cuda_library')");
}

TEST_CASE("cuda companion: its hook table is checked: size, ABI, CUDA major version, a neuron's "
          "step") {
  gg_cuda_hooks h = good_hooks();
  const gg_descriptor d = neuron("a");
  CHECK_NOTHROW(check_cuda_hooks(&h, &d, "/x/a_cuda.so"));
  h.struct_size = offsetof(gg_cuda_hooks, update);
  CHECK(hooks_refusal(h) == kAt + "its hook table is " +
                                std::to_string(offsetof(gg_cuda_hooks, update)) +
                                " bytes, smaller than the " + std::to_string(kCudaHooksSize17) +
                                " bytes of ABI 1.7's; rebuild it against this SDK");
  h = good_hooks();
  h.abi_minor = GG_ABI_MINOR + 1;
  CHECK(hooks_refusal(h) == kAt + "built for plugin ABI 1." + std::to_string(GG_ABI_MINOR + 1) +
                                ", which this ganglion (ABI 1." + std::to_string(GG_ABI_MINOR) +
                                ") cannot load: rebuild it against this ganglion's SDK");
  h = good_hooks();
  h.step = nullptr;
  CHECK(hooks_refusal(h) == kAt + "its hooks lack 'step', which a neuron plugin must provide");
  if (const int major = cuda_runtime_major()) {
    h = good_hooks();
    h.cuda_runtime = (major - 1) * 1000 + 40;
    CHECK(hooks_refusal(h) == kAt + "built with CUDA " + std::to_string(major - 1) +
                                  ".4, but this ganglion's device side with CUDA " +
                                  std::to_string(major) +
                                  ": rebuild the plugin's CUDA part with "
                                  "CUDA " +
                                  std::to_string(major));
  }
}

TEST_CASE("cuda companion: a synapse's table delivers by its step or declares its arrivals, "
          "into its own fields or the postsynaptic V") {
  gg_descriptor d = neuron("gpu_syn");
  d.kind = GG_KIND_SYNAPSE;
  static const gg_field fields[2] = {};
  d.fields = fields;
  d.n_fields = 2;
  const std::string at = "plugin 'gpu_syn': its CUDA companion /x/libganglion_gpu_lif_cuda.so: ";
  gg_cuda_hooks h = good_hooks(); // a step
  CHECK_NOTHROW(check_cuda_hooks(&h, &d, "/x/a_cuda.so"));
  h.step = nullptr;
  CHECK(hooks_refusal(h, d) == at + "its hooks lack 'step' and declare no arrivals; a synapse "
                                    "must provide one (ganglion::cuda::Arrivals)");
  h.flags |= GG_CUDA_ARRIVAL_FORM;
  h.arrival_target = 1;
  h.arrival_scale = 0;
  CHECK_NOTHROW(check_cuda_hooks(&h, &d, "/x/a_cuda.so"));
  h.arrival_scale = -1;
  CHECK_NOTHROW(check_cuda_hooks(&h, &d, "/x/a_cuda.so"));
  h.step = &no_step;
  CHECK(hooks_refusal(h, d) == at + "it declares its arrivals (GG_CUDA_ARRIVAL_FORM) and a 'step' "
                                    "too; the kernel delivers declared arrivals: drop the step");
  h.step = nullptr;
  h.arrival_target = 2;
  CHECK(hooks_refusal(h, d) == at + "its arrivals add to field 2, but it has fields 0 to 1");
  h.arrival_target = 0;
  h.arrival_scale = 5;
  CHECK(hooks_refusal(h, d) ==
        at + "its arrivals' scale is field 5, but it has fields 0 to 1 (-1: none)");
  h.arrival_scale = -1;
  h.arrival_target = GG_ARRIVAL_POST_V;
  CHECK(hooks_refusal(h, d) == at + "its arrivals add to the postsynaptic V, but its descriptor "
                                    "does not say GG_DESC_WRITES_POST_V (writes_post_v = true)");
  d.flags |= GG_DESC_WRITES_POST_V;
  CHECK_NOTHROW(check_cuda_hooks(&h, &d, "/x/a_cuda.so"));
  // A 1.7 table (shorter) is read without its arrivals: then it needs its step.
  h.struct_size = uint32_t(kCudaHooksSize17);
  CHECK(hooks_refusal(h, d) == at + "its hooks lack 'step' and declare no arrivals; a synapse "
                                    "must provide one (ganglion::cuda::Arrivals)");
}

namespace {
gg_status some_size(const gg_view *, uint64_t *record, uint64_t *scratch, gg_error *) {
  *record = 8;
  *scratch = 0;
  return GG_OK;
}
gg_status some_emit(const gg_view *, const void *, gg_error *) {
  return GG_OK;
}
} // namespace

TEST_CASE("cuda companion: a recorder's table (ABI 1.11) is a projection's, with step, "
          "record_size and emit, enqueuing only") {
  gg_descriptor d = neuron("gpu_rec");
  d.kind = GG_KIND_RECORDER;
  d.flags = GG_DESC_PROJECTION;
  const std::string at = "plugin 'gpu_rec': its CUDA companion /x/libganglion_gpu_lif_cuda.so: ";
  gg_cuda_hooks h = good_hooks();
  h.flags = GG_CUDA_ENQUEUES_ONLY;
  h.record_size = &some_size;
  h.emit = &some_emit;
  CHECK_NOTHROW(check_cuda_hooks(&h, &d, "/x/a_cuda.so"));
  const std::string hooks = at + "a recorder's CUDA hooks must give 'step', 'record_size' and "
                                 "'emit' (ABI 1.11; ganglion::cuda::RecordSize)";
  h.emit = nullptr;
  CHECK(hooks_refusal(h, d) == hooks);
  h.emit = &some_emit;
  h.step = nullptr;
  CHECK(hooks_refusal(h, d) == hooks);
  h.step = &no_step;
  h.struct_size = uint32_t(offsetof(gg_cuda_hooks, record_size)); // a 1.10 table: none of them
  CHECK(hooks_refusal(h, d) == hooks);
  h.struct_size = sizeof(gg_cuda_hooks);
  h.flags = 0;
  CHECK(hooks_refusal(h, d) == at + "a recorder's CUDA step must only enqueue work (enqueues_only "
                                    "= true): the kernel captures it into the chunk's graph");
  h.flags = GG_CUDA_ENQUEUES_ONLY;
  d.flags = 0;
  CHECK(hooks_refusal(h, d) == at + "it records a population, and only a recorder of a projection "
                                    "(GG_DESC_PROJECTION) runs on the device; drop its CUDA "
                                    "companion");
}

TEST_CASE("cuda companion: discovery never takes a companion for a plugin, in the built-in folder "
          "and on GANGLION_PLUGIN_PATH") {
  const PluginRegistry reg = PluginRegistry::discover();
  for (const std::string &name : reg.names())
    CHECK_MESSAGE(name.find("_cuda") == std::string::npos, name);
  for (const std::string &w : reg.warnings())
    CHECK_MESSAGE(w.find("_cuda.so") == std::string::npos, w);
  // A folder given explicitly loads every plugin in it, its companions not as plugins.
  PluginRegistry explicit_add;
  const std::string folder = std::string(GANGLION_TEST_PLUGIN_DIR) + "/companion";
  fs::remove_all(folder);
  fs::create_directories(folder);
  for (const char *f : {"cuda_only_neuron.so", "cuda_only_neuron_cuda.so"})
    fs::copy_file(test_plugin(f), folder + "/" + f);
  explicit_add.add_path(folder);
  CHECK(explicit_add.names() == std::vector<std::string>{"gg_test_cuda_only"});
  CHECK(bool(cuda_hooks(*explicit_add.find("gg_test_cuda_only"))->step));
}

#ifdef GANGLION_HAVE_CUDA
TEST_CASE("cuda companion: the built-in lif, eif, hh, rate, poisson and spike_times have one, "
          "built by nvcc, which opens without a GPU") {
  const PluginRegistry reg = PluginRegistry::discover();
  for (const char *name : {"lif", "eif", "hh", "rate", "poisson", "spike_times"}) {
    CAPTURE(name);
    const LoadedPlugin *p = reg.find(name);
    REQUIRE(p != nullptr);
    CHECK(p->cuda_path ==
          PluginRegistry::builtin_dir() + "/libganglion_" + std::string(name) + "_cuda.so");
    CHECK(plugin_backends(*p) == std::vector<std::string>{"cpu", "cuda"});
    const gg_cuda_hooks *h = cuda_hooks(*p);
    CHECK(h->struct_size == sizeof(gg_cuda_hooks));
    CHECK(h->abi_minor == GG_ABI_MINOR);
    CHECK(h->cuda_runtime / 1000 == cuda_runtime_major());
    CHECK(h->flags == GG_CUDA_ENQUEUES_ONLY);
    CHECK(bool(h->step));
    // init and update are the CPU's, run on the host: derived values are the same bits.
    CHECK_FALSE(bool(h->init));
    CHECK_FALSE(bool(h->update));
    CHECK_FALSE(bool(h->current));
    CHECK_FALSE(bool(h->finish));
  }
}

namespace {
int32_t field_of(const gg_descriptor *d, const char *name) {
  for (uint32_t k = 0; k < d->n_fields; ++k)
    if (std::string(d->fields[k].name) == name) return int32_t(k);
  return -100;
}
} // namespace

TEST_CASE("cuda companion: the built-in synapses have theirs: exponential and delta synapses "
          "declare their arrivals, rate_linear steps") {
  const PluginRegistry reg = PluginRegistry::discover();
  for (const auto &[name, target, scale] :
       {std::tuple{"exp_current", "I", "jump"}, std::tuple{"exp_conductance", "g", "jump"},
        std::tuple{"delta", "", ""}}) {
    CAPTURE(name);
    const LoadedPlugin *p = reg.find(name);
    REQUIRE(p != nullptr);
    CHECK(plugin_backends(*p) == std::vector<std::string>{"cpu", "cuda"});
    const gg_cuda_hooks *h = cuda_hooks(*p);
    CHECK(h->flags == (GG_CUDA_ENQUEUES_ONLY | GG_CUDA_ARRIVAL_FORM));
    CHECK_FALSE(bool(h->step));
    CHECK(h->arrival_target == (*target ? field_of(p->desc, target) : GG_ARRIVAL_POST_V));
    CHECK(h->arrival_scale == (*scale ? field_of(p->desc, scale) : -1));
    // A current for a neuron that takes no channels; delta has none.
    CHECK(bool(h->current) == (*target != 0));
  }
  const gg_cuda_hooks *h = cuda_hooks(*reg.find("rate_linear"));
  CHECK(h->flags == GG_CUDA_ENQUEUES_ONLY);
  CHECK(bool(h->step));
  CHECK(bool(h->current));
}

TEST_CASE("cuda companion: the built-in weights recorder has one, which samples on the device") {
  const PluginRegistry reg = PluginRegistry::discover();
  const LoadedPlugin *p = reg.find("weights");
  REQUIRE(p != nullptr);
  CHECK(plugin_backends(*p) == std::vector<std::string>{"cpu", "cuda"});
  const gg_cuda_hooks *h = cuda_hooks(*p);
  CHECK(h->flags == GG_CUDA_ENQUEUES_ONLY);
  CHECK(bool(h->step));
  CHECK(bool(h->record_size));
  CHECK(bool(h->emit));
  CHECK_FALSE(bool(h->init)); // (the CPU's, on the host: the datasets and the sample at t = 0)
  // The other recorders sample on the host, from what the device engine copies there.
  for (const char *name : {"spikes", "state", "rates", "inputs"})
    CHECK(plugin_backends(*reg.find(name)) == std::vector<std::string>{"cpu"});
}
#endif
