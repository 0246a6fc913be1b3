// The JSON text of an experiment: what a JSON parser accepts but an experiment refuses (nesting
// deeper than 256, a key given twice, numbers beyond a double), each at its line and column, and
// messages that never repeat an unbounded input.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "experiment/loader.hpp"

using namespace ganglion;

namespace {

std::string error_of(const std::string &text, const std::vector<std::string> &overrides = {}) {
  PluginRegistry none;
  try {
    load_experiment_text(text, "x.json", "", overrides, none);
  } catch (const ConfigError &e) {
    return e.what();
  }
  FAIL("no ConfigError");
  return "";
}

std::string nested(size_t depth) {
  return std::string(depth, '[') + std::string(depth, ']');
}

} // namespace

TEST_CASE("json text: nesting deeper than 256 is refused at the bracket, naming the place") {
  // {"description": [[[...: the root object is level 1, so the 256th '[' opens level 257.
  const std::string deep = "{\"description\": " + nested(100000) + "}";
  const std::string e = error_of(deep);
  CHECK(e.rfind("x.json:1:272: lists and objects nested more than 256 deep (in "
                "/description/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/...); an experiment "
                "needs a few levels: check the brackets",
                0) == 0);
  CHECK(e.size() < 300);
  // 256 levels are JSON an experiment may hold; the loader then says what is wrong with it, and
  // shows the value clipped.
  CHECK(error_of("{\"description\": " + nested(255) + "}") ==
        "x.json: /description: expected a string, got "
        "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[...");
  // A --set value is held to the same bound.
  CHECK(error_of("{}", {"description=" + nested(300)}) ==
        "--set description=[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[...: lists "
        "and objects nested more than 256 deep (in /0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/"
        "0/0/0/0/0/...); an experiment needs a few levels: check the brackets");
}

TEST_CASE("json text: a key given twice is refused with both places, a population's name too") {
  const std::string twice = R"({
  "populations": {
    "E": {"model": "lif", "size": 10},
    "E": {"model": "lif", "size": 20}
  }
})";
  CHECK(error_of(twice) ==
        "x.json:4:5: /populations: the key 'E' is given twice in one object (first at line 3, "
        "column 5); JSON would keep only the last: remove one, or rename it");
  CHECK(error_of("{\"output\": \"a.h5\",\n \"output\": \"b.h5\"}") ==
        "x.json:2:2: the key 'output' is given twice in one object (first at line 1, column 2); "
        "JSON would keep only the last: remove one, or rename it");
  // Inside a list, and with a quote escaped in the key.
  CHECK(error_of(R"({"recorders": [{}, {"type": 1, "type": 2}]})") ==
        "x.json:1:32: /recorders/1: the key 'type' is given twice in one object (first at line "
        "1, column 21); JSON would keep only the last: remove one, or rename it");
  CHECK(error_of(R"({"a\"b": 1, "a\"b": 2})") ==
        "x.json:1:13: the key 'a\"b' is given twice in one object (first at line 1, column 2); "
        "JSON would keep only the last: remove one, or rename it");
  // The same key in two objects is no repetition, nor is a --set that replaces a key's value.
  CHECK(error_of(R"({"a": {"x": 1}, "b": {"x": 1}})").find("given twice") == std::string::npos);
  CHECK(error_of(R"({"output": "a.h5"})", {"output=\"b.h5\""}).find("given twice") ==
        std::string::npos);
  // A --set value with a repeated key is refused like a file.
  CHECK(error_of("{}", {R"(simulation={"seed": 1, "seed": 2})"}) ==
        "--set simulation={\"seed\": 1, \"seed\": 2}: the key 'seed' is given twice in one object "
        "(first at character 2); JSON would keep only the last: remove one, or rename it");
}

TEST_CASE("json text: numbers beyond a double are refused at their line and column") {
  const std::string range = "(-1.7976931348623157e+308 to 1.7976931348623157e+308)";
  CHECK(error_of("{\n  \"simulation\": {\"duration\": 1e400}\n}") ==
        "x.json:2:30: 1e400 is beyond the range of a double " + range + "; write a smaller number");
  CHECK(error_of("{\"seed\": -2e308}") == "x.json:1:10: -2e308 is beyond the range of a double " +
                                              range + "; write a smaller number");
  CHECK(error_of("{}", {"simulation.seed=1e400"}) ==
        "--set simulation.seed=1e400: 1e400 is beyond the range of a double " + range +
            "; write a smaller number");
  // Malformed JSON keeps its message, and a --set value that is not JSON is a word.
  CHECK(error_of("{\"a\": 1,}").rfind("x.json:1:9: malformed JSON: syntax error", 0) == 0);
  CHECK(error_of("{}", {"description=not json"}).find("malformed") == std::string::npos);
}

TEST_CASE("json text: messages show a long key, name or value clipped to 60 characters") {
  const std::string key(100000, 'k');
  const std::string shown = std::string(57, 'k') + "...";
  CHECK(error_of("{\"" + key + "\": 1}") ==
        "x.json: unknown key '" + shown +
            "'; known keys: ganglion, description, simulation, plugins, populations, projections, "
            "recorders, output");
  CHECK(error_of(R"({"populations": {"E": {"model": ")" + key + R"(", "size": 1}}})")
            .rfind("x.json: /populations/E/model: unknown neuron model '" + shown + "'; known:",
                   0) == 0);
  CHECK(error_of("{}", {"populations." + key + ".size=1"})
            .rfind("--set populations." + std::string(45, 'k') +
                       "...=1: the experiment has no "
                       "key 'populations'",
                   0) == 0);
}
