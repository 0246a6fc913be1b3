// GPU: the device engine's spike ring (gpu/rings/gather.cuh) against the CPU's history. Each step's
// spike list, shuffled with repeats as a companion's atomics may leave it, is gathered into its
// slot in the CPU's order, ascending with repeats kept (the CPU's slices in order, each ascending):
// the std::sort of the list, whatever its order; an empty step leaves an empty slot; a step of
// exactly the capacity fits; one beyond it keeps the capacity's worth that were written and raises
// the overflow word. Over 13 steps of a ring 4 deep (so its slots wrap), the arrivals made from the
// ring for delays 1, 2 and 4 are those of spike_ring.hpp over the CPU's slots, run by run. Without
// a CUDA build or a device the test says it skipped.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <random>
#include <vector>

#include "gpu_skip.hpp"
#ifdef GANGLION_HAVE_CUDA
#include "rings/ring_device.hpp"
#include "rings/spike_ring.hpp"
#endif

constexpr const char *kRingsName =
    "gpu: spike rings gather each step's spikes in the CPU's order and make its arrivals";

#ifdef GANGLION_HAVE_CUDA
namespace {

using ganglion::gpu::SpikeRing;

constexpr uint32_t kN = 1000, kCapacity = 600, kDepth = 4, kSteps = 13;

// Each step's list: its size from `sizes` (0: empty, kCapacity: full, past it: an overflow), some
// neurons several times, shuffled.
std::vector<std::vector<uint32_t>> make_lists() {
  const uint32_t sizes[kSteps] = {37, 0, 250, kCapacity, 1, kCapacity + 41, 0, 599,
                                  90, 3, 480, 0,         64};
  std::mt19937 rng(7);
  std::uniform_int_distribution<uint32_t> neuron(0, kN - 1), repeats(1, 4);
  std::vector<std::vector<uint32_t>> lists;
  for (const uint32_t size : sizes) {
    std::vector<uint32_t> list;
    while (list.size() < size)
      list.insert(list.end(), std::min<uint32_t>(repeats(rng), size - uint32_t(list.size())),
                  neuron(rng));
    std::shuffle(list.begin(), list.end(), rng);
    lists.push_back(list);
  }
  return lists;
}

// The CPU's slot of a list: ascending, of what the list holds (its first kCapacity).
std::vector<uint32_t> cpu_slot(const std::vector<uint32_t> &list) {
  std::vector<uint32_t> slot(list.begin(),
                             list.begin() + std::min<std::size_t>(list.size(), kCapacity));
  std::sort(slot.begin(), slot.end());
  return slot;
}

// Rows of 0 to 5 synapses (empty ones among them).
std::vector<uint64_t> make_rows() {
  std::mt19937 rng(3);
  std::uniform_int_distribution<uint64_t> length(0, 5);
  std::vector<uint64_t> row_ptr{0};
  for (uint32_t i = 0; i < kN; ++i)
    row_ptr.push_back(row_ptr.back() + length(rng));
  return row_ptr;
}

// Each step's arrivals over `delay` by spike_ring.hpp on the host, over a ring of the CPU's slots.
std::vector<std::vector<gg_arrival>> host_arrivals(const std::vector<std::vector<uint32_t>> &slots,
                                                   const std::vector<uint64_t> &row_ptr,
                                                   uint32_t delay) {
  std::vector<uint32_t> storage(kDepth * kCapacity), counts(kDepth);
  const SpikeRing ring{storage.data(), counts.data(), kCapacity, kDepth};
  std::vector<std::vector<gg_arrival>> out(slots.size());
  for (uint64_t s = 0; s < slots.size(); ++s) {
    std::copy(slots[s].begin(), slots[s].end(), ring.slot_begin(ring.slot_of(s)));
    counts[ring.slot_of(s)] = uint32_t(slots[s].size());
    uint32_t slot = 0;
    if (!ring.arrival_slot(s, delay, slot)) continue;
    for (uint32_t k = 0; k < counts[slot]; ++k)
      out[s].push_back(
          ganglion::gpu::fixed_delay_arrival(row_ptr.data(), ring.slot_begin(slot)[k], delay));
  }
  return out;
}

bool same(const std::vector<gg_arrival> &a, const std::vector<gg_arrival> &b) {
  return std::equal(
      a.begin(), a.end(), b.begin(), b.end(), [](const gg_arrival &x, const gg_arrival &y) {
        return x.begin == y.begin && x.end == y.end && x.pre == y.pre && x.delay == y.delay;
      });
}

} // namespace
#endif

