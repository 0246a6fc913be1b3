// The "recorders" list, and recorders of populations: which populations ("population",
// "populations", or every one), which variables and neurons, how often ("every"), and the
// recorder's own params. Recorders of projections are read by projection_recorders.cpp.
#include "experiment/loader_internal.hpp"
#include "experiment/units.hpp"

namespace ganglion::loading {

void Loader::load_recorders(const Json &doc, Json &resolved) {
  const Json *recorders = member(doc, "recorders");
  Json out = Json::array();
  if (recorders && !recorders->is_array())
    fail("/recorders",
         "expected a list of recorders, like [{\"type\": \"spikes\"}], got " + shown(*recorders));
  for (size_t k = 0; recorders && k < recorders->size(); ++k)
    out.push_back(load_recorder((*recorders)[k], child("/recorders", k)));
  resolved["recorders"] = std::move(out);
}

// One recorder, of populations or of projections by its plugin; returns its resolved form.
Json Loader::load_recorder(const Json &j, const std::string &pointer) {
  require_object(j, pointer, "{\"type\": \"spikes\", \"populations\": [\"E\"]}");
  check_keys(j, pointer,
             {"type", "population", "populations", "variables", "neurons", "projection",
              "projections", "synapses", "every", "params"});
  const Json *type = member(j, "type");
  if (!type) fail(pointer, "no \"type\": name the recorder plugin, e.g. \"type\": \"spikes\"");
  const LoadedPlugin *plugin =
      find_plugin(get_string(*type, child(pointer, "type")), GG_KIND_RECORDER,
                  child(pointer, "type"), "recorder type");
  Json r = Json::object();
  r["type"] = plugin->name;
  if (plugin->desc->flags & GG_DESC_PROJECTION)
    load_projection_recorder(j, pointer, *plugin, r);
  else
    load_population_recorder(j, pointer, *plugin, r);
  return r;
}

// A recorder of populations: one RecorderSpec per population it records.
void Loader::load_population_recorder(const Json &j, const std::string &pointer,
                                      const LoadedPlugin &plugin, Json &r) {
  for (const char *key : {"projection", "projections", "synapses"})
    if (member(j, key)) {
      std::vector<std::string> of_projections;
      for (const LoadedPlugin *p : registry_.ordered())
        if (p->desc && p->desc->kind == GG_KIND_RECORDER && (p->desc->flags & GG_DESC_PROJECTION))
          of_projections.push_back(p->name);
      fail(child(pointer, key),
           "'" + plugin.name + "' records populations, not projections: name them with " +
               "\"population\" or \"populations\" (and choose neurons with \"neurons\"), or " +
               "use a recorder of projections (" +
               (of_projections.empty() ? "none is loaded" : join_list(of_projections)) + ")");
    }
  std::vector<std::pair<int, std::string>> targets = recorded_populations(j, pointer);
  for (const auto &[p, where] : targets) {
    const PopulationSpec &pop = ex_.populations[size_t(p)];
    if (pop.plugin->desc->flags & GG_DESC_DRIVE)
      fail(where, "population " + pop.name + " (" + pop.plugin->name +
                      ") is a drive: its trains are drawn where they arrive, never emitted as "
                      "spikes, so there is nothing to record; record its targets (their "
                      "inputs, say) instead");
  }
  Json names = Json::array();
  for (const auto &t : targets)
    names.push_back(ex_.populations[size_t(t.first)].name);
  r["populations"] = std::move(names);

  uint64_t every = recorder_every(j, pointer);
  // Recorder fields: parameters only; a recorder has no initial state to set.
  std::vector<ValueSpec> values = field_values(plugin, j, pointer, r, Elements{});
  run_validate(plugin, values, pointer);

  const Json *variables = member(j, "variables");
  const Json *neurons = member(j, "neurons");
  std::string vp = child(pointer, "variables"), np = child(pointer, "neurons");
  if (variables && !variables->is_array())
    fail(vp, "expected a list of variable names, like [\"V\"], got " + shown(*variables));
  if (neurons && !neurons->is_array())
    fail(np, "expected a list of neuron indices, like [0, 1, 2], got " + shown(*neurons));
  for (const auto &target : targets) {
    const PopulationSpec &pop = ex_.populations[size_t(target.first)];
    RecorderSpec spec;
    spec.pointer = pointer;
    spec.plugin = &plugin;
    spec.population = target.first;
    spec.every = every;
    spec.values = values;
    if (variables) recorded_variables(*variables, vp, pop, spec);
    if (neurons) recorded_neurons(*neurons, np, pop, spec);
    ex_.recorders.push_back(std::move(spec));
  }
  if (variables) r["variables"] = *variables;
  if (neurons) r["neurons"] = *neurons;
  r["every"] = format_value(double(every) * ex_.simulation.dt, "ms");
}

// Which populations, as (index, pointer of the name for messages): "population", "populations"
// or (neither) every one but the drives.
std::vector<std::pair<int, std::string>>
Loader::recorded_populations(const Json &j, const std::string &pointer) const {
  std::vector<std::pair<int, std::string>> targets;
  const Json *one = member(j, "population");
  const Json *many = member(j, "populations");
  if (one && many) fail(pointer, "give either \"population\" or \"populations\", not both");
  if (one) {
    targets.emplace_back(population_index(*one, child(pointer, "population")),
                         child(pointer, "population"));
  } else if (many) {
    std::string mp = child(pointer, "populations");
    if (!many->is_array() || many->empty())
      fail(mp, "expected a non-empty list of population names, got " + shown(*many));
    for (size_t m = 0; m < many->size(); ++m)
      targets.emplace_back(population_index((*many)[m], child(mp, m)), child(mp, m));
  } else {
    for (size_t m = 0; m < ex_.populations.size(); ++m) // (a drive has nothing to record)
      if (!(ex_.populations[m].plugin->desc->flags & GG_DESC_DRIVE))
        targets.emplace_back(int(m), pointer);
  }
  return targets;
}

// "variables": names of state variables or traces of the population's model.
void Loader::recorded_variables(const Json &variables, const std::string &pointer,
                                const PopulationSpec &pop, RecorderSpec &spec) const {
  const gg_descriptor *d = pop.plugin->desc;
  std::vector<std::string> recordable;
  for (uint32_t f = 0; f < d->n_fields; ++f)
    if (d->fields[f].role == GG_ROLE_STATE || d->fields[f].role == GG_ROLE_TRACE)
      recordable.push_back(d->fields[f].name);
  for (size_t v = 0; v < variables.size(); ++v) {
    std::string name = get_string(variables[v], child(pointer, v));
    uint32_t found = d->n_fields;
    for (uint32_t f = 0; f < d->n_fields; ++f)
      if (name == d->fields[f].name) found = f;
    if (found == d->n_fields)
      fail(child(pointer, v), "population " + pop.name + " (" + pop.plugin->name +
                                  ") has no variable '" + clipped(name) + "'" +
                                  did_you_mean(name, recordable) +
                                  "; it has: " + join_list(recordable));
    int role = d->fields[found].role;
    if (role != GG_ROLE_STATE && role != GG_ROLE_TRACE)
      fail(child(pointer, v),
           name + " is a parameter of " + pop.plugin->name +
               ", constant during the run; variables to record: " + join_list(recordable));
    spec.variables.push_back(found);
    spec.variable_names.push_back(name);
  }
}

// "neurons": indices of neurons of the population.
void Loader::recorded_neurons(const Json &neurons, const std::string &pointer,
                              const PopulationSpec &pop, RecorderSpec &spec) const {
  for (size_t n = 0; n < neurons.size(); ++n) {
    uint64_t i = get_count(neurons[n], child(pointer, n), "a neuron index (0, 1, ...)");
    if (i >= pop.size)
      fail(child(pointer, n), "neuron " + std::to_string(i) + " does not exist: population " +
                                  pop.name + " has " + std::to_string(pop.size) +
                                  " neurons (0 to " + std::to_string(pop.size - 1) + ")");
    spec.neurons.push_back(uint32_t(i));
  }
}

// "every": how often a recorder records, in whole steps (every step where not given).
uint64_t Loader::recorder_every(const Json &j, const std::string &pointer) const {
  std::string ep = child(pointer, "every");
  if (const Json *e = member(j, "every")) return whole_steps(get_time(*e, ep), ep);
  return 1;
}

} // namespace ganglion::loading
