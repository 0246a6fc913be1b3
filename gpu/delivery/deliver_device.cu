// See deliver_device.hpp.
#include "delivery/deliver_device.hpp"

#include <initializer_list>

#include "delivery/deliver.cuh"
#include "device/buffers.cuh"

namespace ganglion::gpu {

std::vector<double> delivered_on_device(const DeliveryCase &c, bool ordered) {
  double *x = device_copy_of(c.x);
  double *scale = c.scale.empty() ? nullptr : device_copy_of(c.scale);
  uint32_t *post = device_copy_of(c.post);
  float *weight = device_copy_of(c.weight);
  gg_arrival *list = device_copy_of(c.arrivals);
  uint32_t *count = device_copy_of(std::vector<uint32_t>{uint32_t(c.arrivals.size())});
  uint32_t *spikes = c.spikes.empty() ? nullptr : device_copy_of(c.spikes);
  const ArrivalForm f{x, scale, post, weight, c.uniform};
  const DeviceArrivals a{list, count, uint32_t(c.arrivals.size()), spikes};
  check_cuda(ordered ? deliver_ordered(f, c.x.size(), a, nullptr)
                     : deliver_scattered(f, a, nullptr),
             "launching a delivery");
  check_cuda(cudaDeviceSynchronize(), "the delivery");
  for (void *p : std::initializer_list<void *>{scale, post, weight, list, count, spikes})
    check_cuda(cudaFree(p), "cudaFree");
  return host_copy_of(x, c.x.size());
}

} // namespace ganglion::gpu
