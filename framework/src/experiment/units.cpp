// The unit system of experiment files (see units.hpp).
#include "experiment/units.hpp"

#include <cctype>
#include <charconv>
#include <cmath>
#include <cstring>
#include <string_view>
#include <vector>

#include "experiment/errors.hpp"

namespace ganglion {

namespace {

constexpr Dimension dim(int t, int v, int i, int l) {
  return Dimension{{t, v, i, l}};
}

struct Symbol {
  const char *name;
  double scale;
  Dimension dimension;
  bool prefixable; // "min" and "h" take no SI prefix
};

const Symbol symbols[] = {
    {"s", 1, dim(1, 0, 0, 0), true},
    {"min", 60, dim(1, 0, 0, 0), false},
    {"h", 3600, dim(1, 0, 0, 0), false},
    {"Hz", 1, dim(-1, 0, 0, 0), true},
    {"V", 1, dim(0, 1, 0, 0), true},
    {"A", 1, dim(0, 0, 1, 0), true},
    {"S", 1, dim(0, -1, 1, 0), true},
    {"F", 1, dim(1, -1, 1, 0), true},
    {"ohm", 1, dim(0, 1, -1, 0), true},
    {"\xCE\xA9", 1, dim(0, 1, -1, 0), true},
    {"\xE2\x84\xA6", 1, dim(0, 1, -1, 0), true},
    {"m", 1, dim(0, 0, 0, 1), true},
};

struct Prefix {
  const char *text;
  int exp10;
};

// Both the micro sign (U+00B5) and the Greek mu (U+03BC) are in use for micro.
const Prefix prefixes[] = {{"G", 9},  {"M", 6},   {"k", 3},         {"c", -2},
                           {"m", -3}, {"u", -6},  {"\xC2\xB5", -6}, {"\xCE\xBC", -6},
                           {"n", -9}, {"p", -12}, {"f", -15}};

// The symbols suggested when a unit is unknown.
const std::vector<std::string> common_units = {
    "s", "ms", "us", "min", "Hz", "kHz", "V",  "mV", "uV",  "A",    "mA", "uA", "nA", "pA",
    "S", "mS", "uS", "nS",  "F",  "uF",  "nF", "pF", "ohm", "Mohm", "m",  "cm", "mm", "um"};

std::optional<Unit> parse_symbol(std::string_view text) {
  for (const auto &s : symbols)
    if (text == s.name) return Unit{s.scale, 0, s.dimension};
  for (const auto &p : prefixes) {
    size_t n = std::strlen(p.text);
    if (text.size() <= n || text.substr(0, n) != p.text) continue;
    std::string_view rest = text.substr(n);
    for (const auto &s : symbols)
      // centi only makes sense for lengths (cm); "cs" or "cV" are more likely typos.
      if (s.prefixable && rest == s.name && (p.exp10 != -2 || s.dimension == dim(0, 0, 0, 1)))
        return Unit{s.scale, p.exp10, s.dimension};
  }
  return std::nullopt;
}

bool is_space(char c) {
  return c == ' ' || c == '\t';
}

// The middle dot U+00B7, a multiplication sign in "mS·cm^-2".
bool is_middle_dot(std::string_view text, size_t i) {
  return text.substr(i, 2) == "\xC2\xB7";
}

bool is_symbol_byte(std::string_view text, size_t i) {
  auto c = static_cast<unsigned char>(text[i]);
  return std::isalpha(c) || (c >= 0x80 && !is_middle_dot(text, i));
}

void combine(Unit &into, const Unit &factor, int power) {
  into.scale *= std::pow(factor.scale, power);
  into.exp10 += factor.exp10 * power;
  for (size_t k = 0; k < 4; ++k)
    into.dimension.exponent[k] += factor.dimension.exponent[k] * power;
}

// Multiplies `x` by 10^e with one correctly rounded operation where |e| <= 22 (powers of ten up
// to 1e22 are exact doubles), so "15 ms" is exactly 0.015 s and "0.015 s" exactly 15 ms.
double scale_by_power_of_ten(double x, int e) {
  double p = 1;
  for (int k = 0; k < std::abs(e); ++k)
    p *= 10;
  return e >= 0 ? x * p : x / p;
}

const char *dimension_names[] = {"time", "voltage", "current", "length"};

} // namespace

std::optional<Unit> parse_unit(const std::string &text) {
  std::string_view s = text;
  Unit unit;
  size_t i = 0;
  bool expect_factor = true;
  int sign = 1; // +1 multiply the next factor, -1 divide by it
  bool any = false;
  while (true) {
    while (i < s.size() && is_space(s[i]))
      ++i;
    if (i == s.size()) break;
    if (!expect_factor) {
      // Between factors: '*', a middle dot, '/', or just the space already skipped.
      if (s[i] == '*') {
        sign = 1;
        ++i;
      } else if (is_middle_dot(s, i)) {
        sign = 1;
        i += 2;
      } else if (s[i] == '/') {
        sign = -1;
        ++i;
      } else {
        sign = 1;
      }
      expect_factor = true;
      continue;
    }
    Unit factor;
    if (s[i] == '1') {
      ++i; // "1/ms": the dimensionless one
    } else if (is_symbol_byte(s, i)) {
      size_t start = i;
      while (i < s.size() && is_symbol_byte(s, i))
        ++i;
      auto symbol = parse_symbol(s.substr(start, i - start));
      if (!symbol) return std::nullopt;
      factor = *symbol;
    } else {
      return std::nullopt;
    }
    int power = 1;
    if (i < s.size() && s[i] == '^') {
      ++i;
      int parsed = 0;
      size_t at = i;
      if (at < s.size() && s[at] == '+') ++at;
      auto [end, ec] = std::from_chars(s.data() + at, s.data() + s.size(), parsed);
      if (ec != std::errc() || end == s.data() + at) return std::nullopt;
      i = static_cast<size_t>(end - s.data());
      power = parsed;
    }
    combine(unit, factor, sign * power);
    any = true;
    expect_factor = false;
  }
  // An operator with nothing after it ("mV/") is malformed; "" alone means dimensionless.
  if (expect_factor && any) return std::nullopt;
  return unit;
}

std::string describe_dimension(const Dimension &d) {
  struct Named {
    Dimension dimension;
    const char *text;
  };
  static const Named named[] = {{dim(0, 0, 0, 0), "a plain number"},
                                {dim(1, 0, 0, 0), "a time"},
                                {dim(-1, 0, 0, 0), "a rate"},
                                {dim(0, 1, 0, 0), "a voltage"},
                                {dim(0, 0, 1, 0), "a current"},
                                {dim(-1, 1, 0, 0), "a voltage per time"},
                                {dim(0, -1, 1, 0), "a conductance"},
                                {dim(1, -1, 1, 0), "a capacitance"},
                                {dim(0, 1, -1, 0), "a resistance"},
                                {dim(0, 0, 0, 1), "a length"},
                                {dim(0, 0, 0, 2), "an area"},
                                {dim(0, 0, 1, -2), "a current density"},
                                {dim(0, -1, 1, -2), "a conductance density"},
                                {dim(1, -1, 1, -2), "a capacitance density"},
                                {dim(1, 1, 0, 0), "a voltage times time"}};
  for (const auto &n : named)
    if (n.dimension == d) return n.text;
  std::string out = "a quantity of dimension";
  for (size_t k = 0; k < 4; ++k) {
    int e = d.exponent[k];
    if (e == 0) continue;
    out += std::string(" ") + dimension_names[k];
    if (e != 1) {
      out += '^';
      out += std::to_string(e);
    }
  }
  return out;
}

std::string format_number(double v) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  char buffer[64];
  auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, v);
  return std::string(buffer, ec == std::errc() ? end : buffer);
}

