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

std::vector<double> drawn_delays_on_device(const DrawnCase &c) {
  double *x = device_copy_of(std::vector<double>(c.n, 0.0));
  double *slots = device_copy_of(std::vector<double>(c.n * c.depth, 0.0));
  double *scale = c.scale.empty() ? nullptr : device_copy_of(c.scale);
  uint64_t *row_ptr = device_copy_of(c.row_ptr), *step = device_array<uint64_t>(1);
  uint32_t *post = device_copy_of(c.post), *list = device_array<uint32_t>(c.row_ptr.size());
  uint32_t *count = device_array<uint32_t>(1);
  float *weight = device_copy_of(c.weight);
  uint16_t *delay = device_copy_of(c.delay);
  const InputRing ring{slots, c.n, c.depth};
  const ArrivalForm f{x, scale, post, weight, false};
  const DeviceSpikes spikes{list, count, uint32_t(c.row_ptr.size())};
  std::vector<double> out;
  for (uint64_t t = 0; t < c.spikes.size(); ++t) {
    const std::vector<uint32_t> &s = c.spikes[t];
    const uint32_t n = uint32_t(s.size());
    check_cuda(cudaMemcpy(step, &t, sizeof t, cudaMemcpyHostToDevice), "cudaMemcpy");
    check_cuda(cudaMemcpy(count, &n, sizeof n, cudaMemcpyHostToDevice), "cudaMemcpy");
    check_cuda(cudaMemcpy(list, s.data(), sizeof(uint32_t) * n, cudaMemcpyHostToDevice),
               "cudaMemcpy");
    check_cuda(ring_walk(ring, f, row_ptr, delay, spikes, step, nullptr), "launching the walk");
    check_cuda(ring_drain(ring, x, step, nullptr), "launching the drain");
    std::vector<double> now(c.n);
    check_cuda(cudaMemcpy(now.data(), x, sizeof(double) * c.n, cudaMemcpyDeviceToHost),
               "cudaMemcpy");
    out.insert(out.end(), now.begin(), now.end());
  }
  for (void *p : std::initializer_list<void *>{x, slots, scale, row_ptr, step, post, list, count,
                                               weight, delay})
    check_cuda(cudaFree(p), "cudaFree");
  return out;
}

std::vector<double> drive_on_device(const DriveCase &c, bool ordered) {
  double *x = device_copy_of(std::vector<double>(c.n, 0.0));
  double *scale = c.scale.empty() ? nullptr : device_copy_of(c.scale);
  double *rate = device_copy_of(c.rate);
  uint64_t *row_ptr = device_copy_of(c.row_ptr), *step = device_array<uint64_t>(1);
  uint32_t *post = device_copy_of(c.post);
  float *weight = device_copy_of(c.weight);
  const ArrivalForm f{x, scale, post, weight, false};
  const Drive d{rate, c.dt, {c.seed, c.post_gid}, c.stream};
  std::vector<double> out;
  for (uint64_t t = 0; t < c.steps; ++t) {
    check_cuda(cudaMemcpy(step, &t, sizeof t, cudaMemcpyHostToDevice), "cudaMemcpy");
    check_cuda(deliver_drive(d, f, c.n, row_ptr, c.row_ptr.size() - 1, step, ordered, nullptr),
               "launching a drive's delivery");
    std::vector<double> now(c.n);
    check_cuda(cudaMemcpy(now.data(), x, sizeof(double) * c.n, cudaMemcpyDeviceToHost),
               "cudaMemcpy");
    out.insert(out.end(), now.begin(), now.end());
  }
  for (void *p : std::initializer_list<void *>{x, scale, rate, row_ptr, step, post, weight})
    check_cuda(cudaFree(p), "cudaFree");
  return out;
}

} // namespace ganglion::gpu
