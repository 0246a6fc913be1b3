// What the hostile-input fault tests (tests/faults/test_input_*.cpp) share: a small valid
// experiment written into its own folder, and `ganglion` run on it, expected to refuse one thing
// with one message and to leave no output file behind.
#pragma once

#include <doctest/doctest.h>

#include <filesystem>
#include <string>

#include "support.hpp"

namespace ganglion::test::input {

// One lif population that fires, its spikes recorded into `output`; each test breaks one thing
// in it (`replaced`) or runs it under a hostile command line or environment.
inline std::string base_config(const std::string &output) {
  return R"({
  "simulation": {"dt": "0.1 ms", "duration": "10 ms", "seed": 3, "threads": 1},
  "populations": {
    "E": {"model": "lif", "size": 10, "params": {"I_e": "2 mV/ms"}}
  },
  "projections": [
    {"pre": "E", "post": "E", "synapse": "exp_current", "weight": 0.1,
     "connect": {"rule": "fixed_probability", "p": 0.5}}
  ],
  "recorders": [{"type": "spikes", "populations": ["E"]}],
  "output": ")" +
         output + R"("
}
)";
}

// `text` with its one occurrence of `from` replaced by `to`.
inline std::string replaced(const std::string &text, const std::string &from,
                            const std::string &to) {
  const auto at = text.find(from);
  REQUIRE_MESSAGE(at != std::string::npos, "'" << from << "' is not in the config");
  REQUIRE_MESSAGE(text.find(from, at + 1) == std::string::npos, "'" << from << "' is ambiguous");
  return text.substr(0, at) + to + text.substr(at + from.size());
}

inline std::string shell_quoted(const std::string &s) {
  return "'" + s + "'";
}

// An experiment in its own folder: exp.json, writing x.h5 beside it.
struct Case {
  TempDir dir;
  std::string config = dir / "exp.json";
  std::string output = dir / "x.h5";

  // `command` (run, validate) on `text` written as exp.json, with `args` after the config and
  // `env` before the command.
  CliResult cli(const std::string &command, const std::string &text, const std::string &args = "",
                const std::string &env = "") {
    write_file(config, text);
    return run_cli(command + " " + shell_quoted(config) + (args.empty() ? "" : " " + args), env);
  }

  // Exit `status`, exactly `message` on stderr, nothing on stdout, and no output file.
  void refused(const CliResult &r, int status, const std::string &message) const {
    CHECK(r.exit_code == status);
    CHECK(r.err == message);
    CHECK(r.out.empty());
    CHECK_FALSE(std::filesystem::exists(output));
    CHECK_FALSE(std::filesystem::exists(output + ".part"));
  }
};

} // namespace ganglion::test::input
