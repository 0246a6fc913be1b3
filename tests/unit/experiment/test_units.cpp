// Units of experiment values: parsing, conversion to a field's unit, and the errors for values of
// the wrong dimension or that are not values at all.
#include <doctest/doctest.h>

#include <cmath>
#include <string>

#include "experiment/errors.hpp"
#include "experiment/units.hpp"

using namespace ganglion;
using nlohmann::json;

namespace {

std::string error_of(const json &v, const std::string &unit, const std::string &where) {
  try {
    convert_value(v, unit, where);
  } catch (const ConfigError &e) {
    return e.what();
  }
  FAIL("no ConfigError for " << v.dump() << " in " << unit);
  return "";
}

} // namespace

TEST_CASE("units: compound units reduce to (time, voltage, current, length) exponents") {
  CHECK(parse_unit("mV/ms")->dimension == Dimension{{-1, 1, 0, 0}});
  CHECK(parse_unit("1/ms")->dimension == parse_unit("Hz")->dimension);
  CHECK(parse_unit("uA/cm^2")->dimension == Dimension{{0, 0, 1, -2}});
  CHECK(parse_unit("mS/cm^2")->dimension == Dimension{{0, -1, 1, -2}});
  CHECK(parse_unit("mS cm^-2")->dimension == parse_unit("mS/cm^2")->dimension);
  CHECK(parse_unit("µF/cm^2")->dimension == Dimension{{1, -1, 1, -2}});
  CHECK(parse_unit("μF/cm^2")->exp10 == parse_unit("uF/cm^2")->exp10); // Greek mu, micro sign
  // nS * Mohm = 1e-9 * 1e6: dimensionless, 1e-3.
  auto product = parse_unit("nS*Mohm");
  CHECK(product->dimension == Dimension{});
  CHECK(product->exp10 == -3);
  CHECK(parse_unit("1")->dimension == Dimension{});
  CHECK(parse_unit("")->dimension == Dimension{});
  CHECK(parse_unit("min")->scale == 60);
  CHECK_FALSE(parse_unit("mV/").has_value());
  CHECK_FALSE(parse_unit("furlong").has_value());
  CHECK_FALSE(parse_unit("cV").has_value()); // centi only for lengths
}

TEST_CASE("units: convert_value converts to the field's unit, exactly across SI prefixes") {
  CHECK(convert_value(json(25), "mV", "w") == 25); // a bare number is in the field's unit
  CHECK(convert_value(json("15 ms"), "ms", "w") == 15);
  CHECK(convert_value(json("15"), "ms", "w") == 15);
  CHECK(convert_value(json("1 s"), "ms", "w") == 1000);
  CHECK(convert_value(json("1e-3 s"), "ms", "w") == 1);
  CHECK(convert_value(json("-72mV"), "mV", "w") == -72);
  CHECK(convert_value(json("+5 ms"), "ms", "w") == 5);
  CHECK(convert_value(json("0.015 s"), "ms", "w") == 15);
  CHECK(convert_value(json("15 ms"), "s", "w") == 0.015);
  CHECK(convert_value(json("10 Hz"), "Hz", "w") == 10);
  CHECK(convert_value(json("2 kHz"), "Hz", "w") == 2000);
  CHECK(convert_value(json("10 Hz"), "1/ms", "w") == 0.01);
  CHECK(convert_value(json("1 min"), "ms", "w") == 60000);
  CHECK(convert_value(json("0.5 V/s"), "mV/ms", "w") == 0.5);
  CHECK(convert_value(json("100 pA"), "nA", "w") == doctest::Approx(0.1));
  CHECK(convert_value(json("10 uA/cm^2"), "µA/cm^2", "w") == 10);
  CHECK(convert_value(json("1 mA/cm^2"), "uA/cm^2", "w") == 1000);
  CHECK(std::isinf(convert_value(json("-inf mV"), "mV", "w")));
}

TEST_CASE("units: a value of the wrong dimension names the field, its unit and its dimension") {
  CHECK(error_of(json("15 mV"), "ms", "x.json: /populations/E/params/tau_m") ==
        "x.json: /populations/E/params/tau_m: \"15 mV\" has the wrong dimension: tau_m is in ms "
        "(a time), but mV is a voltage");
  CHECK(error_of(json("10 ms"), "Hz", "x.json: /populations/X/params/rate") ==
        "x.json: /populations/X/params/rate: \"10 ms\" has the wrong dimension: rate is in Hz "
        "(a rate), but ms is a time");
}

TEST_CASE("units: text that is not a value says so and shows an example") {
  CHECK(error_of(json("fifteen ms"), "ms", "x.json: /simulation/dt") ==
        "x.json: /simulation/dt: \"fifteen ms\" is not a number with a unit; write it like "
        "\"2.5 ms\", or as a number in ms");
  CHECK(error_of(json("15 mz"), "ms", "x.json: /a/tau") ==
        "x.json: /a/tau: \"15 mz\" has an unknown unit 'mz' (did you mean 'ms'?); tau is in ms "
        "(a time), e.g. \"2.5 ms\"");
  CHECK(error_of(json(true), "mV", "x.json: /a/V") ==
        "x.json: /a/V: expected a number in mV or a string like \"2.5 mV\", got true");
  CHECK(error_of(json("nan mV"), "mV", "x.json: /a/V") ==
        "x.json: /a/V: \"nan mV\" is not a number");
}

TEST_CASE("units: format_value gives the shortest text that reads back as the same value") {
  CHECK(format_value(15, "ms") == "15 ms");
  CHECK(format_value(-72.5, "mV") == "-72.5 mV");
  CHECK(format_value(0.1, "1") == "0.1");
  CHECK(format_value(HUGE_VAL, "ms") == "inf ms");
  CHECK(format_number(-HUGE_VAL) == "-inf");
  double odd = 0.1 + 0.2;
  CHECK(convert_value(json(format_value(odd, "ms")), "ms", "w") == odd);
}

TEST_CASE("units: dimensions are described in words") {
  CHECK(describe_dimension(parse_unit("ms")->dimension) == "a time");
  CHECK(describe_dimension(parse_unit("1/s")->dimension) == "a rate");
  CHECK(describe_dimension(parse_unit("mS/cm^2")->dimension) == "a conductance density");
  CHECK(describe_dimension(parse_unit("1")->dimension) == "a plain number");
  CHECK(describe_dimension(parse_unit("mV/cm")->dimension) ==
        "a quantity of dimension voltage length^-1");
}

TEST_CASE("errors: did_you_mean suggests a close name and stays quiet otherwise") {
  std::vector<std::string> known = {"tau_m", "V_th", "V_re", "size"};
  CHECK(did_you_mean("tau", known) == " (did you mean 'tau_m'?)");
  CHECK(did_you_mean("szie", known) == " (did you mean 'size'?)");
  CHECK(did_you_mean("v_TH", known) == " (did you mean 'V_th'?)");
  CHECK(did_you_mean("gamma", known) == "");
  CHECK(did_you_mean("x", {"y"}) == "");
  CHECK(join_list({"a", "b"}) == "a, b");
  CHECK(join_list({}) == "(none)");
}
