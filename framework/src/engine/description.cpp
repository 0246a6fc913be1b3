// A plugin's description as data (see description.hpp).
#include "engine/description.hpp"

#include <cmath>
#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include "engine/backend.hpp"
#include "experiment/errors.hpp"

namespace ganglion {

namespace {

using Json = nlohmann::ordered_json;

std::string num(double x) {
  if (std::isinf(x)) return x > 0 ? "inf" : "-inf";
  std::ostringstream os;
  os << x;
  return os.str();
}

// A number, or "inf"/"-inf", which JSON has no number for.
Json bound(double x) {
  return std::isinf(x) ? Json(num(x)) : Json(x);
}

std::vector<std::string> choices(const gg_field &f) {
  std::vector<std::string> words;
  std::stringstream ss(f.choices ? f.choices : "");
  for (std::string word; std::getline(ss, word, '|');)
    words.push_back(word);
  return words;
}

std::string range_text(const gg_field &f) {
  if (f.type == GG_TYPE_CHOICE) return std::string("one of ") + f.choices;
  if (std::isinf(f.min) && std::isinf(f.max) && f.min < 0 && f.max > 0) return "any";
  // An infinite end is never reached: write it open, as the loader's messages do.
  const bool open_min = (f.flags & GG_MIN_EXCLUSIVE) || std::isinf(f.min);
  const bool open_max = (f.flags & GG_MAX_EXCLUSIVE) || std::isinf(f.max);
  std::string text(1, open_min ? '(' : '[');
  text += num(f.min) + ", " + num(f.max);
  return text += open_max ? ')' : ']';
}

const char *role_word(int32_t role) {
  switch (role) {
  case GG_ROLE_PARAM: return "param";
  case GG_ROLE_STATE: return "state";
  case GG_ROLE_PER_SYNAPSE: return "per-synapse";
  case GG_ROLE_TRACE: return "trace";
  case GG_ROLE_PRE_TRACE: return "pre-trace";
  }
  return "?";
}

Json field_of(const gg_field &f) {
  Json j = {{"name", f.name}, {"role", role_word(f.role)}, {"unit", f.unit}};
  if (f.type == GG_TYPE_CHOICE) {
    const std::vector<std::string> words = choices(f);
    const auto k = std::size_t(f.default_value);
    j["default"] = k < words.size() ? words[k] : "?";
    j["choices"] = words;
  } else {
    j["default"] = bound(f.default_value);
    j["min"] = bound(f.min);
    j["max"] = bound(f.max);
  }
  j["range"] = range_text(f);
  j["doc"] = f.doc ? f.doc : "";
  return j;
}

// What the descriptor's flags and hooks declare, a line each.
Json properties(const gg_descriptor *d) {
  Json list = Json::array();
  const auto add = [&](const char *key, const std::string &text) {
    list.push_back({{"key", key}, {"text", text}});
  };
  if (d->weight_unit) add("weight", std::string("in ") + d->weight_unit);
  if (d->flags & GG_DESC_SOURCE) add("source", "takes no input");
  if (d->flags & GG_DESC_DRIVE)
    add("drive", "emits no spikes; each step every synapse of its projections takes a "
                 "Poisson(rate dt) count of spikes");
  if (d->flags & GG_DESC_COMPACT_CSR)
    add("storage", "compact (2 bytes a synapse: 16-bit targets onto up to 65536 neurons, a "
                   "constant weight once) unless plasticity or a recorder reads them");
  if (d->flags & GG_DESC_SPLIT_STEP)
    add("delivery", "a large projection may be delivered on several threads at once, by target "
                    "range");
  if (d->flags & GG_DESC_COUNTS)
    add("counts", "takes a drive's c spikes in one step as one arrival of count c (c times the "
                  "weight at once)");
  if (channel_hook(d->cpu))
    add("channel", "where its constants are one for all neurons, its current is computed in the "
                   "step of a neuron that takes channels");
  if (d->flags & GG_DESC_CHECKS_BOUNDS)
    add("bounds", "its step checks its bound-checked state as it writes it");
  if (d->flags & GG_DESC_SPIKES_ONLY)
    add("reads", std::string(d->flags & GG_DESC_PROJECTION ? "weights only" : "spikes only") +
                     " (with several threads the kernel may deliver a step's spikes with the next "
                     "step's neurons in one batch)");
  if (d->flags & GG_DESC_SPLIT_RULE)
    add("split", "with several threads the rule may run by target range, each part with its "
                 "projection's delivery onto the same neurons");
  if (d->flags & GG_DESC_BATCH)
    add("batch", "may hold the members of a sweep's batch (sweep --batch), each element drawing "
                 "as its member's run");
  if (d->flags & GG_DESC_CHANNELS)
    add("channels", "its step computes the current of up to " + std::to_string(GG_MAX_CHANNELS) +
                        " incoming exponential synapses of one kind (their channels) in its own "
                        "pass");
  return list;
}

} // namespace

const LoadedPlugin &plugin_to_describe(const PluginRegistry &reg, const std::string &name,
                                       const std::string &listing) {
  if (const LoadedPlugin *p = reg.find(name)) return *p;
  const std::string why = reg.why_unknown(name);
  throw PluginError("no plugin named '" + clipped(name) + "'" +
                    (why.empty() ? did_you_mean(name, reg.names()) + "; " + listing +
                                       " lists those found (add folders with GANGLION_PLUGIN_PATH)"
                                 : ": " + why));
}

Json describe_plugin(const LoadedPlugin &p) {
  const gg_descriptor *d = p.desc;
  Json j = {{"name", d->name},
            {"kind", kind_name(d->kind)},
            {"version", d->version},
            {"abi", std::to_string(d->abi_major) + "." + std::to_string(d->abi_minor)},
            {"file", p.path},
            {"builtin", std::filesystem::path(p.path).parent_path() ==
                            std::filesystem::path(PluginRegistry::builtin_dir())},
            {"backends", plugin_backends(p)}};
  j["cuda_library"] = has_cuda(p) && !p.cuda_path.empty()
                          ? Json(std::filesystem::path(p.cuda_path).filename().string())
                          : Json(nullptr);
  j["weight_unit"] = d->weight_unit ? Json(d->weight_unit) : Json(nullptr);
  j["properties"] = properties(d);
  j["doc"] = d->doc ? d->doc : "";
  j["fields"] = Json::array();
  for (uint32_t k = 0; k < d->n_fields; ++k)
    j["fields"].push_back(field_of(d->fields[k]));
  return j;
}

} // namespace ganglion
