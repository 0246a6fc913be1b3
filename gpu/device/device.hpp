// Whether a CUDA device can be used here, for the GPU tests and checks that need one.
#pragma once

#include <string>

namespace ganglion::gpu {

// Whether a CUDA device can be used here; `why` says what is missing when not.
bool device_available(std::string &why);

} // namespace ganglion::gpu
