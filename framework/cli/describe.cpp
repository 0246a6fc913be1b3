// `ganglion describe PLUGIN` (a plugin's fields, units, defaults and ranges) and `ganglion
// plugins` (the plugins found, where, their ABI version).
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <sstream>
#include <string>

#include "commands.hpp"
#include "engine/backend.hpp"
#include "experiment/errors.hpp"

namespace ganglion::cli {

namespace {

// "cpu, cuda (libganglion_lif_cuda.so)": the companion's file where the plugin has one.
std::string backends(const LoadedPlugin &p) {
  std::string s = join_list(plugin_backends(p));
  if (has_cuda(p) && !p.cuda_path.empty())
    s += " (" + std::filesystem::path(p.cuda_path).filename().string() + ")";
  return s;
}

std::string num(double x) {
  if (std::isinf(x)) return x > 0 ? "inf" : "-inf";
  std::ostringstream os;
  os << x;
  return os.str();
}

std::string range_text(const gg_field &f) {
  if (f.type == GG_TYPE_CHOICE) return std::string("one of ") + f.choices;
  if (std::isinf(f.min) && std::isinf(f.max) && f.min < 0 && f.max > 0) return "any";
  // An infinite end is never reached: write it open, as the loader's messages do.
  const bool open_min = (f.flags & GG_MIN_EXCLUSIVE) || std::isinf(f.min);
  const bool open_max = (f.flags & GG_MAX_EXCLUSIVE) || std::isinf(f.max);
  std::string text = open_min ? "(" : "[";
  text += num(f.min) + ", " + num(f.max);
  text += open_max ? ")" : "]";
  return text;
}

std::string default_text(const gg_field &f) {
  if (f.type != GG_TYPE_CHOICE) return num(f.default_value);
  std::stringstream ss(f.choices);
  std::string word;
  for (int i = 0; std::getline(ss, word, '|'); ++i)
    if (i == int(f.default_value)) return word;
  return "?";
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

// The heading: name, kind, version, file, backends, and a line for each property the
// descriptor's flags and hooks declare.
void print_heading(const LoadedPlugin &p) {
  const gg_descriptor *d = p.desc;
  std::cout << d->name << " (" << kind_name(d->kind) << " plugin, version " << d->version
            << ", ABI " << d->abi_major << "." << d->abi_minor << ")\n"
            << "  file:     " << p.path << "\n"
            << "  backends: " << backends(p) << "\n";
  if (d->weight_unit) std::cout << "  weight:   in " << d->weight_unit << "\n";
  if (d->flags & GG_DESC_SOURCE) std::cout << "  source:   takes no input\n";
  if (d->flags & GG_DESC_DRIVE)
    std::cout << "  drive:    emits no spikes; each step every synapse of its projections takes a "
                 "Poisson(rate dt) count of spikes\n";
  if (d->flags & GG_DESC_COMPACT_CSR)
    std::cout << "  storage:  compact (2 bytes a synapse: 16-bit targets onto up to 65536 "
                 "neurons, a constant weight once) unless plasticity or a recorder reads them\n";
  if (d->flags & GG_DESC_SPLIT_STEP)
    std::cout << "  delivery: a large projection may be delivered on several threads at once, by "
                 "target range\n";
  if (d->flags & GG_DESC_COUNTS)
    std::cout << "  counts:   takes a drive's c spikes in one step as one arrival of count c (c "
                 "times the weight at once)\n";
  if (channel_hook(d->cpu))
    std::cout << "  channel:  where its constants are one for all neurons, its current is computed "
                 "in the step of a neuron that takes channels\n";
  if (d->flags & GG_DESC_CHECKS_BOUNDS)
    std::cout << "  bounds:   its step checks its bound-checked state as it writes it\n";
  if (d->flags & GG_DESC_SPIKES_ONLY)
    std::cout << "  reads:    " << (d->flags & GG_DESC_PROJECTION ? "weights only" : "spikes only")
              << " (with several threads the kernel may deliver a step's spikes with the next "
                 "step's neurons in one batch)\n";
  if (d->flags & GG_DESC_SPLIT_RULE)
    std::cout << "  split:    with several threads the rule may run by target range, each part "
                 "with its projection's delivery onto the same neurons\n";
  if (d->flags & GG_DESC_CHANNELS)
    std::cout << "  channels: its step computes the current of up to " << GG_MAX_CHANNELS
              << " incoming exponential synapses of one kind (their channels) in its own pass\n";
  std::cout << "\n  " << d->doc << "\n\n";
}

// The fields as a table, its first column as wide as the longest field name.
void print_fields(const gg_descriptor *d) {
  int name_w = 12;
  for (uint32_t k = 0; k < d->n_fields; ++k)
    name_w = std::max(name_w, int(std::strlen(d->fields[k].name)));
  std::printf("  %-*s %-9s %-7s %-14s %-22s %s\n", name_w, "field", "role", "unit", "default",
              "range", "meaning");
  for (uint32_t k = 0; k < d->n_fields; ++k) {
    const gg_field &f = d->fields[k];
    std::printf("  %-*s %-9s %-7s %-14s %-22s %s\n", name_w, f.name, role_word(f.role), f.unit,
                default_text(f).c_str(), range_text(f).c_str(), f.doc ? f.doc : "");
  }
  std::cout << "\n  Set params under \"params\", initial values of state under \"init\"; a bare "
               "number is in the unit shown, or write the unit (\"15 ms\").\n";
}

} // namespace

int describe(const PluginRegistry &reg, const std::string &name) {
  const LoadedPlugin *p = reg.find(name);
  if (!p) {
    const std::string why = reg.why_unknown(name);
    if (!why.empty())
      std::cerr << "ganglion: no plugin named '" << clipped(name) << "': " << why << "\n";
    else
      std::cerr << "ganglion: no plugin named '" << clipped(name) << "'"
                << did_you_mean(name, reg.names())
                << "; `ganglion plugins` lists those found (add folders with "
                   "GANGLION_PLUGIN_PATH)\n";
    return kBadInput;
  }
  print_heading(*p);
  if (p->desc->n_fields == 0) {
    std::cout << "  (no fields)\n";
    return 0;
  }
  print_fields(p->desc);
  return 0;
}

int list_plugins(const PluginRegistry &reg) {
  std::printf("%-16s %-10s %-5s %-10s %s\n", "plugin", "kind", "ABI", "backends", "file");
  for (const LoadedPlugin *p : reg.ordered())
    std::printf("%-16s %-10s %u.%-3u %-10s %s\n", p->name.c_str(), kind_name(p->desc->kind),
                p->desc->abi_major, p->desc->abi_minor, join_list(plugin_backends(*p)).c_str(),
                p->path.c_str());
  for (const auto &w : reg.warnings())
    std::cerr << "note: " << w << "\n";
  std::cout
      << "\nbuilt-in folder: " << PluginRegistry::builtin_dir()
      << "\nmore folders: GANGLION_PLUGIN_PATH (separated by ':') and a config's \"plugins\"\n";
  return 0;
}

} // namespace ganglion::cli
