// The CPU engine: owns the state of every population and projection (structure of arrays), the
// spike histories that implement delays, and the fixed-step loop. One step:
//   1. per population (in parallel): clear its input, let each incoming projection add its
//      current, integrate the neurons one dt, record spikes in the population's spike history;
//   2. per projection (in parallel): advance the synaptic state by dt and apply the spikes whose
//      delay ends now (emitted d steps ago, d >= 1), so the postsynaptic neuron feels a spike of
//      step n at step n + d;
//   3. recorders (on the calling thread) sample and hand blocks to the writer.
// With d = 1 and Euler decay this is exactly the reference order (docs/science.md).
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "experiment/experiment.hpp"

namespace ganglion {

class Recording;

struct PopulationReport {
  std::string name, model;
  uint64_t size = 0, spikes = 0;
  double rate_hz = 0; // spikes / (size * simulated time)
};

struct ProjectionReport {
  std::string name;
  uint64_t synapses = 0;
  uint64_t bytes = 0;       // the synapses' memory: CSR rows, targets, weights, drawn delays
  unsigned parts = 1;       // tasks its delivery is split into (by target range, one per thread)
  bool fused = false;       // its current is computed in the neuron's step (a channel, ABI 1.3)
  uint64_t queue_bytes = 0; // drawn delays: its arrival queue's room at the end of the run
};

struct RunReport {
  std::vector<PopulationReport> populations;
  std::vector<ProjectionReport> projections;
  uint64_t steps_done = 0;
  double simulated_ms = 0;
  double setup_s = 0; // connectivity and state
  double run_s = 0;   // the step loop
  unsigned threads = 1; // per rank
  // The MPI ranks the run was spread over (parallel/ranks.hpp), and the neurons each stepped.
  unsigned ranks = 1;
  std::vector<uint64_t> rank_neurons;
  // Several ranks: rank 0's time in the step's exchange (its waiting for the slowest rank
  // included), and the bytes every rank received from all in it, over the run.
  double exchange_s = 0;
  uint64_t exchange_bytes = 0;
  uint64_t exchange_steps = 1; // the steps between exchanges (Simulation::Impl::choose_interval)
  bool exchange_overlapped = false; // each one in flight while the next exchange_steps run
  // Construction speed: synapses made per second of setup and per thread, synapses() / (setup_s
  // threads); 0 where nothing was set up in measurable time.
  double synapses_per_core_s = 0;
  // The step from which each thread delivered the spikes onto its own neurons together with their
  // next step (the owner mode of 2 threads or more); UINT64_MAX where the run did not.
  uint64_t owner_from = UINT64_MAX;
  // How many times the threads' runs of neurons were cut in owner mode, the first included: they
  // are cut again where the measured times say it pays (Simulation::Impl::rebalance_owner).
  unsigned owner_cuts = 0;
  // threads: 0 with 2 threads or more: how many times the engine timed steps on one thread
  // against steps on all of them (calibrations), the last time's mean step on each, and the
  // steps it ran on one thread because that was faster.
  bool auto_threads = false;
  unsigned calibrations = 0;
  double one_thread_step_s = 0, all_threads_step_s = 0;
  uint64_t serial_steps = 0;
  bool diverged = false;
  std::string divergence; // where and when, when diverged
  // The signal that stopped the run at a step boundary before its end (Simulation::run's `stop`);
  // 0 where none did.
  int stopped_by = 0;
  // A run on a GPU: the device, then a line per population and projection saying how it ran
  // there (DeviceEngine::summary); empty on the CPU.
  std::vector<std::string> device;
  // A batch (engine/batch.hpp): each member's report as its run alone gives it (its populations'
  // sizes, spikes and rates, its projections' synapses); empty otherwise.
  std::vector<RunReport> members;
  uint64_t synapses() const;
  uint64_t synapse_bytes() const;
  uint64_t queue_bytes() const;
};

// An error a plugin hook reported while the network ran (not a divergence).
struct RunError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// The threads a run of `sim` uses: its `threads`, or 0 for every hardware thread.
unsigned thread_count(const SimulationSpec &sim);

class Simulation {
public:
  // Builds connectivity and state and calls each plugin's init hook (recorders declare their
  // datasets there); throws RunError when a hook refuses. The recorders' output goes to `output`
  // (the file, memory or both: output/recording.hpp), or nowhere where it is null.
  Simulation(const Experiment &exp, Recording *output);
  // A batch (exp.members; engine/batch.hpp): member m's recorders write to outputs[m] (null:
  // nowhere).
  Simulation(const Experiment &exp, const std::vector<Recording *> &outputs);
  ~Simulation();
  Simulation(const Simulation &) = delete;
  Simulation &operator=(const Simulation &) = delete;

  // Runs all steps. `progress(t_ms)` is called now and then from the calling thread, between
  // steps (no hook runs then). A diverging run stops at the step where it diverged and says so in
  // the report; recorders keep what they recorded up to there. Where `stop` is given, it is read
  // at every step boundary, and a value other than 0 (a signal's number) ends the run there as its
  // last step would: the recorders finish, and the report says so (stopped_by).
  RunReport run(const std::function<void(double)> &progress = {},
                const std::atomic<int> *stop = nullptr);
  // The steps run so far: after run() returned, or threw.
  uint64_t steps_done() const;

  // Reading the state, for tests and tools: the values of field `field` of population `pop`.
  const double *field(const std::string &pop, const std::string &field) const;
  uint64_t synapse_count(std::size_t projection) const;

  // The run's state (impl.hpp), which the device engine (device_engine.hpp) steps on a GPU.
  struct Impl;

private:
  std::unique_ptr<Impl> impl_;
};

} // namespace ganglion
