// Stop signals sent to a `ganglion run` child once it steps (its file holds its datasets), at 1 and
// at 2 threads (owner mode from step 128): SIGINT, SIGTERM and SIGHUP end the run at a step
// boundary with exit status 128 + n, the file finished and in place, its status "interrupted at
// t = <T> ms by <signal>", every recorded spike at or before T and as many as the summary counts;
// a second signal ends the process at once; and after a kill -9 the .part file opens with its root
// attributes and the data flushed within the bound (2 s).
#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <csignal>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "faults/stops_support.hpp"

namespace fs = std::filesystem;
using namespace ganglion::test;

namespace {

constexpr double dt = 0.1;        // ms
constexpr double x_rate = 20;     // Hz, the Poisson sources'
constexpr uint64_t x_size = 500;  // sources
constexpr uint64_t e_size = 2000; // lif neurons
constexpr double bin = 10;        // ms, of the rates recorder

// A run far longer than any test waits: E (lif) driven by Poisson sources X, spikes of both and
// E's binned rate recorded; every recorder reads spikes only, so 2 threads go to owner mode.
std::string experiment(const std::string &output, int threads) {
  return R"({"ganglion": 1,
  "simulation": {"dt": "0.1 ms", "duration": "1000 s", "seed": 5, "threads": )" +
         std::to_string(threads) + R"(},
  "populations": {
    "E": {"model": "lif", "size": 2000, "init": {"V": {"uniform": ["-65 mV", "-50 mV"]}}},
    "X": {"model": "poisson", "size": 500, "params": {"rate": "20 Hz"}}},
  "projections": [
    {"pre": "X", "post": "E", "synapse": "exp_current", "params": {"tau": "5 ms"},
     "connect": {"rule": "fixed_indegree", "indegree": 50}, "weight": "0.8 mV"}],
  "recorders": [{"type": "spikes", "populations": ["E", "X"]},
                {"type": "rates", "populations": ["E"], "params": {"bin": "10 ms"}}],
  "output": ")" +
         output + R"("})";
}

// One run in its own folder, started and waited for until it steps.
struct Running {
  TempDir dir;
  std::string output = dir / "run.h5";
  std::string part = output + ".part";
  std::string config;
  Child child;

  explicit Running(int threads)
      : config(write_file(dir / "exp.json", experiment(dir / "run.h5", threads))),
        child(dir, config) {
    // The datasets appear with the flush after the build, just before step 0.
    REQUIRE(wait_for_file(part, 30, [](hid_t f) { return has_object(f, "/spikes/X/timestamps"); }));
    std::this_thread::sleep_for(std::chrono::milliseconds(500)); // some steps
  }
};

// What a run stopped by `sig` leaves: the exit status, the message, the file and its data.
void check_interrupted(Running &r, int sig, const std::string &name) {
  r.child.signal(sig);
  const Ended e = r.child.wait(30);
  INFO("stdout: " << e.out << "\nstderr: " << e.err);
  REQUIRE(e.exited);
  CHECK(e.code == 128 + sig);
  const std::string said = "ganglion: interrupted at t = ";
  REQUIRE(contains(e.err, said));
  const double t = number_after(e.err, said);
  CHECK(t > 0);
  CHECK(contains(e.err, " ms by " + name + "; what was recorded up to then is in " + r.output));
  CHECK(contains(e.out, "simulated ")); // the summary of what ran

  REQUIRE(fs::exists(r.output));
  CHECK_FALSE(fs::exists(r.part));
  const std::string status = root_attribute(r.output, "status");
  CHECK(status.rfind("interrupted at t = ", 0) == 0);
  CHECK(number_after(status, "interrupted at t = ") == t);
  CHECK(contains(status, " ms by " + name));

  // Every spike recorded up to t, as many as the summary counts; X's at its rate.
  for (const char *pop : {"E", "X"}) {
    CAPTURE(pop);
    const std::vector<double> times =
        read_h5_f64(r.output, std::string("/spikes/") + pop + "/timestamps");
    CHECK(read_h5_u64(r.output, std::string("/spikes/") + pop + "/node_ids").size() ==
          times.size());
    CHECK(times.size() == summary_spikes(e.out, pop));
    if (!times.empty()) CHECK(times.back() <= t + 1e-9);
  }
  const double x_spikes = double(read_h5_f64(r.output, "/spikes/X/timestamps").size());
  const double expected = double(x_size) * x_rate * t * 1e-3;
  CHECK(x_spikes == doctest::Approx(expected).epsilon(5 / std::sqrt(expected) + 0.02));
  // The rates recorder wrote every whole bin.
  CHECK(read_h5_f64(r.output, "/rates/E/rate").size() == uint64_t(std::floor(t / bin + 1e-9)));

  // The measures span the data, up to t (not the 1000 s the run was to last): X at its rate.
  CHECK(root_number(r.output, "recorded_ms") == doctest::Approx(t).epsilon(1e-12));
  const CliResult a = run_cli("analyze " + r.output);
  CHECK(a.exit_code == 0);
  CHECK(contains(a.out, "file status: interrupted at t = "));
  CHECK(number_after(a.out, "over (0, ") == doctest::Approx(t).epsilon(1e-9));
  CHECK(analyzed_rate(a.out, "X") == doctest::Approx(x_rate).epsilon(5 / std::sqrt(expected)));
}

} // namespace

