// The reads every part of the loader shares: JSON pointers and failures naming them, unknown keys,
// strings, true/false, counts, and times as whole steps of dt.
#include <algorithm>
#include <cmath>
#include <cstdio>

#include "experiment/loader_internal.hpp"
#include "experiment/units.hpp"

namespace ganglion::loading {

namespace {

// Relative tolerance for "a whole number of steps": absorbs the rounding of decimal times
// (0.3 ms / 0.1 ms = 2.9999999999999996) without accepting a real fraction of a step.
constexpr double step_tolerance = 1e-9;

} // namespace

std::string child(const std::string &pointer, const std::string &key) {
  std::string escaped;
  for (char c : clipped(key)) {
    if (c == '~')
      escaped += "~0";
    else if (c == '/')
      escaped += "~1";
    else
      escaped += c;
  }
  return pointer + "/" + escaped;
}

std::string child(const std::string &pointer, size_t index) {
  return pointer + "/" + std::to_string(index);
}

std::string shown(const Json &j) {
  return clipped(j.dump());
}

std::string rounded_ms(double v) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.12g", v);
  return std::string(buffer) + " ms";
}

std::vector<std::string> split_choices(const char *choices) {
  std::vector<std::string> words;
  if (!choices) return words;
  std::string word;
  for (const char *c = choices; *c; ++c) {
    if (*c == '|') {
      words.push_back(word);
      word.clear();
    } else {
      word += *c;
    }
  }
  words.push_back(word);
  return words;
}

const Json *member(const Json &j, const char *key) {
  auto it = j.find(key);
  return it == j.end() ? nullptr : &*it;
}

std::string Loader::where(const std::string &pointer) const {
  return pointer.empty() ? origin_ : origin_ + ": " + pointer;
}

void Loader::fail(const std::string &pointer, const std::string &message) const {
  throw ConfigError(where(pointer) + ": " + message);
}

void Loader::require_object(const Json &j, const std::string &pointer,
                            const std::string &example) const {
  if (!j.is_object()) fail(pointer, "expected an object like " + example + ", got " + shown(j));
}

void Loader::check_keys(const Json &j, const std::string &pointer,
                        const std::vector<std::string> &known) const {
  for (const auto &item : j.items()) {
    const std::string &key = item.key();
    if (std::find(known.begin(), known.end(), key) == known.end())
      fail(pointer, "unknown key '" + clipped(key) + "'" + did_you_mean(key, known) +
                        "; known keys: " + join_list(known));
  }
}

std::string Loader::get_string(const Json &j, const std::string &pointer) const {
  if (!j.is_string()) fail(pointer, "expected a string, got " + shown(j));
  return j.get<std::string>();
}

bool Loader::get_bool(const Json &j, const std::string &pointer) const {
  if (!j.is_boolean()) fail(pointer, "expected true or false, got " + shown(j));
  return j.get<bool>();
}

// A non-negative integer; a float is accepted where it is whole (1e4, or 16000.0 from a tool).
uint64_t Loader::get_count(const Json &j, const std::string &pointer, const char *what) const {
  if (j.is_number_unsigned()) return j.get<uint64_t>();
  if (j.is_number_integer() && j.get<int64_t>() >= 0) return uint64_t(j.get<int64_t>());
  if (j.is_number_float()) {
    double v = j.get<double>();
    if (v >= 0 && v < 1.8e19 && std::floor(v) == v) return uint64_t(v);
  }
  fail(pointer, std::string("expected ") + what + ", got " + shown(j));
}

double Loader::get_time(const Json &j, const std::string &pointer) const {
  double t = convert_value(j, "ms", where(pointer));
  if (!std::isfinite(t)) fail(pointer, "a time must be finite, got " + shown(j));
  return t;
}

// A time as whole steps of dt: at least one step, and whole within step_tolerance.
uint64_t Loader::whole_steps(double t, const std::string &pointer) const {
  double dt = ex_.simulation.dt;
  if (t < dt * (1 - step_tolerance))
    fail(pointer,
         format_value(t, "ms") + " is shorter than one step (dt = " + format_value(dt, "ms") + ")");
  return steps_of(t, pointer);
}

// A time >= 0 as whole steps of dt (zero included), whole within step_tolerance.
uint64_t Loader::steps_of(double t, const std::string &pointer) const {
  double dt = ex_.simulation.dt;
  double ratio = t / dt;
  if (!(ratio < 1e15)) // beyond this, steps of dt are no longer exact in a double
    fail(pointer, format_value(t, "ms") + " is too many steps of dt = " + format_value(dt, "ms"));
  auto steps = static_cast<uint64_t>(std::llround(ratio));
  if (std::abs(double(steps) * dt - t) > step_tolerance * t) {
    double below = std::floor(ratio);
    fail(pointer, format_value(t, "ms") +
                      " is not a whole number of steps of dt = " + format_value(dt, "ms") +
                      "; use " + rounded_ms(below * dt) + " or " + rounded_ms((below + 1) * dt));
  }
  return steps;
}

} // namespace ganglion::loading
