// A plugin's CUDA companion opened for a GPU test as the registry opens it: found in the build's
// plugin folder, or in GANGLION_COMPANION_DIR (tools/gpu_check.sh builds it there); and a
// population's host arrays that the tests step on both sides.
#pragma once

#include <dlfcn.h>
#include <doctest/doctest.h>

#include <cstdlib>
#include <string>
#include <vector>

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

// A population's host arrays, `count` fields of n values (each its default, or 0), and a view
// over them.
struct HostPopulation {
  std::vector<std::vector<double>> data;
  std::vector<double *> fields;
  gg_view view{};
  HostPopulation(uint64_t n, int count, double dt, const double *defaults = nullptr) {
    for (int k = 0; k < count; ++k)
      data.emplace_back(n, defaults ? defaults[k] : 0.0);
    for (auto &d : data)
      fields.push_back(d.data());
    view.struct_size = sizeof(gg_view);
    view.n = n;
    view.dt = dt;
    view.fields = fields.data();
    view.n_fields = uint32_t(count);
  }
};

} // namespace ganglion::test
