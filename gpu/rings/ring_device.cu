// See ring_device.hpp.
#include "rings/ring_device.hpp"

#include <algorithm>
#include <initializer_list>

#include "device/buffers.cuh"
#include "rings/gather.cuh"

namespace ganglion::gpu {

RingSteps ring_steps_on_device(uint32_t n, uint32_t capacity, uint32_t depth,
                               const std::vector<std::vector<uint32_t>> &lists,
                               const std::vector<uint64_t> &row_ptr, uint32_t delay) {
  SpikeRing ring{device_array<uint32_t>(uint64_t(depth) * capacity),
                 device_copy_of(std::vector<uint32_t>(depth, 0)), capacity, depth};
  uint32_t *list = device_array<uint32_t>(capacity), *count = device_array<uint32_t>(1);
  uint64_t *step = device_array<uint64_t>(1), *rows = device_copy_of(row_ptr);
  int32_t *overflow = device_array<int32_t>(1);
  gg_arrival *arrivals = device_array<gg_arrival>(capacity);
  uint32_t *n_arrivals = device_array<uint32_t>(1);
  GatherBuffers b;
  check_cuda(allocate_gather(b, n), "allocating the gather's buffers");
  RingSteps r;
  for (uint64_t s = 0; s < lists.size(); ++s) {
    const uint32_t listed = uint32_t(lists[s].size());
    const int32_t clear = 0;
    upload(list, lists[s].data(), std::min(listed, capacity));
    upload(count, &listed, 1);
    upload(step, &s, 1);
    upload(overflow, &clear, 1);
    DeviceArrivals a{};
    check_cuda(gather_spikes(b, DeviceSpikes{list, count, capacity}, ring, step, overflow, nullptr),
               "enqueuing the gather");
    check_cuda(fixed_delay_arrivals(ring, step, rows, delay, arrivals, n_arrivals, a, nullptr),
               "enqueuing the arrivals");
    check_cuda(cudaDeviceSynchronize(), "the step");
    const uint32_t slot = ring.slot_of(s);
    r.slots.push_back(read_back(ring.slot_begin(slot), read_back(ring.counts + slot, 1)[0]));
    r.overflow.push_back(read_back(overflow, 1)[0]);
    r.arrivals.push_back(read_back(arrivals, read_back(n_arrivals, 1)[0]));
  }
  check_cuda(free_gather(b), "freeing the gather's buffers");
  for (void *p : std::initializer_list<void *>{ring.slots, ring.counts, list, count, step, rows,
                                               overflow, arrivals, n_arrivals})
    check_cuda(cudaFree(p), "cudaFree");
  return r;
}

} // namespace ganglion::gpu
