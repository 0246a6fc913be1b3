// rate_linear's fields in its table's order, shared by its CPU hooks (rate_linear.cpp) and its
// CUDA hooks (rate_linear.cu).
#pragma once

namespace ganglion::rate_linear {

enum Field { I, count };

} // namespace ganglion::rate_linear
