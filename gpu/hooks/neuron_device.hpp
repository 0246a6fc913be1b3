// A neuron plugin's CUDA hooks run on a device, step by step, for the GPU tests: one population's
// fields uploaded, its step hook called once per step with its device view (the step counter, the
// spike list and the range word in device memory), the results copied back. What the device
// engine does for a population, without delivery, so that a companion is tested alone: a neuron's
// or a source's (no input; an element may spike several times a step; sequence fields with their
// offsets).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ganglion/plugin_abi.h"

namespace ganglion::gpu {

struct NeuronSteps {
  std::vector<std::vector<double>> fields;   // each field's values after the last step
  std::vector<std::vector<double>> g;        // each channel's state after the last step
  std::vector<std::vector<uint32_t>> spikes; // each step's spikes, ascending (repeats kept)
  std::vector<int32_t> out_of_range;         // each step's range word
  std::string error;                         // a hook's message where one failed ("": none)
};

// `host` is the population's view after its CPU init: n, dt, seed, stream, first_gid, its fields
// (a sequence field's offsets[n] values where `offsets` gives it offsets), `uniform`, and its
// channels (their g in host memory). inputs: steps x n values, step after step (empty: no input
// array). Runs steps [0, steps) with `hooks->step`, with room for `per_element` spikes an element
// in a step (more is an error).
NeuronSteps neuron_steps_on_device(const gg_cuda_hooks *hooks, const gg_view &host,
                                   const std::vector<double> &inputs, uint64_t steps,
                                   uint32_t per_element = 1);

} // namespace ganglion::gpu
