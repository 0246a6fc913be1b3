// Errors in an experiment file, and the did-you-mean suggestion that most of them carry.
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

namespace ganglion {

// A mistake in an experiment (or a --set override). The message is complete as it stands: where
// (file and JSON pointer), what is wrong, and how to fix it, so callers print what() unchanged.
struct ConfigError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// " (did you mean 'tau_m'?)" when one of `known` is close to `word` (edit distance, ignoring
// case), "" when none is close enough to be a likely typo.
std::string did_you_mean(const std::string &word, const std::vector<std::string> &known);

// Text the user gave (a value, a key, a name) as a message shows it: at most 60 characters, the
// first 57 and "..." when longer, so that no message repeats an unbounded input.
std::string clipped(const std::string &text);

// "a, b, c" (or "(none)"), for the lists of known keys and names in messages.
std::string join_list(const std::vector<std::string> &items);

} // namespace ganglion
