// What the parts of the experiment loader share, internal to framework/src/experiment (loader.hpp
// is the public interface). A Loader walks one document and fills an Experiment; its member
// functions are spread over files named for what they read, and each group below names its file:
//   loader.cpp                the entry points and the walk over the document's sections
//   json_text.cpp             the JSON text: nesting, duplicate keys, numbers out of range
//   document.cpp              the --set overrides
//   basic_reads.cpp           JSON pointers, messages, keys, strings, flags, counts, times in steps
//   values.cpp                a value: constants, distributions, lists, sequences, schedules
//   fields.cpp                a plugin's "params" and "init" sections, and its validate hook
//   simulation_section.cpp    the "simulation" section
//   plugin_list.cpp           the "plugins" list, and naming a plugin of a kind
//   backend.cpp               which backend an item runs on, and whether its plugin has it
//   populations.cpp           populations: model, size, params, init, I_app, Dale opt-out, backend
//   projections.cpp           projections: pre and post, name, synapse, and the steps in order
//   connect_rule.cpp          a projection's "connect"
//   weights.cpp               a projection's "weight": value or distribution, scale, convention
//   delays.cpp                a projection's "delay"
//   plasticity.cpp            a projection's "plasticity" and its active phases
//   recorders.cpp             the "recorders" list and recorders of populations
//   projection_recorders.cpp  recorders of projections
//   dale.cpp                  Dale's law over the projections
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/backend.hpp"
#include "experiment/errors.hpp"
#include "experiment/experiment.hpp"
#include "registry/registry.hpp"

namespace ganglion::loading {

using Json = nlohmann::ordered_json;

// ------------------------------------------------------------------ basic_reads.cpp

// The JSON pointer of `key` (escaped, and clipped: messages show pointers) or item `index`
// below `pointer`.
std::string child(const std::string &pointer, const std::string &key);
std::string child(const std::string &pointer, size_t index);

// A value as it appears in a message: its JSON text, clipped (errors.hpp).
std::string shown(const Json &j);

// Shows a time rounded to 12 digits, for suggestions (3 * 0.1 ms is "0.3 ms", not
// "0.30000000000000004 ms").
std::string rounded_ms(double v);

// The words of a descriptor's "a|b|c" (choices, acts_on); none for nullptr.
std::vector<std::string> split_choices(const char *choices);

// The member `key` of the object `j`, or nullptr.
const Json *member(const Json &j, const char *key);

// ------------------------------------------------------------------ json_text.cpp

// How deep lists and objects may nest in an experiment (and in a --set value).
constexpr size_t kMaxJsonDepth = 256;

// Text that is not JSON at all.
struct MalformedJson : ConfigError {
  using ConfigError::ConfigError;
};

// The JSON text `text` as a document. Malformed JSON is a MalformedJson, nesting deeper than
// kMaxJsonDepth, a key given twice in one object or a number beyond a double's range a
// ConfigError, each "origin:line:column: ...".
Json parse_document(const std::string &text, const std::string &origin);

// A --set value as JSON (J: either flavour), nullopt where it is not JSON (a plain word, "15 ms");
// JSON that breaks the rules of parse_document is a ConfigError "place: ...".
template <class J> std::optional<J> parse_value(const std::string &text, const std::string &place);

// ------------------------------------------------------------------ values.cpp

ValueSpec make_spec(ValueSpec::Kind kind, double a, double b = 0);

// A constant in the resolved document: "15 ms", or a bare number for dimensionless fields (and a
// string for infinities, which JSON numbers cannot hold).
Json value_json(double v, const std::string &unit);

// A field's value (not a schedule) as the resolved document writes it.
Json spec_json(const ValueSpec &v, const gg_field &f);

// ------------------------------------------------------------------ populations.cpp

// How many elements a field has, for the lists: "population E has 80 neurons".
struct Elements {
  uint64_t n = 0;  // 0: a list of per-element values is not accepted (recorders)
  std::string has; // "population E has 80 neurons"
  std::string per; // "neuron"
};

// The neurons of `pop` as the elements of a field; `role` is "" (a population's own fields) or
// "postsynaptic " (the fields of a projection onto it).
Elements neuron_elements(const PopulationSpec &pop, const std::string &role);

// ------------------------------------------------------------------ the Loader

class Loader {
public:
  Loader(std::string origin, std::string base_dir, PluginRegistry &registry)
      : origin_(std::move(origin)), base_dir_(std::move(base_dir)), registry_(registry) {}

  // loader.cpp: the whole document, once, in the order a reader would: simulation, plugins,
  // populations, projections (then Dale's law), recorders. Fills the Experiment and, beside it,
  // the resolved document with every default written out.
  Experiment load(const Json &doc);

private:
  std::string origin_;
  std::string base_dir_;
  PluginRegistry &registry_;
  Experiment ex_;    // filled section by section; a later section reads the earlier ones
  bool dale_ = true; // the simulation's "dale": false turns Dale's law off for every population

