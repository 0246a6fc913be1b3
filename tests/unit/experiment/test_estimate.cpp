// The memory and output estimate (experiment/estimate.hpp) against figures worked out by hand
// from the engine's layouts, on small experiments of hand-made plugins; the refusal of what does
// not fit, with its figures and fix; the memory limit's setting.
#include <doctest/doctest.h>

#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "experiment/estimate.hpp"
#include "experiment/loader.hpp"
#include "ganglion/plugin.hpp"

using namespace ganglion;

namespace {

struct Neuron { // two fields: 2 * padded(n) doubles
  static constexpr const char *name = "est_neuron";
  static constexpr gg_kind kind = GG_KIND_NEURON;
  static constexpr const char *doc = "a neuron of two fields";
  static constexpr const char *input_unit = "mV/ms";
  enum Field { tau, V, count };
  static constexpr gg_field fields[] = {
      ganglion::param("tau", "ms", 10, 0, ganglion::inf, "time constant", GG_MIN_EXCLUSIVE),
      ganglion::state("V", "mV", 0, -ganglion::inf, ganglion::inf, "potential")};
  static void step(const gg_view &) {}
};

struct Source { // a source: room for 8 n + 1024 spikes per slice of 1024 neurons
  static constexpr const char *name = "est_source";
  static constexpr gg_kind kind = GG_KIND_NEURON;
  static constexpr const char *doc = "a spike source with a rate";
  static constexpr bool source = true;
  enum Field { rate, count };
  static constexpr gg_field fields[] = {
      ganglion::param("rate", "Hz", 1, 0, ganglion::inf, "firing rate")};
  static void step(const gg_view &) {}
};

struct Synapse { // 8 bytes a synapse: a 32-bit target and a float weight
  static constexpr const char *name = "est_synapse";
  static constexpr gg_kind kind = GG_KIND_SYNAPSE;
  static constexpr const char *doc = "a synapse of one field";
  static constexpr const char *weight_unit = "mV";
  enum Field { I, count };
  static constexpr gg_field fields[] = {
      ganglion::state("I", "mV/ms", 0, -ganglion::inf, ganglion::inf, "current")};
  static void step(const gg_view &) {}
  static void current(const gg_view &) {}
};

struct Compact : Synapse { // 2 bytes a synapse onto at most 65536 neurons, one constant weight
  static constexpr const char *name = "est_compact";
  static constexpr bool compact_csr = true;
};

struct Rule { // a by-post index of 12 bytes a synapse; a parameter per post, a trace per pre
  static constexpr const char *name = "est_rule";
  static constexpr gg_kind kind = GG_KIND_PLASTICITY;
  static constexpr const char *doc = "a rule";
  enum Field { A, x, count };
  static constexpr gg_field fields[] = {ganglion::param("A", "1", 0.01, 0, ganglion::inf, "step"),
                                        ganglion::pre_trace("x", "1", "presynaptic trace")};
  static void step(const gg_view &) {}
};

// A recorder plugin named `Name`: the estimate knows the built-in recorders by name.
template <const char *Name> struct Recorder {
  static constexpr const char *name = Name;
  static constexpr gg_kind kind = GG_KIND_RECORDER;
  static constexpr const char *doc = "a recorder";
  enum Field { count };
  static void step(const gg_view &) {}
};

constexpr char spikes[] = "spikes", state[] = "state", other[] = "other";

template <class P> void add(PluginRegistry &reg) {
  const gg_descriptor *d = &ganglion::detail::Tables<P>::descriptor;
  LoadedPlugin p;
  p.name = d->name;
  p.path = std::string("/fake/libganglion_") + d->name + ".so";
  p.desc = d;
  reg.add(p);
}

PluginRegistry &registry() {
  static PluginRegistry reg = [] {
    PluginRegistry r;
    add<Neuron>(r);
    add<Source>(r);
    add<Synapse>(r);
    add<Compact>(r);
    add<Rule>(r);
    add<Recorder<spikes>>(r);
    add<Recorder<state>>(r);
    add<Recorder<other>>(r);
    return r;
  }();
  return reg;
}

// E: 100 neurons; X: 10 sources at 5 Hz. X->E: 300 synapses of 8 bytes, one step of delay;
// E->E: compact, p = 0.5 of 9,900 pairs (no autapses), 2 ms = 20 steps of delay.
const std::string base = R"({
  "simulation": {"dt": "0.1 ms", "duration": "100 ms"},
  "populations": {
    "E": {"model": "est_neuron", "size": 100},
    "X": {"model": "est_source", "size": 10, "params": {"rate": "5 Hz"}}
  },
  "projections": [
    {"pre": "X", "post": "E", "synapse": "est_synapse", "weight": 1,
     "connect": {"rule": "fixed_indegree", "indegree": 3}},
    {"pre": "E", "post": "E", "synapse": "est_compact", "weight": 1, "delay": "2 ms",
     "connect": {"rule": "fixed_probability", "p": 0.5, "autapses": false}}
  ],
  "recorders": [
    {"type": "spikes", "populations": ["E", "X"]},
    {"type": "state", "population": "E", "variables": ["V"], "neurons": [0, 1], "every": "1 ms"}
  ],
  "output": "x.h5"
})";

