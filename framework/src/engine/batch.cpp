// See batch.hpp.
#include "engine/batch.hpp"

#include <cstring>
#include <string>

#include "engine/values.hpp"
#include "experiment/errors.hpp"
#include "registry/registry.hpp"

namespace ganglion {

namespace {

const char *const kInstead = "; run the sweep with --together instead (its members side by side, "
                             "each a network of its own)";

[[noreturn]] void differs(std::size_t m, const std::string &where, const std::string &what) {
  throw ConfigError("sweep --batch: member " + std::to_string(m) + " differs from member 0 in " +
                    what + " (" + where +
                    "): a batch merges runs that differ only in values (parameters, initial "
                    "values, weights, rates, seeds)" +
                    kInstead);
}

[[noreturn]] void cannot(const std::string &where, const std::string &what) {
  throw ConfigError("sweep --batch: " + where + ": " + what + kInstead);
}

// Whether a plugin's hooks may hold several members (GG_DESC_BATCH); refused where not.
void check_batchable(const LoadedPlugin *plugin, const std::string &where) {
  if (plugin && !(plugin->desc->flags & GG_DESC_BATCH))
    cannot(where, "plugin '" + plugin->name +
                      "' does not declare that it can run several members at once "
                      "(GG_DESC_BATCH, ABI 1.12: hooks element by element, draws through "
                      "gg_element_seed and gg_element_gid)");
}

// One member's part of a field: its values as its run alone makes them.
struct Block {
  const ValueSpec *value;
  uint64_t n, seed, first_gid;
};

bool same_constant(const ValueSpec &a, const ValueSpec &b) {
  return a.kind == ValueSpec::Kind::Constant && b.kind == ValueSpec::Kind::Constant &&
         std::memcmp(&a.a, &b.a, sizeof a.a) == 0;
}

// A field's values over the members' blocks: one constant where every member has it, else the
// members' values in turn, each drawn as its run draws it (make_field, with its seed and ids).
ValueSpec merged(const gg_field &f, uint32_t salt, const std::vector<Block> &blocks) {
  ValueSpec out;
  if (f.type == GG_TYPE_SEQUENCE) {
    out.kind = ValueSpec::Kind::Sequences;
    for (const Block &b : blocks)
      for (uint64_t i = 0; i < b.n; ++i) {
        const auto &s = b.value->sequences;
        out.sequences.push_back(s.empty() ? std::vector<double>{} : s.size() == 1 ? s[0] : s.at(i));
      }
    return out;
  }
  bool one = true;
  for (const Block &b : blocks)
    one = one && same_constant(*b.value, *blocks.front().value);
  if (one) return *blocks.front().value;
  out.kind = ValueSpec::Kind::List;
  for (const Block &b : blocks) {
    const FieldData d = make_field(f, *b.value, b.n, b.seed, b.first_gid, salt);
    out.list.insert(out.list.end(), d.values.begin(), d.values.begin() + long(b.n));
  }
  return out;
}

// A descriptor's fields over the members: `values_of(m)` member m's specs (missing: the default),
// n_of(m, field) its elements of that field, each block drawn with the member's seed and gid.
template <class Values, class Size>
std::vector<ValueSpec> merged_fields(const gg_descriptor *d, const std::vector<Experiment> &members,
                                     Values &&values_of, Size &&n_of, uint64_t first_gid) {
  std::vector<ValueSpec> out;
  for (uint32_t k = 0; k < d->n_fields; ++k) {
    std::vector<ValueSpec> given(members.size());
    std::vector<Block> blocks;
    for (std::size_t m = 0; m < members.size(); ++m) {
      const std::vector<ValueSpec> &v = values_of(m);
      if (k < v.size())
        given[m] = v[k];
      else
        given[m].a = d->fields[k].default_value;
      blocks.push_back({&given[m], n_of(d->fields[k]), members[m].simulation.seed, first_gid});
    }
    out.push_back(merged(d->fields[k], k, blocks));
  }
  return out;
}

// The members' changes at the same steps, each change's values merged (n elements a member).
std::vector<Change> merged_changes(const std::vector<const std::vector<Change> *> &of, uint64_t n,
                                   const std::string &where) {
  std::vector<Change> out;
  for (std::size_t m = 0; m < of.size(); ++m)
    if (of[m]->size() != of[0]->size()) differs(m, where, "the steps of its schedule");
  for (std::size_t c = 0; c < of[0]->size(); ++c) {
    Change x{(*of[0])[c].step, {}};
    bool one = true;
    for (std::size_t m = 0; m < of.size(); ++m) {
      if ((*of[m])[c].step != x.step) differs(m, where, "the steps of its schedule");
      one = one && same_constant((*of[m])[c].value, (*of[0])[c].value);
    }
    x.value = (*of[0])[c].value;
    if (!one) {
      x.value = ValueSpec{};
      x.value.kind = ValueSpec::Kind::List;
      for (const auto *changes : of) {
        const ValueSpec &v = (*changes)[c].value;
        for (uint64_t i = 0; i < n; ++i)
          x.value.list.push_back(v.kind == ValueSpec::Kind::List ? v.list.at(i) : v.a);
      }
    }
    out.push_back(std::move(x));
  }
  return out;
}

void merge_simulation(const std::vector<Experiment> &members) {
  const Experiment &first = members.front();
  for (std::size_t m = 1; m < members.size(); ++m) {
    const SimulationSpec &s = members[m].simulation;
    if (s.dt != first.simulation.dt) differs(m, "/simulation/dt", "dt");
    if (s.n_steps != first.simulation.n_steps) differs(m, "/simulation/duration", "the duration");
    if (s.ordered_delivery != first.simulation.ordered_delivery)
      differs(m, "/simulation/delivery", "its delivery");
  }
}

void merge_population(Experiment &out, const std::vector<Experiment> &members, std::size_t p) {
  const uint64_t count = members.size();
  const PopulationSpec &first = members.front().populations[p];
  PopulationSpec &pop = out.populations[p];
  check_batchable(first.plugin, first.pointer);
  for (std::size_t m = 0; m < count; ++m) {
    const PopulationSpec &x = members[m].populations[p];
    if (x.name != first.name || x.plugin != first.plugin || x.size != first.size)
      differs(m, x.pointer, "the population's name, model or size");
    if (x.backend != first.backend) differs(m, x.pointer + "/backend", "its backend");
    if (x.schedules.size() != first.schedules.size()) differs(m, x.pointer, "its schedules");
  }
  const uint64_t n = first.size;
  pop.size = n * count;
  pop.member_size = n;
  pop.member_first_gid = first.first_gid;
  const auto spec = [&](std::size_t m) -> const PopulationSpec & {
    return members[m].populations[p];
  };
  pop.values = merged_fields(
      first.plugin->desc, members, [&](std::size_t m) -> auto & { return spec(m).values; },
      [&](const gg_field &) { return n; }, first.first_gid);
  std::vector<Block> i_app;
  for (std::size_t m = 0; m < count; ++m)
    i_app.push_back({&spec(m).i_app, n, members[m].simulation.seed, first.first_gid});
  pop.i_app = merged(i_app_field(), kIAppSalt, i_app);
  std::vector<const std::vector<Change> *> changes;
  for (std::size_t m = 0; m < count; ++m)
    changes.push_back(&spec(m).i_app_changes);
  pop.i_app_changes = merged_changes(changes, n, first.pointer + "/I_app");
  for (std::size_t k = 0; k < first.schedules.size(); ++k) {
    changes.clear();
    for (std::size_t m = 0; m < count; ++m) {
      if (spec(m).schedules[k].field != first.schedules[k].field)
        differs(m, first.pointer, "which parameters change on a schedule");
      changes.push_back(&spec(m).schedules[k].changes);
    }
    pop.schedules[k].changes = merged_changes(changes, n, first.pointer + "/params");
  }
}

void merge_projection(Experiment &out, const std::vector<Experiment> &members, std::size_t q) {
  const ProjectionSpec &first = members.front().projections[q];
  ProjectionSpec &proj = out.projections[q];
  check_batchable(first.synapse, first.pointer);
  for (std::size_t m = 0; m < members.size(); ++m) {
    const ProjectionSpec &x = members[m].projections[q];
    if (x.pre != first.pre || x.post != first.post || x.synapse != first.synapse)
      differs(m, x.pointer, "the projection's populations or synapse model");
    if ((x.delay_dist.kind == ValueSpec::Kind::Constant) !=
            (first.delay_dist.kind == ValueSpec::Kind::Constant) ||
        (x.delay_dist.kind == ValueSpec::Kind::Constant && x.delay_steps != first.delay_steps))
      differs(m, x.pointer + "/delay",
              "its delay (a batch's projection has one delay, or drawn "
              "ones in every member)");
    if ((x.weight < 0) != (first.weight < 0))
      differs(m, x.pointer + "/weight", "the sign of its weights");
    const bool plastic = !x.plasticity.empty();
    if (plastic != !first.plasticity.empty() ||
        (plastic && (x.plasticity[0].plugin != first.plasticity[0].plugin ||
                     x.plasticity[0].active != first.plasticity[0].active)))
      differs(m, x.pointer + "/plasticity", "its plasticity rule or the rule's phases");
  }
  const PopulationSpec &post = members.front().populations[std::size_t(first.post)];
  const PopulationSpec &pre = members.front().populations[std::size_t(first.pre)];
  proj.values = merged_fields(
      first.synapse->desc,
      members, [&](std::size_t m) -> auto & { return members[m].projections[q].values; },
      [&](const gg_field &) { return post.size; }, post.first_gid);
  if (first.plasticity.empty()) return;
  check_batchable(first.plasticity[0].plugin, first.plasticity[0].pointer);
  proj.plasticity[0].values = merged_fields(
      first.plasticity[0].plugin->desc, members,
      [&](std::size_t m) -> auto & { return members[m].projections[q].plasticity[0].values; },
      [&](const gg_field &f) { return f.role == GG_ROLE_PRE_TRACE ? pre.size : post.size; },
      post.first_gid);
}

// Each member's recorders, its own (on its block, into its file). The device engine sums a
// population's inputs over all its elements, so an inputs recorder of a population on "cuda"
// cannot tell the members apart yet.
void merge_recorders(Experiment &out, const std::vector<Experiment> &members) {
  out.recorders.clear();
  for (std::size_t m = 0; m < members.size(); ++m)
    for (RecorderSpec r : members[m].recorders) {
      if (std::strcmp(r.plugin->desc->name, "inputs") == 0 &&
          out.populations[std::size_t(r.population)].backend == GG_BACKEND_CUDA)
        cannot(r.pointer, "the inputs recorder of a population on \"cuda\" averages over all its "
                          "elements on the device, and cannot record a batch's members apart yet");
      r.member = uint32_t(m);
      out.recorders.push_back(std::move(r));
    }
}

} // namespace

Experiment merge_members(std::vector<Experiment> members) {
  const Experiment &first = members.front();
  merge_simulation(members);
  for (std::size_t m = 1; m < members.size(); ++m)
    if (members[m].populations.size() != first.populations.size() ||
        members[m].projections.size() != first.projections.size())
      differs(m, "/", "its populations or projections");
  Experiment out = first;
  out.output.clear(); // (each member's own)
  uint64_t gid = 0;
  for (std::size_t p = 0; p < out.populations.size(); ++p) {
    merge_population(out, members, p);
    if (out.populations[p].size > UINT32_MAX)
      cannot(out.populations[p].pointer, "the members' neurons of this population number more "
                                         "than 2^32 together: batch fewer members");
    out.populations[p].first_gid = gid;
    gid += out.populations[p].size;
  }
  bool cpu = false, cuda = false;
  for (const PopulationSpec &p : out.populations)
    (p.backend == GG_BACKEND_CUDA ? cuda : cpu) = true;
  if (cpu && cuda)
    cannot("/populations", "a batch runs on one backend, and these populations are on both "
                           "\"cpu\" and \"cuda\"; put them on one");
  for (std::size_t q = 0; q < out.projections.size(); ++q)
    merge_projection(out, members, q);
  merge_recorders(out, members);
  out.members = std::make_shared<const std::vector<Experiment>>(std::move(members));
  return out;
}

Csr batch_connectivity(const Experiment &merged, std::size_t q, ThreadPool *pool, CsrLayout layout,
                       RowBuilder *rows) {
  std::vector<Csr> parts;
  bool held = false;
  for (const Experiment &m : *merged.members) {
    const ProjectionSpec &proj = m.projections[q];
    parts.push_back(build_connectivity(proj, m.populations[std::size_t(proj.pre)],
                                       m.populations[std::size_t(proj.post)], m.simulation.seed,
                                       m.simulation.dt, pool, {}, {}, {}, rows));
    held = held || parts.back().held.count > 0;
  }
  const uint64_t n_post = merged.populations[std::size_t(merged.projections[q].post)].member_size;
  if (held) return rows->join(std::move(parts), n_post);
  return join_members(std::move(parts), n_post, layout, pool);
}

} // namespace ganglion
