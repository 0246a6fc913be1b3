// See neuron_device.hpp.
#include "hooks/neuron_device.hpp"

#include <algorithm>
#include <initializer_list>

#include "device/buffers.cuh"

namespace ganglion::gpu {

NeuronSteps neuron_steps_on_device(const gg_cuda_hooks *hooks, const gg_view &host,
                                   const std::vector<double> &inputs, uint64_t steps) {
  const uint64_t n = host.n;
  NeuronSteps out;
  std::vector<double *> fields(host.n_fields);
  for (uint32_t k = 0; k < host.n_fields; ++k)
    fields[k] = device_copy_of(std::vector<double>(host.fields[k], host.fields[k] + n));
  std::vector<gg_channel> channels(host.channels, host.channels + host.n_channels);
  for (gg_channel &c : channels)
    c.g = device_copy_of(std::vector<double>(c.g, c.g + n));
  double *input = inputs.empty() ? nullptr : device_copy_of(inputs);
  uint64_t *step = device_array<uint64_t>(1);
  uint32_t *spikes = device_array<uint32_t>(n), *count = device_array<uint32_t>(1);
  int32_t *range = device_array<int32_t>(1);

  gg_view view = host; // the same metadata, device arrays
  view.backend = GG_BACKEND_CUDA;
  view.cuda_stream = nullptr; // the default stream
  view.fields = fields.data();
  view.channels = channels.empty() ? nullptr : channels.data();
  const gg_cuda_view cv{sizeof(gg_cuda_view), &view, &host, step, spikes, count,
                        uint32_t(n),          range};
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
    std::vector<uint32_t> list(std::min<uint64_t>(c, n));
    check_cuda(
        cudaMemcpy(list.data(), spikes, sizeof(uint32_t) * list.size(), cudaMemcpyDeviceToHost),
        "cudaMemcpy");
    std::sort(list.begin(), list.end());
    out.spikes.push_back(list);
    out.out_of_range.push_back(r);
  }
  for (double *f : fields)
    out.fields.push_back(host_copy_of(f, n));
  for (const gg_channel &c : channels)
    out.g.push_back(host_copy_of(c.g, n));
  for (void *p : std::initializer_list<void *>{input, step, spikes, count, range})
    check_cuda(cudaFree(p), "cudaFree");
  return out;
}

} // namespace ganglion::gpu
