// Finds and loads plugin libraries (Boost.DLL) and checks their ABI handshake. Search order: the
// built-in folder beside the ganglion library, each folder of GANGLION_PLUGIN_PATH, then files
// or folders an experiment lists under "plugins". A later plugin of the same name replaces an
// earlier one (so a user's plugin can shadow a built-in, with a notice), and `plugins` says which
// one won.
//
// The folders are listed at discovery but their libraries loaded only when needed: a plugin is
// looked up by its file first (libganglion_<name>.so, as ganglion_add_plugin names it), and only
// a name no file gives loads every library. So a run opens the libraries it uses, and a broken
// library it does not use cannot stop it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "ganglion/plugin_abi.h"

namespace ganglion {

struct LoadedPlugin {
  std::string name;
  std::string path; // the .so it came from
  const gg_descriptor *desc = nullptr;
  std::shared_ptr<void> library; // keeps the library mapped while anything uses desc
  uint64_t rank = 0;             // its place in the search order (PluginRegistry sets it)
  std::string replaces;          // the built-in library of its name it replaced, if any
  // Its CUDA companion (gg_descriptor::cuda_library, in the folder of `path`); "" where it names
  // none. The companion is opened on first use, by cuda_hooks() (tests may set `cuda` directly).
  std::string cuda_path;
  mutable const gg_cuda_hooks *cuda = nullptr;
  mutable std::shared_ptr<void> cuda_library;
};

// Thrown for a library that cannot be used; the message names the file and the fix.
struct PluginError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

class PluginRegistry {
public:
  // Lists the built-in folder and GANGLION_PLUGIN_PATH (their libraries load when needed).
  // Libraries there that are not ganglion plugins are skipped with a note in warnings(); an
  // explicit add_path() of one throws.
  static PluginRegistry discover();

  // A file (.so) or a folder of them, as named by an experiment's "plugins" list: loaded now.
  void add_path(const std::string &path);

  // Loads one library and checks it; throws PluginError naming the file and the fix.
  static LoadedPlugin load_library(const std::string &path);

  // nullptr when unknown (why_unknown says what is known). A plugin that replaced a built-in of
  // its name is handed out with a notice (on_notice), once per name; once handed out, a plugin is
  // never replaced (its pointer, and the Experiment holding it, stay what was checked).
  const LoadedPlugin *find(const std::string &name) const;
  // Every plugin: these load every library listed.
  std::vector<std::string> names() const;            // in search order
  std::vector<const LoadedPlugin *> ordered() const; // in search order
  const std::deque<LoadedPlugin> &all() const;       // in the order loaded
  const std::vector<std::string> &warnings() const;
  // What is known about a name find() does not know: "a library of that name, PATH, was
  // skipped: REASON" (an ABI version, a missing hook, ...); "" when nothing.
  std::string why_unknown(const std::string &name) const;
  // Where notices go (a plugin that replaces a built-in); none by default.
  void on_notice(std::function<void(const std::string &)> notice) { notice_ = std::move(notice); }
  static std::string builtin_dir();
  // Adds an already loaded plugin, after everything before it in the search order (a later one
  // of the same name replaces the earlier).
  void add(LoadedPlugin p);

private:
  struct Library { // a library listed at discovery; its rank is its index
    std::string path;
    std::string named; // the <name> of libganglion_<name>.so ("" for other file names)
    bool loaded = false;
  };
  struct Skipped {
    std::string named, path, reason;
  };
  // Loading is lazy, so what find() and the lists see is filled in by const calls.
  mutable std::vector<Library> libraries_;
  mutable std::deque<LoadedPlugin> plugins_; // a deque: pointers from find() stay valid
  mutable std::vector<std::string> warnings_;
  mutable std::vector<Skipped> skipped_;
  mutable std::vector<std::string> handed_out_, noticed_;
  uint64_t next_rank_ = uint64_t(1) << 32; // explicit adds come after every listed library
  std::function<void(const std::string &)> notice_;

  void load(size_t library) const; // a failure is a skip, with a note
  void load_all() const;
  void insert(LoadedPlugin p) const;
  const LoadedPlugin *lookup(const std::string &name) const;
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
// ... and a CUDA hook table's, that of ABI 1.7 (through `update`).
inline constexpr std::size_t kCudaHooksSize17 = offsetof(gg_cuda_hooks, update) + sizeof(void *);

// A hook table's `channel` hook (ABI 1.3), or NULL where it has none or predates it.
inline auto channel_hook(const gg_hooks *h) -> decltype(h->channel) {
  return h && GANGLION_ABI_HAS(h, gg_hooks, channel) ? h->channel : nullptr;
}

// A plugin kind's name ("neuron", "synapse", "plasticity", "recorder"), or NULL for a number the
// ABI does not name (check_descriptor refuses such a plugin, so a loaded one always has a name).
const char *kind_name(int32_t kind);

// The index of the field named `name` in descriptor d's table, or -1 (also for a NULL d).
int field_index(const gg_descriptor *d, const char *name);

// Whether plugin p has a CUDA implementation: a companion library that it names and that exists
// (or hooks already set).
bool has_cuda(const LoadedPlugin &p);

// Why p has no CUDA implementation, for a message: "it names none" or "its companion library
// PATH is missing".
std::string why_no_cuda(const LoadedPlugin &p);

// p's CUDA hooks, from its companion library, opened on the first call and checked
// (check_cuda_hooks). Throws PluginError naming the file and the fix.
const gg_cuda_hooks *cuda_hooks(const LoadedPlugin &p);

// The CUDA major version this ganglion's device side is built with (13 for CUDA 13.x), which a
// companion must share; 0 where ganglion is built without CUDA (then no major is refused).
int cuda_runtime_major();

// The checks of a companion's hook table against this kernel and the plugin it belongs to (its
// kind's required hooks, the ABI version, the CUDA runtime's major version where this ganglion
// has a device engine), for tests too. `path` is the companion's. Throws PluginError.
void check_cuda_hooks(const gg_cuda_hooks *h, const gg_descriptor *d, const std::string &path);

// The checks of a descriptor against this kernel (ABI version, required hooks, field table),
// separate from loading so tests can run them on hand-made descriptors. Throws PluginError.
void check_descriptor(const gg_descriptor *d, const std::string &path);

} // namespace ganglion
