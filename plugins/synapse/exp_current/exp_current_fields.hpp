// exp_current's fields in its table's order, shared by its CPU hooks (exp_current.cpp) and its
// CUDA hooks (exp_current.cu).
#pragma once

namespace ganglion::exp_current {

enum Field { tau, scheme, convention, I, decay, jump, average, count };

} // namespace ganglion::exp_current
