// The device engine's RowBuilder (connect/connectivity.hpp): the rows of a projection on "cuda"
// drawn by the GPU's builders (gpu/connect/: the same synapses as the host's rules for one seed).
// Kept (RowBuilder::keep), they stay on the device with their weights and delays, drawn there, and
// the engine takes them from here (kept()); else they are copied back into the host's CSR, which
// the host completes and the engine uploads with the rest of the network. Host code; the
// builders' kernels are in ganglion_gpu.
#pragma once

#include <vector>

#include "connect/connect_device.hpp"
#include "connect/connectivity.hpp"

namespace ganglion::gpu {

class DeviceRows final : public RowBuilder {
public:
  Csr bernoulli(uint64_t seed, uint64_t stream, double p, uint64_t n_pre, uint64_t n_post,
                uint64_t first_gid, bool skip_autapse) override;
  Csr counted(uint64_t seed, uint64_t stream, const std::vector<uint64_t> &counts, uint64_t n_post,
              uint64_t first_gid, bool skip_autapse, bool multapses) override;
  Csr indegree(uint64_t seed, uint64_t stream, uint64_t n_pre, uint64_t n_post, uint64_t k,
               uint64_t first_gid_post, bool skip_autapse, bool multapses) override;
  Csr all_to_all(uint64_t n_pre, uint64_t n_post, bool skip_autapse) override;
  Csr one_to_one(uint64_t n) override;
  void complete(Csr &c, const SynapseDraws &draws) override;
  Csr join(std::vector<Csr> members, uint64_t n_post) override;
  // The synapses a Csr holds here (Csr::held).
  DeviceCsr &kept(const Csr &c) { return kept_.at(c.held.id); }
  uint64_t kept_bytes() const {
    uint64_t n = 0;
    for (const DeviceCsr &d : kept_)
      n += d.bytes();
    return n;
  }

private:
  template <class Build> Csr rows_of(Build &&build);
  std::vector<DeviceCsr> kept_;
};

} // namespace ganglion::gpu
