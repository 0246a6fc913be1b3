// See sweep.hpp.
#include "experiment/sweep.hpp"

namespace ganglion {

namespace {

std::string trimmed(const std::string &s) {
  const auto first = s.find_first_not_of(" \t");
  if (first == std::string::npos) return "";
  return s.substr(first, s.find_last_not_of(" \t") - first + 1);
}

} // namespace

Vary parse_vary(const std::string &text) {
  const auto eq = text.find('=');
  if (eq == std::string::npos)
    throw SweepError(
        "--vary '" + text +
        "' has no '=': write --vary path=v1,v2,... (--vary populations.E.size=100,200)");
  Vary v;
  v.path = trimmed(text.substr(0, eq));
  if (v.path.empty())
    throw SweepError("--vary '" + text + "' names no path before '=': write --vary path=v1,v2,...");
  int depth = 0;
  bool quoted = false;
  std::string value;
  const auto take = [&] {
    const std::string t = trimmed(value);
    if (t.empty())
      throw SweepError("--vary " + v.path + ": an empty value in '" + text.substr(eq + 1) +
                       "'; separate the values with single commas");
    v.values.push_back(t);
    value.clear();
  };
  for (std::size_t i = eq + 1; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '"' && (i == 0 || text[i - 1] != '\\')) quoted = !quoted;
    if (!quoted && (c == '[' || c == '{')) ++depth;
    if (!quoted && (c == ']' || c == '}')) --depth;
    if (c == ',' && depth == 0 && !quoted) {
      take();
      continue;
    }
    value += c;
  }
  take();
  return v;
}

std::vector<Member> sweep_members(const std::vector<Vary> &vary, bool zip, uint64_t seeds,
                                  uint64_t first_seed) {
  if (seeds == 0) throw SweepError("--seeds takes at least 1");
  std::vector<std::vector<std::string>> combos;
  if (vary.empty()) {
    combos.emplace_back();
  } else if (zip) {
    for (const Vary &v : vary)
      if (v.values.size() != vary.front().values.size())
        throw SweepError("--zip pairs the values in order, but --vary " + vary.front().path +
                         " has " + std::to_string(vary.front().values.size()) + " and --vary " +
                         v.path + " " + std::to_string(v.values.size()) +
                         ": give each as many, or leave out --zip for every combination");
    for (std::size_t i = 0; i < vary.front().values.size(); ++i) {
      combos.emplace_back();
      for (const Vary &v : vary)
        combos.back().push_back(v.values[i]);
    }
  } else { // a grid: an odometer over the lists, the last fastest
    std::vector<std::size_t> at(vary.size(), 0);
    for (bool more = true; more;) {
      combos.emplace_back();
      for (std::size_t k = 0; k < vary.size(); ++k)
        combos.back().push_back(vary[k].values[at[k]]);
      more = false;
      for (std::size_t k = vary.size(); k-- > 0;) {
        if (++at[k] < vary[k].values.size()) {
          more = true;
          break;
        }
        at[k] = 0;
      }
    }
  }
  std::vector<Member> members;
  for (const auto &combo : combos)
    for (uint64_t s = 0; s < seeds; ++s) {
      Member m;
      m.values = combo;
      m.seed = first_seed + s;
      for (std::size_t k = 0; k < vary.size(); ++k)
        m.sets.push_back(vary[k].path + "=" + combo[k]);
      m.sets.push_back("simulation.seed=" + std::to_string(m.seed));
      members.push_back(std::move(m));
    }
  return members;
}

} // namespace ganglion
