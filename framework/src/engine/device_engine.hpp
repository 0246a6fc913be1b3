// The device engine as the CPU engine sees it: an interface that libganglion_cuda.so implements
// (gpu/engine/), opened only when an experiment runs something on "cuda", so that libganglion and
// the `ganglion` binary never need the CUDA runtime. The host builds the network as for the CPU
// (fields, connectivity, the CPU `init` hooks on host arrays); the device engine uploads it,
// captures one step as a CUDA graph and launches it for chunks of steps, and after each chunk
// hands the host what its recorders read (each step's spikes into the host histories, sampled
// state into the host fields), step by step, while it takes the next chunk where the host has
// nothing to do between the two. A network with populations on both backends runs in
// windows of steps instead, the spikes that cross exchanged before each window's last deliveries.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "engine/simulation.hpp"

namespace ganglion {

class RowBuilder; // connect/connectivity.hpp

class DeviceEngine {
public:
  virtual ~DeviceEngine() = default;
  // Picks the GPU and checks the experiment's planned GPU memory against what it has free, before
  // the host builds anything: RunError where none is usable, ConfigError where it does not fit,
  // each naming why and the fix.
  virtual void open(const Experiment &exp) = 0;
  // Where the host's build draws the rows of a projection on "cuda" (connect/connectivity.hpp):
  // the GPU's builders, the same synapses as the host's rules; null: the host's threads.
  virtual RowBuilder *rows() = 0;
  // Uploads the built network's device parts, calls the device `init` hooks and captures the step.
  virtual void build(Simulation::Impl &sim) = 0;
  // Takes steps first .. first + count - 1 (fewer where a divergence or a full log stops the
  // chunk early), then, for each step taken in order, fills the host's spike histories and
  // sampled fields of the device populations and calls `each(step)`. Returns the steps taken.
  // Throws engine::Divergence (after `each` for the diverging step) or RunError.
  // `next` > 0: the host's next call will be run(first + count, next, ...) with nothing done in
  // between; where the chunk was taken whole, the device starts those steps before `each` sees
  // this chunk's (its logs then fill a second set while the host reads the first), and that next
  // call finds them running.
  virtual uint64_t run(uint64_t first, uint64_t count, uint64_t next,
                       const std::function<void(uint64_t)> &each) = 0;
  // A scheduled change at a chunk's end: `before` copies population p's device fields and I_app
  // to the host (an `update` may read the state), `after` uploads them and captures the step
  // again (its kernels may take the changed parameters by value).
  virtual void before_change(std::size_t pop) = 0;
  virtual void after_change(std::size_t pop) = 0;
  // A network split between the CPU and the GPU, in windows of steps first .. last no longer
  // than the shortest delay of the projections that cross (one step where that is one):
  // `begin_window` enqueues the device's steps first .. last - 1 and the populations' part of
  // step last; `exchange(first, upto)` waits for them and puts the device populations' spikes of
  // those steps into the host's histories and the host populations' (gathered by then) into the
  // device's rings; `end_window` enqueues the device projections' deliveries of step last, waits,
  // and hands each step of the window to `each`, throwing as `run` does.
  virtual void begin_window(uint64_t first, uint64_t last) = 0;
  virtual void exchange(uint64_t first, uint64_t upto) = 0;
  virtual void end_window(uint64_t first, uint64_t last,
                          const std::function<void(uint64_t)> &each) = 0;
  // The host diverged in step `step` of the window first .. last (in its phase 1, after the
  // exchange up to `step`): the device's part of that step finished, and each step up to it handed
  // to `each`, as end_window does; a divergence of the device's own in an earlier step (or the
  // same one) is thrown instead, after `each` up to it. Recorders failing here are ignored (the
  // divergence is the run's cause).
  virtual void abort_window(uint64_t first, uint64_t step, uint64_t last,
                            const std::function<void(uint64_t)> &each) = 0;
  // The device `finish` hooks, and the device populations' spike totals into the host's.
  virtual void finish() = 0;
  // One line per device part for the run summary: what ran there and how it was delivered.
  virtual std::vector<std::string> summary() const = 0;
};

// The device engine library's path: $GANGLION_CUDA_ENGINE where set (empty: none), else
// libganglion_cuda.so beside libganglion where it exists; "" where there is none.
std::string device_engine_path();

// The device engine, opened from device_engine_path(); throws RunError where it cannot be.
std::unique_ptr<DeviceEngine> open_device_engine();

} // namespace ganglion

// The engine library's one export: a new engine.
#define GANGLION_DEVICE_ENGINE_SYMBOL "ganglion_device_engine_v1"
extern "C" ganglion::DeviceEngine *ganglion_device_engine_v1();
