// The run's report from the engine's state: per population its spikes and mean rate, per
// projection its synapses, their memory, its delivery's parts and whether it was fused, and the
// construction's speed in synapses per second per core.
#include <algorithm>

#include "engine/impl.hpp"

namespace ganglion {

namespace {

// The sum of a member over the projections' rows.
uint64_t sum_over(const std::vector<ProjectionReport> &rows, uint64_t ProjectionReport::*member) {
  uint64_t s = 0;
  for (const auto &p : rows)
    s += p.*member;
  return s;
}

} // namespace

uint64_t RunReport::synapses() const {
  return sum_over(projections, &ProjectionReport::synapses);
}

uint64_t RunReport::synapse_bytes() const {
  return sum_over(projections, &ProjectionReport::bytes);
}

uint64_t RunReport::queue_bytes() const {
  return sum_over(projections, &ProjectionReport::queue_bytes);
}

// The populations' and projections' rows of `rep`, once its simulated time is known.
void Simulation::Impl::report(RunReport &rep) const {
  for (const auto &pop : pops) {
    PopulationReport r;
    r.name = pop.spec->name;
    r.model = pop.desc->name;
    r.size = pop.spec->size;
    r.spikes = pop.spikes_total;
    if (pop.rate_field >= 0) { // a rate unit: its mean rate now
      const double *x = pop.fields.ptrs[std::size_t(pop.rate_field)];
      double s = 0;
      for (uint64_t i = 0; i < r.size; ++i)
        s += x[i];
      r.rate_hz = r.size ? s / double(r.size) : 0;
    } else {
      r.rate_hz =
          rep.simulated_ms > 0 ? double(r.spikes) / double(r.size) / (rep.simulated_ms * 1e-3) : 0;
    }
    rep.populations.push_back(r);
  }
  for (const auto &proj : projs)
    rep.projections.push_back({proj.spec->name, proj.csr.size(), proj.csr.bytes(),
                               unsigned(std::max<std::size_t>(1, proj.parts.size())), proj.fused,
                               proj.csr.delay.empty() ? 0 : proj.queue.bytes()});
  const double core_s = rep.setup_s * double(std::max(1u, rep.threads));
  rep.synapses_per_core_s = core_s > 0 ? double(rep.synapses()) / core_s : 0;
}

} // namespace ganglion
