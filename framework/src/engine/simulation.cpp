// The engine's public surface; see simulation.hpp for the order of one step and impl.hpp for
// where each phase's work is.
#include "engine/simulation.hpp"

#include <algorithm>
#include <thread>

#include "engine/impl.hpp"

namespace ganglion {

Simulation::Simulation(const Experiment &exp, Recording *output)
    : impl_(std::make_unique<Impl>(exp, output)) {
  impl_->build();
}

Simulation::~Simulation() = default;

RunReport Simulation::run(const std::function<void(double)> &progress,
                          const std::atomic<int> *stop) {
  return impl_->run(progress, stop);
}

uint64_t Simulation::steps_done() const {
  return impl_->steps_done;
}

unsigned thread_count(const SimulationSpec &sim) {
  return sim.threads ? sim.threads : std::max(1u, std::thread::hardware_concurrency());
}

const double *Simulation::field(const std::string &pop, const std::string &field) const {
  for (const auto &p : impl_->pops) {
    if (p.spec->name != pop) continue;
    const int k = field_index(p.desc, field.c_str());
    if (k >= 0) return p.fields.ptrs[std::size_t(k)];
  }
  throw std::out_of_range("no field '" + field + "' in population '" + pop + "'");
}

uint64_t Simulation::synapse_count(std::size_t projection) const {
  return impl_->projs.at(projection).csr.size();
}

} // namespace ganglion
