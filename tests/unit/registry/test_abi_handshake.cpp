// The plugin ABI handshake: PluginRegistry::load_library on the small C libraries of
// tests/fixtures (one good, each other refused for exactly one reason) and on a text file
// named .so, asserting the key parts of each PluginError (the file, both ABI versions, the missing
// hook, "not a ganglion plugin" and the fix); check_descriptor on hand-made descriptors for the
// field-table checks (duplicate names, a choice without choices), the minor-version rule, and the
// size rule (a minor version only appends: an ABI 1.0 table loads and runs, a shorter one is refused).
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "ganglion/plugin_abi.h"
#include "registry/registry.hpp"
#include "support.hpp"

namespace fs = std::filesystem;
using ganglion::check_descriptor;
using ganglion::LoadedPlugin;
using ganglion::PluginError;
using ganglion::PluginRegistry;
using ganglion::test::TempDir;
using ganglion::test::write_file;

namespace {

std::string test_plugin(const std::string &file) {
  return std::string(GANGLION_TEST_PLUGIN_DIR) + "/" + file;
}

std::string version(unsigned major, unsigned minor) {
  return std::to_string(major) + "." + std::to_string(minor);
}

// The message of the PluginError that loading `path` throws; "" when it loads (a test failure).
std::string refusal(const std::string &path) {
  REQUIRE_MESSAGE(fs::exists(path), path << " is missing: build the ganglion_fixture_plugins target");
  try {
    PluginRegistry::load_library(path);
  } catch (const PluginError &e) {
    return e.what();
  }
  FAIL_CHECK(path << " loaded, but it must be refused");
  return "";
}

std::string check_refusal(const gg_descriptor &d, const std::string &path) {
  try {
    check_descriptor(&d, path);
  } catch (const PluginError &e) {
    return e.what();
  }
  FAIL_CHECK("check_descriptor accepted a descriptor it must refuse");
  return "";
}

bool contains(const std::string &text, const std::string &part) {
  return text.find(part) != std::string::npos;
}

gg_status noop_hook(const gg_view *, gg_error *) {
  return GG_OK;
}

const gg_hooks noop_neuron_hooks{sizeof(gg_hooks), nullptr, nullptr, &noop_hook,
                                  nullptr,           nullptr, nullptr};

// A valid neuron descriptor over `fields`, for changing one thing at a time.
gg_descriptor hand_made(const gg_field *fields, uint32_t n_fields) {
  return gg_descriptor{sizeof(gg_descriptor),
                       GG_ABI_MAJOR,
                       GG_ABI_MINOR,
                       "hand_made",
                       GG_KIND_NEURON,
                       "1",
                       "a descriptor made in the test",
                       nullptr,
                       0u,
                       "mV/ms",
                       nullptr,
                       nullptr,
                       fields,
                       n_fields,
                       nullptr,
                       &noop_neuron_hooks,
                       nullptr,
                       nullptr};
}

gg_field f64_param(const char *name) {
  return gg_field{name, "ms", GG_ROLE_PARAM, GG_TYPE_F64, 1.0, 0.0, HUGE_VAL, 0u, nullptr, "doc"};
}

} // namespace

