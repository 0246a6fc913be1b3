// See device_rows.hpp.
#include "run/device_rows.hpp"

#include <cstring>
#include <exception>
#include <string>
#include <utility>

#include "connect/connect_device.hpp"
#include "engine/simulation.hpp"

namespace ganglion::gpu {
namespace {

// A builder's rows as the host's CSR; a failure of the GPU's (memory, a launch) as a RunError.
template <class Build> Csr rows_of(Build &&build) {
  HostCsr h;
  try {
    h = build();
  } catch (const std::exception &e) {
    throw RunError(std::string("the GPU: drawing a projection's synapses failed: ") + e.what());
  }
  Csr c;
  c.row_ptr = std::move(h.row_ptr);
  c.post_index.resize(h.post.size());
  if (!h.post.empty())
    std::memcpy(c.post_index.data(), h.post.data(), sizeof(uint32_t) * h.post.size());
  return c;
}

} // namespace

Csr DeviceRows::bernoulli(uint64_t seed, uint64_t stream, double p, uint64_t n_pre, uint64_t n_post,
                          uint64_t first_gid, bool skip_autapse) {
  return rows_of([&] {
    return fixed_probability_on_device(seed, stream, p, n_pre, n_post, first_gid, skip_autapse);
  });
}

Csr DeviceRows::counted(uint64_t seed, uint64_t stream, const std::vector<uint64_t> &counts,
                        uint64_t n_post, uint64_t first_gid, bool skip_autapse, bool multapses) {
  return rows_of([&] {
    return multapses
               ? multapse_rows_on_device(seed, stream, counts, n_post, first_gid, skip_autapse)
               : distinct_rows_on_device(seed, stream, counts, n_post, first_gid, skip_autapse);
  });
}

Csr DeviceRows::indegree(uint64_t seed, uint64_t stream, uint64_t n_pre, uint64_t n_post,
                         uint64_t k, uint64_t first_gid_post, bool skip_autapse, bool multapses) {
  return rows_of([&] {
    return indegree_rows_on_device(seed, stream, n_pre, n_post, k, first_gid_post, skip_autapse,
                                   multapses);
  });
}

Csr DeviceRows::all_to_all(uint64_t n_pre, uint64_t n_post, bool skip_autapse) {
  return rows_of([&] { return all_to_all_on_device(n_pre, n_post, skip_autapse); });
}

Csr DeviceRows::one_to_one(uint64_t n) {
  return rows_of([&] { return one_to_one_on_device(n); });
}

} // namespace ganglion::gpu
