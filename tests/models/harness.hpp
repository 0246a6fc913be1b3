// A harness for driving a plugin's C ABI hooks directly (no engine): the plugin's descriptor from
// the registry, its fields as arrays of n doubles as the kernel would own them, a gg_view built by
// hand, all-to-all connectivity in CSR by presynaptic neuron (and the by-post index plasticity
// rules get), and hook calls whose status is REQUIREd to be GG_OK.
#pragma once

#include <doctest/doctest.h>

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "registry/registry.hpp"

namespace ganglion::test {

// Whether n doubles have the same bits (what "the same results" means between two backends).
inline bool same_bits(const double *a, const double *b, uint64_t n) {
  return std::memcmp(a, b, n * sizeof(double)) == 0;
}

// The built-in plugin `name` with a CPU implementation, REQUIREd to be in the registry.
const LoadedPlugin &find_plugin(const PluginRegistry &registry, const char *name);

// The built-in plugin's descriptor: from the registry, or (when the registry skipped the library,
// see the plasticity rules' check_descriptor tests) straight from the built-in library
// libganglion_<name>.so, so that its hooks are tested either way.
const gg_descriptor *builtin_descriptor(const char *name);

// One value per field, each its default: what a validate hook takes, before a test changes some.
std::vector<double> default_values(const gg_descriptor *d);

// A plugin instance of n elements with its fields, as the kernel would own them: n values each
// (n_pre for a plasticity rule's presynaptic traces), padded to a multiple of 8 as the ABI pads
// arrays, filled with the fields' defaults.
struct PluginInstance {
  const gg_descriptor *desc = nullptr;
  uint64_t n = 0;
  std::vector<std::vector<double>> data;
  std::vector<double *> ptrs;
  gg_view view{};
  char message[1024] = "";
  gg_error err{message, sizeof message};

  PluginInstance(const PluginInstance &) = delete; // `err` and the view point into this object
  PluginInstance &operator=(const PluginInstance &) = delete;
  PluginInstance(const gg_descriptor *d, uint64_t n_, double dt, uint64_t n_pre = 0);
  PluginInstance(const LoadedPlugin &plugin, uint64_t n_, double dt)
      : PluginInstance(plugin.desc, n_, dt) {}

  uint32_t index(const std::string &name) const;
  // Sets field `name` of every element (a choice by its index in "a|b").
  void set(const std::string &name, double value);
  double *field(const std::string &name) { return data[index(name)].data(); }
  // Calls `hook` (nothing when it is NULL) and REQUIREs GG_OK, with the plugin's message.
  void call(gg_status (*hook)(const gg_view *, gg_error *));
  gg_status try_init() { return desc->cpu->init(&view, &err); }
  void init() { call(desc->cpu->init); }
  void step(uint64_t k) {
    view.step = k;
    view.t = double(k) * view.dt;
    call(desc->cpu->step);
  }
};

// A neuron population: an instance with its input (zero) and room for a spike per element;
// step() clears the spike count first.
struct NeuronInstance : PluginInstance {
  std::vector<double> input;
  std::vector<uint32_t> spikes;
  uint64_t n_spikes = 0;

  NeuronInstance(const LoadedPlugin &plugin, uint64_t n_, double dt);
  void step(uint64_t k) {
    n_spikes = 0;
    PluginInstance::step(k);
  }
};

// Connectivity in CSR by presynaptic neuron: every one of `pre` neurons to every one of `post`.
struct AllToAll {
  std::vector<uint64_t> row_ptr;
  std::vector<uint32_t> post_index;
  std::vector<float> weight;
  AllToAll(uint64_t pre, uint64_t post, float w);
  void attach(gg_view &v) const {
    v.row_ptr = row_ptr.data();
    v.post_index = post_index.data();
    v.weight = weight.data();
  }
};

// The by-post index of a CSR (rows by presynaptic neuron) as the engine builds it: col_ptr
// (n_post + 1 bounds), and for each postsynaptic neuron its synapses (col_synapse) and their
// presynaptic neurons (col_pre), in row order.
struct ByPost {
  std::vector<uint64_t> col_ptr, col_synapse;
  std::vector<uint32_t> col_pre;
};
ByPost by_post(const std::vector<uint64_t> &row_ptr, const std::vector<uint32_t> &post_index,
               uint64_t n_post);

// What the kernel hands a synapse for presynaptic spikes: one CSR range per spike (a repeated
// index is two spikes), all with the delay of one step.
std::vector<gg_arrival> arrivals_of(const std::vector<uint32_t> &spiking, const uint64_t *row_ptr);

// Neuron 0 once for each of `steps` equal to k: the spikes of step k.
std::vector<uint32_t> spikes_at(const std::vector<uint64_t> &steps, uint64_t k);

// A plasticity rule's instance on an all-to-all projection n_pre -> n_post of weight w (n =
// n_post), with the projection's CSR and its by-post index as the engine builds it, learning on.
struct PlasticityInstance : PluginInstance, AllToAll {
  uint64_t n_post, n_pre;
  ByPost by_post_index; // by postsynaptic neuron, as the engine builds it
  std::vector<uint32_t> pre_spikes, post_spikes;

  PlasticityInstance(const gg_descriptor *d, uint64_t pre, uint64_t post, float w, double dt,
                     const char *projection);
  // Step k with these spikes (indices may repeat: several spikes in one step).
  void step(uint64_t k, const std::vector<uint32_t> &pre, const std::vector<uint32_t> &post);
  // Steps 0 .. last with neuron 0 spiking on the given steps on each side.
  void run(uint64_t last, const std::vector<uint64_t> &pre, const std::vector<uint64_t> &post) {
    for (uint64_t k = 0; k <= last; ++k) step(k, spikes_at(pre, k), spikes_at(post, k));
  }
};

} // namespace ganglion::test