TEST_CASE(
    "abi handshake: a good C plugin loads from outside the built-in folder, fields readable") {
  const std::string path = test_plugin("good_neuron.so");
  REQUIRE(fs::exists(path));
  const LoadedPlugin p = PluginRegistry::load_library(path);
  CHECK(p.name == "gg_test_good");
  CHECK(p.path == fs::absolute(path).lexically_normal().string());
  CHECK(p.library != nullptr);
  REQUIRE(p.desc != nullptr);
  const gg_descriptor &d = *p.desc;
  CHECK(d.abi_major == GG_ABI_MAJOR);
  CHECK(d.abi_minor == GG_ABI_MINOR);
  CHECK(d.struct_size == sizeof(gg_descriptor));
  CHECK(d.kind == GG_KIND_NEURON);
  CHECK(std::string(d.version) == "0.1-test");
  CHECK(d.weight_unit == nullptr);
  CHECK(d.cuda == nullptr);
  REQUIRE(d.cpu != nullptr);
  CHECK(bool(d.cpu->step)); // function pointers, which doctest cannot print
  CHECK_FALSE(bool(d.cpu->init));
  REQUIRE(d.n_fields == 4);
  REQUIRE(d.fields != nullptr);
  CHECK(std::string(d.fields[0].name) == "V_th");
  CHECK(std::string(d.fields[2].unit) == "mV/ms");
  const gg_field &v = d.fields[3];
  CHECK(std::string(v.name) == "V");
  CHECK(std::string(v.unit) == "mV");
  CHECK(v.role == GG_ROLE_STATE);
  CHECK(v.type == GG_TYPE_F64);
  CHECK(v.default_value == -65.0);
  CHECK(v.min == -1e3);
  CHECK(v.max == 1e3);
  CHECK((v.flags & GG_BOUND_CHECKED) != 0);

  // Its step hook runs in this process on a hand-made view: V = -51 + 1 ms * 2 mV/ms crosses
  // V_th = -50, so element 0 spikes and is reset to V_re; element 1 (-60 + 2) does not.
  std::vector<double> th{-50, -50}, re{-65, -65}, ie{0, 0}, V{-51, -60}, input{2, 2};
  double *fields[] = {th.data(), re.data(), ie.data(), V.data()};
  uint32_t spikes[2] = {99, 99};
  uint64_t n_spikes = 0;
  gg_view view{};
  view.struct_size = sizeof(gg_view);
  view.n = 2;
  view.dt = 1.0;
  view.fields = fields;
  view.n_fields = 4;
  view.input = input.data();
  view.spikes = spikes;
  view.n_spikes = &n_spikes;
  view.spike_capacity = 2;
  char message[64] = "";
  gg_error err{message, sizeof message};
  REQUIRE(d.cpu->step(&view, &err) == GG_OK);
  CHECK(n_spikes == 1);
  CHECK(spikes[0] == 0);
  CHECK(V[0] == -65.0);
  CHECK(V[1] == -58.0);

  // And a registry holds it under its name, like any plugin of a config's "plugins".
  PluginRegistry reg;
  reg.add_path(path);
  REQUIRE(reg.find("gg_test_good") != nullptr);
  CHECK(reg.find("gg_test_good")->desc == p.desc);
}

TEST_CASE("abi handshake: a newer major ABI is refused, naming the file and both versions") {
  const std::string path = test_plugin("abi_major_newer.so");
  const std::string msg = refusal(path);
  INFO(msg);
  CHECK(msg.rfind(path + ": ", 0) == 0); // starts with the file
  CHECK(contains(msg, "built for plugin ABI " + version(GG_ABI_MAJOR + 1, GG_ABI_MINOR)));
  CHECK(contains(msg, "this ganglion speaks ABI " + version(GG_ABI_MAJOR, GG_ABI_MINOR)));
  CHECK(contains(msg, "major versions must match"));
  CHECK(contains(msg, "rebuild the plugin against this ganglion's SDK"));
}

TEST_CASE("abi handshake: a newer minor ABI is refused but an older or equal minor loads") {
  const std::string path = test_plugin("abi_minor_newer.so");
  const std::string msg = refusal(path);
  INFO(msg);
  CHECK(msg.rfind(path + ": ", 0) == 0);
  CHECK(contains(msg, "built for plugin ABI " + version(GG_ABI_MAJOR, GG_ABI_MINOR + 1)));
  CHECK(contains(msg, "newer than this ganglion's " + version(GG_ABI_MAJOR, GG_ABI_MINOR)));
  CHECK(contains(msg, "upgrade ganglion"));

  // The good plugin's minor is equal to the kernel's and it loads (previous test); every older
  // minor passes the same check, and the next one does not.
  const LoadedPlugin good = PluginRegistry::load_library(test_plugin("good_neuron.so"));
  gg_descriptor d = *good.desc;
  for (uint32_t minor = 0; minor <= GG_ABI_MINOR; ++minor) {
    d.abi_minor = minor;
    CAPTURE(minor);
    CHECK_NOTHROW(check_descriptor(&d, "older_or_equal.so"));
  }
  d.abi_minor = GG_ABI_MINOR + 1;
  CHECK_THROWS_AS(check_descriptor(&d, "newer.so"), PluginError);
}

TEST_CASE("abi handshake: a synapse without the 'current' hook is refused, naming the hook") {
  const std::string path = test_plugin("synapse_no_current.so");
  const std::string msg = refusal(path);
  INFO(msg);
  CHECK(contains(msg, "plugin 'gg_test_synapse_no_current' (" + path + ")"));
  CHECK(contains(msg, "the 'cpu' hooks lack 'current'"));
  CHECK(contains(msg, "which a synapse plugin must provide"));
}

TEST_CASE("abi handshake: a neuron without the 'step' hook is refused, naming the hook") {
  const std::string path = test_plugin("neuron_no_step.so");
  const std::string msg = refusal(path);
  INFO(msg);
  CHECK(contains(msg, "plugin 'gg_test_neuron_no_step' (" + path + ")"));
  CHECK(contains(msg, "the 'cpu' hooks lack 'step'"));
  CHECK(contains(msg, "which a neuron plugin must provide"));
}

