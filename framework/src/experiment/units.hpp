// A small unit system for experiment files: "15 ms", "-72 mV", "10 Hz", "0.1 mS/cm^2". A value is
// converted to the unit its plugin field declares, and a value of the wrong dimension is an error
// that says which dimension was expected.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

namespace ganglion {

// Integer exponents of (time, voltage, current, length); every unit ganglion knows is a product
// of these (a rate is time^-1, a conductance current/voltage, a capacitance current*time/voltage).
struct Dimension {
  std::array<int, 4> exponent{};
  bool operator==(const Dimension &) const = default;
};

// A unit is scale * 10^exp10 of the SI unit of its dimension. The power of ten is kept apart so
// that converting between prefixes (ms -> s, mV -> V) multiplies or divides by an exact power of
// ten, and a value written in the field's own unit comes back bit for bit.
struct Unit {
  double scale = 1;
  int exp10 = 0;
  Dimension dimension;
};

// "mV/ms", "1/ms", "uA/cm^2", "mS cm^-2", "1" (dimensionless; so is ""). nullopt when unknown.
std::optional<Unit> parse_unit(const std::string &text);

// "a time", "a rate", "a voltage", ..., or "a quantity of dimension time^-1 voltage" for the rest.
std::string describe_dimension(const Dimension &dimension);

// The value `v` of a field in `field_unit`: a bare JSON number is already in that unit; a string
// ("15 ms", "-72mV", "1e-3 s", "10 Hz", "inf mV") is parsed and converted. Throws ConfigError
// "<where>: ..." for a wrong dimension, an unknown unit, or text that is not a value. `where` is
// the place for messages ("configs/x.json: /populations/E/params/tau_m"); `name` is the field's
// name in them (default: the last component of `where`).
double convert_value(const nlohmann::json &v, const std::string &field_unit,
                     const std::string &where, const std::string &name = "");
double convert_value(const nlohmann::ordered_json &v, const std::string &field_unit,
                     const std::string &where, const std::string &name = "");

// "15 ms" (the shortest text that reads back as the same double); just "0.1" for unit "1" or "".
std::string format_value(double v, const std::string &unit);
// The shortest text of a double that reads back as the same double: "15", "0.1", "1e-05", "inf".
std::string format_number(double v);

// A count with thousands separators: 12,001,082.
std::string thousands(uint64_t x);

} // namespace ganglion
