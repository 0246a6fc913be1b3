// The "projections" section: each projection's pre and post, its name, its synapse and the
// synapse's fields, then its connect rule (connect_rule.cpp), weight (weights.cpp), delay
// (delays.cpp), backend and plasticity (plasticity.cpp), in that order.
#include <algorithm>

#include "experiment/loader_internal.hpp"

namespace ganglion::loading {

void Loader::load_projections(const Json &doc, Json &resolved) {
  const Json *projections = member(doc, "projections");
  Json out = Json::array();
  if (!projections) {
    resolved["projections"] = std::move(out);
    return;
  }
  if (!projections->is_array())
    fail("/projections", "expected a list of projections, like [{\"pre\": \"E\", \"post\": \"I\", "
                         "...}], got " +
                             shown(*projections));

  // First every pre and post, so that "1/sqrt(N)" knows which populations receive input.
  load_projection_ends(*projections);
  uint64_t recurrent_n = 0;
  for (const auto &p : ex_.populations)
    if (p.receives_input) recurrent_n += p.size;

  for (size_t k = 0; k < projections->size(); ++k)
    out.push_back(load_projection((*projections)[k], k, recurrent_n));
  resolved["projections"] = std::move(out);
}

// One ProjectionSpec per projection with its pre and post; marks the populations that receive
// input.
void Loader::load_projection_ends(const Json &projections) {
  for (size_t k = 0; k < projections.size(); ++k) {
    const Json &j = projections[k];
    std::string pointer = child("/projections", k);
    require_object(j, pointer,
                   "{\"pre\": \"E\", \"post\": \"I\", \"synapse\": \"exp_current\", ...}");
    check_keys(j, pointer,
               {"name", "pre", "post", "synapse", "params", "init", "connect", "weight", "delay",
                "backend", "plasticity"});
    ProjectionSpec spec;
    spec.pointer = pointer;
    for (const char *end : {"pre", "post"})
      if (!member(j, end))
        fail(pointer, std::string("no \"") + end + "\": name the " +
                          (std::string(end) == "pre" ? "presynaptic" : "postsynaptic") +
                          " population");
    spec.pre = population_index(j["pre"], child(pointer, "pre"));
    spec.post = population_index(j["post"], child(pointer, "post"));
    PopulationSpec &post = ex_.populations[size_t(spec.post)];
    if (post.plugin->desc->flags & GG_DESC_SOURCE)
      fail(child(pointer, "post"), "population " + post.name + " (" + post.plugin->name +
                                       ") is a spike source and takes no input; make it the "
                                       "'pre' of the projection");
    post.receives_input = true;
    ex_.projections.push_back(std::move(spec));
  }
}

// The rest of projection `k`, after load_projection_ends; `recurrent_n` is the N of "1/sqrt(N)".
// Returns its resolved form.
Json Loader::load_projection(const Json &j, size_t k, uint64_t recurrent_n) {
  ProjectionSpec &spec = ex_.projections[k];
  const std::string &pointer = spec.pointer;
  const PopulationSpec &pre = ex_.populations[size_t(spec.pre)];
  const PopulationSpec &post = ex_.populations[size_t(spec.post)];
  spec.stream = k + 1;
  name_projection(j, k);

  Json r = Json::object();
  r["name"] = spec.name;
  r["pre"] = pre.name;
  r["post"] = post.name;
  const Json *synapse = member(j, "synapse");
  if (!synapse)
    fail(pointer, "no \"synapse\": name the synapse plugin, e.g. \"synapse\": \"exp_current\"");
  spec.synapse = find_plugin(get_string(*synapse, child(pointer, "synapse")), GG_KIND_SYNAPSE,
                             child(pointer, "synapse"), "synapse");
  r["synapse"] = spec.synapse->name;
  check_synapse_kind(spec);
  spec.values = field_values(*spec.synapse, j, pointer, r, neuron_elements(post, "postsynaptic "));
  run_validate(*spec.synapse, spec.values, pointer);

  std::string unit = weight_unit(j, spec);
  double expected_k = load_connect(j, spec, r);
  load_weight(j, spec, unit, expected_k, recurrent_n, r);
  load_delay(j, spec, r);
  spec.backend = item_backend(j, pointer, *spec.synapse, &post);
  r["backend"] = backend_name(spec.backend);
  load_plasticity(j, spec, r);
  return r;
}

// Names label output (/inputs/<pop>/<name>) and reports, so they are unique and free of '/':
// a given name must be; a default "PRE->POST" that repeats gets " #2", " #3", ...
void Loader::name_projection(const Json &j, size_t k) {
  ProjectionSpec &spec = ex_.projections[k];
  const auto taken = [&](const std::string &n) {
    for (size_t e = 0; e < k; ++e)
      if (ex_.projections[e].name == n) return true;
    return false;
  };
  if (const Json *name = member(j, "name")) {
    std::string pointer = child(spec.pointer, "name");
    spec.name = get_string(*name, pointer);
    if (spec.name.empty() || spec.name.find('/') != std::string::npos)
      fail(pointer,
           "'" + spec.name + "' cannot name a projection: use a non-empty name without '/'");
    if (taken(spec.name))
      fail(pointer, "another projection is already named '" + spec.name +
                        "': give each projection a name of its own");
    return;
  }
  const std::string &pre = ex_.populations[size_t(spec.pre)].name;
  const std::string &post = ex_.populations[size_t(spec.post)].name;
  spec.name = pre + "->" + post;
  for (int copy = 2; taken(spec.name); ++copy)
    spec.name = pre + "->" + post + " #" + std::to_string(copy);
}

// Rate units send rates through rate synapses (W r); spiking neurons, spikes.
void Loader::check_synapse_kind(const ProjectionSpec &spec) const {
  const PopulationSpec &pre = ex_.populations[size_t(spec.pre)];
  bool pre_rate = (pre.plugin->desc->flags & GG_DESC_RATE) != 0;
  bool synapse_rate = (spec.synapse->desc->flags & GG_DESC_RATE) != 0;
  if (pre_rate == synapse_rate) return;
  std::vector<std::string> fitting;
  for (const LoadedPlugin *p : registry_.ordered())
    if (p->desc && p->desc->kind == GG_KIND_SYNAPSE &&
        ((p->desc->flags & GG_DESC_RATE) != 0) == pre_rate)
      fitting.push_back(p->name);
  std::string usual = pre_rate ? "rate_linear" : "exp_current";
  std::string pick =
      fitting.empty() || std::find(fitting.begin(), fitting.end(), usual) != fitting.end()
          ? usual
          : fitting.front();
  std::string pointer = child(spec.pointer, "synapse");
  if (pre_rate)
    fail(pointer, "population " + pre.name + " (" + pre.plugin->name +
                      ") is a rate unit: it sends rates, not spikes, and '" + spec.synapse->name +
                      "' is a spiking synapse; use a rate synapse such as '" + pick + "'");
  fail(pointer, "'" + spec.synapse->name +
                    "' is a rate synapse (it carries W r) and needs a rate unit "
                    "as its 'pre', but population " +
                    pre.name + " (" + pre.plugin->name +
                    ") emits spikes; use a spiking synapse such as '" + pick + "'");
}

} // namespace ganglion::loading
