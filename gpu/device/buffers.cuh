// Device arrays for the host entry points of gpu/: allocated, filled from the host, and copied
// back (and freed) in one call each, every CUDA call checked (check_cuda). For .cu files only.
#pragma once

#include <cstddef>
#include <vector>

#include <cuda_runtime.h>

#include "device/device.hpp"

namespace ganglion::gpu {

// n elements of T on the device (at least one, so that the pointer is valid).
template <class T> T *device_array(std::size_t n) {
  T *d = nullptr;
  check_cuda(cudaMalloc(&d, sizeof(T) * (n ? n : 1)), "cudaMalloc");
  return d;
}

// The n elements at h copied into the device array d.
template <class T> void upload(T *d, const T *h, std::size_t n) {
  check_cuda(cudaMemcpy(d, h, sizeof(T) * n, cudaMemcpyHostToDevice), "cudaMemcpy");
}

// A device copy of v.
template <class T> T *device_copy_of(const std::vector<T> &v) {
  T *d = device_array<T>(v.size());
  upload(d, v.data(), v.size());
  return d;
}

// The n elements at d copied to the host; d is kept.
template <class T> std::vector<T> read_back(const T *d, std::size_t n) {
  std::vector<T> v(n);
  check_cuda(cudaMemcpy(v.data(), d, sizeof(T) * n, cudaMemcpyDeviceToHost), "cudaMemcpy");
  return v;
}

// The n elements at d copied to the host; d is freed.
template <class T> std::vector<T> host_copy_of(T *d, std::size_t n) {
  std::vector<T> v = read_back(d, n);
  check_cuda(cudaFree(d), "cudaFree");
  return v;
}

} // namespace ganglion::gpu
