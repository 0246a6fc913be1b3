// The "plugins" list (libraries or folders added to the registry before anything names them),
// and naming a plugin of one kind: a neuron model, a synapse, a plasticity rule, a recorder type.
#include <filesystem>

#include "experiment/loader_internal.hpp"

namespace ganglion::loading {

void Loader::load_plugins(const Json &doc, Json &resolved) {
  const Json *plugins = member(doc, "plugins");
  Json list = Json::array();
  if (plugins) {
    if (!plugins->is_array())
      fail("/plugins", "expected a list of plugin libraries or folders, like "
                       "[\"build/libmy_neuron.so\"], got " +
                           shown(*plugins));
    for (size_t k = 0; k < plugins->size(); ++k) {
      std::string pointer = child("/plugins", k);
      std::filesystem::path path = get_string((*plugins)[k], pointer);
      if (path.is_relative() && !base_dir_.empty()) path = std::filesystem::path(base_dir_) / path;
      path = std::filesystem::absolute(path).lexically_normal();
      try {
        registry_.add_path(path.string());
      } catch (const PluginError &e) {
        fail(pointer, e.what());
      } catch (const std::exception &e) {
        fail(pointer, "cannot load " + path.string() + ": " + e.what());
      }
      // Absolute, so the resolved experiment in an output file names the library that ran.
      list.push_back(path.string());
    }
  }
  resolved["plugins"] = std::move(list);
}

// The plugin `name` of `kind`; `noun` names the kind in messages ("neuron model").
const LoadedPlugin *Loader::find_plugin(const std::string &name, int kind,
                                        const std::string &pointer, const std::string &noun) const {
  const LoadedPlugin *plugin = registry_.find(name);
  if (plugin && plugin->desc->kind == kind) return plugin;
  // The rest is for messages: the lists load every library.
  std::vector<std::string> of_kind;
  for (const LoadedPlugin *p : registry_.ordered())
    if (p->desc && p->desc->kind == kind) of_kind.push_back(p->name);
  if (plugin)
    fail(pointer, "'" + name + "' is a " + kind_name(plugin->desc->kind) + " plugin, not a " +
                      noun + "; " + noun + "s: " + join_list(of_kind));
  const std::string why = registry_.why_unknown(name);
  if (!why.empty()) fail(pointer, "unknown " + noun + " '" + clipped(name) + "': " + why);
  fail(pointer, "unknown " + noun + " '" + clipped(name) + "'" + did_you_mean(name, of_kind) +
                    "; known: " + join_list(of_kind) +
                    ". For a plugin of your own, list its library (or its folder) under "
                    "\"plugins\" in the experiment, or put its folder on GANGLION_PLUGIN_PATH");
}

} // namespace ganglion::loading
