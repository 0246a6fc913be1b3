// exp_conductance's fields in its table's order, shared by its CPU hooks (exp_conductance.cpp) and
// its CUDA hooks (exp_conductance.cu).
#pragma once

namespace ganglion::exp_conductance {

enum Field { tau, E_syn, scheme, convention, g, decay, jump, average, count };

} // namespace ganglion::exp_conductance
