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
