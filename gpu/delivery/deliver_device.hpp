// Host entry point of the device engine's delivery of declared arrivals (deliver.cuh), for the GPU
// tests: a projection's CSR, its state and scale, and a step's arrivals uploaded, delivered on the
// device one way or the other, and the state copied back.
#pragma once

#include <cstdint>
#include <vector>

#include "ganglion/plugin_abi.h"

namespace ganglion::gpu {

struct DeliveryCase {
  std::vector<double> x, scale; // scale empty: none (1)
  std::vector<uint32_t> post;
  std::vector<float> weight; // one value where `uniform`
  bool uniform = false;
  std::vector<gg_arrival> arrivals;
  std::vector<uint32_t> spikes; // per arrival, or empty: one each
};

// x after the arrivals are delivered on the device, ordered (the CPU's order) or scattered.
std::vector<double> delivered_on_device(const DeliveryCase &c, bool ordered);

// A projection with drawn delays (rows by delay, then target) and each step's spikes.
struct DrawnCase {
  std::vector<uint64_t> row_ptr;
  std::vector<uint32_t> post;
  std::vector<float> weight;
  std::vector<uint16_t> delay; // steps, 1 .. depth
  std::vector<double> scale;   // one per target, or empty: none (1)
  uint64_t n = 0, depth = 1;
  std::vector<std::vector<uint32_t>> spikes; // each step's
};

// A drive's generator rows onto n targets (rows ascending by target) and its draws.
struct DriveCase {
  std::vector<uint64_t> row_ptr;
  std::vector<uint32_t> post;
  std::vector<float> weight;
  std::vector<double> scale, rate; // per target (empty: none); Hz per generator element
  uint64_t n = 0, seed = 0, stream = 0, post_gid = 0, steps = 0;
  double dt = 0.1;
};

// The state x (n targets, from 0) after each step's drive, delivered on the device ordered or
// scattered (deliver.cuh): out[t * n + j].
std::vector<double> drive_on_device(const DriveCase &c, bool ordered);

// The state x (n targets, from 0) after each step's walk and drain on the device (deliver.cuh):
// out[t * n + j].
std::vector<double> drawn_delays_on_device(const DrawnCase &c);

} // namespace ganglion::gpu
