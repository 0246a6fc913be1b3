// Experiment JSON -> validated Experiment (see loader.hpp): the entry points, and the walk over
// the document's sections. Each section is read by its own file (loader_internal.hpp lists them).
#include "experiment/loader.hpp"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "experiment/loader_internal.hpp"

namespace ganglion {

namespace loading {

Experiment Loader::load(const Json &doc) {
  ex_.source = origin_;
  if (!doc.is_object())
    fail("", "an experiment is a JSON object, {\"simulation\": ..., \"populations\": ...}, got " +
                 shown(doc));
  check_keys(doc, "",
             {"ganglion", "description", "simulation", "plugins", "populations", "projections",
              "recorders", "output"});
  Json resolved = Json::object();
  if (const Json *version = member(doc, "ganglion")) {
    if (!(version->is_number_integer() || version->is_number_unsigned()) ||
        version->get<int64_t>() != 1)
      fail("/ganglion",
           "this ganglion reads experiment format 1, and this file says " + shown(*version));
  }
  resolved["ganglion"] = 1;
  if (const Json *description = member(doc, "description"))
    resolved["description"] = get_string(*description, "/description");

  load_simulation(doc, resolved);
  load_plugins(doc, resolved);
  load_populations(doc, resolved);
  load_projections(doc, resolved);
  check_dale();
  load_recorders(doc, resolved);

  const Json *output = member(doc, "output");
  if (output && !output->is_null()) ex_.output = get_string(*output, "/output");
  resolved["output"] = ex_.output;
  ex_.resolved = std::move(resolved);
  return std::move(ex_);
}

} // namespace loading

Experiment load_experiment_text(const std::string &text, const std::string &origin,
                                const std::string &base_dir,
                                const std::vector<std::string> &overrides,
                                PluginRegistry &registry) {
  loading::Json doc = loading::parse_document(text, origin);
  for (const auto &assignment : overrides)
    apply_override(doc, assignment);
  return loading::Loader(origin, base_dir, registry).load(doc);
}

Experiment load_experiment(const std::string &path, const std::vector<std::string> &overrides,
                           PluginRegistry &registry) {
  std::ifstream file(path, std::ios::binary);
  if (!file)
    throw ConfigError(path + ": cannot read the experiment file (" + std::strerror(errno) + ")");
  std::stringstream text;
  text << file.rdbuf();
  std::string base_dir = std::filesystem::path(path).parent_path().string();
  return load_experiment_text(text.str(), path, base_dir, overrides, registry);
}

} // namespace ganglion
