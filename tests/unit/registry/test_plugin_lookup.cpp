// Looking a plugin up: by its file name first (libganglion_<name>.so), every library only where no
// file gives the name; what is known about a name that is not found (a library of that name
// skipped, and why); a plugin that replaces a built-in, with a notice once per name; the search
// order of the lists. The libraries are tests/fixtures' folders named, shadow and crash.
#include <doctest/doctest.h>

#include <cstdlib>
#include <string>
#include <vector>

#include "ganglion/plugin_abi.h"
#include "registry/registry.hpp"

using ganglion::LoadedPlugin;
using ganglion::PluginRegistry;

namespace {

std::string fixtures(const std::string &folder) {
  return std::string(GANGLION_TEST_PLUGIN_DIR) + "/" + folder;
}

// discover() with GANGLION_PLUGIN_PATH set to `path` (and put back after).
PluginRegistry discover_with(const std::string &path) {
  const char *old = std::getenv("GANGLION_PLUGIN_PATH");
  const std::string saved = old ? old : "";
  setenv("GANGLION_PLUGIN_PATH", path.c_str(), 1);
  PluginRegistry reg = PluginRegistry::discover();
  if (old)
    setenv("GANGLION_PLUGIN_PATH", saved.c_str(), 1);
  else
    unsetenv("GANGLION_PLUGIN_PATH");
  return reg;
}

std::string lib(const std::string &folder, const std::string &name) {
  return fixtures(folder) + "/libganglion_" + name + ".so";
}

} // namespace

TEST_CASE("plugin lookup: a plugin is found by its file without opening the other libraries") {
  // The crash folder's library aborts when it is opened: finding lif and the named neuron must
  // not open it, nor may anything short of a full list.
  const PluginRegistry reg = discover_with(fixtures("crash") + ":" + fixtures("named"));
  const LoadedPlugin *lif = reg.find("lif");
  REQUIRE(lif != nullptr);
  CHECK(lif->path == PluginRegistry::builtin_dir() + "/libganglion_lif.so");
  const LoadedPlugin *named = reg.find("gg_test_named");
  REQUIRE(named != nullptr);
  CHECK(named->path == lib("named", "gg_test_named"));
  CHECK(named->replaces.empty());
  CHECK(reg.find("lif") == lif); // the same plugin, found again
}

TEST_CASE("plugin lookup: a name no file gives is looked for in every library, and a library of "
          "that name that was skipped says why") {
  const PluginRegistry reg = discover_with(fixtures("named"));
  CHECK(reg.find("gg_test_nowhere") == nullptr);
  CHECK(reg.why_unknown("gg_test_nowhere").empty());
  CHECK(reg.find("gg_test_abi_major") == nullptr);
  const std::string kernel = std::to_string(GG_ABI_MAJOR) + "." + std::to_string(GG_ABI_MINOR);
  const std::string newer = std::to_string(GG_ABI_MAJOR + 1) + "." + std::to_string(GG_ABI_MINOR);
  CHECK(reg.why_unknown("gg_test_abi_major") ==
        "a library of that name, " + lib("named", "gg_test_abi_major") +
            ", was skipped: built for plugin ABI " + newer + ", but this ganglion speaks ABI " +
            kernel +
            " (the major versions must match): rebuild the plugin against this "
            "ganglion's SDK");
  // The lists hold every plugin in search order: the built-ins (sorted), then the path's.
  const std::vector<std::string> names = reg.names();
  REQUIRE(names.size() >= 2);
  CHECK(names.front() == "delta");
  CHECK(names.back() == "gg_test_named");
  CHECK(reg.ordered().back()->name == "gg_test_named");
}

TEST_CASE("plugin lookup: a plugin named like a built-in replaces it, with one notice naming both "
          "files") {
  PluginRegistry reg = discover_with(fixtures("shadow"));
  std::vector<std::string> notices;
  reg.on_notice([&](const std::string &n) { notices.push_back(n); });
  const LoadedPlugin *lif = reg.find("lif");
  REQUIRE(lif != nullptr);
  const std::string builtin = PluginRegistry::builtin_dir() + "/libganglion_lif.so";
  CHECK(lif->path == lib("shadow", "lif"));
  CHECK(lif->replaces == builtin);
  reg.find("lif");
  REQUIRE(notices.size() == 1);
  CHECK(notices[0] == "plugin 'lif' is " + lib("shadow", "lif") + ", which replaces the built-in " +
                          builtin + "; rename one of them to use both");
  // The full list holds the winner once.
  int lifs = 0;
  for (const LoadedPlugin *p : reg.ordered())
    lifs += p->name == "lif";
  CHECK(lifs == 1);
}

TEST_CASE("plugin lookup: a plugin in use is never replaced, and a later library of its name is "
          "noted") {
  PluginRegistry reg = discover_with("");
  const LoadedPlugin *lif = reg.find("lif");
  REQUIRE(lif != nullptr);
  const gg_descriptor *builtin = lif->desc;
  reg.add_path(lib("shadow", "lif")); // as an experiment's "plugins" would, after lif was used
  CHECK(reg.find("lif")->desc == builtin);
  CHECK(reg.warnings().back() ==
        "skipped " + lib("shadow", "lif") + ": plugin 'lif' is already in use from " + lif->path);
  // Added before it is used, the same library wins over the built-in, and says so.
  PluginRegistry fresh = discover_with("");
  fresh.add_path(lib("shadow", "lif"));
  CHECK(fresh.find("lif")->path == lib("shadow", "lif"));
  CHECK(fresh.find("lif")->replaces == PluginRegistry::builtin_dir() + "/libganglion_lif.so");
}