  // ---------------------------------------------------------------- basic_reads.cpp

  // "file: /pointer" for messages ("file" alone at the root).
  std::string where(const std::string &pointer) const;
  // Throws the ConfigError "file: /pointer: message".
  [[noreturn]] void fail(const std::string &pointer, const std::string &message) const;
  void require_object(const Json &j, const std::string &pointer, const std::string &example) const;
  void check_keys(const Json &j, const std::string &pointer,
                  const std::vector<std::string> &known) const;
  std::string get_string(const Json &j, const std::string &pointer) const;
  bool get_bool(const Json &j, const std::string &pointer) const;
  uint64_t get_count(const Json &j, const std::string &pointer, const char *what) const;
  double get_time(const Json &j, const std::string &pointer) const;
  uint64_t whole_steps(double t, const std::string &pointer) const;
  uint64_t steps_of(double t, const std::string &pointer) const;

  // ---------------------------------------------------------------- simulation_section.cpp

  void load_simulation(const Json &doc, Json &resolved);

  // ---------------------------------------------------------------- plugin_list.cpp

  void load_plugins(const Json &doc, Json &resolved);
  const LoadedPlugin *find_plugin(const std::string &name, int kind, const std::string &pointer,
                                  const std::string &noun) const;

  // ---------------------------------------------------------------- backend.cpp
  // item_backend reads and checks the backend of every item: populations, projections and their
  // plasticity rules; simulation_backend the default, which this build's engine must run.

  int get_backend(const Json &j, const std::string &pointer) const;
  int simulation_backend(const Json &j, const std::string &pointer) const;
  int item_backend(const Json &item, const std::string &pointer, const LoadedPlugin &plugin,
                   const PopulationSpec *post = nullptr) const;
  void check_backend(const LoadedPlugin &plugin, int backend, const std::string &pointer,
                     bool inherited, const PopulationSpec *post) const;

  // ---------------------------------------------------------------- values.cpp

  void check_range(double v, const gg_field &f, const std::string &pointer) const;
  double constant(const Json &j, const gg_field &f, const std::string &pointer) const;
  std::pair<double, double> pair_of(const Json &j, const std::string &unit, const std::string &name,
                                    const std::string &pointer, const char *example) const;
  void check_std(double sd, const std::string &unit, const std::string &pointer) const;
  ValueSpec list_spec(const Json &j, const gg_field &f, const std::string &pointer,
                      const Elements &elements) const;
  std::vector<double> sequence(const Json &j, const gg_field &f, const std::string &pointer) const;
  ValueSpec sequences_spec(const Json &j, const gg_field &f, const std::string &pointer,
                           const Elements &elements) const;
  uint64_t schedule_step(const Json &j, const std::string &pointer) const;
  ValueSpec schedule_spec(const Json &args, const gg_field &f, const std::string &pointer,
                          const Elements &elements, std::vector<Change> &changes) const;
  ValueSpec choice_spec(const Json &j, const gg_field &f, const std::string &pointer) const;
  ValueSpec form_spec(const Json &j, const gg_field &f, const std::string &pointer,
                      const Elements &elements, std::vector<Change> *changes,
                      const std::vector<std::string> &forms) const;
  ValueSpec value_spec(const Json &j, const gg_field &f, const std::string &pointer,
                       const Elements &elements, std::vector<Change> *changes = nullptr) const;
  Json schedule_json(const ValueSpec &initial, const std::vector<Change> &changes,
                     const gg_field &f) const;

  // ---------------------------------------------------------------- fields.cpp

  void check_section(const Json &section, const std::string &pointer, const LoadedPlugin &plugin,
                     bool is_init) const;
  std::vector<ValueSpec> field_values(const LoadedPlugin &plugin, const Json &item,
                                      const std::string &pointer, Json &resolved,
                                      const Elements &elements,
                                      std::vector<FieldSchedule> *schedules = nullptr) const;
  void validate_element(const LoadedPlugin &plugin, const std::vector<double> &element,
                        const std::string &pointer, const std::string &prefix) const;
  void run_validate(const LoadedPlugin &plugin, const std::vector<ValueSpec> &values,
                    const std::string &pointer,
                    const std::vector<FieldSchedule> &schedules = {}) const;

  // ---------------------------------------------------------------- populations.cpp

  void load_populations(const Json &doc, Json &resolved);
  PopulationSpec population_head(const std::string &name, const Json &p,
                                 const std::string &pointer) const;
  Json load_population(PopulationSpec &spec, const Json &p);
  void load_i_app(PopulationSpec &spec, const Json &p, const Elements &elements, Json &r) const;
  int population_index(const Json &j, const std::string &pointer) const;