Experiment load(const std::vector<std::string> &overrides = {}) {
  return load_experiment_text(base, "x.json", "", overrides, registry());
}

// The bytes (or the GPU bytes: which = &MemoryPart::device) of the first part at `pointer`.
double part(const Estimate &e, const std::string &pointer,
            double MemoryPart::*which = &MemoryPart::bytes) {
  for (const auto &p : e.parts)
    if (p.pointer == pointer) return p.*which;
  FAIL("no part at " << pointer);
  return 0;
}

double device_part(const Estimate &e, const std::string &pointer) {
  return part(e, pointer, &MemoryPart::device);
}

} // namespace

TEST_CASE("estimate: populations, histories, synapses and recorders at the engine's layouts") {
  const Estimate e = estimate(load());
  // E: 2 fields and its input of padded(100) = 104 doubles, a spike list of 100 32-bit ids.
  CHECK(part(e, "/populations/E/size") == 3 * 104 * 8 + 100 * 4);
  // Its history: 20 steps (E->E's delay) of 100 ids, a vector and a count each.
  CHECK(part(e, "/projections/1/delay") == 20 * (100 * 4 + 24 + 8));
  // X: a field and its input of padded(10) = 16 doubles; spikes 8 * 10 + 1024 (one slice).
  CHECK(part(e, "/populations/X/size") == 2 * 16 * 8 + (8 * 10 + 1024) * 4);
  // Its history: one step of that room.
  CHECK(part(e, "/populations/X") == 1 * ((8 * 10 + 1024) * 4 + 24 + 8));
  // X->E: 300 synapses of 8 bytes, 11 row offsets, the synapse's field per post neuron.
  CHECK(part(e, "/projections/0/connect") == 300 * 8 + 11 * 8 + 104 * 8);
  // E->E: 4,950 synapses of 2 bytes (16-bit targets, one weight for all), 101 row offsets.
  CHECK(part(e, "/projections/1/connect") == 4950 * 2 + 101 * 8 + 104 * 8);
  // Output per simulated second: E's spikes at 10 Hz (no rate of its own) and X's at 5 Hz, 16
  // bytes each; V of 2 neurons 1000 times a second.
  CHECK(e.output_per_second == 100 * 10 * 16 + 10 * 5 * 16 + 1000 * 2 * 8);
  CHECK(e.output == doctest::Approx(0.1 * e.output_per_second));
  // The recorders' buffers (/recorders/0 is E's spikes, then X's): what they write in the run,
  // below a block per channel.
  CHECK(part(e, "/recorders/0") == doctest::Approx(0.1 * 100 * 10 * 16));
  CHECK(part(e, "/recorders/1") == doctest::Approx(0.1 * 1000 * 2 * 8));
  CHECK(e.memory == doctest::Approx(2896 + 8640 + 4672 + 4448 + 3320 + 11540 + 3280));
  CHECK(e.unknown_output.empty());
}

TEST_CASE("estimate: drawn delays, plasticity, the layout a recorder forces, unknown recorders") {
  // E->E with the plain synapse, drawn delays and a rule: 4 + 4 + 2 + 12 bytes a synapse, and
  // the delay index's 29 16-bit entries a row (30 steps, the uniform's high end); its history as
  // deep. Its arrival queue: 30 slots of 32 bytes, and E's spikes at 10 Hz (0.1 a step) each
  // queuing 10 runs (rows of 10 synapses) of 24 bytes held 15 steps, in room twice that.
  const Estimate plastic =
      estimate(load({"projections.1.synapse=\"est_synapse\"",
                     "projections.1.delay={\"uniform\": [\"1 ms\", \"3 ms\"]}",
                     "projections.1.plasticity={\"rule\": \"est_rule\"}",
                     "projections.1.connect={\"rule\": \"fixed_total_number\", \"total\": 1000}"}));
  CHECK(part(plastic, "/projections/1/connect") ==
        doctest::Approx(1000 * 22 + 101 * 8 + 100 * 29 * 2 + 104 * 8 + 101 * 8 + 104 * 8 + 104 * 8 +
                        30 * 32 + 0.1 * 10 * 15 * 24 * 2));
  CHECK(part(plastic, "/projections/1/delay") == 30 * (100 * 4 + 24 + 8));
  // A normal delay: the mean and 6 standard deviations, 1.5 + 6 * 0.5 = 4.5 ms.
  const Estimate normal =
      estimate(load({"projections.1.delay={\"normal\": [\"1.5 ms\", \"0.5 ms\"]}"}));
  CHECK(part(normal, "/projections/1/delay") == 45 * (100 * 4 + 24 + 8));
  // all_to_all onto more than 65536 neurons takes 32-bit targets even where compact.
  const Estimate wide = estimate(
      load({"populations.E.size=70000", "projections.1.connect={\"rule\": \"all_to_all\"}"}));
  CHECK(part(wide, "/projections/1/connect") == 70000.0 * 70000 * 4 + 70001 * 8 + 70000 * 8);
  // A recorder that is not built in: its output is not counted, and says so.
  const Estimate other =
      estimate(load({"recorders.1={\"type\": \"other\", \"population\": \"E\"}"}));
  CHECK(other.unknown_output == std::vector<std::string>{"other"});
  // Without an output file recorders write nothing and buffer nothing.
  const Estimate none = estimate(load({"output=null"}));
  CHECK(none.output == 0);
  CHECK(none.memory == doctest::Approx(2896 + 8640 + 4672 + 4448 + 3320 + 11540));
}

