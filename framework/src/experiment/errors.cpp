// Did-you-mean suggestions and clipped values for config errors (see errors.hpp).
#include "experiment/errors.hpp"

#include <algorithm>
#include <cctype>
#include <cstdint>

namespace ganglion {

namespace {

char lower(char c) {
  return char(std::tolower(static_cast<unsigned char>(c)));
}

// Edit distance counting a swap of neighbours as one edit ("szie" -> "size"), ignoring case
// ("Tau_M" is as good a typo of "tau_m" as "tau-m"): the optimal string alignment distance.
size_t edit_distance(const std::string &a, const std::string &b) {
  std::vector<std::vector<size_t>> d(a.size() + 1, std::vector<size_t>(b.size() + 1));
  for (size_t i = 0; i <= a.size(); ++i)
    d[i][0] = i;
  for (size_t j = 0; j <= b.size(); ++j)
    d[0][j] = j;
  for (size_t i = 1; i <= a.size(); ++i)
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t cost = lower(a[i - 1]) == lower(b[j - 1]) ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && lower(a[i - 1]) == lower(b[j - 2]) &&
          lower(a[i - 2]) == lower(b[j - 1]))
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
    }
  return d[a.size()][b.size()];
}

bool starts_with(const std::string &text, const std::string &prefix) {
  if (prefix.size() > text.size()) return false;
  for (size_t k = 0; k < prefix.size(); ++k)
    if (lower(text[k]) != lower(prefix[k])) return false;
  return true;
}

} // namespace

std::string did_you_mean(const std::string &word, const std::vector<std::string> &known) {
  // One edit per three letters (at least one) keeps "szie" -> "size" but not "step" -> "seed";
  // a truncated name of three letters or more ("tau" for "tau_m") is suggested too.
  if (word.size() > 64) return ""; // no name is that long, and the distances would cost its square
  size_t limit = std::max<size_t>(1, word.size() / 3);
  const std::string *best = nullptr;
  size_t best_distance = SIZE_MAX;
  for (const auto &candidate : known) {
    size_t d = edit_distance(word, candidate);
    bool close = d <= limit && d < std::max(word.size(), candidate.size());
    bool truncated = word.size() >= 3 && starts_with(candidate, word);
    if ((close || truncated) && d < best_distance) {
      best = &candidate;
      best_distance = d;
    }
  }
  return best ? " (did you mean '" + *best + "'?)" : "";
}

std::string clipped(const std::string &text) {
  return text.size() > 60 ? text.substr(0, 57) + "..." : text;
}

std::string join_list(const std::vector<std::string> &items) {
  if (items.empty()) return "(none)";
  std::string out;
  for (const auto &item : items)
    out += (out.empty() ? "" : ", ") + item;
  return out;
}

} // namespace ganglion
