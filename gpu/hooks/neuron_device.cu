// See neuron_device.hpp.
#include "hooks/neuron_device.hpp"

#include <algorithm>
#include <cstdint>
#include <initializer_list>
#include <stdexcept>
#include <string>

#include "device/buffers.cuh"

namespace ganglion::gpu {

namespace {

// Field k's length: n, or a sequence field's offsets[n].
uint64_t length_of(const gg_view &v, uint32_t k) {
  return v.offsets && v.offsets[k] ? v.offsets[k][v.n] : v.n;
}

} // namespace

NeuronSteps neuron_steps_on_device(const gg_cuda_hooks *hooks, const gg_view &host,
                                   const std::vector<double> &inputs, uint64_t steps,
                                   uint32_t per_element) {
  const uint64_t n = host.n;
  NeuronSteps out;
  std::vector<double *> fields(host.n_fields);
  for (uint32_t k = 0; k < host.n_fields; ++k)
    fields[k] =
        device_copy_of(std::vector<double>(host.fields[k], host.fields[k] + length_of(host, k)));
  // A host array of device pointers, as `fields` is.
  std::vector<const uint64_t *> offsets(host.n_fields, nullptr);
  for (uint32_t k = 0; host.offsets && k < host.n_fields; ++k)
    if (host.offsets[k])
      offsets[k] = device_copy_of(std::vector<uint64_t>(host.offsets[k], host.offsets[k] + n + 1));
  std::vector<gg_channel> channels(host.channels, host.channels + host.n_channels);
  for (gg_channel &c : channels)
    c.g = device_copy_of(std::vector<double>(c.g, c.g + n));
  double *input = inputs.empty() ? nullptr : device_copy_of(inputs);
  uint64_t *step = device_array<uint64_t>(1);
  if (uint64_t(n) * per_element > UINT32_MAX)
    throw std::invalid_argument("neuron on device: room for more than 2^32 - 1 spikes asked");
  const auto capacity = uint32_t(uint64_t(n) * per_element);
  uint32_t *spikes = device_array<uint32_t>(capacity), *count = device_array<uint32_t>(1);
  int32_t *range = device_array<int32_t>(1);

  gg_view view = host; // the same metadata, device arrays
  view.backend = GG_BACKEND_CUDA;
  view.cuda_stream = nullptr; // the default stream
  view.fields = fields.data();
  view.offsets = host.offsets ? offsets.data() : nullptr;
  view.channels = channels.empty() ? nullptr : channels.data();
  const gg_cuda_view cv{sizeof(gg_cuda_view), &view, &host, step, spikes, count, capacity, range};
  char message[1024] = "";
  gg_error err{message, sizeof message};
  for (uint64_t s = 0; s < steps && out.error.empty(); ++s) {
    check_cuda(cudaMemcpy(step, &s, sizeof s, cudaMemcpyHostToDevice), "cudaMemcpy");
    check_cuda(cudaMemset(count, 0, sizeof *count), "cudaMemset");
    check_cuda(cudaMemset(range, 0, sizeof *range), "cudaMemset");
    view.input = input ? input + s * n : nullptr;
    view.step = s;
    view.t = double(s) * host.dt;
    if (hooks->step(&cv, &err) != GG_OK) out.error = message;
    check_cuda(cudaDeviceSynchronize(), "the step's kernels");
    uint32_t c = 0;
    int32_t r = 0;
    check_cuda(cudaMemcpy(&c, count, sizeof c, cudaMemcpyDeviceToHost), "cudaMemcpy");
    check_cuda(cudaMemcpy(&r, range, sizeof r, cudaMemcpyDeviceToHost), "cudaMemcpy");
    if (c > capacity) out.error = "step " + std::to_string(s) + ": more spikes than room for";
    std::vector<uint32_t> list(std::min(c, capacity));
    check_cuda(
        cudaMemcpy(list.data(), spikes, sizeof(uint32_t) * list.size(), cudaMemcpyDeviceToHost),
        "cudaMemcpy");
    std::sort(list.begin(), list.end());
    out.spikes.push_back(list);
    out.out_of_range.push_back(r);
  }
  for (uint32_t k = 0; k < host.n_fields; ++k)
    out.fields.push_back(host_copy_of(fields[k], length_of(host, k)));
  for (const uint64_t *o : offsets)
    check_cuda(cudaFree(const_cast<uint64_t *>(o)), "cudaFree");
  for (const gg_channel &c : channels)
    out.g.push_back(host_copy_of(c.g, n));
  for (void *p : std::initializer_list<void *>{input, step, spikes, count, range})
    check_cuda(cudaFree(p), "cudaFree");
  return out;
}

} // namespace ganglion::gpu
