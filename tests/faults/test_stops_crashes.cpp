// Plugins that crash inside a hook (tests/fixtures/crash_neuron.c: a neuron that writes through a
// null pointer, or calls abort(), in its step at step 2000), at 1 and 2 threads (its 3000 neurons
// are three slices, stepped on either thread): the run exits 3, names the plugin, its library,
// the population, the hook and the step, and leaves its file finished, in place, with a status
// that says so and the spikes recorded up to the crash.
#include <doctest/doctest.h>

#include <csignal>
#include <filesystem>
#include <string>
#include <vector>

#include "faults/stops_support.hpp"

namespace fs = std::filesystem;
using namespace ganglion::test;

namespace {

// Poisson sources X, recorded, beside a population C of the crashing model.
std::string experiment(const std::string &library, const std::string &model,
                       const std::string &output, int threads) {
  return R"({"ganglion": 1, "plugins": [")" + library + R"("],
  "simulation": {"dt": "0.1 ms", "duration": "10 s", "seed": 2, "threads": )" +
         std::to_string(threads) + R"(},
  "populations": {"X": {"model": "poisson", "size": 100, "params": {"rate": "50 Hz"}},
                  "C": {"model": ")" +
         model + R"(", "size": 3000, "params": {"at": 2000}}},
  "recorders": [{"type": "spikes", "populations": ["X"]}],
  "output": ")" +
         output + R"("})";
}

void check_crash(const std::string &file, const std::string &model, const std::string &signal) {
  for (int threads : {1, 2}) {
    CAPTURE(threads);
    TempDir dir;
    const std::string output = dir / "run.h5", library = fixture(file);
    REQUIRE(fs::exists(library));
    Child child(dir, write_file(dir / "exp.json", experiment(library, model, output, threads)));
    const Ended e = child.wait(30);
    INFO("stderr: " << e.err);
    REQUIRE(e.exited);
    CHECK(e.code == 3);
    const std::string report = "plugin '" + model + "' (" + library + ") crashed (" + signal +
                               ") in hook 'step' of population 'C' at step 2000 (t = 200 ms)";
    CHECK(contains(e.err, "ganglion: " + report + "\n"));
    CHECK(contains(e.err, "ganglion: what was recorded up to then is in " + output + "\n"));

    REQUIRE(fs::exists(output));
    CHECK_FALSE(fs::exists(output + ".part"));
    CHECK(root_attribute(output, "status") == "failed: " + report);
    const std::vector<double> times = read_h5_f64(output, "/spikes/X/timestamps");
    CHECK(times.size() > 500); // 100 sources at 50 Hz for 200 ms: about 1000
    CHECK(times.back() <= 200 + 1e-9);
    CHECK(read_h5_u64(output, "/spikes/X/node_ids").size() == times.size());
  }
}

} // namespace

TEST_CASE("crashes: a plugin that dereferences null in its step: exit 3, named, file finished") {
  check_crash("segv_neuron.so", "gg_test_segv", "SIGSEGV");
}

TEST_CASE("crashes: a plugin that calls abort() in its step: exit 3, named, file finished") {
  check_crash("abort_neuron.so", "gg_test_abort", "SIGABRT");
}
