// The --set overrides, applied to the experiment's JSON document before it is read.
#include <algorithm>
#include <cctype>

#include "experiment/loader.hpp"
#include "experiment/loader_internal.hpp"

namespace ganglion {

namespace loading {

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
    throw ConfigError(place + ": " + here + " has no key '" + clipped(key) + "'" +
                      did_you_mean(key, keys) + " (its keys: " + join_list(keys) +
                      "); to add a whole object, set it as JSON, e.g. --set " +
                      (walked.empty() ? "" : walked + ".") + clipped(key) + "='{...}'");
  }
  return &at[key];
}

// Item `key` of the list `at`: an index that exists.
template <class J>
J *array_item(J &at, const std::string &key, const std::string &here, const std::string &place) {
  if (!is_index(key) || key.size() > 9 || std::stoull(key) >= at.size())
    throw ConfigError(place + ": " + here + " is a list of " + std::to_string(at.size()) +
                      " items; '" + clipped(key) + "' is not one of its indices" +
                      (at.empty() ? "" : " (0 to " + std::to_string(at.size() - 1) + ")"));
  return &at[std::stoull(key)];
}

template <class J> void apply_override_impl(J &doc, const std::string &assignment) {
  auto eq = assignment.find('=');
  if (eq == std::string::npos || eq == 0)
    throw ConfigError("--set " + clipped(assignment) +
                      ": expected PATH=VALUE, e.g. --set populations.E.size=16000");
  std::string path = assignment.substr(0, eq), text = assignment.substr(eq + 1);
  const std::string place = "--set " + clipped(path) + "=" + clipped(text);
  std::vector<std::string> parts = path_parts(path, place);

  std::optional<J> parsed = parse_value<J>(text, place);
  J value = parsed ? std::move(*parsed) : J(text); // "15 ms", "cuda": a plain word is a string

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
                        clipped(at->dump()) + ", which has no '" + clipped(key) + "' inside");
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
