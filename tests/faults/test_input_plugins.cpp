// Hostile input, plugins: a model whose library was skipped says why (both ABI versions), a
// plugin that replaces a built-in is named with both files on every command that uses it, and a
// library on the plugin path whose constructor crashes cannot stop a run that does not use it
// (only the libraries an experiment needs are opened). The libraries are tests/fixtures'.
#include <doctest/doctest.h>

#include <string>

#include "ganglion/plugin_abi.h"
#include "registry/registry.hpp"
#include "test_input_case.hpp"

using namespace ganglion::test;
using namespace ganglion::test::input;

namespace {

std::string fixtures(const std::string &folder) {
  return std::string(GANGLION_TEST_PLUGIN_DIR) + "/" + folder;
}

} // namespace

TEST_CASE("input faults: a model skipped for its ABI version is named with both versions by run, "
          "not as unknown") {
  Case c;
  const std::string text = replaced(base_config(c.output), "\"lif\"", "\"gg_test_abi_major\"");
  const std::string lib = fixtures("named") + "/libganglion_gg_test_abi_major.so";
  c.refused(c.cli("run", text, "", "GANGLION_PLUGIN_PATH=" + fixtures("named")), 1,
            "ganglion: " + c.config +
                ": /populations/E/model: unknown neuron model 'gg_test_abi_major': a library of "
                "that name, " +
                lib + ", was skipped: built for plugin ABI " + std::to_string(GG_ABI_MAJOR + 1) +
                "." + std::to_string(GG_ABI_MINOR) + ", but this ganglion speaks ABI " +
                std::to_string(GG_ABI_MAJOR) + "." + std::to_string(GG_ABI_MINOR) +
                " (the major versions must match): rebuild the plugin against this ganglion's "
                "SDK\n");
}

TEST_CASE("input faults: a plugin that replaces a built-in is named with both files on every "
          "command that uses it") {
  Case c;
  const std::string env = "GANGLION_PLUGIN_PATH=" + fixtures("shadow");
  const std::string warning = "ganglion: warning: plugin 'lif' is " + fixtures("shadow") +
                              "/libganglion_lif.so, which replaces the built-in " +
                              ganglion::PluginRegistry::builtin_dir() +
                              "/libganglion_lif.so; rename one of them to use both\n";
  // The replacement has no tau_m, I_e only: the base experiment runs on it.
  const CliResult run = c.cli("run", base_config(c.output), "", env);
  CHECK(run.exit_code == 0);
  CHECK(run.err == warning);
  const CliResult validate = c.cli("validate", base_config(c.output), "", env);
  CHECK(validate.exit_code == 0);
  CHECK(validate.err == warning);
  const CliResult describe = run_cli("describe lif", env);
  CHECK(describe.exit_code == 0);
  CHECK(describe.err == warning);
  // Where it is not used, nothing is said.
  CHECK(run_cli("describe eif", env).err.empty());
}

TEST_CASE("input faults: a library on the plugin path that crashes when loaded does not stop a "
          "run that does not use it") {
  Case c;
  const CliResult r =
      c.cli("run", base_config(c.output), "", "GANGLION_PLUGIN_PATH=" + fixtures("crash"));
  CHECK(r.exit_code == 0);
  CHECK(r.err.empty());
  CHECK(read_h5_string_attribute(c.output, "/", "status") == "complete");
}

TEST_CASE("input faults: a library that crashes when it is opened is named, with the fix, by the "
          "commands that open it") {
  Case c;
  const std::string env = "GANGLION_PLUGIN_PATH=" + fixtures("crash");
  const std::string report = "ganglion: the plugin library " + fixtures("crash") +
                             "/libganglion_crash.so crashed (SIGABRT) as it was opened (in its "
                             "constructors or its descriptor function): rebuild it, or take it "
                             "off GANGLION_PLUGIN_PATH\n";
  // `plugins` opens every library on the path; a run opens the one its model is named for.
  const CliResult list = run_cli("plugins", env);
  CHECK(list.exit_code == 3);
  CHECK(list.err == report);
  const std::string text = replaced(base_config(c.output), "\"lif\"", "\"crash\"");
  c.refused(c.cli("run", text, "", env), 3, report);
}