TEST_CASE("estimate: an experiment over the limit is refused with the figures and the fix") {
  const Experiment exp =
      load({"populations.E.size=1000000", "projections.1.connect={\"rule\": \"all_to_all\"}"});
  const Estimate e = estimate(exp);
  CHECK_NOTHROW(check_memory(exp, e, MemoryLimit{e.memory, "a test"}));
  try {
    check_memory(exp, e, MemoryLimit{16.0 * 1024 * 1024 * 1024, "a test's limit"});
    FAIL("not refused");
  } catch (const ConfigError &error) {
    CHECK(std::string(error.what()) ==
          "x.json: /projections/1/connect: the network would need about 3.64 TiB of memory, more "
          "than the 16 GiB available (a test's limit); the largest part, projection E->E "
          "(1,000,000,000,000 synapses of 4 bytes), takes about 3.64 TiB: a sparse rule "
          "(fixed_probability, fixed_indegree), or fewer neurons. To allow more, set "
          "GANGLION_MEMORY_LIMIT (e.g. GANGLION_MEMORY_LIMIT=64G)");
  }
  // A delay of 10^9 ms makes E's history 10^10 steps deep.
  const Experiment slow = load({"projections.1.delay=\"1e9 ms\""});
  CHECK_THROWS_WITH(check_memory(slow, estimate(slow), memory_limit("64G")),
                    doctest::Contains("x.json: /projections/1/delay: the network would need about "
                                      "3.93 TiB of memory, more than the 64 GiB available (the "
                                      "limit GANGLION_MEMORY_LIMIT=64G); the largest part, the "
                                      "spike history of population E (10,000,000,000 steps deep: "
                                      "its longest outgoing delay)"));
}

