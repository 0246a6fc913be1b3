// See device_rows.hpp.
#include "run/device_rows.hpp"

#include <cstring>
#include <exception>
#include <string>
#include <utility>

#include "connect/synapse_values.hpp"
#include "engine/simulation.hpp"

namespace ganglion::gpu {
namespace {

[[noreturn]] void failed(const std::exception &e) {
  throw RunError(std::string("the GPU: drawing a projection's synapses failed: ") + e.what());
}

} // namespace

// A builder's rows, kept here or as the host's CSR; a failure of the GPU's (memory, a launch) as
// a RunError.
template <class Build> Csr DeviceRows::rows_of(Build &&build) {
  DeviceCsr d;
  HostCsr h;
  try {
    d = build();
    if (!keep || d.total == 0) h = d.rows();
  } catch (const std::exception &e) {
    failed(e);
  }
  Csr c;
  if (keep && d.total > 0) {
    c.held.count = d.total;
    c.held.id = kept_.size();
    kept_.push_back(std::move(d));
    return c;
  }
  c.row_ptr = std::move(h.row_ptr);
  c.post_index.resize(h.post.size());
  if (!h.post.empty())
    std::memcpy(c.post_index.data(), h.post.data(), sizeof(uint32_t) * h.post.size());
  return c;
}

Csr DeviceRows::bernoulli(uint64_t seed, uint64_t stream, double p, uint64_t n_pre, uint64_t n_post,
                          uint64_t first_gid, bool skip_autapse) {
  return rows_of([&] {
    return fixed_probability_rows(seed, stream, p, n_pre, n_post, first_gid, skip_autapse);
  });
}

Csr DeviceRows::counted(uint64_t seed, uint64_t stream, const std::vector<uint64_t> &counts,
                        uint64_t n_post, uint64_t first_gid, bool skip_autapse, bool multapses) {
  return rows_of([&] {
    return counted_rows(seed, stream, counts, n_post, first_gid, skip_autapse, multapses);
  });
}

Csr DeviceRows::indegree(uint64_t seed, uint64_t stream, uint64_t n_pre, uint64_t n_post,
                         uint64_t k, uint64_t first_gid_post, bool skip_autapse, bool multapses) {
  return rows_of([&] {
    return indegree_rows(seed, stream, n_pre, n_post, k, first_gid_post, skip_autapse, multapses);
  });
}

Csr DeviceRows::all_to_all(uint64_t n_pre, uint64_t n_post, bool skip_autapse) {
  return rows_of([&] { return all_to_all_rows(n_pre, n_post, skip_autapse); });
}

Csr DeviceRows::one_to_one(uint64_t n) {
  return rows_of([&] { return one_to_one_rows(n); });
}

// The kept synapses' weights and delays drawn on the device as draw_rows draws them on the host;
// a delay over 65535 steps refused as the host refuses it.
void DeviceRows::complete(Csr &c, const SynapseDraws &draws) {
  DeviceCsr &d = kept(c);
  try {
    values_on_device(d, synapse_values(draws));
  } catch (const std::exception &e) {
    failed(e);
  }
  if (d.max_delay > 65535) refuse_delay(draws.proj, d.longest_ms);
  c.max_delay = draws.drawn_delays ? d.max_delay : draws.proj.delay_steps;
  c.held.delays = draws.drawn_delays;
}

// A batch's members joined here (join_on_device), kept as one; the members' freed.
Csr DeviceRows::join(std::vector<Csr> members, uint64_t n_post) {
  std::vector<JoinPart> parts;
  Csr c = joined_held(members);
  for (const Csr &m : members)
    parts.push_back(m.held.count ? JoinPart{&kept(m), 0} : JoinPart{nullptr, m.row_ptr.size() - 1});
  DeviceCsr d;
  try {
    d = join_on_device(parts, n_post, c.held.delays);
  } catch (const std::exception &e) {
    failed(e);
  }
  c.held.count = d.total;
  c.held.id = kept_.size();
  kept_.push_back(std::move(d));
  return c;
}

} // namespace ganglion::gpu
