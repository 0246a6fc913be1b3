// The validated experiment: what framework/src/experiment makes of a JSON file, and all the engine
// reads. Every value is resolved: units converted to each field's unit, defaults filled, plugin
// descriptors attached, names turned into indices. `pointer` members keep each item's JSON pointer
// so later errors (a diverging population, say) can name the place in the file.
#pragma once

#include <cmath>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "ganglion/plugin_abi.h"

namespace ganglion {

struct LoadedPlugin; // framework/src/registry/registry.hpp

// How one field's per-element values are set: a constant, or drawn per element.
struct ValueSpec {
  enum class Kind { Constant, Uniform, Normal, LogNormal, List, Sequences };
  Kind kind = Kind::Constant;
  double a = 0; // Constant: the value; Uniform: low; Normal, LogNormal: mean  (in the field's unit)
  double b = 0; // Uniform: high; Normal, LogNormal: standard deviation
  std::vector<double> list; // List: one value per element
  // Sequences (GG_TYPE_SEQUENCE fields): one sequence per element, or a single one for all.
  std::vector<std::vector<double>> sequences;
};

// A value that changes during the run: at step `step` (before it is taken), the field becomes
// `value` (a constant or a per-element List).
struct Change {
  uint64_t step = 0;
  ValueSpec value;
};

struct FieldSchedule {
  uint32_t field = 0;          // index in the descriptor (a GG_ROLE_PARAM field)
  std::vector<Change> changes; // ascending steps
};

struct SimulationSpec {
  double dt = 0.1;        // ms
  double duration = 1000; // ms
  uint64_t n_steps = 0;   // round(duration / dt)
  uint64_t seed = 0;
  unsigned threads = 0;   // 0: all hardware threads, or one where timing says it is faster
  int backend = GG_BACKEND_CPU;
  // cuda: deliver spikes in the CPU's order (the CPU's bits, slower) instead of with atomic
  // additions ("delivery": "ordered" | "atomic")
  bool ordered_delivery = false;
};

struct PopulationSpec {
  std::string name;
  std::string pointer; // "/populations/E"
  const LoadedPlugin *plugin = nullptr;
  uint64_t size = 0;
  uint64_t first_gid = 0;        // global id of neuron 0: populations in file order, contiguous
  int backend = GG_BACKEND_CPU;
  std::vector<ValueSpec> values; // one per descriptor field: params from "params", state from "init"
  std::vector<FieldSchedule> schedules; // params given as {"schedule": [[t, v], ...]}
  // Applied current I_app, in the neuron's input_unit, added to its input every step: a constant
  // or per-neuron values ("I_app": 1.5 | [..] | {"uniform": ..}), changing at `i_app_changes`
  // ("I_app": {"schedule": [["0 ms", 0], ["100 ms", 1.5]]}). No I_app: constant 0, no changes.
  ValueSpec i_app;
  std::vector<Change> i_app_changes;
  bool dale = true;              // its outgoing weights must share one sign ("dale": false opts out)
  bool receives_input = false;   // some projection targets it
  // A batch (Experiment::members): each member's neurons, member after member, member_size each,
  // the member's global ids from member_first_gid; 0: not a batch.
  uint64_t member_size = 0;
  uint64_t member_first_gid = 0;
};

enum class ConnectRule {
  FixedProbability,
  FixedIndegree,
  FixedOutdegree,
  FixedTotalNumber,
  AllToAll,
  OneToOne
};

// A plasticity rule on a projection, learning during its active phases (steps [start, stop));
// no phases: always (the loader writes the whole run, [0, n_steps), when the config gives none).
struct PlasticitySpec {
  std::string pointer; // "/projections/2/plasticity"
  const LoadedPlugin *plugin = nullptr;
  std::vector<ValueSpec> values; // one per plasticity descriptor field
  std::vector<std::pair<uint64_t, uint64_t>> active; // ascending, not overlapping
};

struct ProjectionSpec {
  std::string pointer; // "/projections/0"
  std::string name;    // "E->I" (or the config's "name")
  int pre = -1, post = -1; // indices into Experiment::populations
  const LoadedPlugin *synapse = nullptr;
  std::vector<ValueSpec> values; // one per synapse descriptor field
  ConnectRule rule = ConnectRule::FixedProbability;
  double p = 0;             // fixed_probability
  uint64_t indegree = 0;    // fixed_indegree
  uint64_t outdegree = 0;   // fixed_outdegree
  uint64_t total = 0;       // fixed_total_number
  bool allow_autapses = true;   // only matters when pre == post
  bool allow_multapses = true;  // fixed_indegree, fixed_outdegree, fixed_total_number
  double weight = 0;        // the mean weight, after scaling, in the weight unit in force
  double weight_scale = 1;  // the factor applied (1/sqrt(N) ...), for reports
  // Per-synapse weights: Constant (= weight), or Uniform / Normal / LogNormal, already scaled. A
  // draw of the other sign than `weight` is drawn again (the projection keeps its sign).
  ValueSpec weight_dist;
  double delay = 0;         // ms: the constant delay, or the mean of a drawn one
  uint64_t delay_steps = 1; // round(delay / dt), >= 1
  // Per-synapse delays in ms: Constant (= delay), or Uniform / Normal; each is rounded to whole
  // steps and raised to one step where it falls below.
  ValueSpec delay_dist;
  double delay_min = -HUGE_VAL; // ms: a normal's draws below it are drawn again ("min")
  bool peak_convention = false; // the synapse's "convention" is "peak" (NEST): weight = the jump
  std::vector<PlasticitySpec> plasticity; // none or one
  int backend = GG_BACKEND_CPU;
  uint64_t stream = 0;      // RNG stream of its connectivity: its index + 1
};

struct RecorderSpec {
  std::string pointer; // "/recorders/1"
  const LoadedPlugin *plugin = nullptr;
  int population = -1;             // one population per recorder instance; a projection
                                   // recorder's: its projection's post (fields are sized by it)
  int projection = -1;             // recorders of projections (GG_DESC_PROJECTION); else -1
  std::vector<uint32_t> variables; // field indices in the population's descriptor
  std::vector<std::string> variable_names;
  std::vector<uint32_t> neurons;   // empty: all
  // Projection recorders: the synapses to follow one by one (distinct indices, in the config's
  // order; the engine checks them against the projection's size); empty: none (the weights
  // recorder still records statistics over all).
  std::vector<uint64_t> synapses;
  uint64_t every = 1;              // steps
  std::vector<ValueSpec> values;   // recorder fields (e.g. bin)
  uint32_t member = 0;             // a batch: the member whose recorder it is (its file's)
};

struct Experiment {
  std::string source;          // the file it came from
  SimulationSpec simulation;
  std::vector<PopulationSpec> populations;
  std::vector<ProjectionSpec> projections;
  std::vector<RecorderSpec> recorders;
  std::string output;          // the HDF5 file to write ("" = none)
  // The experiment with overrides applied and every default filled in, keys in the file's order;
  // itself a valid experiment file that loads to the same Experiment.
  nlohmann::ordered_json resolved;
  // A batch (engine/batch.hpp): the runs merged into this one, each as it loads alone (their
  // seeds, values, recorders and outputs); null: not a batch.
  std::shared_ptr<const std::vector<Experiment>> members;
};

} // namespace ganglion