TEST_CASE("abi handshake: a shared library without ganglion_plugin_v1 is not a ganglion plugin") {
  const std::string path = test_plugin("no_entry_point.so");
  const std::string msg = refusal(path);
  INFO(msg);
  CHECK(msg.rfind(path + ": ", 0) == 0);
  CHECK(contains(msg, "not a ganglion plugin"));
  CHECK(contains(msg, "does not export '" GG_ENTRY_SYMBOL "'"));
  CHECK(contains(msg, "ganglion_add_plugin()")); // the fix: how to build one
}

TEST_CASE("abi handshake: a text file named x.so is refused as not a shared library") {
  TempDir tmp;
  const std::string path = write_file(tmp / "x.so", "this is not an ELF file\n");
  const std::string msg = refusal(path);
  INFO(msg);
  CHECK(msg.rfind(path + ": ", 0) == 0);
  CHECK(contains(msg, "cannot be loaded as a shared library"));
  CHECK(contains(msg, "is it a plugin built for this machine?"));

  // A registry given that file explicitly refuses it too, and holds nothing afterwards.
  PluginRegistry reg;
  CHECK_THROWS_AS(reg.add_path(path), PluginError);
  CHECK(reg.all().empty());
}

TEST_CASE("abi handshake: discovery on GANGLION_PLUGIN_PATH keeps the good plugin and notes each "
          "refused one") {
  const char *old = std::getenv("GANGLION_PLUGIN_PATH");
  const std::string saved = old ? old : "";
  REQUIRE(setenv("GANGLION_PLUGIN_PATH", GANGLION_TEST_PLUGIN_DIR, 1) == 0);
  const PluginRegistry reg = PluginRegistry::discover();
  if (old)
    setenv("GANGLION_PLUGIN_PATH", saved.c_str(), 1);
  else
    unsetenv("GANGLION_PLUGIN_PATH");

  CHECK(reg.find("gg_test_good") != nullptr);
  CHECK(reg.find("lif") != nullptr); // the built-in folder is still searched
  for (const char *refused : {"gg_test_abi_major", "gg_test_abi_minor",
                              "gg_test_synapse_no_current", "gg_test_neuron_no_step",
                              "gg_test_hooks_small"})
    CHECK(reg.find(refused) == nullptr);
  // One note per refused library, naming its file; the good one has none.
  for (const char *file : {"abi_major_newer.so", "abi_minor_newer.so", "synapse_no_current.so",
                           "neuron_no_step.so", "no_entry_point.so", "hooks_too_small.so",
                           "good_neuron.so"}) {
    CAPTURE(file);
    const auto notes =
        std::count_if(reg.warnings().begin(), reg.warnings().end(), [&](const std::string &w) {
          return w.rfind("skipped ", 0) == 0 &&
                 contains(w, test_plugin(file) + ")") + contains(w, test_plugin(file) + ": ") > 0;
        });
    CHECK(notes == (std::string(file) == "good_neuron.so" ? 0 : 1));
  }
}

TEST_CASE("abi handshake: check_descriptor refuses a field table with a name listed twice") {
  const gg_field ok[] = {f64_param("tau"), f64_param("delay")};
  const gg_descriptor good = hand_made(ok, 2);
  CHECK_NOTHROW(check_descriptor(&good, "ok.so"));

  const gg_field twice[] = {f64_param("tau"), f64_param("delay"), f64_param("tau")};
  const gg_descriptor d = hand_made(twice, 3);
  const std::string msg = check_refusal(d, "twice.so");
  INFO(msg);
  CHECK(contains(msg, "plugin 'hand_made' (twice.so)"));
  CHECK(contains(msg, "field 2 'tau' is listed twice"));
  CHECK(contains(msg, "field names must be unique"));
}

TEST_CASE("abi handshake: check_descriptor refuses a choice field without choices") {
  const gg_field with_choices[] = {
      gg_field{"scheme", "1", GG_ROLE_PARAM, GG_TYPE_CHOICE, 0, 0, 0, 0u, "exact|euler", "doc"}};
  const gg_descriptor good = hand_made(with_choices, 1);
  CHECK_NOTHROW(check_descriptor(&good, "ok.so"));

  for (const char *choices : {static_cast<const char *>(nullptr), ""}) {
    CAPTURE((choices ? "\"\"" : "NULL"));
    const gg_field no_choices[] = {
        f64_param("tau"),
        gg_field{"scheme", "1", GG_ROLE_PARAM, GG_TYPE_CHOICE, 0, 0, 0, 0u, choices, "doc"}};
    const gg_descriptor d = hand_made(no_choices, 2);
    const std::string msg = check_refusal(d, "choice.so");
    INFO(msg);
    CHECK(contains(msg, "plugin 'hand_made' (choice.so)"));
    CHECK(contains(msg, "field 1 'scheme' is a choice without choices"));
    CHECK(contains(msg, "\"a|b\"")); // the fix: the form choices take
  }
}