std::string format_value(double v, const std::string &unit) {
  if (unit.empty() || unit == "1") return format_number(v);
  return format_number(v) + " " + unit;
}

namespace {

std::string last_component(const std::string &where) {
  auto slash = where.rfind('/');
  return slash == std::string::npos ? where : where.substr(slash + 1);
}

std::string in_unit(const std::string &unit) {
  return unit.empty() || unit == "1" ? "a plain number" : "a number in " + unit;
}

std::string example(const std::string &unit) {
  return unit.empty() || unit == "1" ? "0.5" : "\"2.5 " + unit + "\"";
}

// The core of convert_value, for either flavour of JSON.
template <class Json>
double convert(const Json &v, const std::string &field_unit, const std::string &where,
               const std::string &given_name) {
  const std::string name = given_name.empty() ? last_component(where) : given_name;
  if (v.is_number()) return v.template get<double>();
  if (!v.is_string())
    throw ConfigError(where + ": expected " + in_unit(field_unit) + " or a string like " +
                      example(field_unit) + ", got " + clipped(v.dump()));

  const std::string text = v.template get<std::string>();
  const std::string quoted = clipped(v.dump());
  std::string_view s = text;
  size_t i = 0;
  while (i < s.size() && is_space(s[i]))
    ++i;
  if (i < s.size() && s[i] == '+') ++i; // from_chars takes '-' but not '+'
  double number = 0;
  auto [end, ec] = std::from_chars(s.data() + i, s.data() + s.size(), number);
  if (ec == std::errc::result_out_of_range) {
    number = s[i] == '-' ? -HUGE_VAL : HUGE_VAL; // "1e400 ms": let the range check judge it
  } else if (ec != std::errc() || end == s.data() + i) {
    throw ConfigError(where + ": " + quoted + " is not a number with a unit; write it like " +
                      example(field_unit) + ", or as " + in_unit(field_unit));
  }
  if (std::isnan(number)) throw ConfigError(where + ": " + quoted + " is not a number");
  std::string unit_text(end, s.data() + s.size());
  while (!unit_text.empty() && is_space(unit_text.back()))
    unit_text.pop_back();
  size_t lead = 0;
  while (lead < unit_text.size() && is_space(unit_text[lead]))
    ++lead;
  unit_text.erase(0, lead);
  if (unit_text.empty() || unit_text == field_unit) return number;

  auto to = parse_unit(field_unit);
  auto from = parse_unit(unit_text);
  if (!to)
    // A plugin may declare a unit ganglion cannot convert; then only its own unit is accepted.
    throw ConfigError(where + ": " + name + " is in " + field_unit +
                      ", a unit ganglion cannot convert to; give " + in_unit(field_unit));
  if (!from)
    throw ConfigError(where + ": " + quoted + " has an unknown unit '" + unit_text + "'" +
                      did_you_mean(unit_text, common_units) + "; " + name + " is in " + field_unit +
                      " (" + describe_dimension(to->dimension) + "), e.g. " + example(field_unit));
  if (!(from->dimension == to->dimension))
    throw ConfigError(where + ": " + quoted + " has the wrong dimension: " + name + " is in " +
                      field_unit + " (" + describe_dimension(to->dimension) + "), but " +
                      unit_text + " is " + describe_dimension(from->dimension));
  double x = number * (from->scale / to->scale);
  return scale_by_power_of_ten(x, from->exp10 - to->exp10);
}

} // namespace

double convert_value(const nlohmann::json &v, const std::string &field_unit,
                     const std::string &where, const std::string &name) {
  return convert(v, field_unit, where, name);
}

double convert_value(const nlohmann::ordered_json &v, const std::string &field_unit,
                     const std::string &where, const std::string &name) {
  return convert(v, field_unit, where, name);
}

std::string thousands(uint64_t x) {
  const std::string digits = std::to_string(x);
  std::string s;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) s += ',';
    s += digits[i];
  }
  return s;
}

} // namespace ganglion
