// See device.hpp.
#include "device/device.hpp"

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

} // namespace ganglion::gpu
