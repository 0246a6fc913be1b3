// ganglion::step_chunks (ganglion/sdk/neuron_loop.hpp): fire runs for exactly the elements that
// crossed, in ascending order, across chunk edges, the two 64-element halves of a chunk and every
// bit position; spikes are emitted ascending and only where fire says so; a chunk whose integrate
// says no crossing is not looked at again.
#include <doctest/doctest.h>

#include <cstdint>
#include <vector>

#include "ganglion/sdk/neuron_loop.hpp"

namespace {

struct Run {
  std::vector<uint64_t> asked;  // fire's arguments, in call order
  std::vector<uint64_t> looked; // crossed's arguments
  std::vector<uint32_t> spikes; // what was emitted
};

// n neurons, of which `crossing` cross (sorted); those in `silent` cross but fire refuses them.
Run run(uint64_t n, const std::vector<uint64_t> &crossing, const std::vector<uint64_t> &silent) {
  std::vector<uint8_t> crossed(n, 0), refuse(n, 0);
  for (uint64_t i : crossing)
    crossed[i] = 1;
  for (uint64_t i : silent)
    refuse[i] = 1;
  Run r;
  r.spikes.resize(n);
  uint64_t count = 0;
  gg_view v{};
  v.n = n;
  v.spikes = r.spikes.data();
  v.n_spikes = &count;
  v.spike_capacity = n;
  ganglion::step_chunks(
      v,
      [&](uint64_t begin, uint64_t end) {
        CHECK(end - begin <= ganglion::kChunk);
        int any = 0;
        for (uint64_t i = begin; i < end; ++i)
          any |= crossed[i];
        return any != 0;
      },
      [&](uint64_t i) {
        r.looked.push_back(i);
        return crossed[i] != 0;
      },
      [&](uint64_t i) {
        r.asked.push_back(i);
        return refuse[i] == 0;
      });
  r.spikes.resize(count);
  return r;
}

} // namespace

TEST_CASE("step_chunks: fire for each crossing element, ascending, across chunk edges") {
  const uint64_t k = ganglion::kChunk;
  const std::vector<uint64_t> crossing = {0,     1,     31,     63,        64,
                                          k - 1, k + 5, k + 64, 2 * k - 1, 2 * k + 2};
  const Run r = run(2 * k + 3, crossing, {});
  CHECK(r.asked == crossing);
  CHECK(r.spikes == std::vector<uint32_t>(crossing.begin(), crossing.end()));
}

TEST_CASE("step_chunks: every bit of a chunk, and none") {
  const uint64_t k = ganglion::kChunk;
  std::vector<uint64_t> all;
  for (uint64_t i = k; i < 2 * k; ++i)
    all.push_back(i);
  const Run r = run(3 * k, all, {});
  CHECK(r.asked == all);
  CHECK(r.spikes.size() == k);
  CHECK(r.looked == all); // the chunks without a crossing are not looked at
  const Run none = run(3 * k, {}, {});
  CHECK(none.asked.empty());
  CHECK(none.looked.empty());
  CHECK(run(0, {}, {}).asked.empty());
}

TEST_CASE("step_chunks: a crossing element that fire refuses emits no spike") {
  const Run r = run(100, {3, 40, 70, 99}, {40, 99});
  CHECK(r.asked == std::vector<uint64_t>{3, 40, 70, 99});
  CHECK(r.spikes == std::vector<uint32_t>{3, 70});
}
