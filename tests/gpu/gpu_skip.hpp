// A GPU test that cannot run here says so by name and counts as skipped: ctest matches the
// printed line (SKIP_REGULAR_EXPRESSION in tests/CMakeLists.txt), so a skip is never silent.
#pragma once

#include <cstdio>
#include <string>

#define GANGLION_GPU_SKIP(test, reason)                                                            \
  do {                                                                                             \
    std::printf("GPU TEST SKIPPED: %s: %s\n", test, std::string(reason).c_str());                 \
    return;                                                                                        \
  } while (0)

// The start of every GPU test: skipped where ganglion is built without CUDA (in the #ifndef
// GANGLION_HAVE_CUDA branch) or where no device can be used (first in the #else branch).
#define GANGLION_GPU_SKIP_NO_CUDA(test)                                                            \
  GANGLION_GPU_SKIP(test, "built without CUDA (GANGLION_CUDA=OFF or no nvcc)")
#ifdef GANGLION_HAVE_CUDA
#include "device/device.hpp"
#define GANGLION_GPU_NEEDS_DEVICE(test)                                                            \
  do {                                                                                             \
    std::string why_;                                                                              \
    if (!::ganglion::gpu::device_available(why_)) GANGLION_GPU_SKIP(test, why_);                   \
  } while (0)
#endif
