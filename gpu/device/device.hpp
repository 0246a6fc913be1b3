// Whether a CUDA device can be used here, for the GPU tests and checks that need one; and the one
// check of a CUDA runtime call's result.
#pragma once

#include <string>

namespace ganglion::gpu {

// Whether a CUDA device can be used here; `why` says what is missing when not.
bool device_available(std::string &why);

// Throws std::runtime_error "what: the runtime's message" where `error` (a cudaError_t) is not
// cudaSuccess.
void check_cuda(int error, const char *what);

} // namespace ganglion::gpu
