// What an experiment will cost, worked out from the validated Experiment before anything is
// allocated: the memory its network needs (fields, inputs, spike histories, synapses, recorders'
// buffers, at the layouts of framework/src/engine/build.cpp and framework/src/connect/), the GPU
// memory of its parts on "cuda" (the device engine's layout), and the output its recorders write.
// `run` and `validate` refuse an experiment whose memory does not fit the machine (check_memory),
// so that an absurd size is a message with the fix rather than a std::bad_alloc after minutes.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "experiment/experiment.hpp"

namespace ganglion {

// One part of the network's memory: a population's state, its spike history, a projection's
// synapses, a recorder's buffers.
struct MemoryPart {
  std::string pointer; // where the fix goes: "/projections/0/connect"
  std::string what;    // "projection E->I (about 1,000,000 synapses of 8 bytes)"
  std::string fix;     // "a lower p, or fewer neurons"
  double bytes = 0;
  // Its bytes in GPU memory where it runs on "cuda", at the device engine's layout (docs/design.md,
  // "Device memory"): 0 on the CPU.
  double device = 0;
};

struct Estimate {
  double memory = 0;             // bytes, all parts together
  double device_memory = 0;      // GPU bytes, the parts on "cuda" together
  // GPU bytes beside those while synapses kept on the device are drawn (kept_on_device): the
  // largest projection's sort buffers, counts and, with drawn delays, its synapses' places.
  double device_build = 0;
  std::vector<MemoryPart> parts; // in the experiment's order
  // Bytes the recorders write to the output file per simulated second, and in the whole run
  // (0 without an output file). Spikes are counted at a source's "rate" where it has one, else at
  // kNominalRate.
  double output_per_second = 0;
  double output = 0;
  std::vector<std::string> unknown_output; // recorders not built in: their output is not counted
};

// Spikes per second per neuron assumed for a spiking population with no "rate" of its own.
constexpr double kNominalRate = 10;

Estimate estimate(const Experiment &exp);

// The synapses a projection's rule makes: exact, or fixed_probability's expected count.
double synapse_count(const Experiment &exp, const ProjectionSpec &p);

// Whether projection q's synapses are drawn on the GPU and kept there alone: it runs on "cuda" and
// the host never reads them (no plasticity rule, no recorder). (GANGLION_CONNECT=host, a
// diagnostic, draws them on the host anyway, beyond the estimate.)
bool kept_on_device(const Experiment &exp, size_t q);

// Whether recorder r samples on the device: a recorder of a projection on "cuda" whose plugin has
// CUDA code (its records come to the host, not the weights); every other recorder runs on the host.
bool recorded_on_device(const Experiment &exp, const RecorderSpec &r);

// Spikes per second of a whole population: a source's "rate" (Hz), a sequence source's times over
// the run, none from a rate unit, else kNominalRate per neuron.
double spikes_per_second(const PopulationSpec &pop, double duration_ms);

// The memory an experiment may use: GANGLION_MEMORY_LIMIT where set, else 90% of what the
// machine has available (MemAvailable in /proc/meminfo, and a cgroup's limit where lower); the
// rest is margin for what the estimate leaves out (buffers used while synapses are drawn).
struct MemoryLimit {
  double bytes = 0;   // infinite where nothing says
  std::string source; // for messages: "90% of MemAvailable in /proc/meminfo"
};

// `setting` is GANGLION_MEMORY_LIMIT's value (nullptr: unset): bytes, or with a unit K, M, G, T
// (powers of 1024; "8G", "500 MiB"). A malformed one is a ConfigError.
MemoryLimit memory_limit(const char *setting);

// Throws a ConfigError "origin: pointer: ..." with the figures and the fix where the estimate is
// over the limit.
void check_memory(const Experiment &exp, const Estimate &e, const MemoryLimit &limit);

// GPU memory kept free for the CUDA runtime, its kernels' code and a captured step's graph.
constexpr double kDeviceReserve = 512.0 * 1024 * 1024;

// Throws a ConfigError "origin: pointer: ..." with the figures and the fix where the parts on
// "cuda" (with the build's transient bytes) need more GPU memory than `free_bytes` (what the
// runtime reports free on the device named `device`) less kDeviceReserve: before the device engine
// allocates anything.
void check_device_memory(const Experiment &exp, const Estimate &e, double free_bytes,
                         const std::string &device);

// "512 B", "1.5 KiB", "7.28 TiB": three significant digits in powers of 1024.
std::string format_bytes(double bytes);

} // namespace ganglion
