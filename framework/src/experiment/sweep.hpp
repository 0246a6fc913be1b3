// The members of a parameter sweep (`ganglion sweep`): the values each --vary gives a path, in a
// grid (every combination, the last --vary fastest) or zipped (the i-th value of each together),
// each combination once per seed. A member is the --set overrides that make it from the config,
// so that a member run alone (`ganglion run CONFIG --set ...`) is the same run.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace ganglion {

// A mistake in the sweep's own arguments; the message says what to write instead.
struct SweepError : std::invalid_argument {
  using std::invalid_argument::invalid_argument;
};

struct Vary {
  std::string path;                // "populations.E.params.tau_m"
  std::vector<std::string> values; // each as --set takes it: "10 ms", 5, [1, 2]
};

// "path=v1,v2,...": values split at the commas outside brackets, braces and quotes, so that a
// list or an object is one value; spaces around each value dropped. Throws SweepError for a
// missing '=', an empty path or an empty value.
Vary parse_vary(const std::string &text);

struct Member {
  std::vector<std::string> values; // one per Vary, in their order
  uint64_t seed = 0;
  std::vector<std::string> sets; // "path=value" for each Vary, then "simulation.seed=..."
};

// Every member: the combinations (a grid, or zipped: every Vary must then have as many values),
// each with seeds first_seed, first_seed + 1, ..., first_seed + seeds - 1 (seeds >= 1), seed
// fastest. Throws SweepError for zipped lists of different lengths, or seeds 0.
std::vector<Member> sweep_members(const std::vector<Vary> &vary, bool zip, uint64_t seeds,
                                  uint64_t first_seed);

} // namespace ganglion
