// Random rows with drawn delays as the CPU lays them out (each row by delay, then target), for the
// tests of the device's input ring: on the host against the CPU's arrival queue
// (test_input_ring.cpp), on a device against the host (tests/gpu/test_delivery_gpu.cpp).
#pragma once

#include <algorithm>
#include <cstdint>
#include <random>
#include <utility>
#include <vector>

namespace ganglion::test {

struct DrawnRows {
  std::vector<uint64_t> row_ptr{0};
  std::vector<uint32_t> post;
  std::vector<uint16_t> delay; // steps, 1 .. depth
  std::vector<float> weight;   // in [-1, 1)
};

// n_pre rows of 0 to `longest` synapses onto n targets.
inline DrawnRows drawn_rows(uint64_t n_pre, uint32_t n, uint16_t depth, uint32_t longest,
                            std::mt19937 &rng) {
  std::uniform_int_distribution<uint32_t> target(0, n - 1), length(0, longest);
  std::uniform_int_distribution<uint16_t> delay(1, depth);
  std::uniform_real_distribution<float> weight(-1, 1);
  DrawnRows r;
  for (uint64_t i = 0; i < n_pre; ++i) {
    std::vector<std::pair<uint16_t, uint32_t>> row(length(rng));
    for (auto &[d, j] : row)
      d = delay(rng), j = target(rng);
    std::sort(row.begin(), row.end());
    for (const auto &[d, j] : row) {
      r.delay.push_back(d);
      r.post.push_back(j);
      r.weight.push_back(weight(rng));
    }
    r.row_ptr.push_back(r.post.size());
  }
  return r;
}

} // namespace ganglion::test
