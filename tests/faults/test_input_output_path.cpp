// Hostile input, the output path: -o or "output" naming the experiment file itself (under any
// spelling of its path) or any existing file that is not HDF5 is refused before anything runs,
// and the file is left as it was; an earlier run's output is still replaced.
#include <doctest/doctest.h>

#include <string>

#include "test_input_case.hpp"

using namespace ganglion::test;
using namespace ganglion::test::input;

TEST_CASE("input faults: an output path naming the experiment or another file that is not HDF5 "
          "is refused, and the file kept") {
  Case c;
  const std::string text = base_config(c.output);
  const std::string fix = ": choose another path with -o or \"output\"";
  SUBCASE("-o naming the experiment, as given and as ./ of its folder") {
    const std::string dotted = (c.dir.path / "." / "exp.json").string();
    for (const std::string &path : {c.config, dotted}) {
      CAPTURE(path);
      c.refused(c.cli("run", text, "-o " + shell_quoted(path)), 1,
                "ganglion: output path '" + path + "' is the experiment file " + c.config +
                    " itself; writing the output would replace it" + fix + "\n");
      CHECK(read_file(c.config) == text);
    }
  }
  SUBCASE("\"output\" naming the experiment") {
    const std::string own =
        replaced(text, "\"output\": \"" + c.output, "\"output\": \"" + c.config);
    c.refused(c.cli("validate", own), 1,
              "ganglion: output path '" + c.config + "' is the experiment file " + c.config +
                  " itself; writing the output would replace it" + fix + "\n");
    CHECK(read_file(c.config) == own);
  }
  SUBCASE("-o naming another JSON file") {
    const std::string other = write_file(c.dir / "other.json", "{\"keep\": true}\n");
    c.refused(c.cli("run", text, "-o " + shell_quoted(other)), 1,
              "ganglion: output path '" + other +
                  "' is an existing file that is not an HDF5 file; writing the output would "
                  "replace it" +
                  fix + ", or remove the file first\n");
    CHECK(read_file(other) == "{\"keep\": true}\n");
  }
  SUBCASE("an earlier run's output is replaced") {
    REQUIRE(c.cli("run", text).exit_code == 0);
    const CliResult again = c.cli("run", text);
    CHECK(again.exit_code == 0);
    CHECK(read_h5_string_attribute(c.output, "/", "status") == "complete");
  }
}
