// See device_engine.hpp.
#include "engine/device_engine.hpp"

#include <dlfcn.h>

#include <cstdlib>
#include <filesystem>
#include <map>

#include <boost/dll/runtime_symbol_info.hpp>

#include "registry/registry.hpp"

namespace ganglion {

std::string device_engine_path() {
  if (const char *env = std::getenv("GANGLION_CUDA_ENGINE")) return env;
  static const std::string beside = [] {
    const std::filesystem::path lib = boost::dll::this_line_location().string();
    const std::filesystem::path engine = lib.parent_path() / "libganglion_cuda.so";
    return std::filesystem::exists(engine) ? engine.string() : std::string();
  }();
  return beside;
}

std::unique_ptr<DeviceEngine> open_device_engine() {
  const std::string path = device_engine_path();
  if (path.empty())
    throw RunError("this ganglion has no device engine (libganglion_cuda.so: built with "
                   "GANGLION_CUDA=OFF or without nvcc); set \"backend\": \"cpu\"");
  // Each library opened once and kept for the process: the engines it makes live in its code.
  static std::map<std::string, void *> opened;
  void *&library = opened[path];
  if (!library) library = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!library) {
    const char *why = dlerror();
    throw RunError("the device engine " + path + " cannot be loaded (" +
                   std::string(why ? why : "no reason given") +
                   "): is the CUDA runtime installed (libcudart.so." +
                   std::to_string(cuda_runtime_major()) + ")? Or set \"backend\": \"cpu\"");
  }
  using Entry = DeviceEngine *(*)();
  const auto entry = reinterpret_cast<Entry>(dlsym(library, GANGLION_DEVICE_ENGINE_SYMBOL));
  if (!entry)
    throw RunError("the device engine " + path +
                   " does not export " GANGLION_DEVICE_ENGINE_SYMBOL ": rebuild ganglion");
  return std::unique_ptr<DeviceEngine>(entry());
}

} // namespace ganglion
