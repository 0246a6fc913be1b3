// Host entry points of the Poisson input drawn on the device: a drive's counts (every synapse's
// Poisson count a step) and the poisson source's spikes, with the CPU's code for one element
// (framework/src/random/drive_count.hpp, plugins/neuron/poisson/poisson_model.hpp), so tests can
// hold the device's input equal to the host's.
#pragma once

#include <cstdint>
#include <vector>

namespace ganglion::gpu {

// drive_count for generator elements 0 .. n_elements - 1, targets first_target ..
// first_target + n_targets - 1 and steps 0 .. n_steps - 1 at one mean:
// out[(i * n_targets + t) * n_steps + s].
std::vector<uint64_t> drive_counts_on_device(uint64_t seed, uint64_t stream, double mean,
                                             uint32_t n_elements, uint32_t n_targets,
                                             uint32_t first_target, uint32_t n_steps);

// The poisson source's spike counts of neurons with these rates (Hz), global ids from first_gid,
// over n_steps steps of dt ms from t = 0: out[s * n + i] (poisson::run_source, as the plugin steps
// them).
std::vector<uint32_t> poisson_source_on_device(uint64_t seed, uint64_t stream, uint64_t first_gid,
                                               const std::vector<double> &rates, double dt,
                                               uint32_t n_steps);

} // namespace ganglion::gpu
