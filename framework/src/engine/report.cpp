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
  if (distributed) report_ranks(rep);
  const double core_s = rep.setup_s * double(std::max(1u, rep.threads)) * double(rep.ranks);
  rep.synapses_per_core_s = core_s > 0 ? double(rep.synapses()) / core_s : 0;
}

// Several ranks: the whole network's synapses and their bytes (each rank holds those onto its
// neurons), and each rank's neurons.
void Simulation::Impl::report_ranks(RunReport &rep) const {
  std::vector<uint64_t> sums;
  for (const auto &r : rep.projections) {
    sums.push_back(r.synapses);
    sums.push_back(r.bytes);
    sums.push_back(r.queue_bytes);
  }
  ranks::sum_all(sums);
  for (std::size_t q = 0; q < rep.projections.size(); ++q) {
    rep.projections[q].synapses = sums[3 * q];
    rep.projections[q].bytes = sums[3 * q + 1];
    rep.projections[q].queue_bytes = sums[3 * q + 2];
  }
  rep.ranks = unsigned(ranks::size());
  rep.exchange_s = exchange_s;
  rep.exchange_bytes = exchange_bytes;
  rep.exchange_steps = interval;
  rep.exchange_overlapped = overlapped;
  rep.rank_neurons.assign(rep.ranks, 0);
  for (const auto &b : bounds)
    for (std::size_t r = 0; r < rep.ranks; ++r)
      rep.rank_neurons[r] += b[r + 1] - b[r];
}

} // namespace ganglion
