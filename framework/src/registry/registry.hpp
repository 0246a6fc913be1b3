// Finds and loads plugin libraries (Boost.DLL) and checks their ABI handshake. Search order: the
// built-in folder beside the ganglion library, each folder of GANGLION_PLUGIN_PATH, then files
// or folders an experiment lists under "plugins". A later plugin of the same name replaces an
// earlier one (so a user's plugin can shadow a built-in), and `plugins` says which one won.
#pragma once

#include <cstddef>
#include <deque>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "ganglion/plugin_abi.h"

namespace ganglion {

struct LoadedPlugin {
  std::string name;
  std::string path;                  // the .so it came from
  const gg_descriptor *desc = nullptr;
  std::shared_ptr<void> library;     // keeps the library mapped while anything uses desc
};

// Thrown for a library that cannot be used; the message names the file and the fix.
struct PluginError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

class PluginRegistry {
public:
  // Loads the built-in folder and GANGLION_PLUGIN_PATH. Libraries there that are not ganglion
  // plugins are skipped with a note in warnings(); an explicit add_path() of one throws.
  static PluginRegistry discover();

  // A file (.so) or a folder of them, as named by an experiment's "plugins" list.
  void add_path(const std::string &path);

  // Loads one library and checks it; throws PluginError naming the file and the fix.
  static LoadedPlugin load_library(const std::string &path);

  const LoadedPlugin *find(const std::string &name) const; // nullptr when unknown
  std::vector<std::string> names() const;
  const std::deque<LoadedPlugin> &all() const { return plugins_; }
  const std::vector<std::string> &warnings() const { return warnings_; }
  static std::string builtin_dir();
  // Adds an already loaded plugin (a later one of the same name replaces the earlier).
  void add(LoadedPlugin p);

private:
  std::deque<LoadedPlugin> plugins_; // a deque: pointers from find() stay valid as plugins are added
  std::vector<std::string> warnings_;
};

// Whether an ABI struct that starts with `struct_size` (a descriptor, a hook table) holds
// `member`. A minor version only appends members, so a plugin built for an older minor hands the
// kernel a shorter struct: read a member appended after ABI 1.0 only where this holds.
#define GANGLION_ABI_HAS(ptr, type, member)                                                        \
  ((ptr)->struct_size >= offsetof(type, member) + sizeof((ptr)->member))

// The smallest structs the kernel accepts: those of ABI 1.0, the descriptor through `cuda` and a
// hook table through `update`. Everything the kernel reads unconditionally lies within them.
inline constexpr std::size_t kDescriptorSize10 = offsetof(gg_descriptor, cuda) + sizeof(void *);
inline constexpr std::size_t kHooksSize10 = offsetof(gg_hooks, update) + sizeof(void *);

// A hook table's `channel` hook (ABI 1.3), or NULL where it has none or predates it.
inline auto channel_hook(const gg_hooks *h) -> decltype(h->channel) {
  return h && GANGLION_ABI_HAS(h, gg_hooks, channel) ? h->channel : nullptr;
}

// A plugin kind's name ("neuron", "synapse", "plasticity", "recorder"), or NULL for a number the
// ABI does not name (check_descriptor refuses such a plugin, so a loaded one always has a name).
const char *kind_name(int32_t kind);

// The index of the field named `name` in descriptor d's table, or -1 (also for a NULL d).
int field_index(const gg_descriptor *d, const char *name);

// The checks of a descriptor against this kernel (ABI version, required hooks, field table),
// separate from loading so tests can run them on hand-made descriptors. Throws PluginError.
void check_descriptor(const gg_descriptor *d, const std::string &path);

} // namespace ganglion
