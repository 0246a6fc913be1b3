// A plugin's CUDA companion opened for a GPU test as the registry opens it: found in the build's
// plugin folder, or in GANGLION_COMPANION_DIR (tools/gpu_check.sh builds it there).
#pragma once

#include <dlfcn.h>
#include <doctest/doctest.h>

#include <cstdlib>
#include <string>

#include "ganglion/plugin_abi.h"

namespace ganglion::test {

inline std::string companion_dir() {
  if (const char *dir = std::getenv("GANGLION_COMPANION_DIR")) return dir;
#ifdef GANGLION_BINARY_DIR
  return std::string(GANGLION_BINARY_DIR) + "/lib/ganglion/plugins";
#else
  return ".";
#endif
}

// libganglion_<name>_cuda.so's hook table, REQUIREd to open and to have a step.
inline const gg_cuda_hooks *open_companion(const std::string &name) {
  const std::string path = companion_dir() + "/libganglion_" + name + "_cuda.so";
  void *library = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  REQUIRE_MESSAGE(library != nullptr, path << ": " << dlerror());
  auto entry = reinterpret_cast<gg_cuda_entry_fn>(dlsym(library, GG_CUDA_ENTRY_SYMBOL));
  REQUIRE(bool(entry));
  const gg_cuda_hooks *hooks = entry();
  REQUIRE(bool(hooks->step));
  return hooks;
}

} // namespace ganglion::test
