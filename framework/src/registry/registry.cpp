// Plugin discovery, loading (Boost.DLL) and the ABI handshake; see registry.hpp.
#include "registry/registry.hpp"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <set>
#include <sstream>

#include <boost/dll/runtime_symbol_info.hpp>
#include <boost/dll/shared_library.hpp>

#include "engine/faults.hpp"

namespace ganglion {
namespace fs = std::filesystem;

namespace {

std::string where(const gg_descriptor *d, const std::string &path) {
  std::string name = d && d->name ? d->name : "?";
  return "plugin '" + name + "' (" + path + ")";
}

void check_hooks(const gg_descriptor *d, const gg_hooks *h, const char *backend,
                 const std::string &path) {
  if (!h) return;
  if (h->struct_size < kHooksSize10)
    throw PluginError(where(d, path) + ": its '" + backend + "' hook table is " +
                      std::to_string(h->struct_size) + " bytes, smaller than the " +
                      std::to_string(kHooksSize10) +
                      " bytes every ABI 1.x table has (through 'update'); rebuild the plugin "
                      "against this SDK");
  std::vector<const char *> missing;
  if (!h->step) missing.push_back("step");
  if (d->kind == GG_KIND_SYNAPSE && !h->current) missing.push_back("current");
  for (const char *m : missing)
    throw PluginError(where(d, path) + ": the '" + backend + "' hooks lack '" + m + "', which a " +
                      kind_name(d->kind) + " plugin must provide");
}

// The descriptor's companion file name, where its struct_size covers it and it names one.
const char *cuda_library_of(const gg_descriptor *d) {
  return GANGLION_ABI_HAS(d, gg_descriptor, cuda_library) && d->cuda_library && *d->cuda_library
             ? d->cuda_library
             : nullptr;
}

std::vector<std::string> split_path_list(const char *s) {
  std::vector<std::string> out;
  if (!s) return out;
  std::stringstream ss(s);
  std::string item;
  while (std::getline(ss, item, ':'))
    if (!item.empty()) out.push_back(item);
  return out;
}

bool is_library(const fs::path &p) {
  return p.extension() == ".so" && fs::is_regular_file(p);
}

// X_cuda.so beside X.so: a plugin's CUDA companion (as ganglion_add_plugin names it), which is
// opened through its plugin, never as a plugin of its own.
bool is_companion(const fs::path &p) {
  const std::string stem = p.stem().string(), suffix = "_cuda";
  return stem.size() > suffix.size() &&
         stem.compare(stem.size() - suffix.size(), suffix.size(), suffix) == 0 &&
         fs::exists(p.parent_path() / (stem.substr(0, stem.size() - suffix.size()) + ".so"));
}

// The plugin libraries of a folder, sorted: which one wins must not vary.
std::vector<fs::path> libraries_in(const fs::path &dir) {
  std::vector<fs::path> files;
  for (const auto &e : fs::directory_iterator(dir))
    if (is_library(e.path()) && !is_companion(e.path())) files.push_back(e.path());
  std::sort(files.begin(), files.end());
  return files;
}

// "lif" for libganglion_lif.so, "" for a library named otherwise.
std::string named(const fs::path &file) {
  const std::string stem = file.stem().string(), prefix = "libganglion_";
  return stem.rfind(prefix, 0) == 0 ? stem.substr(prefix.size()) : "";
}

bool is_builtin(const std::string &path) {
  return fs::path(path).parent_path().lexically_normal().string() == PluginRegistry::builtin_dir();
}

} // namespace

const char *kind_name(int32_t kind) {
  switch (kind) {
  case GG_KIND_NEURON: return "neuron";
  case GG_KIND_SYNAPSE: return "synapse";
  case GG_KIND_PLASTICITY: return "plasticity";
  case GG_KIND_RECORDER: return "recorder";
  default: return nullptr;
  }
}

int field_index(const gg_descriptor *d, const char *name) {
  for (uint32_t k = 0; d && k < d->n_fields; ++k)
    if (std::strcmp(d->fields[k].name, name) == 0) return int(k);
  return -1;
}

void check_descriptor(const gg_descriptor *d, const std::string &path) {
  if (!d)
    throw PluginError(path + ": its entry point " GG_ENTRY_SYMBOL
                             " returned no descriptor; it must return the address of a static "
                             "gg_descriptor");
  // Read the version first: it is at the same place in every ABI, and decides what else is safe
  // to read.
  const std::string kernel = std::to_string(GG_ABI_MAJOR) + "." + std::to_string(GG_ABI_MINOR);
  const std::string theirs = std::to_string(d->abi_major) + "." + std::to_string(d->abi_minor);
  if (d->abi_major != GG_ABI_MAJOR)
    throw PluginError(
        path + ": built for plugin ABI " + theirs + ", but this ganglion speaks ABI " + kernel +
        " (the major versions must match): rebuild the plugin against " + "this ganglion's SDK");
  if (d->abi_minor > GG_ABI_MINOR)
    throw PluginError(path + ": built for plugin ABI " + theirs + ", newer than this ganglion's " +
                      kernel + ": upgrade ganglion, or rebuild the plugin against the SDK of " +
                      "this ganglion");
  // An older minor's descriptor may be shorter than this kernel's (a minor version only appends),
  // but never shorter than ABI 1.0's.
  if (d->struct_size < kDescriptorSize10)
    throw PluginError(path + ": its descriptor is " + std::to_string(d->struct_size) +
                      " bytes, smaller than the " + std::to_string(kDescriptorSize10) +
                      " bytes every ABI 1.x descriptor has (through 'cuda'); rebuild it against "
                      "this SDK");
  if (!d->name || !*d->name)
    throw PluginError(path + ": its descriptor has no name; set gg_descriptor.name");
  if (!kind_name(d->kind))
    throw PluginError(where(d, path) + ": unknown kind " + std::to_string(d->kind) +
                      " (neuron = 1, synapse = 2, plasticity = 3, recorder = 4)");
  if (d->cuda)
    throw PluginError(where(d, path) +
                      ": its descriptor sets 'cuda', which ganglion does not read: CUDA hooks come "
                      "from a companion library that 'cuda_library' names (ABI 1.7); build it "
                      "with ganglion_add_plugin(... CUDA_SOURCES ...) and GANGLION_CUDA_PLUGIN");
  if (!d->cpu && !cuda_library_of(d))
    throw PluginError(where(d, path) + ": it has no implementation: give a 'cpu' hook table or " +
                      "a CUDA companion library ('cuda_library')");
  check_hooks(d, d->cpu, "cpu", path);
  if (d->kind == GG_KIND_SYNAPSE && (!d->weight_unit || !*d->weight_unit))
    throw PluginError(where(d, path) + ": a synapse must state its weight_unit (e.g. \"mV\")");
  if (d->n_fields && !d->fields)
    throw PluginError(where(d, path) + ": n_fields is " + std::to_string(d->n_fields) +
                      " but fields is NULL");
  std::set<std::string> seen;
  for (uint32_t k = 0; k < d->n_fields; ++k) {
    const gg_field &f = d->fields[k];
    const std::string at = where(d, path) + ": field " + std::to_string(k);
    if (!f.name || !*f.name) throw PluginError(at + " has no name");
    if (!seen.insert(f.name).second)
      throw PluginError(at + " '" + f.name + "' is listed twice; field names must be unique");
    if (!f.unit) throw PluginError(at + " '" + f.name + "' has no unit; use \"1\" for none");
    if (f.role < GG_ROLE_PARAM || f.role > GG_ROLE_PRE_TRACE)
      throw PluginError(at + " '" + f.name + "' has an unknown role " + std::to_string(f.role));
    if (f.type == GG_TYPE_CHOICE && (!f.choices || !*f.choices))
      throw PluginError(at + " '" + f.name + "' is a choice without choices (\"a|b\")");
    if (f.type != GG_TYPE_F64 && f.type != GG_TYPE_CHOICE && f.type != GG_TYPE_SEQUENCE)
      throw PluginError(at + " '" + f.name + "' has an unknown type " + std::to_string(f.type));
  }
}

namespace {

// Opens the library at `path` (every symbol bound now, none shared with other libraries); on
// failure returns NULL with the loader's reason in `why`.
std::shared_ptr<boost::dll::shared_library> open_library(const std::string &path,
                                                         std::string &why) {
  auto lib = std::make_shared<boost::dll::shared_library>();
  boost::dll::fs::error_code ec;
  lib->load(path, boost::dll::load_mode::rtld_now | boost::dll::load_mode::rtld_local, ec);
  if (!ec) return lib;
  why = ec.message();
  return nullptr;
}

} // namespace

LoadedPlugin PluginRegistry::load_library(const std::string &path) {
  // A library's constructors and descriptor function run here: a crash in them names the file.
  const faults::OpeningLibrary opening(path.c_str(), 3);
  std::string why;
  const auto lib = open_library(path, why);
  if (!lib)
    throw PluginError(path + ": cannot be loaded as a shared library (" + why +
                      "): is it a plugin built for this machine?");
  if (!lib->has(GG_ENTRY_SYMBOL))
    throw PluginError(path + ": not a ganglion plugin: it does not export '" GG_ENTRY_SYMBOL
                             "' (build it with ganglion_add_plugin() and GANGLION_PLUGIN(Type))");
  auto entry = lib->get<const gg_descriptor *()>(GG_ENTRY_SYMBOL);
  const gg_descriptor *d = entry();
  check_descriptor(d, path);
  LoadedPlugin p;
  p.name = d->name;
  p.path = fs::absolute(path).lexically_normal().string();
  p.desc = d;
  p.library = lib;
  if (const char *companion = cuda_library_of(d))
    p.cuda_path = (fs::path(p.path).parent_path() / companion).lexically_normal().string();
  return p;
}

int cuda_runtime_major() {
#ifdef GANGLION_CUDA_RUNTIME_MAJOR
  return GANGLION_CUDA_RUNTIME_MAJOR;
#else
  return 0;
#endif
}

bool has_cuda(const LoadedPlugin &p) {
  return p.cuda || (!p.cuda_path.empty() && fs::exists(p.cuda_path));
}

std::string why_no_cuda(const LoadedPlugin &p) {
  if (has_cuda(p)) return "";
  return p.cuda_path.empty() ? "it names none"
                             : "its companion library " + p.cuda_path + " is missing";
}

namespace {

// A synapse's CUDA hooks deliver its arrivals by `step` or declare the form the kernel delivers
// (GG_CUDA_ARRIVAL_FORM), one or the other, with fields of its own table.
void check_cuda_synapse(const gg_cuda_hooks *h, const gg_descriptor *d, const std::string &at) {
  const bool form =
      GANGLION_ABI_HAS(h, gg_cuda_hooks, arrival_scale) && (h->flags & GG_CUDA_ARRIVAL_FORM);
  if (!form && !h->step)
    throw PluginError(at + ": its hooks lack 'step' and declare no arrivals; a synapse must "
                           "provide one (ganglion::cuda::Arrivals)");
  if (!form) return;
  if (h->step)
    throw PluginError(at + ": it declares its arrivals (GG_CUDA_ARRIVAL_FORM) and a 'step' too; "
                           "the kernel delivers declared arrivals: drop the step");
  const auto field = [&](int32_t k) { return k >= 0 && uint32_t(k) < d->n_fields; };
  if (h->arrival_target == GG_ARRIVAL_POST_V && !(d->flags & GG_DESC_WRITES_POST_V))
    throw PluginError(at + ": its arrivals add to the postsynaptic V, but its descriptor does not "
                           "say GG_DESC_WRITES_POST_V (writes_post_v = true)");
  if (h->arrival_target != GG_ARRIVAL_POST_V && !field(h->arrival_target))
    throw PluginError(at + ": its arrivals add to field " + std::to_string(h->arrival_target) +
                      ", but it has fields 0 to " + std::to_string(int(d->n_fields) - 1));
  if (h->arrival_scale != -1 && !field(h->arrival_scale))
    throw PluginError(at + ": its arrivals' scale is field " + std::to_string(h->arrival_scale) +
                      ", but it has fields 0 to " + std::to_string(int(d->n_fields) - 1) +
                      " (-1: none)");
}

// A recorder runs on the device only as a projection's (ABI 1.11's recorder part of the view),
// with a step that only enqueues, the size of its records and the hook that writes them.
void check_cuda_recorder(const gg_cuda_hooks *h, const gg_descriptor *d, const std::string &at) {
  if (!(d->flags & GG_DESC_PROJECTION))
    throw PluginError(at + ": it records a population, and only a recorder of a projection "
                           "(GG_DESC_PROJECTION) runs on the device; drop its CUDA companion");
  const bool sized = GANGLION_ABI_HAS(h, gg_cuda_hooks, emit) && h->record_size && h->emit;
  if (!h->step || !sized)
    throw PluginError(at + ": a recorder's CUDA hooks must give 'step', 'record_size' and 'emit' "
                           "(ABI 1.11; ganglion::cuda::RecordSize)");
  if (!(h->flags & GG_CUDA_ENQUEUES_ONLY))
    throw PluginError(at + ": a recorder's CUDA step must only enqueue work (enqueues_only = "
                           "true): the kernel captures it into the chunk's graph");
}

} // namespace

void check_cuda_hooks(const gg_cuda_hooks *h, const gg_descriptor *d, const std::string &path) {
  const std::string at = std::string("plugin '") + d->name + "': its CUDA companion " + path;
  if (!h)
    throw PluginError(at + ": " GG_CUDA_ENTRY_SYMBOL " returned no hook table; it must return "
                           "the address of a static gg_cuda_hooks (GANGLION_CUDA_PLUGIN)");
  if (h->struct_size < kCudaHooksSize17)
    throw PluginError(at + ": its hook table is " + std::to_string(h->struct_size) +
                      " bytes, smaller than the " + std::to_string(kCudaHooksSize17) +
                      " bytes of ABI 1.7's; rebuild it against this SDK");
  if (h->abi_major != GG_ABI_MAJOR || h->abi_minor > GG_ABI_MINOR)
    throw PluginError(at + ": built for plugin ABI " + std::to_string(h->abi_major) + "." +
                      std::to_string(h->abi_minor) + ", which this ganglion (ABI " +
                      std::to_string(GG_ABI_MAJOR) + "." + std::to_string(GG_ABI_MINOR) +
                      ") cannot load: rebuild it against this ganglion's SDK");
  const int major = cuda_runtime_major();
  if (major && h->cuda_runtime / 1000 != major)
    throw PluginError(at + ": built with CUDA " + std::to_string(h->cuda_runtime / 1000) + "." +
                      std::to_string(h->cuda_runtime % 1000 / 10) +
                      ", but this ganglion's device side with CUDA " + std::to_string(major) +
                      ": rebuild the plugin's CUDA part with CUDA " + std::to_string(major));
  if (d->kind == GG_KIND_NEURON && !h->step)
    throw PluginError(at + ": its hooks lack 'step', which a neuron plugin must provide");
  if (d->kind == GG_KIND_SYNAPSE) check_cuda_synapse(h, d, at);
  if (d->kind == GG_KIND_RECORDER) check_cuda_recorder(h, d, at);
}

const gg_cuda_hooks *cuda_hooks(const LoadedPlugin &p) {
  if (p.cuda) return p.cuda;
  if (!has_cuda(p))
    throw PluginError(where(p.desc, p.path) + ": no 'cuda' implementation: " + why_no_cuda(p));
  const faults::OpeningLibrary opening(p.cuda_path.c_str(), 3);
  std::string why;
  const auto lib = open_library(p.cuda_path, why);
  if (!lib)
    throw PluginError(where(p.desc, p.path) + ": its CUDA companion " + p.cuda_path +
                      " cannot be loaded (" + why +
                      "): is the CUDA runtime it was built with installed?");
  if (!lib->has(GG_CUDA_ENTRY_SYMBOL))
    throw PluginError(where(p.desc, p.path) + ": its CUDA companion " + p.cuda_path +
                      " does not export '" GG_CUDA_ENTRY_SYMBOL
                      "' (build it with ganglion_add_plugin(... CUDA_SOURCES ...) and "
                      "GANGLION_CUDA_PLUGIN(Type))");
  const gg_cuda_hooks *h = lib->get<const gg_cuda_hooks *()>(GG_CUDA_ENTRY_SYMBOL)();
  check_cuda_hooks(h, p.desc, p.cuda_path);
  p.cuda_library = lib;
  p.cuda = h;
  return h;
}

std::string PluginRegistry::builtin_dir() {
  static const std::string dir = [] {
    const fs::path lib = boost::dll::this_line_location().string();
    return (lib.parent_path() / GANGLION_PLUGIN_SUBDIR).lexically_normal().string();
  }();
  return dir;
}

PluginRegistry PluginRegistry::discover() {
  PluginRegistry r;
  std::vector<std::string> dirs{builtin_dir()};
  for (auto &d : split_path_list(std::getenv("GANGLION_PLUGIN_PATH")))
    dirs.push_back(d);
  for (const auto &dir : dirs) {
    if (!fs::is_directory(dir)) {
      if (dir != dirs.front())
        r.warnings_.push_back("GANGLION_PLUGIN_PATH: '" + dir + "' is not a folder; skipped");
      continue;
    }
    for (const auto &f : libraries_in(dir))
      r.libraries_.push_back({f.string(), named(f), false});
  }
  return r;
}

void PluginRegistry::add_path(const std::string &path) {
  if (fs::is_directory(path)) {
    const std::vector<fs::path> files = libraries_in(path);
    if (files.empty()) throw PluginError(path + ": a plugin folder with no .so files in it");
    for (const auto &f : files)
      add(load_library(f.string()));
  } else if (fs::exists(path)) {
    add(load_library(path));
  } else {
    throw PluginError(path + ": no such file or folder; give the path of a plugin library "
                             "(libganglion_NAME.so) or of a folder of them");
  }
}

void PluginRegistry::add(LoadedPlugin p) {
  p.rank = next_rank_++;
  insert(std::move(p));
}

void PluginRegistry::load(size_t k) const {
  Library &lib = libraries_[k];
  if (lib.loaded) return;
  lib.loaded = true;
  try {
    LoadedPlugin p = load_library(lib.path);
    p.rank = k;
    insert(std::move(p));
  } catch (const PluginError &e) {
    warnings_.push_back(std::string("skipped ") + e.what());
    skipped_.push_back({lib.named, lib.path, e.what()});
  }
}

void PluginRegistry::load_all() const {
  for (size_t k = 0; k < libraries_.size(); ++k)
    load(k);
}

// Of two plugins of one name the later in the search order wins, unless the earlier is already
// in use; a built-in that loses is remembered, for the notice.
void PluginRegistry::insert(LoadedPlugin p) const {
  for (auto &q : plugins_) {
    if (q.name != p.name) continue;
    if (p.rank < q.rank) {
      if (q.replaces.empty() && is_builtin(p.path)) q.replaces = p.path;
      return;
    }
    if (std::find(handed_out_.begin(), handed_out_.end(), q.name) != handed_out_.end()) {
      warnings_.push_back("skipped " + p.path + ": plugin '" + p.name +
                          "' is already in use from " + q.path);
      return;
    }
    p.replaces = is_builtin(q.path) ? q.path : q.replaces;
    q = std::move(p);
    return;
  }
  plugins_.push_back(std::move(p));
}

const LoadedPlugin *PluginRegistry::lookup(const std::string &name) const {
  for (const auto &p : plugins_)
    if (p.name == name) return &p;
  return nullptr;
}

const LoadedPlugin *PluginRegistry::find(const std::string &name) const {
  for (size_t k = 0; k < libraries_.size(); ++k)
    if (libraries_[k].named == name) load(k);
  const LoadedPlugin *p = lookup(name);
  if (!p) {
    load_all();
    p = lookup(name);
  }
  if (!p) return nullptr;
  if (std::find(handed_out_.begin(), handed_out_.end(), name) == handed_out_.end())
    handed_out_.push_back(name);
  if (!p->replaces.empty() && notice_ &&
      std::find(noticed_.begin(), noticed_.end(), name) == noticed_.end()) {
    noticed_.push_back(name);
    notice_("plugin '" + name + "' is " + p->path + ", which replaces the built-in " + p->replaces +
            "; rename one of them to use both");
  }
  return p;
}

std::vector<const LoadedPlugin *> PluginRegistry::ordered() const {
  load_all();
  std::vector<const LoadedPlugin *> out;
  for (const auto &p : plugins_)
    out.push_back(&p);
  std::sort(out.begin(), out.end(),
            [](const LoadedPlugin *a, const LoadedPlugin *b) { return a->rank < b->rank; });
  return out;
}

std::vector<std::string> PluginRegistry::names() const {
  std::vector<std::string> out;
  for (const LoadedPlugin *p : ordered())
    out.push_back(p->name);
  return out;
}

const std::deque<LoadedPlugin> &PluginRegistry::all() const {
  load_all();
  return plugins_;
}

const std::vector<std::string> &PluginRegistry::warnings() const {
  load_all();
  return warnings_;
}

std::string PluginRegistry::why_unknown(const std::string &name) const {
  load_all();
  for (const auto &s : skipped_)
    if (s.named == name)
      return "a library of that name, " + s.path + ", was skipped: " +
             (s.reason.rfind(s.path + ": ", 0) == 0 ? s.reason.substr(s.path.size() + 2)
                                                    : s.reason);
  return "";
}

} // namespace ganglion
