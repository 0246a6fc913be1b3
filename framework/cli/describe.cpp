// `ganglion describe PLUGIN` (a plugin's fields, units, defaults and ranges) and `ganglion
// plugins` (the plugins found, where, their ABI version).
#include <algorithm>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <sstream>
#include <string>

#include "commands.hpp"
#include "engine/backend.hpp"
#include "engine/description.hpp"
#include "experiment/errors.hpp"

namespace ganglion::cli {

namespace {

using Json = nlohmann::ordered_json;

// "cpu, cuda (libganglion_lif_cuda.so)": the companion's file where the plugin has one.
std::string backends(const Json &d) {
  std::string s = join_list(d["backends"].get<std::vector<std::string>>());
  if (!d["cuda_library"].is_null()) s += " (" + d["cuda_library"].get<std::string>() + ")";
  return s;
}

// The heading: name, kind, version, file, backends, and a line for each property the
// descriptor's flags and hooks declare, aligned after the longest key.
void print_heading(const Json &d) {
  std::cout << d["name"].get<std::string>() << " (" << d["kind"].get<std::string>()
            << " plugin, version " << d["version"].get<std::string>() << ", ABI "
            << d["abi"].get<std::string>() << ")\n"
            << "  file:     " << d["file"].get<std::string>() << "\n"
            << "  backends: " << backends(d) << "\n";
  for (const auto &p : d["properties"]) {
    const std::string key = p["key"].get<std::string>() + ":";
    std::printf("  %-9s %s\n", key.c_str(), p["text"].get<std::string>().c_str());
  }
  std::cout << "\n  " << d["doc"].get<std::string>() << "\n\n";
}

// The fields as a table, its first column as wide as the longest field name.
void print_fields(const Json &fields) {
  int name_w = 12;
  for (const auto &f : fields)
    name_w = std::max(name_w, int(f["name"].get<std::string>().size()));
  const auto text = [](const Json &v) { return v.is_string() ? v.get<std::string>() : v.dump(); };
  std::printf("  %-*s %-9s %-7s %-14s %-22s %s\n", name_w, "field", "role", "unit", "default",
              "range", "meaning");
  for (const auto &f : fields) {
    std::ostringstream def; // a number as the stream writes it: 1e+06, not 1000000.0
    if (f["default"].is_number())
      def << f["default"].get<double>();
    else
      def << text(f["default"]);
    std::printf("  %-*s %-9s %-7s %-14s %-22s %s\n", name_w, text(f["name"]).c_str(),
                text(f["role"]).c_str(), text(f["unit"]).c_str(), def.str().c_str(),
                text(f["range"]).c_str(), text(f["doc"]).c_str());
  }
  std::cout << "\n  Set params under \"params\", initial values of state under \"init\"; a bare "
               "number is in the unit shown, or write the unit (\"15 ms\").\n";
}

} // namespace

int describe(const PluginRegistry &reg, const std::string &name, bool json) {
  const Json d = describe_plugin(plugin_to_describe(reg, name, "`ganglion plugins`"));
  if (json) {
    std::cout << d.dump(2) << "\n";
    return 0;
  }
  print_heading(d);
  if (d["fields"].empty()) {
    std::cout << "  (no fields)\n";
    return 0;
  }
  print_fields(d["fields"]);
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