TEST_CASE("abi handshake: an ABI 1.0 plugin, with the shorter hook table of 1.0, loads and runs "
          "as today's plugins do") {
  const std::string path = test_plugin("abi_10_neuron.so");
  const LoadedPlugin p = PluginRegistry::load_library(path);
  REQUIRE(p.desc != nullptr);
  CHECK(p.desc->abi_minor == 0);
  REQUIRE(p.desc->cpu != nullptr);
  CHECK(p.desc->cpu->struct_size == ganglion::kHooksSize10);
  CHECK(p.desc->cpu->struct_size < sizeof(gg_hooks));
  // `channel` came with 1.3: the kernel must not read it from this table.
  CHECK_FALSE(GANGLION_ABI_HAS(p.desc->cpu, gg_hooks, channel));
  CHECK_FALSE(bool(ganglion::channel_hook(p.desc->cpu)));
  // Nor `cuda_library`, which came with 1.7 (the fixture puts a name there, past its size).
  CHECK(p.desc->struct_size == offsetof(gg_descriptor, cuda_library));
  CHECK(p.cuda_path.empty());
  CHECK_FALSE(ganglion::has_cuda(p));

  // The same perfect integrator as good_neuron.c (the current ABI), side by side in one network: 0.15 mV
  // a step from V_re = -65 mV reaches V_th = -50 mV after 100 steps (10 ms), up to the rounding of
  // the sum, so each neuron fires 9 or 10 times in 100 ms, and both plugins at the same times.
  const std::string json = R"({
  "simulation": {"dt": "0.1 ms", "duration": "100 ms", "seed": 1},
  "plugins": [")" + path + R"(", ")" + test_plugin("good_neuron.so") +
                           R"("],
  "populations": {
    "Old": {"model": "gg_test_abi10", "size": 3, "params": {"I_e": 1.5}},
    "New": {"model": "gg_test_good", "size": 3, "params": {"I_e": 1.5}}
  },
  "recorders": [{"type": "spikes", "populations": ["Old", "New"]}]
})";
  const ganglion::test::InProcessRun run = ganglion::test::run_in_process(json);
  const auto &old_train = run.spikes.at("Old"), &new_train = run.spikes.at("New");
  CHECK(old_train.times == new_train.times);
  CHECK(old_train.ids == new_train.ids);
  CHECK(old_train.times.size() >= 27);
  CHECK(old_train.times.size() <= 30);
}

TEST_CASE("abi handshake: a descriptor or hook table shorter than ABI 1.0's is refused, naming "
          "both sizes; 1.0's sizes load") {
  const gg_field fields[] = {f64_param("tau")};
  gg_descriptor d = hand_made(fields, 1);
  d.abi_minor = 0;
  d.struct_size = uint32_t(ganglion::kDescriptorSize10);
  CHECK_NOTHROW(check_descriptor(&d, "v10.so"));
  d.struct_size = uint32_t(ganglion::kDescriptorSize10 - sizeof(void *));
  const std::string msg = check_refusal(d, "short.so");
  INFO(msg);
  CHECK(msg == "short.so: its descriptor is " + std::to_string(d.struct_size) +
                   " bytes, smaller than the " + std::to_string(ganglion::kDescriptorSize10) +
                   " bytes every ABI 1.x descriptor has (through 'cuda'); rebuild it against "
                   "this SDK");

  gg_hooks hooks = noop_neuron_hooks;
  hooks.struct_size = uint32_t(ganglion::kHooksSize10);
  d = hand_made(fields, 1);
  d.cpu = &hooks;
  CHECK_NOTHROW(check_descriptor(&d, "v10_hooks.so"));

  const std::string path = test_plugin("hooks_too_small.so");
  const std::string small = refusal(path);
  INFO(small);
  CHECK(small == "plugin 'gg_test_hooks_small' (" + path + "): its 'cpu' hook table is " +
                     std::to_string(offsetof(gg_hooks, update)) + " bytes, smaller than the " +
                     std::to_string(ganglion::kHooksSize10) +
                     " bytes every ABI 1.x table has (through 'update'); rebuild the plugin "
                     "against this SDK");
}
