// The memory and output estimate of an experiment; see estimate.hpp. The layouts counted here are
// the engine's (framework/src/engine/build.cpp, framework/src/connect/connectivity.hpp): a change
// there that adds memory per neuron or per synapse belongs here too.
#include "experiment/estimate.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <limits>
#include <optional>

#include "experiment/errors.hpp"
#include "experiment/units.hpp"
#include "registry/registry.hpp"

namespace ganglion {

namespace {

constexpr double kWriterBlock = 1 << 20; // bytes an output channel buffers (Hdf5Writer)
constexpr double kSliceSize = 1024;      // neurons per slice of the engine's first phase
constexpr double kMaxDrawnDelay = 65535; // steps: drawn delays are 16-bit
constexpr double kVectorHeader = 3 * 8;  // a std::vector's own bytes (a history slot)
constexpr double kByPostBytes = 8 + 4;   // a plastic synapse's by-post index: synapse, pre
constexpr double kSpikeRowBytes = 8 + 8; // a recorded spike: its time and its node id
constexpr double kSampleBytes = 8;       // a recorded double
constexpr double kArrivalBytes = 24;     // a queued run of synapses (gg_arrival)
constexpr double kQueueSlotBytes = 32;   // an arrival queue's slot: a vector and its front

// n rounded up to whole 64-byte lines of doubles (engine/aligned.hpp).
double padded(double n) {
  return std::ceil(n / 8) * 8;
}

// A count for messages: 1,000,000 (or 1.2e+20 beyond what a 64-bit count holds exactly).
std::string count_text(double n) {
  if (n < 1e15) return thousands(uint64_t(std::llround(n)));
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.3g", n);
  return buffer;
}

bool has_flag(const LoadedPlugin *p, uint32_t flag) {
  return p && p->desc && (p->desc->flags & flag) != 0;
}

// One field's storage for n elements (n_pre for a presynaptic trace): padded doubles, or a
// sequence field's values back to back (a sequence given once is copied to every element) with
// n + 1 offsets.
double sequence_values(const ValueSpec *v, double n) {
  double values = 0;
  if (v && v->sequences.size() == 1)
    values = n * double(v->sequences[0].size());
  else if (v)
    for (const auto &s : v->sequences)
      values += double(s.size());
  return values;
}

double field_bytes(const gg_field &f, const ValueSpec *v, double n) {
  if (f.type != GG_TYPE_SEQUENCE) return padded(n) * 8;
  return padded(sequence_values(v, n) + 1) * 8 + (n + 1) * 8;
}

double fields_bytes(const LoadedPlugin *plugin, const std::vector<ValueSpec> &values, double n,
                    double n_pre = 0) {
  const gg_descriptor *d = plugin ? plugin->desc : nullptr;
  double bytes = 0;
  for (uint32_t k = 0; d && k < d->n_fields; ++k) {
    const gg_field &f = d->fields[k];
    bytes += field_bytes(f, k < values.size() ? &values[k] : nullptr,
                         f.role == GG_ROLE_PRE_TRACE ? n_pre : n);
  }
  return bytes;
}

} // namespace

double synapse_count(const Experiment &exp, const ProjectionSpec &p) {
  if (exp.members) { // a batch: its members' synapses (engine/batch.hpp)
    const auto q = std::size_t(&p - exp.projections.data());
    double s = 0;
    for (const Experiment &m : *exp.members)
      s += synapse_count(m, m.projections[q]);
    return s;
  }
  const double n_pre = double(exp.populations[size_t(p.pre)].size);
  const double n_post = double(exp.populations[size_t(p.post)].size);
  const bool skip = p.pre == p.post && !p.allow_autapses;
  const double pairs = n_pre * n_post - (skip ? std::min(n_pre, n_post) : 0);
  switch (p.rule) {
  case ConnectRule::AllToAll: return pairs;
  case ConnectRule::OneToOne: return n_pre;
  case ConnectRule::FixedProbability: return std::clamp(p.p, 0.0, 1.0) * pairs;
  case ConnectRule::FixedIndegree: return n_post * double(p.indegree);
  case ConnectRule::FixedOutdegree: return n_pre * double(p.outdegree);
  case ConnectRule::FixedTotalNumber: return double(p.total);
  }
  return 0;
}

namespace {

// The steps of a projection's longest delay: its constant one, a uniform's high end, or a
// normal's mean plus 6 standard deviations (the longest of many draws), within 16 bits.
double longest_delay(const ProjectionSpec &p, double dt) {
  const ValueSpec &d = p.delay_dist;
  if (d.kind == ValueSpec::Kind::Uniform) return std::max(1.0, std::round(d.b / dt));
  if (d.kind == ValueSpec::Kind::Normal)
    return std::clamp(std::round((d.a + 6 * d.b) / dt), 1.0, kMaxDrawnDelay);
  return double(p.delay_steps);
}

// Bytes per synapse of projection q: its target (16 bits in the compact layout onto at most
// 65536 neurons, else 32), its weight (none where the compact layout keeps one constant weight), a
// drawn delay, and a plastic projection's by-post index. A projection on "cuda" is built without
// the compact layout, on the host and the device alike (build_projections: the device reads 32-bit
// targets and a weight each).
bool recorded(const Experiment &exp, size_t q) {
  return std::any_of(exp.recorders.begin(), exp.recorders.end(),
                     [&](const RecorderSpec &r) { return r.projection == int(q); });
}

double synapse_bytes(const Experiment &exp, size_t q) {
  const ProjectionSpec &p = exp.projections[q];
  const bool recorded = ganglion::recorded(exp, q);
  const bool compact = has_flag(p.synapse, GG_DESC_COMPACT_CSR) && p.plasticity.empty() &&
                       !recorded && p.backend == GG_BACKEND_CPU;
  const bool narrow = compact && exp.populations[size_t(p.post)].size <= 65536;
  const bool one_weight = compact && p.weight_dist.kind == ValueSpec::Kind::Constant;
  const bool drawn_delays = p.delay_dist.kind != ValueSpec::Kind::Constant;
  return (narrow ? 2 : 4) + (one_weight ? 0 : 4) + (drawn_delays ? 2 : 0) +
         (p.plasticity.empty() ? 0 : kByPostBytes);
}

// A population's room for the spikes of one step (a source may emit several per neuron).
double spike_capacity(const PopulationSpec &pop) {
  const double n = double(pop.size);
  return has_flag(pop.plugin, GG_DESC_SOURCE) ? 8 * n + 1024 : n;
}

bool has_i_app(const PopulationSpec &pop) {
  return pop.i_app.kind != ValueSpec::Kind::Constant || pop.i_app.a != 0 ||
         !pop.i_app_changes.empty();
}

// A population's fields, input, I_app and the spike lists of its slices.
MemoryPart population_part(const PopulationSpec &pop) {
  const double n = double(pop.size);
  const double slices = std::ceil(n / kSliceSize);
  const double spikes = has_flag(pop.plugin, GG_DESC_SOURCE) ? 8 * n + 1024 * slices : n;
  MemoryPart part;
  part.pointer = pop.pointer + "/size";
  part.what = "population " + pop.name + " (" + count_text(n) + " neurons)";
  part.fix = "use fewer neurons";
  part.bytes = fields_bytes(pop.plugin, pop.values, n) + padded(n) * 8 * (has_i_app(pop) ? 2 : 1) +
               spikes * 4;
  return part;
}

// Population p's spike history: as many steps deep as the longest delay of a projection from it,
// each step as much room as one step's spikes.
double history_depth(const Experiment &exp, size_t p, std::string *pointer = nullptr) {
  double depth = 1;
  for (const auto &proj : exp.projections) {
    const double steps = longest_delay(proj, exp.simulation.dt);
    if (size_t(proj.pre) != p || steps <= depth) continue;
    depth = steps;
    if (pointer) *pointer = proj.pointer + "/delay";
  }
  return depth;
}

MemoryPart history_part(const Experiment &exp, size_t p) {
  const PopulationSpec &pop = exp.populations[p];
  std::string pointer = pop.pointer;
  const double depth = history_depth(exp, p, &pointer);
  MemoryPart part;
  part.pointer = pointer;
  part.what = "the spike history of population " + pop.name + " (" + count_text(depth) +
              " steps deep: its longest outgoing delay)";
  part.fix = "shorten the delay, raise dt, or use fewer neurons";
  part.bytes = depth * (spike_capacity(pop) * 4 + kVectorHeader + 8);
  return part;
}

std::string rule_fix(ConnectRule rule) {
  switch (rule) {
  case ConnectRule::FixedProbability: return "a lower p, or fewer neurons";
  case ConnectRule::FixedIndegree: return "a lower indegree, or fewer neurons";
  case ConnectRule::FixedOutdegree: return "a lower outdegree, or fewer neurons";
  case ConnectRule::FixedTotalNumber: return "a lower total";
  case ConnectRule::AllToAll:
    return "a sparse rule (fixed_probability, fixed_indegree), or fewer neurons";
  case ConnectRule::OneToOne: return "fewer neurons";
  }
  return "fewer synapses";
}

// The index of drawn delays (Csr::delay_ends16): per row, one entry for each delay but the
// longest, 16-bit where the rows (their mean here) are shorter than 65536 synapses, else 32-bit.
double delay_index_bytes(const ProjectionSpec &p, double n_pre, double count, double dt) {
  if (p.delay_dist.kind == ValueSpec::Kind::Constant || n_pre == 0) return 0;
  return n_pre * (longest_delay(p, dt) - 1) * (count / n_pre < 65536 ? 2 : 4);
}

// The arrival queue of drawn delays (engine/arrival_queue.hpp) at the presynaptic population's
// expected rate: a slot per step of the longest delay; each spike queues one run per delay its row
// holds (at most the row's mean length), held on average half the longest delay, in slots whose
// room doubles as they fill.
double arrival_queue_bytes(const Experiment &exp, const ProjectionSpec &p, double n_pre,
                           double count) {
  if (p.delay_dist.kind == ValueSpec::Kind::Constant || n_pre == 0) return 0;
  const double dt = exp.simulation.dt, depth = longest_delay(p, dt);
  const PopulationSpec &pre = exp.populations[size_t(p.pre)];
  const double per_step = spikes_per_second(pre, exp.simulation.duration) * dt * 1e-3;
  const double runs = std::min(count / n_pre, depth);
  return depth * kQueueSlotBytes + per_step * runs * depth / 2 * kArrivalBytes * 2;
}

// A projection's synapses, its row offsets and delay index, its fields (per postsynaptic neuron),
// its rule's, and its arrival queue where its delays are drawn.
MemoryPart projection_part(const Experiment &exp, size_t q) {
  const ProjectionSpec &p = exp.projections[q];
  const double n_pre = double(exp.populations[size_t(p.pre)].size);
  const double n_post = double(exp.populations[size_t(p.post)].size);
  const double count = synapse_count(exp, p);
  const double per_synapse = synapse_bytes(exp, q);
  MemoryPart part;
  part.pointer = p.pointer + "/connect";
  part.what = "projection " + p.name + " (" +
              (p.rule == ConnectRule::FixedProbability ? "about " : "") + count_text(count) +
              " synapses of " + format_number(per_synapse) + " bytes)";
  part.fix = rule_fix(p.rule);
  part.bytes = fields_bytes(p.synapse, p.values, n_post) + (n_pre + 1) * 8;
  // Kept on the GPU: the host holds their row offsets only while the rows are sorted there.
  if (kept_on_device(exp, q)) return part;
  part.bytes += count * per_synapse + delay_index_bytes(p, n_pre, count, exp.simulation.dt) +
                arrival_queue_bytes(exp, p, n_pre, count);
  for (const auto &rule : p.plasticity)
    part.bytes += (n_post + 1) * 8 + fields_bytes(rule.plugin, rule.values, n_post, n_pre);
  return part;
}

// ---------------------------------------------------------------- GPU memory (parts on "cuda")
//
// The device engine's layout, every array a plain device allocation made once before the run:
// - a population: its fields, its input (and I_app), the step's spike list, and the per-neuron
//   counts and offsets that put a step's spikes into its ring in the CPU's order;
// - its spike ring: a slot of the step's room per step of its longest outgoing delay, and counts;
// - a projection: its synapses (a 32-bit target and a weight each, a drawn delay, a plastic
//   synapse's by-post index), row offsets and fields,
//   and a step's arrivals (a run and a count per presynaptic spike), or with drawn delays a ring
//   of future input per target (a double per target and step of its longest delay);
// - a recorder: what it gathers over a chunk of kDeviceChunk steps, twice (one chunk copied out
//   while the next runs), at kDeviceLogMargin times the expected rate.
constexpr double kDeviceChunk = 1024;
constexpr double kDeviceLogMargin = 4;

double population_device(const PopulationSpec &pop) {
  const double n = double(pop.size);
  return fields_bytes(pop.plugin, pop.values, n) + padded(n) * 8 * (has_i_app(pop) ? 2 : 1) +
         (spike_capacity(pop) + 1) * 4 + 2 * n * 4;
}

double history_device(const Experiment &exp, size_t p) {
  return history_depth(exp, p) * (spike_capacity(exp.populations[p]) + 1) * 4;
}

double projection_device(const Experiment &exp, size_t q) {
  const ProjectionSpec &p = exp.projections[q];
  const PopulationSpec &pre = exp.populations[size_t(p.pre)];
  const double n_pre = double(pre.size), n_post = double(exp.populations[size_t(p.post)].size);
  const bool drawn_delays = p.delay_dist.kind != ValueSpec::Kind::Constant;
  double bytes = synapse_count(exp, p) * synapse_bytes(exp, q) + (n_pre + 1) * 8 +
                 fields_bytes(p.synapse, p.values, n_post) +
                 (drawn_delays ? padded(n_post) * longest_delay(p, exp.simulation.dt) * 8
                               : (spike_capacity(pre) + 1) * (kArrivalBytes + 4));
  for (const auto &rule : p.plasticity)
    bytes += (n_post + 1) * 8 + fields_bytes(rule.plugin, rule.values, n_post, n_pre);
  return bytes;
}

// What drawing projection q's synapses on the device takes beside them, where they are kept there
// (gpu/connect/: a sort's range of at most 2^28 synapses, its keys out and CUB's scratch, 8 bytes
// each; row counts and offsets; with drawn delays each synapse's place in its row and the delay
// sort's buffers, 14 bytes a synapse of the range). A batch draws its members' one by one and
// then joins them: its members' copies are held beside the joined synapses, and one member's
// draw beside the copies made before it.
double build_device(const Experiment &exp, size_t q) {
  const ProjectionSpec &p = exp.projections[q];
  if (!kept_on_device(exp, q)) return 0;
  const double members = exp.members ? double(exp.members->size()) : 1;
  const double count = synapse_count(exp, p) / members;
  const double range = std::min(count, double(uint64_t(1) << 28));
  const double n_pre = double(exp.populations[size_t(p.pre)].size) / members;
  const bool drawn_delays = p.delay_dist.kind != ValueSpec::Kind::Constant;
  const double draw = 8 * range + 16 * (n_pre + 1) + (drawn_delays ? 4 * count + 14 * range : 0);
  if (!exp.members) return draw;
  return draw + members * (count * synapse_bytes(exp, q) + (n_pre + 1) * 8);
}

// A recorder's logs on the device, from what it writes per simulated second.
double recorder_device(const Experiment &exp, double per_second) {
  return 2 * kDeviceLogMargin * per_second * kDeviceChunk * exp.simulation.dt * 1e-3;
}

// ---------------------------------------------------------------- the recorders' output

// A value's mean, for a source's rate.
double mean_of(const ValueSpec &v) {
  switch (v.kind) {
  case ValueSpec::Kind::Uniform: return (v.a + v.b) / 2;
  case ValueSpec::Kind::List: {
    double sum = 0;
    for (double x : v.list)
      sum += x;
    return v.list.empty() ? 0 : sum / double(v.list.size());
  }
  default: return v.a;
  }
}

} // namespace

double spikes_per_second(const PopulationSpec &pop, double duration_ms) {
  const gg_descriptor *d = pop.plugin ? pop.plugin->desc : nullptr;
  if (has_flag(pop.plugin, GG_DESC_RATE)) return 0;
  const int rate = field_index(d, "rate");
  if (rate >= 0 && size_t(rate) < pop.values.size() && d->fields[rate].unit &&
      std::strcmp(d->fields[rate].unit, "Hz") == 0)
    return double(pop.size) * mean_of(pop.values[size_t(rate)]);
  for (uint32_t k = 0; d && k < d->n_fields && k < pop.values.size(); ++k)
    if (d->fields[k].type == GG_TYPE_SEQUENCE && (d->flags & GG_DESC_SOURCE))
      return sequence_values(&pop.values[k], double(pop.size)) / duration_ms * 1e3;
  return double(pop.size) * kNominalRate;
}

namespace {

// A recorder's parameter `name` (its default where the recorder has no such field).
double recorder_param(const RecorderSpec &r, const char *name, double fallback) {
  const int k = field_index(r.plugin ? r.plugin->desc : nullptr, name);
  return k >= 0 && size_t(k) < r.values.size() ? r.values[size_t(k)].a : fallback;
}

// What a recorder writes per simulated second, and into how many channels (buffers); nullopt for
// a recorder that is not built in.
struct Output {
  double per_second = 0;
  double channels = 0;
};

std::optional<Output> recorder_output(const Experiment &exp, const RecorderSpec &r) {
  const SimulationSpec &sim = exp.simulation;
  const PopulationSpec &pop = exp.populations[size_t(r.population)];
  const std::string type = r.plugin ? r.plugin->name : "";
  const double samples = 1e3 / (double(r.every) * sim.dt); // per simulated second
  if (type == "spikes") return Output{spikes_per_second(pop, sim.duration) * kSpikeRowBytes, 2};
  if (type == "state") {
    const double columns = r.neurons.empty() ? double(pop.size) : double(r.neurons.size());
    const double variables = double(r.variables.size());
    return Output{samples * variables * columns * kSampleBytes, variables};
  }
  if (type == "rates") {
    const double bin = std::max(1.0, std::round(recorder_param(r, "bin", 10) / sim.dt)) * sim.dt;
    return Output{1e3 / bin * 2 * kSampleBytes, 2};
  }
  if (type == "inputs") {
    double inputs = 0;
    for (const auto &p : exp.projections)
      inputs += p.post == r.population ? 1 : 0;
    return Output{samples * (inputs + 1) * kSampleBytes, inputs + 1};
  }
  if (type == "weights") {
    const double row = 3 + recorder_param(r, "bins", 20) + double(r.synapses.size());
    return Output{samples * row * kSampleBytes, r.synapses.empty() ? 4.0 : 5.0};
  }
  return std::nullopt;
}

// The recorders' output into `e`, and the parts for their buffers (each channel holds up to a
// block before it is written, and never more than it writes in all).
void add_output(const Experiment &exp, Estimate &e) {
  const double seconds = exp.simulation.duration * 1e-3;
  for (const auto &r : exp.recorders) {
    const std::optional<Output> out = recorder_output(exp, r);
    if (!out) {
      e.unknown_output.push_back(r.plugin ? r.plugin->name : r.pointer);
      continue;
    }
    e.output_per_second += out->per_second;
    MemoryPart part;
    part.pointer = r.pointer;
    part.what = "the output buffers of recorder " + r.pointer;
    part.fix = "record fewer variables or neurons";
    part.bytes = std::min(out->channels * kWriterBlock, out->per_second * seconds);
    if (exp.populations[size_t(r.population)].backend == GG_BACKEND_CUDA)
      part.device = recorder_device(exp, out->per_second);
    e.parts.push_back(part);
  }
  e.output = e.output_per_second * seconds;
}

// ---------------------------------------------------------------- the machine's memory

// MemAvailable in /proc/meminfo, in bytes; nullopt where there is none.
std::optional<double> mem_available() {
  std::ifstream in("/proc/meminfo");
  std::string line;
  double kib = 0;
  while (std::getline(in, line))
    if (std::sscanf(line.c_str(), "MemAvailable: %lf kB", &kib) == 1) return kib * 1024;
  return std::nullopt;
}

// What a cgroup (v2) still lets this process allocate; nullopt where it sets no limit.
std::optional<double> cgroup_available() {
  std::ifstream max_file("/sys/fs/cgroup/memory.max"),
      current_file("/sys/fs/cgroup/memory.current");
  std::string max_text;
  double current = 0;
  if (!(max_file >> max_text) || max_text == "max" || !(current_file >> current))
    return std::nullopt;
  return std::max(0.0, std::strtod(max_text.c_str(), nullptr) - current);
}

// "8G", "500 MiB", "1e9": bytes; nullopt where it is not a size.
std::optional<double> parse_size(const std::string &text) {
  const char *begin = text.c_str();
  char *end = nullptr;
  const double number = std::strtod(begin, &end);
  if (end == begin || !(number > 0) || !std::isfinite(number)) return std::nullopt;
  std::string unit;
  for (const char *c = end; *c; ++c)
    if (!std::isspace(static_cast<unsigned char>(*c)))
      unit += char(std::toupper(static_cast<unsigned char>(*c)));
  const std::string prefixes = "KMGT";
  if (unit.empty() || unit == "B") return number;
  const size_t power = prefixes.find(unit[0]);
  const std::string rest = unit.substr(1);
  if (power == std::string::npos || !(rest.empty() || rest == "B" || rest == "IB"))
    return std::nullopt;
  return number * std::pow(1024.0, double(power + 1));
}

} // namespace

// (A batch's kept synapses are its members', each drawn and kept on the device, then joined
// there; its recorders sample each member's block on the host: engine/batch.hpp.)
bool kept_on_device(const Experiment &exp, size_t q) {
  const ProjectionSpec &p = exp.projections[q];
  return p.backend == GG_BACKEND_CUDA && p.plasticity.empty() && !recorded(exp, q);
}

bool recorded_on_device(const Experiment &exp, const RecorderSpec &r) {
  return r.projection >= 0 && exp.projections[size_t(r.projection)].backend == GG_BACKEND_CUDA &&
         has_cuda(*r.plugin) && !exp.members;
}

namespace {

// A batch (engine/batch.hpp) joins each projection's members' synapses into one: while it does,
// the members' and the joined ones are held at once, the largest projection's the most.
void add_join(const Experiment &exp, Estimate &e) {
  const MemoryPart *largest = nullptr;
  for (const MemoryPart &part : e.parts)
    if (part.pointer.find("/projections/") == 0 && (!largest || part.bytes > largest->bytes))
      largest = &part;
  if (!largest) return;
  MemoryPart join = *largest;
  join.what = "the batch's " + std::to_string(exp.members->size()) + " members' copies of " +
              largest->what + " while they are joined";
  join.fix = "fewer members in a batch (a sweep of fewer values or seeds), or --together";
  join.device = 0;
  e.parts.push_back(join);
}

} // namespace

Estimate estimate(const Experiment &exp) {
  Estimate e;
  for (size_t p = 0; p < exp.populations.size(); ++p) {
    const PopulationSpec &pop = exp.populations[p];
    MemoryPart state = population_part(pop), history = history_part(exp, p);
    if (pop.backend == GG_BACKEND_CUDA) {
      state.device = population_device(pop);
      history.device = history_device(exp, p);
    }
    e.parts.push_back(state);
    e.parts.push_back(history);
  }
  for (size_t q = 0; q < exp.projections.size(); ++q) {
    MemoryPart part = projection_part(exp, q);
    if (exp.projections[q].backend == GG_BACKEND_CUDA) part.device = projection_device(exp, q);
    e.device_build = std::max(e.device_build, build_device(exp, q));
    e.parts.push_back(part);
  }
  if (exp.members) add_join(exp, e);
  if (!exp.output.empty()) add_output(exp, e);
  if (exp.members) // (a batch's recorders write each member's file: its output and buffers)
    for (const Experiment &m : *exp.members)
      if (!m.output.empty()) add_output(m, e);
  for (const auto &part : e.parts) {
    e.memory += part.bytes;
    e.device_memory += part.device;
  }
  return e;
}

MemoryLimit memory_limit(const char *setting) {
  const double inf = std::numeric_limits<double>::infinity();
  if (setting) {
    const std::optional<double> bytes = parse_size(setting);
    if (!bytes)
      throw ConfigError("GANGLION_MEMORY_LIMIT: '" + clipped(setting) +
                        "' is not a size; write bytes, or a number with K, M, G or T (powers of "
                        "1024), e.g. GANGLION_MEMORY_LIMIT=64G");
    return {*bytes, "the limit GANGLION_MEMORY_LIMIT=" + clipped(setting)};
  }
  const std::optional<double> machine = mem_available(), cgroup = cgroup_available();
  if (!machine && !cgroup) return {inf, "no limit known"};
  const bool by_cgroup = cgroup && (!machine || *cgroup < *machine);
  return {0.9 * (by_cgroup ? *cgroup : *machine),
          by_cgroup ? "90% of what this cgroup allows (/sys/fs/cgroup/memory.max)"
                    : "90% of MemAvailable in /proc/meminfo"};
}

void check_memory(const Experiment &exp, const Estimate &e, const MemoryLimit &limit) {
  if (e.memory <= limit.bytes) return;
  const MemoryPart *largest = nullptr;
  for (const auto &part : e.parts)
    if (!largest || part.bytes > largest->bytes) largest = &part;
  std::string message = exp.source + ": " + (largest ? largest->pointer + ": " : "") +
                        "the network would need about " + format_bytes(e.memory) +
                        " of memory, more than the " + format_bytes(limit.bytes) + " available (" +
                        limit.source + ")";
  if (largest)
    message += "; the largest part, " + largest->what + ", takes about " +
               format_bytes(largest->bytes) + ": " + largest->fix;
  throw ConfigError(message + ". To allow more, set GANGLION_MEMORY_LIMIT (e.g. "
                              "GANGLION_MEMORY_LIMIT=64G)");
}

void check_device_memory(const Experiment &exp, const Estimate &e, double free_bytes,
                         const std::string &device) {
  const double usable = std::max(0.0, free_bytes - kDeviceReserve);
  if (e.device_memory + e.device_build <= usable) return;
  const MemoryPart *largest = nullptr;
  for (const auto &part : e.parts)
    if (part.device > 0 && (!largest || part.device > largest->device)) largest = &part;
  std::string message = exp.source + ": " + (largest ? largest->pointer + ": " : "") +
                        "the parts on \"cuda\" would need about " +
                        format_bytes(e.device_memory + e.device_build) + " of GPU memory" +
                        (e.device_build > 0 ? " (" + format_bytes(e.device_build) +
                                                  " of it only while synapses are drawn)"
                                            : std::string()) +
                        ", more than the " + format_bytes(usable) + " that " + device +
                        " has free (of " + format_bytes(free_bytes) + ", " +
                        format_bytes(kDeviceReserve) + " kept for the CUDA runtime)";
  if (largest)
    message += "; the largest part, " + largest->what + ", takes about " +
               format_bytes(largest->device) + ": " + largest->fix;
  throw ConfigError(message + "; or run some populations on \"cpu\" (their \"backend\")");
}

std::string format_bytes(double bytes) {
  static const char *const units[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
  size_t u = 0;
  while (bytes >= 1024 && u + 1 < std::size(units)) {
    bytes /= 1024;
    ++u;
  }
  char buffer[48];
  std::snprintf(buffer, sizeof buffer, u == 0 || bytes >= 100 ? "%.0f %s" : "%.3g %s", bytes,
                units[u]);
  return buffer;
}

} // namespace ganglion
