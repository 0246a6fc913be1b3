#include "models/harness.hpp"

#if __has_include(<dlfcn.h>)
#include <dlfcn.h>
#endif

namespace ganglion::test {

const LoadedPlugin &find_plugin(const PluginRegistry &registry, const char *name) {
  const LoadedPlugin *p = registry.find(name);
  REQUIRE_MESSAGE(p != nullptr, "built-in plugin '" << name << "' not found");
  REQUIRE(p->desc->cpu != nullptr);
  return *p;
}

const gg_descriptor *builtin_descriptor(const char *name) {
  static const PluginRegistry registry = PluginRegistry::discover();
  if (const LoadedPlugin *p = registry.find(name)) return p->desc;
#if __has_include(<dlfcn.h>)
  const std::string path = PluginRegistry::builtin_dir() + "/libganglion_" + name + ".so";
  void *lib = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL); // kept open for the whole run
  REQUIRE_MESSAGE(lib != nullptr, "cannot open " << path);
  auto entry = reinterpret_cast<gg_entry_fn>(dlsym(lib, GG_ENTRY_SYMBOL));
  REQUIRE(static_cast<bool>(entry));
  return entry();
#else
  FAIL("built-in plugin '" << name << "' not found");
  return nullptr;
#endif
}

PluginInstance::PluginInstance(const gg_descriptor *d, uint64_t n_, double dt, uint64_t n_pre)
    : desc(d), n(n_) {
  for (uint32_t k = 0; k < desc->n_fields; ++k) {
    const uint64_t size = desc->fields[k].role == GG_ROLE_PRE_TRACE ? n_pre : n;
    data.emplace_back((size + 7) / 8 * 8, desc->fields[k].default_value);
  }
  for (auto &f : data) ptrs.push_back(f.data());
  view.struct_size = sizeof(gg_view);
  view.backend = GG_BACKEND_CPU;
  view.n = n;
  view.n_pre = n_pre;
  view.dt = dt;
  view.fields = ptrs.data();
  view.n_fields = uint32_t(ptrs.size());
}

uint32_t PluginInstance::index(const std::string &name) const {
  for (uint32_t k = 0; k < desc->n_fields; ++k)
    if (name == desc->fields[k].name) return k;
  FAIL("plugin '" << desc->name << "' has no field '" << name << "'");
  return 0;
}

void PluginInstance::set(const std::string &name, double value) {
  for (uint64_t i = 0; i < n; ++i) data[index(name)][i] = value;
}

void PluginInstance::call(gg_status (*hook)(const gg_view *, gg_error *)) {
  if (!hook) return;
  const gg_status s = hook(&view, &err);
  INFO(message);
  REQUIRE(s == GG_OK);
}

NeuronInstance::NeuronInstance(const LoadedPlugin &plugin, uint64_t n_, double dt)
    : PluginInstance(plugin, n_, dt) {
  const uint64_t padded = (n + 7) / 8 * 8;
  input.assign(padded, 0.0);
  spikes.assign(padded, 0);
  view.input = input.data();
  view.spikes = spikes.data();
  view.n_spikes = &n_spikes;
  view.spike_capacity = padded;
}

AllToAll::AllToAll(uint64_t pre, uint64_t post, float w) {
  row_ptr.push_back(0);
  for (uint64_t i = 0; i < pre; ++i) {
    for (uint64_t j = 0; j < post; ++j) {
      post_index.push_back(uint32_t(j));
      weight.push_back(w);
    }
    row_ptr.push_back(post_index.size());
  }
}

std::vector<gg_arrival> arrivals_of(const std::vector<uint32_t> &spiking, const uint64_t *row_ptr) {
  std::vector<gg_arrival> out;
  for (uint32_t i : spiking) out.push_back({row_ptr[i], row_ptr[i + 1], i, 1});
  return out;
}

std::vector<uint32_t> spikes_at(const std::vector<uint64_t> &steps, uint64_t k) {
  std::vector<uint32_t> out;
  for (uint64_t s : steps)
    if (s == k) out.push_back(0);
  return out;
}

ByPost by_post(const std::vector<uint64_t> &row_ptr, const std::vector<uint32_t> &post_index,
               uint64_t n_post) {
  ByPost b;
  b.col_ptr.assign(n_post + 1, 0);
  for (uint32_t j : post_index)
    ++b.col_ptr[j + 1];
  for (uint64_t j = 0; j < n_post; ++j)
    b.col_ptr[j + 1] += b.col_ptr[j];
  b.col_synapse.resize(post_index.size());
  b.col_pre.resize(post_index.size());
  std::vector<uint64_t> fill(b.col_ptr.begin(), b.col_ptr.end() - 1);
  for (uint64_t i = 0; i + 1 < row_ptr.size(); ++i)
    for (uint64_t s = row_ptr[i]; s < row_ptr[i + 1]; ++s) {
      const uint64_t at = fill[post_index[s]]++;
      b.col_synapse[at] = s;
      b.col_pre[at] = uint32_t(i);
    }
  return b;
}

PlasticityInstance::PlasticityInstance(const gg_descriptor *d, uint64_t pre, uint64_t post, float w,
                                       double dt, const char *projection)
    : PluginInstance(d, post, dt, pre), AllToAll(pre, post, w), n_post(post), n_pre(pre),
      by_post_index(by_post(row_ptr, post_index, n_post)) {
  attach(view);
  view.plastic_weight = weight.data();
  view.n_synapses = weight.size();
  view.col_ptr = by_post_index.col_ptr.data();
  view.col_synapse = by_post_index.col_synapse.data();
  view.col_pre = by_post_index.col_pre.data();
  view.projection = projection;
  view.learning = 1;
}

void PlasticityInstance::step(uint64_t k, const std::vector<uint32_t> &pre,
                              const std::vector<uint32_t> &post) {
  pre_spikes = pre;
  post_spikes = post;
  view.pre_spikes = pre_spikes.data();
  view.n_pre_spikes = pre_spikes.size();
  view.post_spikes = post_spikes.data();
  view.n_post_spikes = post_spikes.size();
  PluginInstance::step(k);
}

std::vector<double> default_values(const gg_descriptor *d) {
  std::vector<double> values;
  for (uint32_t k = 0; k < d->n_fields; ++k)
    values.push_back(d->fields[k].default_value);
  return values;
}

} // namespace ganglion::test
