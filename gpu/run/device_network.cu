// See device_network.hpp.
#include "run/device_network.hpp"

#include "experiment/estimate.hpp"

namespace ganglion::gpu {

void check_run(cudaError_t e, const std::string &what) {
  if (e != cudaSuccess) throw RunError("the GPU: " + what + " failed: " + cudaGetErrorString(e));
}

Arena::~Arena() {
  for (void *p : blocks_)
    cudaFree(p);
}

void *Arena::bytes(std::size_t n) {
  void *p = nullptr;
  check_run(cudaMalloc(&p, n), "allocating " + format_bytes(double(n)));
  blocks_.push_back(p);
  total_ += n;
  check_run(cudaMemset(p, 0, n), "clearing an allocation");
  return p;
}

void DeviceFields::upload(Arena &arena, const engine::Fields &host) {
  for (std::size_t k = 0; k < host.ptrs.size(); ++k) {
    sizes.push_back(host.data[k].values.size());
    ptrs.push_back(arena.copy(host.ptrs[k], sizes.back()));
    const auto &offs = host.data[k].offsets;
    offsets.push_back(offs.empty() ? nullptr : arena.copy(offs.data(), offs.size()));
  }
}

void DeviceFields::copy_in(const engine::Fields &host, cudaStream_t stream) const {
  for (std::size_t k = 0; k < ptrs.size(); ++k) {
    if (host.data[k].values.size() != sizes[k])
      throw RunError("the GPU: field " + std::to_string(k) +
                     " changed its size, which a device array cannot follow");
    check_run(cudaMemcpyAsync(ptrs[k], host.ptrs[k], sizes[k] * sizeof(double),
                              cudaMemcpyHostToDevice, stream),
              "uploading a field");
  }
}

void DeviceFields::copy_out(engine::Fields &host, cudaStream_t stream) const {
  for (std::size_t k = 0; k < ptrs.size(); ++k)
    check_run(cudaMemcpyAsync(host.ptrs[k], ptrs[k], sizes[k] * sizeof(double),
                              cudaMemcpyDeviceToHost, stream),
              "copying a field to the host");
}

} // namespace ganglion::gpu
