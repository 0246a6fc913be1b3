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

// The mean rate (Hz) of elements [from, from + n) of a population: a rate unit's mean r now, else
// its spikes over them and the simulated time.
double mean_rate(const engine::Population &pop, uint64_t from, uint64_t n, uint64_t spikes,
                 double simulated_ms) {
  if (pop.rate_field >= 0) {
    const double *x = pop.fields.ptrs[std::size_t(pop.rate_field)] + from;
    double s = 0;
    for (uint64_t i = 0; i < n; ++i)
      s += x[i];
    return n ? s / double(n) : 0;
  }
  return simulated_ms > 0 ? double(spikes) / double(n) / (simulated_ms * 1e-3) : 0;
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
    r.rate_hz = mean_rate(pop, 0, r.size, r.spikes, rep.simulated_ms);
    rep.populations.push_back(r);
  }
  for (const auto &proj : projs)
    rep.projections.push_back({proj.spec->name, proj.csr.size(), proj.csr.bytes(),
                               unsigned(std::max<std::size_t>(1, proj.parts.size())), proj.fused,
                               proj.csr.delay.empty() ? 0 : proj.queue.bytes()});
  if (distributed) report_ranks(rep);
  const double core_s = rep.setup_s * double(std::max(1u, rep.threads)) * double(rep.ranks);
  rep.synapses_per_core_s = core_s > 0 ? double(rep.synapses()) / core_s : 0;
  if (exp.members) report_members(rep);
}

// A batch: each member's report, its populations and projections as its run alone reports them
// (its synapses' bytes its share of the projection's).
void Simulation::Impl::report_members(RunReport &rep) const {
  for (std::size_t m = 0; m < exp.members->size(); ++m) {
    RunReport r = rep;
    r.members.clear();
    for (std::size_t p = 0; p < pops.size(); ++p) {
      PopulationReport &x = r.populations[p];
      const uint64_t n = pops[p].spec->member_size;
      x.size = n;
      x.spikes = pops[p].member_spikes[m];
      x.rate_hz = mean_rate(pops[p], m * n, n, x.spikes, r.simulated_ms);
    }
    for (std::size_t q = 0; q < projs.size(); ++q) {
      const Csr &c = projs[q].csr;
      const uint64_t n_pre = pops[projs[q].spec->pre].spec->member_size;
      ProjectionReport &x = r.projections[q];
      x.synapses =
          c.held.count ? c.held.members[m] : c.row_ptr[(m + 1) * n_pre] - c.row_ptr[m * n_pre];
      x.bytes = c.size() ? uint64_t(double(x.bytes) * double(x.synapses) / double(c.size())) : 0;
    }
    rep.members.push_back(std::move(r));
  }
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