TEST_CASE(kRingsName) {
#ifndef GANGLION_HAVE_CUDA
  GANGLION_GPU_SKIP_NO_CUDA(kRingsName);
#else
  GANGLION_GPU_NEEDS_DEVICE(kRingsName);
  const auto lists = make_lists();
  const auto row_ptr = make_rows();
  std::vector<std::vector<uint32_t>> slots;
  for (const auto &list : lists)
    slots.push_back(cpu_slot(list));
  for (const uint32_t delay : {1u, 2u, kDepth}) {
    CAPTURE(delay);
    const auto device =
        ganglion::gpu::ring_steps_on_device(kN, kCapacity, kDepth, lists, row_ptr, delay);
    const auto host = host_arrivals(slots, row_ptr, delay);
    REQUIRE(device.slots.size() == kSteps);
    uint64_t arrived = 0;
    for (uint64_t s = 0; s < kSteps; ++s) {
      CAPTURE(s);
      CHECK(device.slots[s] == slots[s]);
      CHECK(device.overflow[s] == (lists[s].size() > kCapacity ? 1 : 0));
      CHECK(same(device.arrivals[s], host[s]));
      arrived += host[s].size();
    }
    CHECK(arrived > 1000); // the arrivals were not all empty
  }
#endif
}

constexpr const char *kGraphName =
    "gpu: one step captured as a CUDA graph and replayed equals the step enqueued plainly and "
    "the host";

TEST_CASE(kGraphName) {
#ifndef GANGLION_HAVE_CUDA
  GANGLION_GPU_SKIP_NO_CUDA(kGraphName);
#else
  GANGLION_GPU_NEEDS_DEVICE(kGraphName);
  // 2000 neurons whose spikes (shuffled, repeats allowed, some steps empty) are gathered into a
  // ring 3 deep; a delay of 2 steps along rows of 0 to 60 ascending targets; the arrivals
  // delivered in the CPU's order. The captured step replayed 50 times must leave the state of the
  // plain enqueues, and both the host's sums in the arrivals' order (spikes ascending, each row's
  // synapses in order), bit for bit: a graph that froze a count or a step at its capture would not.
  const uint32_t n = 2000, capacity = 400, depth = 3, delay = 2, steps = 50;
  std::mt19937 rng(23);
  std::uniform_int_distribution<uint32_t> neuron(0, n - 1), length(0, 60), spikes(0, 300);
  std::uniform_real_distribution<float> weight(-1, 1);
  std::vector<uint64_t> row_ptr{0};
  std::vector<uint32_t> post;
  std::vector<float> w;
  for (uint32_t i = 0; i < n; ++i) {
    std::vector<uint32_t> row(length(rng));
    for (uint32_t &j : row)
      j = neuron(rng);
    std::sort(row.begin(), row.end());
    post.insert(post.end(), row.begin(), row.end());
    for (std::size_t k = 0; k < row.size(); ++k)
      w.push_back(weight(rng));
    row_ptr.push_back(post.size());
  }
  std::vector<std::vector<uint32_t>> lists(steps);
  for (uint32_t s = 0; s < steps; ++s)
    for (uint32_t k = s % 9 == 4 ? 0 : spikes(rng); k > 0; --k)
      lists[s].push_back(neuron(rng));
  const auto [graph, plain] =
      ganglion::gpu::graph_replay_on_device(n, capacity, depth, lists, row_ptr, post, w, delay);
  REQUIRE(graph.size() == uint64_t(steps) * n);
  CHECK(graph == plain);
  std::vector<double> x(n, 0.0);
  uint64_t differ = 0;
  for (uint32_t s = 0; s < steps; ++s) {
    if (s + 1 >= delay) {
      std::vector<uint32_t> arriving = lists[s + 1 - delay];
      std::sort(arriving.begin(), arriving.end());
      for (const uint32_t i : arriving)
        for (uint64_t k = row_ptr[i]; k < row_ptr[i + 1]; ++k)
          x[post[k]] += double(w[k]);
    }
    differ += !std::equal(x.begin(), x.end(), graph.begin() + long(uint64_t(s) * n));
  }
  CHECK(differ == 0);
#endif
}
