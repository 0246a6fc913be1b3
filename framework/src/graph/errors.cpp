// Did-you-mean suggestions for config errors (see errors.hpp).
#include "graph/errors.hpp"

#include <algorithm>
#include <cctype>

namespace ganglion {

namespace {

// Levenshtein distance, case-insensitive: "Tau_M" is as good a typo of "tau_m" as "tau-m".
size_t edit_distance(const std::string &a, const std::string &b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t above = row[j];
      bool same = std::tolower(static_cast<unsigned char>(a[i - 1])) ==
                  std::tolower(static_cast<unsigned char>(b[j - 1]));
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (same ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

} // namespace

std::string did_you_mean(const std::string &word, const std::vector<std::string> &known) {
  // A third of the word's length (at least 2) keeps "tau" -> "tau_m" but not "x" -> "size".
  size_t limit = std::max<size_t>(2, word.size() / 3);
  const std::string *best = nullptr;
  size_t best_distance = limit + 1;
  for (const auto &candidate : known) {
    size_t d = edit_distance(word, candidate);
    if (d < best_distance && d < std::max(word.size(), candidate.size())) {
      best = &candidate;
      best_distance = d;
    }
  }
  return best ? " (did you mean '" + *best + "'?)" : "";
}

std::string join_list(const std::vector<std::string> &items) {
  if (items.empty()) return "(none)";
  std::string out;
  for (const auto &item : items) out += (out.empty() ? "" : ", ") + item;
  return out;
}

} // namespace ganglion