TEST_CASE("stops: SIGINT ends the run at a step boundary with its file finished, at 1 and 2 "
          "threads") {
  for (int threads : {1, 2}) {
    CAPTURE(threads);
    Running r(threads);
    check_interrupted(r, SIGINT, "SIGINT");
  }
}

TEST_CASE("stops: SIGTERM ends the run at a step boundary with its file finished, at 1 and 2 "
          "threads") {
  for (int threads : {1, 2}) {
    CAPTURE(threads);
    Running r(threads);
    check_interrupted(r, SIGTERM, "SIGTERM");
  }
}

TEST_CASE("stops: SIGHUP ends the run at a step boundary with its file finished, at 1 and 2 "
          "threads") {
  for (int threads : {1, 2}) {
    CAPTURE(threads);
    Running r(threads);
    check_interrupted(r, SIGHUP, "SIGHUP");
  }
}

TEST_CASE("stops: a second signal ends the process at once, at 1 and 2 threads") {
  // SIGINT and SIGTERM back to back (two of one kind could merge into one while pending): the one
  // handled second finds the other's stop under way and takes its default action, so the process
  // ends by a signal rather than exit with 128 + n. Which of the two is handled first depends on
  // the thread the kernel hands each to.
  for (int threads : {1, 2}) {
    CAPTURE(threads);
    Running r(threads);
    r.child.signal(SIGINT);
    r.child.signal(SIGTERM);
    const Ended e = r.child.wait(30);
    INFO("stderr: " << e.err);
    CHECK_FALSE(e.exited);
    CHECK((e.signal == SIGINT || e.signal == SIGTERM));
    CHECK_FALSE(fs::exists(r.output)); // not finished
  }
}

TEST_CASE("stops: SIGINT to a sweep of members together, or merged in a batch, stops each at a "
          "step boundary with its file finished, and the sweep says so") {
  // Two members of the long run in the sweep's process (--together: each a run of its own;
  // --batch: both in one network): the signal reaches the sweep, whose flag the runs read at each
  // step boundary.
  for (const char *how : {"--together", "--batch"}) {
    CAPTURE(how);
    TempDir dir;
    const std::string config = write_file(dir / "exp.json", experiment(dir / "unused.h5", 1));
    const std::string folder = dir / "sweep";
    Child child(dir, config, {"--vary", "populations.X.params.rate=20 Hz,30 Hz", how, "-o", folder},
                {}, "sweep");
    for (const char *member : {"/member_0000.h5.part", "/member_0001.h5.part"})
      REQUIRE(wait_for_file(folder + member, 30,
                            [](hid_t f) { return has_object(f, "/spikes/X/timestamps"); }));
    std::this_thread::sleep_for(std::chrono::milliseconds(500)); // some steps
    child.signal(SIGINT);
    const Ended e = child.wait(30);
    INFO("stdout: " << e.out << "\nstderr: " << e.err);
    REQUIRE(e.exited);
    CHECK(e.code == 128 + SIGINT);
    CHECK(contains(e.err, "ganglion: sweep: interrupted by signal 2; each member's file holds what "
                          "it recorded until then"));
    for (const char *member : {"/member_0000", "/member_0001"}) {
      CAPTURE(member);
      const std::string file = folder + member + ".h5";
      REQUIRE(fs::exists(file));
      CHECK(root_attribute(file, "status").rfind("interrupted at t = ", 0) == 0);
      CHECK(contains(read_file(folder + member + ".log"), "ganglion: interrupted at t = "));
    }
    CHECK(fs::exists(folder + "/sweep.csv")); // (the table of what ran)
  }
}

TEST_CASE("stops: after a kill -9 the .part file opens with its attributes and the data flushed "
          "within the bound") {
  Running r(2); // (once: the flushes do not depend on the threads, and the test waits for two)
  uint64_t before = 0;
  REQUIRE(wait_for_file(r.part, 30, [&](hid_t f) {
    before = rows_of(f, "/spikes/X/timestamps");
    return before > 0;
  }));
  // Longer than the bound: another flush has come by the kill.
  std::this_thread::sleep_for(std::chrono::milliseconds(2500));
  r.child.signal(SIGKILL);
  const Ended e = r.child.wait(30);
  CHECK(e.signal == SIGKILL);

  REQUIRE(fs::exists(r.part));
  CHECK_FALSE(fs::exists(r.output));
  CHECK(root_attribute(r.part, "status") == "running");
  for (const char *name : {"experiment", "ganglion_version", "backends", "plugins", "host"})
    CHECK_FALSE(root_attribute(r.part, name).empty());
  const std::vector<double> times = read_h5_f64(r.part, "/spikes/X/timestamps");
  CHECK(times.size() > before);
  CHECK(std::is_sorted(times.begin(), times.end()));
  CHECK(read_h5_u64(r.part, "/spikes/X/node_ids").size() == times.size());
  // The measures span what the last flush says it holds (a flush comes every 2 s): X at its rate.
  const double recorded = root_number(r.part, "recorded_ms");
  CHECK(recorded > 0);
  const CliResult a = run_cli("analyze " + r.part);
  CHECK(a.exit_code == 0);
  CHECK(contains(a.out, "file status: running"));
  CHECK(number_after(a.out, "over (0, ") == doctest::Approx(recorded).epsilon(1e-9));
  const double expected = double(x_size) * x_rate * recorded * 1e-3;
  CHECK(analyzed_rate(a.out, "X") == doctest::Approx(x_rate).epsilon(5 / std::sqrt(expected)));
}
