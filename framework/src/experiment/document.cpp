// The experiment as a JSON document: the text parsed (a malformed one named by line and column),
// and the --set overrides applied to it before it is read.
#include <algorithm>
#include <cctype>

#include "experiment/loader.hpp"
#include "experiment/loader_internal.hpp"

namespace ganglion {

namespace loading {

Json parse_document(const std::string &text, const std::string &origin) {
  try {
    return Json::parse(text);
  } catch (const Json::parse_error &e) {
    // e.byte counts the characters read, the offending one included (1-based).
    size_t at = std::min<size_t>(e.byte > 0 ? e.byte - 1 : 0, text.size());
    size_t line = 1, line_start = 0;
    for (size_t k = 0; k < at; ++k)
      if (text[k] == '\n') {
        ++line;
        line_start = k + 1;
      }
    std::string what = e.what();
    // Drop nlohmann's "[json.exception.parse_error.101] parse error at line 1, column 2: ".
    auto start = what.find("parse error");
    auto colon = start == std::string::npos ? std::string::npos : what.find(": ", start);
    if (colon != std::string::npos) what = what.substr(colon + 2);
    throw ConfigError(origin + ":" + std::to_string(line) + ":" +
                      std::to_string(at - line_start + 1) + ": malformed JSON: " + what);
  }
}

namespace {

// "populations.E.size" -> {"populations", "E", "size"}; `place` starts the messages.
std::vector<std::string> path_parts(const std::string &path, const std::string &place) {
  std::vector<std::string> parts;
  std::string part;
  for (char c : path + ".") {
    if (c != '.') {
      part += c;
      continue;
    }
    if (part.empty())
      throw ConfigError(place + ": '" + path + "' has an empty component; write a.b.c");
    parts.push_back(part);
    part.clear();
  }
  return parts;
}

bool is_index(const std::string &s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return std::isdigit(static_cast<unsigned char>(c)) != 0;
  });
}

// The member `key` of the object `at`, where `here` names it in messages ("'populations.E'").
// Only the last component of a path may be a new key.
template <class J>
J *object_member(J &at, const std::string &key, bool last, const std::string &walked,
                 const std::string &here, const std::string &place) {
  // A missing "params", "init" or "simulation" is made empty: they are optional sections,
  // and a name wrongly put inside one is still caught when the document is validated.
  if (!at.contains(key) && !last && (key == "params" || key == "init" || key == "simulation"))
    at[key] = J::object();
  if (!at.contains(key) && !last) {
    std::vector<std::string> keys;
    for (const auto &item : at.items())
      keys.push_back(item.key());
    throw ConfigError(place + ": " + here + " has no key '" + key + "'" + did_you_mean(key, keys) +
                      " (its keys: " + join_list(keys) +
                      "); to add a whole object, set it as JSON, e.g. --set " +
                      (walked.empty() ? "" : walked + ".") + key + "='{...}'");
  }
  return &at[key];
}

// Item `key` of the list `at`: an index that exists.
template <class J>
J *array_item(J &at, const std::string &key, const std::string &here, const std::string &place) {
  if (!is_index(key) || key.size() > 9 || std::stoull(key) >= at.size())
    throw ConfigError(place + ": " + here + " is a list of " + std::to_string(at.size()) +
                      " items; '" + key + "' is not one of its indices" +
                      (at.empty() ? "" : " (0 to " + std::to_string(at.size() - 1) + ")"));
  return &at[std::stoull(key)];
}

template <class J> void apply_override_impl(J &doc, const std::string &assignment) {
  const std::string place = "--set " + assignment;
  auto eq = assignment.find('=');
  if (eq == std::string::npos || eq == 0)
    throw ConfigError(place + ": expected PATH=VALUE, e.g. --set populations.E.size=16000");
  std::string path = assignment.substr(0, eq), text = assignment.substr(eq + 1);
  std::vector<std::string> parts = path_parts(path, place);

  J value;
  try {
    value = J::parse(text);
  } catch (const typename J::parse_error &) {
    value = text; // "15 ms", "cuda": a plain word is a string
  }

  J *at = &doc;
  std::string walked;
  for (size_t k = 0; k < parts.size(); ++k) {
    const std::string &key = parts[k];
    std::string here = walked.empty() ? "the experiment" : "'" + walked + "'";
    if (at->is_object())
      at = object_member(*at, key, k + 1 == parts.size(), walked, here, place);
    else if (at->is_array())
      at = array_item(*at, key, here, place);
    else
      throw ConfigError(place + ": " + here + " is " + std::string(at->type_name()) + " " +
                        at->dump() + ", which has no '" + key + "' inside");
    walked += (walked.empty() ? "" : ".") + key;
  }
  *at = std::move(value);
}

} // namespace

} // namespace loading

void apply_override(nlohmann::json &doc, const std::string &assignment) {
  loading::apply_override_impl(doc, assignment);
}

void apply_override(nlohmann::ordered_json &doc, const std::string &assignment) {
  loading::apply_override_impl(doc, assignment);
}

} // namespace ganglion
