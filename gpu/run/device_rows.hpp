// The device engine's RowBuilder (connect/connectivity.hpp): the rows of a projection on "cuda"
// drawn by the GPU's builders (gpu/connect/: the same synapses as the host's rules for one seed)
// and copied back into the host's CSR, which the host completes (weights, delays) and the engine
// uploads with the rest of the network. Host code; the builders' kernels are in ganglion_gpu.
#pragma once

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
};

} // namespace ganglion::gpu
