// A projection's "plasticity": {"rule": "istdp", "params": {...}, "init": {...}, "active":
// [[t0, t1], ...]}: a GG_KIND_PLASTICITY plugin that acts on this projection's synapse model, its
// fields set like a synapse's (one value per postsynaptic neuron; GG_ROLE_PRE_TRACE fields are not
// settable), and the phases in which it learns (none, or "active": null: the whole run, written
// out). A "plasticity": null is no rule (so that --set can turn one off).
#include <algorithm>
#include <cstdio>

#include "experiment/loader_internal.hpp"
#include "experiment/units.hpp"

namespace ganglion::loading {

void Loader::load_plasticity(const Json &j, ProjectionSpec &spec, Json &r) {
  const Json *plasticity = member(j, "plasticity");
  if (!plasticity || plasticity->is_null()) return;
  const std::string pointer = child(spec.pointer, "plasticity");
  require_object(*plasticity, pointer,
                 "{\"rule\": \"istdp\", \"params\": {...}, \"active\": [[\"0 s\", \"10 s\"]]}");
  const PopulationSpec &pre = ex_.populations[size_t(spec.pre)];
  if (pre.plugin->desc->flags & GG_DESC_DRIVE)
    fail(pointer, "population " + pre.name + " (" + pre.plugin->name +
                      ") is a drive: its trains are drawn where they arrive, never emitted as "
                      "spikes, so no rule can act on them; remove \"plasticity\", or make " +
                      pre.name + " a poisson source population");
  check_keys(*plasticity, pointer, {"rule", "params", "init", "active"});
  const Json *rule = member(*plasticity, "rule");
  if (!rule) fail(pointer, "no \"rule\": name the plasticity plugin, e.g. \"rule\": \"istdp\"");
  PlasticitySpec p;
  p.pointer = pointer;
  p.plugin = find_plugin(get_string(*rule, child(pointer, "rule")), GG_KIND_PLASTICITY,
                         child(pointer, "rule"), "plasticity rule");
  check_acts_on(*p.plugin, spec, pointer);

  Json rp = Json::object();
  rp["rule"] = p.plugin->name;
  const PopulationSpec &post = ex_.populations[size_t(spec.post)];
  p.values =
      field_values(*p.plugin, *plasticity, pointer, rp, neuron_elements(post, "postsynaptic "));
  run_validate(*p.plugin, p.values, pointer);

  // The projection's backend (spec.backend, read again from the projection's item so that a
  // message names the same place) runs the rule too.
  item_backend(j, spec.pointer, *p.plugin, &post);

  const Json *active = member(*plasticity, "active");
  if (active && !active->is_null()) {
    p.active = active_phases(*active, child(pointer, "active"));
  } else {
    p.active = {{0, ex_.simulation.n_steps}}; // the whole run, written out below
  }
  Json phases = Json::array();
  for (const auto &[start, stop] : p.active)
    phases.push_back(Json::array({rounded_ms(double(start) * ex_.simulation.dt),
                                  rounded_ms(double(stop) * ex_.simulation.dt)}));
  rp["active"] = std::move(phases);
  r["plasticity"] = std::move(rp);
  spec.plasticity.push_back(std::move(p));
}

// The rule must act on the projection's synapse model: one of its acts_on words, or (acts_on
// NULL) any synapse that carries spikes.
void Loader::check_acts_on(const LoadedPlugin &rule, const ProjectionSpec &spec,
                           const std::string &pointer) const {
  const gg_descriptor *d = rule.desc;
  const std::string &synapse = spec.synapse->name;
  bool synapse_rate = (spec.synapse->desc->flags & GG_DESC_RATE) != 0;
  auto acts_on = [&](const gg_descriptor &rule_desc) {
    if (!rule_desc.acts_on) return !synapse_rate;
    auto words = split_choices(rule_desc.acts_on);
    return std::find(words.begin(), words.end(), synapse) != words.end();
  };
  if (acts_on(*d)) return;
  std::vector<std::string> fitting;
  for (const LoadedPlugin *plugin : registry_.ordered())
    if (plugin->desc && plugin->desc->kind == GG_KIND_PLASTICITY && acts_on(*plugin->desc))
      fitting.push_back(plugin->name);
  std::string what = d->acts_on ? std::string(d->acts_on) : "synapses that carry spikes";
  std::string of = synapse_rate ? "the rate synapse '" + synapse + "'" : "'" + synapse + "'";
  fail(pointer, "'" + rule.name + "' acts on " + what + ", not on " + of +
                    "; give the projection a synapse it acts on" +
                    (d->acts_on ? " (" + join_list(split_choices(d->acts_on)) + ")" : "") +
                    ", or use a rule that acts on '" + synapse + "' (" +
                    (fitting.empty() ? "none is loaded" : join_list(fitting)) + ")");
}

// "active": [[start, stop], ...]: phases [start, stop) in whole steps, within [0, duration],
// start < stop, ascending and not overlapping (touching is fine: [0 s, 10 s) then [10 s, 20 s)).
std::vector<std::pair<uint64_t, uint64_t>> Loader::active_phases(const Json &j,
                                                                 const std::string &pointer) const {
  const std::string example = "[[\"0 s\", \"10 s\"], [\"20 s\", \"30 s\"]]";
  if (!j.is_array())
    fail(pointer, "expected a list of [start, stop] phases, like " + example + ", got " + shown(j));
  if (j.empty())
    fail(pointer, "an empty list of phases would never learn; remove \"active\" to learn during "
                  "the whole run, or give phases like " +
                      example);
  std::vector<std::pair<uint64_t, uint64_t>> phases;
  for (size_t k = 0; k < j.size(); ++k) {
    const Json &entry = j[k];
    std::string ep = child(pointer, k);
    if (!entry.is_array() || entry.size() != 2)
      fail(ep, "expected a [start, stop] pair, like [\"0 s\", \"10 s\"] (learning from start up "
               "to, not including, stop), got " +
                   shown(entry));
    uint64_t start = phase_end(entry[0], child(ep, 0), true);
    uint64_t stop = phase_end(entry[1], child(ep, 1), false);
    std::pair<uint64_t, uint64_t> phase{start, stop};
    if (phase.first >= phase.second)
      fail(ep, "the phase " + phase_text(phase) + " is empty: its start must come before its stop");
    check_phase_order(phases, phase, ep, k);
    phases.push_back(phase);
  }
  return phases;
}

// The start or stop of a phase, in steps: within [0, duration].
uint64_t Loader::phase_end(const Json &j, const std::string &pointer, bool is_start) const {
  const std::string end = is_start ? "start" : "stop";
  double t = get_time(j, pointer);
  if (t < 0) fail(pointer, "a phase cannot " + end + " before 0 ms, got " + format_value(t, "ms"));
  uint64_t step = steps_of(t, pointer);
  if (step > ex_.simulation.n_steps)
    fail(pointer, format_value(t, "ms") + " is after the end of the run (duration = " +
                      format_value(ex_.simulation.duration, "ms") + "); " + end + " the phase by " +
                      time_text(ex_.simulation.n_steps) + ", or lengthen the run");
  return step;
}

// `phase` (item `k`, at `pointer`) after the `phases` before it: no overlap, ascending.
void Loader::check_phase_order(const std::vector<std::pair<uint64_t, uint64_t>> &phases,
                               const std::pair<uint64_t, uint64_t> &phase,
                               const std::string &pointer, size_t k) const {
  for (size_t e = 0; e < phases.size(); ++e) {
    const auto &other = phases[e];
    if (phase.first < other.second && other.first < phase.second)
      fail(pointer, phase_text(phase) + " overlaps " + phase_text(other) + " (item " +
                        std::to_string(e) + "): phases must not overlap; " +
                        (e + 1 == phases.size() && phase.first >= other.first
                             ? "start the second at " + time_text(other.second) + " or later"
                             : "change or remove one of them"));
  }
  if (!phases.empty() && phase.first < phases.back().first)
    fail(pointer, phase_text(phase) + " comes before " + phase_text(phases.back()) + " (item " +
                      std::to_string(k - 1) + "): list the phases in ascending order of time");
}

// A time for messages about phases: "500 ms", or "12 s" in runs of a second or longer.
std::string Loader::time_text(uint64_t step) const {
  double ms = double(step) * ex_.simulation.dt;
  if (ex_.simulation.duration < 1000) return rounded_ms(ms);
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.12g s", ms / 1000);
  return buffer;
}

// "[500 ms, 1.5 s)". Built by appending: GCC 12 warns (-Wrestrict, wrongly) on "[" + string.
std::string Loader::phase_text(const std::pair<uint64_t, uint64_t> &phase) const {
  std::string s = "[";
  s += time_text(phase.first);
  s += ", ";
  s += time_text(phase.second);
  return s + ")";
}

} // namespace ganglion::loading
