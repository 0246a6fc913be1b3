// Hostile input, JSON: nesting that would exhaust the stack, a key given twice (a population
// defined twice), numbers beyond a double, values beyond their storage (a weight beyond a float),
// and messages that never repeat an unbounded input; each refused by `run` at its place, with no
// file written.
#include <doctest/doctest.h>

#include <string>

#include "test_input_case.hpp"

using namespace ganglion::test;
using namespace ganglion::test::input;

namespace {

std::string nested(size_t depth) {
  return std::string(depth, '[') + std::string(depth, ']');
}

} // namespace

TEST_CASE("input faults: JSON nested 100,000 deep is refused at the bracket, not a stack "
          "overflow") {
  Case c;
  SUBCASE("in a description") {
    const std::string text =
        replaced(base_config(c.output), "{\n  \"simulation\"",
                 "{\n  \"description\": " + nested(100000) + ",\n  \"simulation\"");
    c.refused(c.cli("run", text), 1,
              "ganglion: " + c.config +
                  ":2:273: lists and objects nested more than 256 deep (in "
                  "/description/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/...); an experiment "
                  "needs a few levels: check the brackets\n");
  }
  SUBCASE("in a weight") {
    const std::string text =
        replaced(base_config(c.output), "\"weight\": 0.1", "\"weight\": " + nested(100000));
    const CliResult r = c.cli("validate", text);
    c.refused(r, 1,
              "ganglion: " + c.config +
                  ":7:320: lists and objects nested more than 256 deep (in "
                  "/projections/0/weight/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0...); an "
                  "experiment needs a few levels: check the brackets\n");
  }
}

TEST_CASE("input faults: a key given twice, a population defined twice included, is refused "
          "naming the key and both places") {
  Case c;
  const std::string text =
      replaced(base_config(c.output), "\"populations\": {\n",
               "\"populations\": {\n    \"E\": {\"model\": \"lif\", \"size\": 20},\n");
  c.refused(c.cli("run", text), 1,
            "ganglion: " + c.config +
                ":5:5: /populations: the key 'E' is given twice in one object (first at line 4, "
                "column 5); JSON would keep only the last: remove one, or rename it\n");
  // Overriding a key with --set is not giving it twice.
  const CliResult r = c.cli("validate", base_config(c.output), "--set populations.E.size=20");
  CHECK(r.exit_code == 0);
}

TEST_CASE("input faults: numbers beyond a double, and weights beyond a float, are refused at "
          "their place") {
  Case c;
  c.refused(c.cli("run", replaced(base_config(c.output), "\"weight\": 0.1", "\"weight\": 1e400")),
            1,
            "ganglion: " + c.config +
                ":7:67: 1e400 is beyond the range of a double (-1.7976931348623157e+308 to "
                "1.7976931348623157e+308); write a smaller number\n");
  c.refused(c.cli("run", replaced(base_config(c.output), "\"weight\": 0.1", "\"weight\": 1e39")), 1,
            "ganglion: " + c.config +
                ": /projections/0/weight: 1e+39 mV does not fit a synapse's weight, a 32-bit "
                "float: the largest magnitude is 3.4028234663852886e+38 mV\n");
}

TEST_CASE("input faults: no message repeats an unbounded input") {
  Case c;
  const std::string word(100000, 'x');
  const std::string shown = std::string(57, 'x') + "...";
  c.refused(c.cli("run", replaced(base_config(c.output), "\"lif\"", "\"" + word + "\"")), 1,
            "ganglion: " + c.config + ": /populations/E/model: unknown neuron model '" + shown +
                "'; known: eif, hh, lif, poisson, poisson_generator, rate, spike_times. For a plugin of your own, "
                "list its library (or its folder) under \"plugins\" in the experiment, or put its "
                "folder on GANGLION_PLUGIN_PATH\n");
  c.refused(c.cli("run", replaced(base_config(c.output), "\"seed\": 3", "\"" + word + "\": 3")), 1,
            "ganglion: " + c.config + ": /simulation: unknown key '" + shown +
                "'; known keys: dt, duration, seed, threads, backend, delivery, dale\n");
}
