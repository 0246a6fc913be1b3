// A batch's merged experiment (engine/batch.hpp): each population holds the members' neurons in
// turn, a value the members share stays one constant, a value they differ in (or draw) becomes
// the members' values in turn, each drawn with its member's seed and global ids; each member keeps
// its recorders; members that differ in more than values are refused with the exact message. The
// ABI's element ids (gg_element_seed, gg_element_gid) and the poisson source's copy of them, a
// drive's ids, and a batch's synapses kept where they are drawn (a GPU's builders) and joined
// there, the same as the host's join.
#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "../../../plugins/neuron/poisson/poisson_model.hpp"
#include "../../batch_network.hpp"
#include "../../gpu/reference_row_builder.hpp"
#include "engine/batch.hpp"
#include "engine/values.hpp"
#include "experiment/errors.hpp"
#include "experiment/estimate.hpp"
#include "experiment/loader.hpp"
#include "random/drive_count.hpp"
#include "registry/registry.hpp"

using namespace ganglion;

namespace {

const char *kNet = R"({
  "simulation": {"dt": "0.1 ms", "duration": "10 ms", "seed": 1},
  "populations": {"E": {"model": "lif", "size": 10, "init": {"V": {"uniform": [-70, -55]}}},
                  "X": {"model": "poisson", "size": 5, "params": {"rate": "10 Hz"}}},
  "projections": [{"pre": "X", "post": "E", "synapse": "exp_current",
                   "connect": {"rule": "all_to_all"}, "weight": 1}],
  "recorders": [{"type": "spikes", "populations": ["E"]}]
})";

Experiment member(PluginRegistry &reg, const std::vector<std::string> &sets) {
  return load_experiment_text(kNet, "<test>", "", sets, reg);
}

int field(const PopulationSpec &p, const char *name) {
  return field_index(p.plugin->desc, name);
}

} // namespace

TEST_CASE("batch: members merge population by population, each value its member's own draw") {
  PluginRegistry reg = PluginRegistry::discover();
  std::vector<Experiment> members{
      member(reg, {"populations.E.params.tau_m=10 ms"}),
      member(reg, {"populations.E.params.tau_m=20 ms", "simulation.seed=2"})};
  const Experiment m = merge_members(members);
  REQUIRE(m.members);
  CHECK(m.members->size() == 2);
  const PopulationSpec &e = m.populations[0], &x = m.populations[1];
  CHECK(e.size == 20);
  CHECK(e.member_size == 10);
  CHECK(e.first_gid == 0);
  CHECK(e.member_first_gid == 0);
  CHECK(x.size == 10);
  CHECK(x.first_gid == 20);        // (the merged network's ids)
  CHECK(x.member_first_gid == 10); // (each member's own)
  // tau_m: each member's constant in turn.
  const ValueSpec &tau = e.values[std::size_t(field(e, "tau_m"))];
  REQUIRE(tau.kind == ValueSpec::Kind::List);
  std::vector<double> expected(10, 10.0);
  expected.resize(20, 20.0);
  CHECK(tau.list == expected);
  // V: drawn, each member's block with its seed and ids, as its run alone draws it.
  const auto k = uint32_t(field(e, "V"));
  const ValueSpec &v = e.values[k];
  REQUIRE(v.kind == ValueSpec::Kind::List);
  const gg_field &f = e.plugin->desc->fields[k];
  const FieldData one = make_field(f, members[0].populations[0].values[k], 10, 1, 0, k);
  const FieldData two = make_field(f, members[1].populations[0].values[k], 10, 2, 0, k);
  for (std::size_t i = 0; i < 10; ++i) {
    CHECK(v.list[i] == one.values[i]);
    CHECK(v.list[10 + i] == two.values[i]);
  }
  CHECK(v.list[0] != v.list[10]);
  // The rate they share stays one constant; each member keeps its recorder.
  CHECK(x.values[0].kind == ValueSpec::Kind::Constant);
  REQUIRE(m.recorders.size() == 2);
  CHECK(m.recorders[0].member == 0);
  CHECK(m.recorders[1].member == 1);
}