  // ---------------------------------------------------------------- projections.cpp

  void load_projections(const Json &doc, Json &resolved);
  void load_projection_ends(const Json &projections);
  Json load_projection(const Json &j, size_t k, uint64_t recurrent_n);
  void name_projection(const Json &j, size_t k);
  void check_synapse_kind(const ProjectionSpec &spec) const;

  // ---------------------------------------------------------------- connect_rule.cpp

  struct Connect; // the "connect" object being read, defined in connect_rule.cpp
  double load_connect(const Json &j, ProjectionSpec &spec, Json &r) const;
  double connect_rule(Connect &c, const std::string &rule, ProjectionSpec &spec) const;
  void connect_flag(Connect &c, const char *key, bool &flag) const;
  uint64_t connect_count(Connect &c, const char *key, const std::string &example) const;
  void check_possible(const Connect &c, const ProjectionSpec &spec, const char *key,
                      uint64_t wanted, uint64_t candidates, const std::string &what,
                      const std::string &noun, const std::string &owner) const;
  double fixed_probability(Connect &c, ProjectionSpec &spec) const;
  uint64_t fixed_count(Connect &c, ProjectionSpec &spec, const char *key,
                       const std::string &example) const;
  double fixed_degree(Connect &c, ProjectionSpec &spec, bool in) const;
  double fixed_total_number(Connect &c, ProjectionSpec &spec) const;

  // ---------------------------------------------------------------- weights.cpp

  struct Weight; // the weight as given, defined in weights.cpp
  std::string weight_unit(const Json &j, ProjectionSpec &spec) const;
  void load_weight(const Json &j, ProjectionSpec &spec, const std::string &unit, double expected_k,
                   uint64_t recurrent_n, Json &r) const;
  double weight_value(const Json &v, const std::string &pointer, const std::string &unit) const;
  void weight_form(const Json &weight, const std::string &pointer, const std::string &unit,
                   Weight &w) const;
  void check_weight_draws(const std::string &pointer, const std::string &unit,
                          const Weight &w) const;
  void check_weight_fits(const std::string &pointer, const std::string &unit, const Weight &w,
                         double scale) const;
  void weight_scale(const Json &weight, const std::string &pointer, double expected_k, Weight &w,
                    ProjectionSpec &spec) const;

  // ---------------------------------------------------------------- delays.cpp

  void load_delay(const Json &j, ProjectionSpec &spec, Json &r) const;
  void drawn_delay(const Json &delay, const std::string &pointer, ProjectionSpec &spec,
                   Json &r) const;

  // ---------------------------------------------------------------- plasticity.cpp

  void load_plasticity(const Json &j, ProjectionSpec &spec, Json &r);
  void check_acts_on(const LoadedPlugin &rule, const ProjectionSpec &spec,
                     const std::string &pointer) const;
  std::vector<std::pair<uint64_t, uint64_t>> active_phases(const Json &j,
                                                           const std::string &pointer) const;
  uint64_t phase_end(const Json &j, const std::string &pointer, bool is_start) const;
  void check_phase_order(const std::vector<std::pair<uint64_t, uint64_t>> &phases,
                         const std::pair<uint64_t, uint64_t> &phase, const std::string &pointer,
                         size_t k) const;
  std::string time_text(uint64_t step) const;
  std::string phase_text(const std::pair<uint64_t, uint64_t> &phase) const;

  // ---------------------------------------------------------------- recorders.cpp

  void load_recorders(const Json &doc, Json &resolved);
  Json load_recorder(const Json &j, const std::string &pointer);
  void load_population_recorder(const Json &j, const std::string &pointer,
                                const LoadedPlugin &plugin, Json &r);
  std::vector<std::pair<int, std::string>> recorded_populations(const Json &j,
                                                                const std::string &pointer) const;
  void recorded_variables(const Json &variables, const std::string &pointer,
                          const PopulationSpec &pop, RecorderSpec &spec) const;
  void recorded_neurons(const Json &neurons, const std::string &pointer, const PopulationSpec &pop,
                        RecorderSpec &spec) const;
  uint64_t recorder_every(const Json &j, const std::string &pointer) const;

  // ---------------------------------------------------------------- projection_recorders.cpp

  void load_projection_recorder(const Json &j, const std::string &pointer,
                                const LoadedPlugin &plugin, Json &r);
  std::vector<int> recorded_projections(const Json &j, const std::string &pointer,
                                        const LoadedPlugin &plugin) const;
  int projection_index(const Json &name_json, const std::string &pointer) const;
  std::vector<uint64_t> recorded_synapses(const Json &j, const std::string &pointer, Json &r) const;
  std::vector<uint64_t> first_synapses(const Json &first, const std::string &pointer) const;

  // ---------------------------------------------------------------- dale.cpp

  void check_dale() const;
};

} // namespace ganglion::loading
