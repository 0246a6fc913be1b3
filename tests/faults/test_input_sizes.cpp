// Hostile input, sizes: counts, in-degrees and delays that the loader accepts one by one but
// whose network could never be allocated are refused by the memory estimate before anything is
// allocated, with the figures and the fix (the limit set through GANGLION_MEMORY_LIMIT, so that
// the test does not depend on the machine); `validate` prints the estimate; more threads than
// the machine has are capped with a warning.
#include <doctest/doctest.h>

#include <string>
#include <thread>

#include "test_input_case.hpp"

using namespace ganglion::test;
using namespace ganglion::test::input;

namespace {

const std::string limit = "GANGLION_MEMORY_LIMIT=16G";

// The refusal of a network whose largest part is at `pointer`: `need` in all, `part` and its
// size `takes`, and `fix`.
std::string too_big(const std::string &config, const std::string &pointer, const std::string &need,
                    const std::string &part, const std::string &takes, const std::string &fix) {
  return "ganglion: " + config + ": " + pointer + ": the network would need about " + need +
         " of memory, more than the 16 GiB available (the limit GANGLION_MEMORY_LIMIT=16G); the "
         "largest part, " +
         part + ", takes about " + takes + ": " + fix +
         ". To allow more, set GANGLION_MEMORY_LIMIT (e.g. GANGLION_MEMORY_LIMIT=64G)\n";
}

} // namespace

TEST_CASE("input faults: sizes that could never be allocated are refused by the estimate, with "
          "the figures and the fix, by run and validate alike") {
  Case c;
  const std::string base = base_config(c.output);
  SUBCASE("10^9 neurons") {
    const std::string text =
        replaced(replaced(base, "\"size\": 10", "\"size\": 1000000000"), "\"p\": 0.5", "\"p\": 0");
    const std::string message =
        too_big(c.config, "/populations/E/size", "164 GiB", "population E (1,000,000,000 neurons)",
                "101 GiB", "use fewer neurons");
    c.refused(c.cli("run", text, "", limit), 1, message);
    c.refused(c.cli("validate", text, "", limit), 1, message);
  }
  SUBCASE("all-to-all at 10^6 neurons") {
    const std::string text =
        replaced(replaced(base, "\"size\": 10", "\"size\": 1000000"),
                 R"({"rule": "fixed_probability", "p": 0.5})", R"({"rule": "all_to_all"})");
    c.refused(c.cli("run", text, "", limit), 1,
              too_big(c.config, "/projections/0/connect", "3.64 TiB",
                      "projection E->E (1,000,000,000,000 synapses of 4 bytes)", "3.64 TiB",
                      "a sparse rule (fixed_probability, fixed_indegree), or fewer neurons"));
  }
  SUBCASE("an in-degree of 10^9") {
    const std::string text = replaced(base, R"({"rule": "fixed_probability", "p": 0.5})",
                                      R"({"rule": "fixed_indegree", "indegree": 1000000000})");
    c.refused(c.cli("run", text, "", limit), 1,
              too_big(c.config, "/projections/0/connect", "18.6 GiB",
                      "projection E->E (10,000,000,000 synapses of 2 bytes)", "18.6 GiB",
                      "a lower indegree, or fewer neurons"));
  }
  SUBCASE("a delay of 10^9 ms") {
    const std::string text =
        replaced(base, "\"weight\": 0.1,", "\"weight\": 0.1, \"delay\": \"1e9 ms\",");
    c.refused(c.cli("validate", text, "", limit), 1,
              too_big(c.config, "/projections/0/delay", "671 GiB",
                      "the spike history of population E (10,000,000,000 steps deep: its longest "
                      "outgoing delay)",
                      "671 GiB", "shorten the delay, raise dt, or use fewer neurons"));
  }
}

TEST_CASE("input faults: validate prints the estimate after its first line; the limit is the "
          "environment's to lower or raise") {
  Case c;
  const CliResult ok = c.cli("validate", base_config(c.output), "", limit);
  CHECK(ok.exit_code == 0);
  CHECK(ok.err.empty());
  CHECK(ok.out == c.config +
                      ": valid: 1 populations (10 neurons), 1 projections, 1 recorders, 100 steps "
                      "of 0.1 ms\n" +
                      c.config +
                      ": estimate: 2.81 KiB of memory; 1.56 KiB of output per simulated second, 16 "
                      "B in all; spikes at a source's rate, else 10 Hz per neuron\n");
  c.refused(c.cli("run", base_config(c.output), "", "GANGLION_MEMORY_LIMIT=1K"), 1,
            "ganglion: " + c.config +
                ": /populations/E/size: the network would need about 2.81 KiB of memory, more "
                "than the 1 KiB available (the limit GANGLION_MEMORY_LIMIT=1K); the largest part, "
                "population E (10 neurons), takes about 1.66 KiB: use fewer neurons. To allow "
                "more, set GANGLION_MEMORY_LIMIT (e.g. GANGLION_MEMORY_LIMIT=64G)\n");
  c.refused(c.cli("run", base_config(c.output), "", "GANGLION_MEMORY_LIMIT=lots"), 1,
            "ganglion: GANGLION_MEMORY_LIMIT: 'lots' is not a size; write bytes, or a number with "
            "K, M, G or T (powers of 1024), e.g. GANGLION_MEMORY_LIMIT=64G\n");
}

TEST_CASE("input faults: more threads than the machine has are capped at its hardware threads, "
          "with a warning") {
  Case c;
  const unsigned hardware = std::thread::hardware_concurrency();
  REQUIRE(hardware > 0);
  const CliResult r = c.cli("run", base_config(c.output), "-t 1000000");
  CHECK(r.exit_code == 0);
  CHECK(r.err == "ganglion: warning: " + c.config +
                     ": /simulation/threads: 1000000 threads asked for, more than this machine's " +
                     std::to_string(hardware) + " hardware threads; running " +
                     std::to_string(hardware) + "\n");
  CHECK(r.out.find("on " + std::to_string(hardware) + " thread") != std::string::npos);
  CHECK(read_h5_string_attribute(c.output, "/", "status") == "complete");
}