TEST_CASE("batch: members that differ in more than values are refused, naming what and where") {
  PluginRegistry reg = PluginRegistry::discover();
  const auto refusal = [&](const std::vector<std::string> &sets) {
    std::vector<Experiment> members{member(reg, {}), member(reg, sets)};
    try {
      merge_members(members);
    } catch (const ConfigError &e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  const std::string tail = ": a batch merges runs that differ only in values (parameters, initial "
                           "values, weights, rates, seeds); run the sweep with --together instead "
                           "(its members side by side, each a network of its own)";
  CHECK(refusal({"simulation.dt=0.05 ms"}) ==
        "sweep --batch: member 1 differs from member 0 in dt (/simulation/dt)" + tail);
  CHECK(refusal({"simulation.duration=20 ms"}) ==
        "sweep --batch: member 1 differs from member 0 in the duration (/simulation/duration)" +
            tail);
  CHECK(refusal({"projections.0.weight=-1"}) ==
        "sweep --batch: member 1 differs from member 0 in the sign of its weights "
        "(/projections/0/weight)" +
            tail);
#ifdef GANGLION_HAVE_CUDA // (lif's companion, which a population on "cuda" needs to load)
  CHECK(refusal({"populations.E.backend=cuda"}) ==
        "sweep --batch: member 1 differs from member 0 in its backend (/populations/E/backend)" +
            tail);
  std::vector<Experiment> mixed{member(reg, {"populations.E.backend=cuda"}),
                                member(reg, {"populations.E.backend=cuda"})};
  CHECK_THROWS_WITH_AS(merge_members(mixed),
                       "sweep --batch: /populations: a batch runs on one backend, and these "
                       "populations are on both \"cpu\" and \"cuda\"; put them on one; run the "
                       "sweep with --together instead (its members side by side, each a network of "
                       "its own)",
                       ConfigError);
#endif
  CHECK(refusal({"populations.E.I_app={\"schedule\": [[\"0 ms\", 0], [\"5 ms\", 1]]}"}) ==
        "sweep --batch: member 1 differs from member 0 in the steps of its schedule "
        "(/populations/E/I_app)" +
            tail);
}

TEST_CASE("batch: an element's seed and global id are its member's (gg_element_seed and _gid, "
          "and the poisson source's copy)") {
  const uint64_t seeds[3] = {11, 12, 13};
  gg_view v{};
  v.seed = 99;
  v.first_gid = 1000;
  // Not a batch: the view's seed, first_gid + i.
  CHECK(gg_element_seed(&v, 7) == 99);
  CHECK(gg_element_gid(&v, 7) == 1007);
  // A slice from element 15 of a population of three members of 10 (member ids from 40).
  v.batch_n = 10;
  v.batch_offset = 15;
  v.batch_first_gid = 40;
  v.batch_seeds = seeds;
  const double rate = 0, next = 0, drawn = 0;
  gg_view p = v;
  double *fields[3] = {const_cast<double *>(&rate), const_cast<double *>(&next),
                       const_cast<double *>(&drawn)};
  p.fields = fields;
  const poisson::Step s = poisson::step_of(p);
  for (uint64_t i = 0; i < 10; ++i) {
    const uint64_t e = 15 + i;
    CHECK(gg_element_seed(&v, i) == seeds[e / 10]);
    CHECK(gg_element_gid(&v, i) == 40 + e % 10);
    CHECK(s.seed_of(i) == gg_element_seed(&v, i));
    CHECK(s.gid_of(i) == gg_element_gid(&v, i));
  }
  CHECK(gg_element_seed(&v, 4) == 12); // element 19: member 1's last
  CHECK(gg_element_gid(&v, 4) == 49);
  CHECK(gg_element_seed(&v, 5) == 13); // element 20: member 2's first
  CHECK(gg_element_gid(&v, 5) == 40);
}

TEST_CASE("batch: a drive's row draws with its member's seed, its place in the member and the "
          "targets' ids in the member (DriveIds::row)") {
  const uint64_t seeds[3] = {11, 12, 13};
  // Not a batch: the run's seed, row i, targets from post_gid.
  const DriveIds one{99, 1000};
  const DriveIds::Row r = one.row(5);
  CHECK(r.seed == 99);
  CHECK(r.row == 5);
  CHECK(r.target(7) == 1007);
  // Three members of 10 generator rows onto 7 targets each, the targets' ids from 40.
  const DriveIds batch{99, 1000, 10, 7, 40, seeds};
  for (uint64_t i = 0; i < 30; ++i) {
    const DriveIds::Row b = batch.row(i);
    CHECK(b.seed == seeds[i / 10]);
    CHECK(b.row == i % 10);
    for (uint64_t t = 0; t < 7; ++t) // target t of the row's member, at merged index
      CHECK(b.target((i / 10) * 7 + t) == 40 + t);
  }
}

TEST_CASE("batch: members' synapses drawn and kept elsewhere (a GPU's builders) and joined there "
          "are the host's join, values included") {
  // Each projection of a batch of three members (another seed and weights each), drawn by the
  // device's code run on the host and kept there (ReferenceRowBuilder), then joined by it (as the
  // device engine joins them on the GPU): the rows, targets, weights and delays of the host's
  // batch_connectivity; the members' copies are let go once joined.
  PluginRegistry reg = PluginRegistry::discover();
  std::vector<Experiment> members;
  for (const char *w : {"6", "8", "11"})
    members.push_back(
        load_experiment_text(test::kBatchNetwork, "<test>", "",
                             {std::string("projections.0.weight.normal=[") + w + ",2]",
                              std::string("simulation.seed=") + w},
                             reg));
  const Experiment m = merge_members(std::move(members));
  for (std::size_t q = 0; q < m.projections.size(); ++q) {
    CAPTURE(q);
    const Csr host = batch_connectivity(m, q, nullptr, {});
    test::ReferenceRowBuilder elsewhere;
    elsewhere.keep = true;
    std::vector<std::string> seen;
    elsewhere.seen = [&](const std::string &what, uint64_t) { seen.push_back(what); };
    const Csr c = batch_connectivity(m, q, nullptr, {}, &elsewhere);
    CHECK(seen == std::vector<std::string>{"rows kept", "rows kept", "rows kept", "join"});
    REQUIRE(elsewhere.kept.size() == 4);
    CHECK(c.held.count == host.size());
    const uint64_t rows = m.populations[std::size_t(m.projections[q].pre)].member_size;
    REQUIRE(c.held.members.size() == 3);
    for (std::size_t i = 0; i < 3; ++i) // (each member's count, for the run's report)
      CHECK(c.held.members[i] == host.row_ptr[(i + 1) * rows] - host.row_ptr[i * rows]);
    CHECK(c.row_ptr.empty());
    CHECK(c.max_delay == host.max_delay);
    CHECK(c.drawn_delays() == host.drawn_delays());
    const test::ReferenceRowBuilder::Kept &k = elsewhere.kept[c.held.id];
    CHECK(k.rows.row_ptr == host.row_ptr);
    CHECK(std::equal(k.rows.post.begin(), k.rows.post.end(), host.post_index.begin(),
                     host.post_index.end()));
    CHECK(std::equal(k.weight.begin(), k.weight.end(), host.weight.begin(), host.weight.end()));
    CHECK(std::equal(k.delay.begin(), k.delay.end(), host.delay.begin(), host.delay.end()));
    for (std::size_t i = 0; i < 3; ++i)
      CHECK(elsewhere.kept[i].rows.post.empty());
  }
}

TEST_CASE("batch: the estimate counts each member's output and its buffers") {
  // Three members, each writing its own file: the merged experiment has no output of its own,
  // and its estimate holds the members' output (three times one member's) and their recorders'
  // buffers.
  PluginRegistry reg = PluginRegistry::discover();
  std::vector<Experiment> members;
  for (int m = 0; m < 3; ++m)
    members.push_back(member(reg, {"output=\"m" + std::to_string(m) + ".h5\""}));
  const Estimate one = estimate(members[0]);
  REQUIRE(one.output > 0);
  const Experiment merged = merge_members(std::move(members));
  CHECK(merged.output.empty());
  const Estimate e = estimate(merged);
  CHECK(e.output == doctest::Approx(3 * one.output));
  CHECK(e.output_per_second == doctest::Approx(3 * one.output_per_second));
  int buffers = 0;
  for (const MemoryPart &part : e.parts)
    buffers += part.what == "the output buffers of recorder /recorders/0";
  CHECK(buffers == 3);
}