TEST_CASE("estimate: the GPU memory of the parts on cuda, at the device engine's layout, and the "
          "refusal of what does not fit") {
  Experiment exp = load();
  CHECK(estimate(exp).device_memory == 0); // everything on the CPU
  for (auto &pop : exp.populations)
    pop.backend = GG_BACKEND_CUDA;
  for (auto &proj : exp.projections)
    proj.backend = GG_BACKEND_CUDA;
  const Estimate e = estimate(exp);
  // E: 2 fields and its input of 104 doubles, a spike list of 100 and its count, the gather's
  // counts and offsets of 100; its ring 20 steps of 100 ids and a count.
  CHECK(device_part(e, "/populations/E/size") == 3 * 104 * 8 + 101 * 4 + 2 * 100 * 4);
  CHECK(device_part(e, "/projections/1/delay") == 20 * 101 * 4);
  // X: room for 8 * 10 + 1024 spikes a step, one step deep.
  CHECK(device_part(e, "/populations/X/size") == 2 * 16 * 8 + 1105 * 4 + 2 * 10 * 4);
  CHECK(device_part(e, "/populations/X") == 1105 * 4);
  // X->E: 300 synapses of 8 bytes, row offsets, a field per target, and a run (24 bytes) and a
  // count for each spike X may emit in a step.
  CHECK(device_part(e, "/projections/0/connect") == 300 * 8 + 11 * 8 + 104 * 8 + 1105 * 28);
  // E->E: on cuda no compact layout, a 32-bit target and a weight each (2 bytes and one weight
  // for all on the CPU).
  CHECK(device_part(e, "/projections/1/connect") == 4950 * 8 + 101 * 8 + 104 * 8 + 101 * 28);
  // On the host, a projection on cuda that nothing there reads keeps its fields and, while the
  // device sorts the rows, their offsets: its synapses stay on the GPU.
  CHECK(part(e, "/projections/1/connect") == 104 * 8 + 101 * 8);
  CHECK(kept_on_device(exp, 1));
  Experiment learning = exp;
  learning.projections[1].plasticity.resize(1);
  CHECK_FALSE(kept_on_device(learning, 1));
  CHECK_FALSE(kept_on_device(load(), 1)); // (on the CPU)
  // The recorders' logs: twice 4 times what they record in a chunk of 1024 steps (0.1024 s).
  CHECK(device_part(e, "/recorders/1") == doctest::Approx(2 * 4 * 16000 * 0.1024));
  CHECK(e.device_memory ==
        doctest::Approx(3700 + 8080 + 4756 + 4420 + 34260 + 44068 + 8 * 32800 * 0.1024));
  // Drawn delays: a ring of future input, a double per target and step of the longest delay, in
  // place of the arrivals.
  Experiment drawn = exp;
  drawn.projections[1].delay_dist = ValueSpec{ValueSpec::Kind::Uniform, 0.1, 3.0, {}, {}};
  CHECK(device_part(estimate(drawn), "/projections/1/connect") ==
        4950 * 10 + 101 * 8 + 104 * 8 + 104 * 30 * 8);

  // While E->E's synapses are drawn on the device: its sort's buffers (8 bytes a synapse) and its
  // rows' counts and offsets (16 bytes a row), the largest of the two kept projections'.
  CHECK(e.device_build == 4950 * 8 + 101 * 16);
  CHECK(estimate(drawn).device_build == 4950 * (8 + 4 + 14) + 101 * 16);
  // A batch of three such networks (engine/batch.hpp) draws its members one by one and joins them
  // on the device: one member's draw beside the copies made before it, then the members' copies
  // (8 bytes a synapse, and their row offsets) beside the joined synapses.
  Experiment batch = exp;
  batch.members = std::make_shared<const std::vector<Experiment>>(3, exp);
  for (auto &pop : batch.populations) {
    pop.member_size = pop.size;
    pop.size *= 3;
  }
  CHECK(kept_on_device(batch, 1));
  CHECK(estimate(batch).device_build == 4950 * 8 + 101 * 16 + 3 * (4950 * 8 + 101 * 8));

  const double mib = 1024.0 * 1024;
  CHECK_NOTHROW(
      check_device_memory(exp, e, 512 * mib + e.device_memory + e.device_build + 1, "a test GPU"));
  CHECK_THROWS_AS(check_device_memory(exp, e, 512 * mib + e.device_memory + 1, "a test GPU"),
                  ConfigError);
  CHECK_THROWS_WITH_AS(
      check_device_memory(exp, e, 512 * mib + 50 * 1024, "a test GPU"),
      "x.json: /projections/1/connect: the parts on \"cuda\" would need about 163 KiB of GPU "
      "memory (40.2 KiB of it only while synapses are drawn), more than the 50 KiB that a test GPU "
      "has free (of 512 MiB, 512 MiB kept for the "
      "CUDA runtime); the largest part, projection E->E (about 4,950 synapses of 8 bytes), takes "
      "about 43 KiB: a lower p, or fewer neurons; or run some populations on \"cpu\" (their "
      "\"backend\")",
      ConfigError);
}

TEST_CASE("estimate: GANGLION_MEMORY_LIMIT takes bytes or a unit in powers of 1024") {
  CHECK(memory_limit("8G").bytes == 8.0 * 1024 * 1024 * 1024);
  CHECK(memory_limit("500 MiB").bytes == 500.0 * 1024 * 1024);
  CHECK(memory_limit("1.5t").bytes == 1.5 * std::pow(1024.0, 4));
  CHECK(memory_limit("1e9").bytes == 1e9);
  CHECK(memory_limit("12KB").bytes == 12 * 1024);
  CHECK(memory_limit("8G").source == "the limit GANGLION_MEMORY_LIMIT=8G");
  for (const char *bad : {"abc", "", "-1G", "8Q", "8 GB extra", "0"})
    CHECK_THROWS_WITH_AS(memory_limit(bad),
                         doctest::Contains("' is not a size; write bytes, or a number with K, M, "
                                           "G or T (powers of 1024), e.g. "
                                           "GANGLION_MEMORY_LIMIT=64G"),
                         ConfigError);
  // Unset: the machine's, with a margin, and never nothing.
  CHECK(memory_limit(nullptr).bytes > 0);
  CHECK(format_bytes(512) == "512 B");
  CHECK(format_bytes(1536) == "1.5 KiB");
  CHECK(format_bytes(200.0 * 1024 * 1024) == "200 MiB");
  CHECK(format_bytes(4e12) == "3.64 TiB");
}
