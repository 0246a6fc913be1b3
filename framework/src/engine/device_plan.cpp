// See device_plan.hpp.
#include "engine/device_plan.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstring>

#include "engine/simulation.hpp"

namespace ganglion::device_plan {

const char *describe(Delivery d) {
  switch (d) {
  case Delivery::Ordered: return "arrivals added in the CPU's order (its bits)";
  case Delivery::Scattered: return "arrivals added with atomics, in any order";
  case Delivery::DrawnDelays: return "drawn delays through a ring of future input";
  case Delivery::DriveOrdered: return "drive counts drawn on the device, in the CPU's order";
  case Delivery::DriveScattered: return "drive counts drawn on the device, with atomics";
  case Delivery::Hook: return "arrivals through its synapse's CUDA step";
  case Delivery::Rate: return "rates through its synapse's CUDA step";
  }
  return "";
}

void check_capturable(const gg_cuda_hooks &h, const std::string &who, const char *plugin) {
  if (!(h.flags & GG_CUDA_ENQUEUES_ONLY))
    throw RunError(who + ": the CUDA hooks of '" + plugin +
                   "' do not promise to only enqueue work (GG_CUDA_ENQUEUES_ONLY), which the "
                   "device engine needs to capture the step as a CUDA graph; set \"backend\": "
                   "\"cpu\"");
}

bool declares_arrivals(const gg_cuda_hooks &h) {
  return (h.flags & GG_CUDA_ARRIVAL_FORM) &&
         h.struct_size >= offsetof(gg_cuda_hooks, arrival_scale) + sizeof(int32_t);
}

Delivery delivery_of(const engine::Projection &proj, const gg_cuda_hooks &h, bool ordered) {
  const bool declared = declares_arrivals(h);
  const auto needs_form = [&](const char *what) {
    if (!declared)
      throw RunError("projection '" + proj.spec->name + "': " + what +
                     " on \"cuda\" need a synapse that declares its arrivals "
                     "(GG_CUDA_ARRIVAL_FORM), and '" +
                     proj.desc->name + "' does not; set \"backend\": \"cpu\"");
  };
  if (proj.desc->flags & GG_DESC_RATE) return Delivery::Rate;
  if (proj.drive_rate) {
    needs_form("a poisson_generator's counts");
    return ordered ? Delivery::DriveOrdered : Delivery::DriveScattered;
  }
  if (proj.csr.drawn_delays()) {
    needs_form("drawn delays");
    return Delivery::DrawnDelays;
  }
  if (!declared) return Delivery::Hook;
  return ordered ? Delivery::Ordered : Delivery::Scattered;
}

bool Samples::due(uint64_t step) const {
  return std::any_of(every.begin(), every.end(), [&](uint64_t e) { return (step + 1) % e == 0; });
}

Samples samples_of(const engine::Population &pop, const std::vector<const engine::Recorder *> &recs,
                   std::size_t most_everies) {
  Samples s;
  for (const engine::Recorder *rec : recs) {
    if ((rec->desc->flags & GG_DESC_SPIKES_ONLY) || rec->spec->projection >= 0) continue;
    // (a batch's recorder: its member's block, elements [at, at + n))
    const uint64_t n = rec->member_block ? rec->n : pop.spec->size;
    const auto at = uint32_t(rec->at);
    std::vector<uint32_t> variables(rec->spec->variables.begin(), rec->spec->variables.end());
    if (variables.empty()) // a recorder that names none may read any field
      for (uint32_t k = 0; k < pop.desc->n_fields; ++k)
        variables.push_back(k);
    const auto &chosen = rec->spec->neurons;
    for (uint32_t k : variables)
      for (uint64_t i = 0; i < (chosen.empty() ? n : chosen.size()); ++i) {
        s.field.push_back(k);
        s.element.push_back(at + (chosen.empty() ? uint32_t(i) : chosen[i]));
      }
    const uint64_t every = std::max<uint64_t>(1, rec->spec->every);
    if (std::find(s.every.begin(), s.every.end(), every) == s.every.end()) s.every.push_back(every);
  }
  if (s.every.size() > most_everies)
    throw RunError("population '" + pop.spec->name + "': its recorders sample at " +
                   std::to_string(s.every.size()) + " different intervals (\"every\"), more than " +
                   "the " + std::to_string(most_everies) +
                   " the device engine gathers; give some of them the same \"every\"");
  return s;
}

uint64_t mixed_interval(const Experiment &exp) {
  constexpr uint64_t kMostSteps = 64;
  uint64_t d = kMostSteps;
  for (const auto &proj : exp.projections) {
    const PopulationSpec &pre = exp.populations[std::size_t(proj.pre)];
    if (!proj.plasticity.empty()) d = 1;
    const bool drive = pre.plugin && (pre.plugin->desc->flags & GG_DESC_DRIVE);
    if (pre.backend == proj.backend || drive) continue; // (a drive's rates are not spikes)
    d = proj.delay_dist.kind == ValueSpec::Kind::Constant
            ? std::min(d, std::max<uint64_t>(1, proj.delay_steps))
            : 1;
  }
  for (const auto &r : exp.recorders)
    if (!(r.plugin->desc->flags & GG_DESC_SPIKES_ONLY)) d = 1;
  return d;
}

Samples weight_reads(const std::vector<engine::Recorder> &recs, std::size_t q) {
  Samples s;
  for (const auto &rec : recs) {
    if (rec.spec->projection != int(q) || rec.backend == GG_BACKEND_CUDA) continue;
    const uint64_t every = std::max<uint64_t>(1, rec.spec->every);
    if (std::find(s.every.begin(), s.every.end(), every) == s.every.end()) s.every.push_back(every);
  }
  return s;
}

uint64_t next_sample_end(uint64_t after, const std::vector<uint64_t> &every, uint64_t none) {
  uint64_t next = none;
  for (uint64_t e : every)
    next = std::min(next, (after / e + 1) * e);
  return next;
}

uint64_t spike_log_entries(uint64_t n, uint64_t capacity, double dt_ms, uint64_t chunk_steps,
                           double rate_hz) {
  const double chunk = double(n) * rate_hz * dt_ms * 1e-3 * double(chunk_steps);
  return std::max<uint64_t>(2 * capacity + 1024, uint64_t(std::ceil(chunk)));
}

uint32_t sample_rows(uint64_t pairs, double budget_bytes, uint64_t chunk_steps) {
  const double rows = std::floor(budget_bytes / (8.0 * double(std::max<uint64_t>(pairs, 1))));
  return uint32_t(std::clamp(rows, 1.0, double(chunk_steps)));
}

uint64_t take_spikes(const std::vector<unsigned long long> &log, std::size_t &at, uint64_t step,
                     std::vector<uint32_t> &out) {
  uint64_t k = 0;
  for (; at < log.size() && (log[at] >> 32) == step; ++at, ++k) {
    if (k == out.size()) out.resize(k + 1);
    out[k] = uint32_t(log[at] & 0xffffffffull);
  }
  return k;
}

std::string resident_refusal(const ResidentShape &shape) {
  if (shape.batch) return "a batch of a sweep's members";
  if (shape.device_recorders > 0) return "a recorder samples a projection on the device";
  if (shape.pops.size() > kResidentPopulations)
    return "more than " + std::to_string(kResidentPopulations) + " populations";
  if (shape.projs.size() > kResidentProjections)
    return "more than " + std::to_string(kResidentProjections) + " projections";
  for (const ResidentPopulation &p : shape.pops) {
    const std::string who = "population '" + p.name + "'";
    if (!p.on_device) return who + " runs on the CPU";
    if (p.model != "lif" && p.model != "eif" && p.model != "poisson")
      return who + " is of model '" + p.model + "' (the resident step takes lif, eif and poisson)";
    if (p.n > kResidentMost)
      return who + " has more than " + std::to_string(kResidentMost) + " neurons";
    if (p.sums_inputs) return who + " has an inputs recorder";
    if (!p.all_fused) return who + " has an input whose synapse is not fused into its step";
  }
  for (const ResidentProjection &q : shape.projs) {
    const std::string who = "projection '" + q.name + "'";
    if (q.plastic) return who + " learns";
    if (!q.fused) return who + " is not fused into its target's step";
    if (q.delivery != Delivery::Ordered && q.delivery != Delivery::Scattered)
      return who + " is delivered by " + describe(q.delivery);
  }
  return "";
}

StepMode step_mode(const char *setting) {
  if (!setting || std::strcmp(setting, "auto") == 0) return StepMode::Auto;
  if (std::strcmp(setting, "graph") == 0) return StepMode::Graph;
  if (std::strcmp(setting, "resident") == 0) return StepMode::Resident;
  throw RunError(std::string("GANGLION_DEVICE_STEP=") + setting +
                 ": say \"auto\" (the default: one kernel a chunk where the network allows it), "
                 "\"graph\" (a CUDA graph of the step's kernels) or \"resident\" (one kernel "
                 "a chunk, refused where the network does not allow it)");
}

} // namespace ganglion::device_plan
