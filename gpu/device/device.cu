// See device.hpp.
#include "device/device.hpp"

#include <stdexcept>

#include <cuda_runtime.h>

namespace ganglion::gpu {

bool device_available(std::string &why) {
  int count = 0;
  const cudaError_t e = cudaGetDeviceCount(&count);
  if (e != cudaSuccess) {
    why = cudaGetErrorString(e);
    return false;
  }
  if (count == 0) {
    why = "no CUDA device";
    return false;
  }
  return true;
}

void check_cuda(int error, const char *what) {
  if (error != cudaSuccess)
    throw std::runtime_error(std::string(what) + ": " + cudaGetErrorString(cudaError_t(error)));
}

} // namespace ganglion::gpu
