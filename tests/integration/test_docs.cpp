// The map of the tree, docs/architecture.md, stays true: every path it names (a `...` span with a
// '/' in it, not at its start, no spaces, no placeholders) exists in the source tree, and it names every folder a
// newcomer meets (the top level, framework/src/*, tests/*, plugins/*). No document of the
// repository points outside it (../shared, or notes that do not ship).
#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "support.hpp"

namespace fs = std::filesystem;
using ganglion::test::read_file;
using ganglion::test::source_path;

namespace {

// The `...` spans of a Markdown text that name a path of the tree.
std::set<std::string> named_paths(const std::string &text) {
  std::set<std::string> out;
  static const std::regex span("`([^`\\s]+)`");
  for (auto it = std::sregex_iterator(text.begin(), text.end(), span);
       it != std::sregex_iterator(); ++it) {
    const std::string s = (*it)[1];
    if (s.find('/') == std::string::npos || s.find_first_of("<>*{}()=$") != std::string::npos ||
        s[0] == '/' || s.rfind("http", 0) == 0) // ("/theory": a place in an output file)
      continue;
    out.insert(s);
  }
  return out;
}

// The folders below `relative` in the source tree (not build trees, not hidden ones).
std::vector<std::string> folders_in(const std::string &relative) {
  std::vector<std::string> out;
  for (const auto &e : fs::directory_iterator(source_path(relative))) {
    const std::string name = e.path().filename().string();
    if (!e.is_directory() || name[0] == '.' || name.rfind("build", 0) == 0 || name == "out")
      continue;
    out.push_back(relative.empty() ? name + "/" : relative + "/" + name + "/");
  }
  std::sort(out.begin(), out.end());
  return out;
}

} // namespace

TEST_CASE("docs: every path docs/architecture.md names exists in the tree") {
  const std::string map = read_file(source_path("docs/architecture.md"));
  const std::set<std::string> paths = named_paths(map);
  REQUIRE(paths.size() > 40); // the map names the tree, not a handful of files
  for (const auto &p : paths) {
    CAPTURE(p);
    CHECK(fs::exists(source_path(p)));
  }
}

TEST_CASE("docs: docs/architecture.md names every folder a newcomer meets") {
  const std::set<std::string> paths = named_paths(read_file(source_path("docs/architecture.md")));
  std::vector<std::string> folders = folders_in("");
  for (const char *under : {"framework/src", "framework/include/ganglion", "tests", "plugins"})
    for (const auto &f : folders_in(under))
      folders.push_back(f);
  for (const auto &f : folders) {
    CAPTURE(f);
    CHECK(paths.count(f) == 1);
  }
}

TEST_CASE("docs: no document of the repository points to files outside it") {
  std::vector<std::string> documents = {"README.md", "sdk/GUIDE.md", "sdk/template/README.md"};
  for (const auto &e : fs::directory_iterator(source_path("docs")))
    documents.push_back("docs/" + e.path().filename().string());
  for (const auto &doc : documents) {
    CAPTURE(doc);
    const std::string text = read_file(source_path(doc));
    for (const char *outside : {"../shared", "SCIENCE.md", "DESIGN.md", "ARCHITECTURE.md"})
      CHECK_MESSAGE(text.find(outside) == std::string::npos, "names " << std::string(outside));
  }
}
