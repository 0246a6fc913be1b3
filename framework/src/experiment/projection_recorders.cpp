// Recorders of projections (GG_DESC_PROJECTION): "projection": "I->E" or "projections": [...]
// (names as resolved; neither: every projection), one RecorderSpec each, with "synapses": the
// indices of the synapses to follow, [0, 5, 9] or {"first": 10} (0 to 9); none: no synapse one by
// one (the statistics cover all of them). The loader does not know how many synapses a projection
// has; the engine checks the indices.
#include <algorithm>

#include "experiment/loader_internal.hpp"
#include "experiment/units.hpp"

namespace ganglion::loading {

void Loader::load_projection_recorder(const Json &j, const std::string &pointer,
                                      const LoadedPlugin &plugin, Json &r) {
  std::vector<int> targets = recorded_projections(j, pointer, plugin);
  Json resolved_names = Json::array();
  for (int t : targets)
    resolved_names.push_back(ex_.projections[size_t(t)].name);
  r["projections"] = std::move(resolved_names);

  std::vector<uint64_t> synapses = recorded_synapses(j, child(pointer, "synapses"), r);
  uint64_t every = recorder_every(j, pointer);
  std::vector<ValueSpec> values = field_values(plugin, j, pointer, r, Elements{});
  run_validate(plugin, values, pointer);
  r["every"] = format_value(double(every) * ex_.simulation.dt, "ms");

  for (int t : targets) {
    RecorderSpec spec;
    spec.pointer = pointer;
    spec.plugin = &plugin;
    spec.projection = t;
    spec.population = ex_.projections[size_t(t)].post; // the engine sizes the fields by it
    spec.synapses = synapses;
    spec.every = every;
    spec.values = values;
    ex_.recorders.push_back(std::move(spec));
  }
}

// Which projections: "projection", "projections" or (neither) every one; a recorder of
// projections takes none of the keys of a recorder of populations.
std::vector<int> Loader::recorded_projections(const Json &j, const std::string &pointer,
                                              const LoadedPlugin &plugin) const {
  for (const char *key : {"population", "populations", "variables", "neurons"})
    if (member(j, key))
      fail(child(pointer, key),
           "'" + plugin.name + "' records projections, not populations: name them with " +
               "\"projection\": \"" +
               (ex_.projections.empty() ? "E->I" : ex_.projections.front().name) +
               "\" or \"projections\": [...], and choose synapses with \"synapses\": [0, 5, 9] "
               "or {\"first\": 10}");
  std::vector<int> targets;
  const Json *one = member(j, "projection");
  const Json *many = member(j, "projections");
  if (one && many) fail(pointer, "give either \"projection\" or \"projections\", not both");
  if (one) {
    targets.push_back(projection_index(*one, child(pointer, "projection")));
  } else if (many) {
    std::string mp = child(pointer, "projections");
    if (!many->is_array() || many->empty())
      fail(mp,
           "expected a non-empty list of projection names, like [\"E->I\"], got " + shown(*many));
    for (size_t m = 0; m < many->size(); ++m)
      targets.push_back(projection_index((*many)[m], child(mp, m)));
  } else {
    if (ex_.projections.empty())
      fail(pointer, "'" + plugin.name +
                        "' records projections, and this experiment has none; "
                        "add a projection or remove this recorder");
    for (size_t m = 0; m < ex_.projections.size(); ++m)
      targets.push_back(int(m));
  }
  return targets;
}

int Loader::projection_index(const Json &name_json, const std::string &pointer) const {
  std::string name = get_string(name_json, pointer);
  std::vector<std::string> names;
  for (const auto &p : ex_.projections)
    names.push_back(p.name);
  for (size_t k = 0; k < names.size(); ++k)
    if (names[k] == name) return int(k);
  fail(pointer, "unknown projection '" + clipped(name) + "'" + did_you_mean(name, names) +
                    "; projections: " + join_list(names) +
                    " (a projection is named by its \"name\", or \"PRE->POST\" by default, "
                    "\"PRE->POST #2\" for a second one)");
}

// "synapses" (at `pointer`): [i, ...] (distinct non-negative indices, in the order given) or
// {"first": n}; none: none. Writes it to `r`.
std::vector<uint64_t> Loader::recorded_synapses(const Json &j, const std::string &pointer,
                                                Json &r) const {
  const Json *sj = member(j, "synapses");
  if (!sj) return {};
  if (sj->is_object()) {
    std::vector<uint64_t> synapses = first_synapses(*sj, pointer);
    r["synapses"] = Json{{"first", synapses.size()}};
    return synapses;
  }
  if (!sj->is_array())
    fail(pointer, "expected a list of synapse indices like [0, 5, 9], or {\"first\": 10}, got " +
                      shown(*sj));
  if (sj->empty())
    fail(pointer, "an empty list follows no synapse; remove \"synapses\" to record only the "
                  "statistics of all of them, or "
                  "list indices like [0, 5, 9]");
  std::vector<uint64_t> synapses;
  for (size_t k = 0; k < sj->size(); ++k) {
    uint64_t i = get_count((*sj)[k], child(pointer, k), "a synapse index (0, 1, ...)");
    auto seen = std::find(synapses.begin(), synapses.end(), i);
    if (seen != synapses.end())
      fail(child(pointer, k), "synapse " + std::to_string(i) + " is already listed (item " +
                                  std::to_string(seen - synapses.begin()) + "); list each once");
    synapses.push_back(i);
  }
  Json list = Json::array();
  for (uint64_t i : synapses)
    list.push_back(i);
  r["synapses"] = std::move(list);
  return synapses;
}

// {"first": n}: synapses 0 to n - 1.
std::vector<uint64_t> Loader::first_synapses(const Json &sj, const std::string &pointer) const {
  check_keys(sj, pointer, {"first"});
  const Json *first = member(sj, "first");
  if (!first) fail(pointer, "expected {\"first\": 10} (synapses 0 to 9), got " + shown(sj));
  uint64_t n = get_count(*first, child(pointer, "first"), "a positive number of synapses");
  if (n == 0)
    fail(child(pointer, "first"), "{\"first\": 0} follows no synapse; give a positive count, or "
                                  "remove \"synapses\" to record only the statistics of all of "
                                  "them");
  constexpr uint64_t most = 10000000; // each index is kept, 8 bytes apiece
  if (n > most)
    fail(child(pointer, "first"),
         "{\"first\": " + std::to_string(n) +
             "} is more synapses than can be followed one by one (at most " + std::to_string(most) +
             "); remove \"synapses\" to record only the statistics of all of them");
  std::vector<uint64_t> synapses(n);
  for (uint64_t i = 0; i < n; ++i)
    synapses[i] = i;
  return synapses;
}

} // namespace ganglion::loading
