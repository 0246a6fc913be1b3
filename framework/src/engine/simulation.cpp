// The engine's public surface; see simulation.hpp for the order of one step and impl.hpp for
// where each phase's work is.
#include "engine/simulation.hpp"

#include <algorithm>
#include <thread>

#include "engine/impl.hpp"
#include "parallel/ranks.hpp"

namespace ganglion {

Simulation::Simulation(const Experiment &exp, Recording *output)
    : Simulation(exp, std::vector<Recording *>{output}) {}

Simulation::Simulation(const Experiment &exp, const std::vector<Recording *> &outputs)
    : impl_(std::make_unique<Impl>(exp, outputs)) {
  if (ranks::size() == 1) {
    impl_->build();
    return;
  }
  // Several ranks: each says whether its build went well, so that a failure on one (a plugin's
  // init on rank 0, say) fails the build on every one, with that rank's message.
  std::exception_ptr failed;
  try {
    impl_->build();
  } catch (...) {
    failed = std::current_exception();
  }
  impl_->agree_on_build(failed);
}

Simulation::~Simulation() = default;

RunReport Simulation::run(const std::function<void(double)> &progress,
                          const std::atomic<int> *stop) {
  return impl_->run(progress, stop);
}

uint64_t Simulation::steps_done() const {
  return impl_->steps_done;
}

// threads 0 on several ranks: the machine's cores shared among the ranks on it.
unsigned thread_count(const SimulationSpec &sim) {
  if (sim.threads) return sim.threads;
  return std::max(1u, std::thread::hardware_concurrency() / unsigned(ranks::local_size()));
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
