// Writes that fail: a full disk (tests/fixtures/full_disk.c, preloaded into the child: its output
// file cannot grow past a given size, writes and reservations beyond fail with ENOSPC) and an
// output folder removed during the run. The run exits 3 (1 when nothing ran yet), names the path,
// says how far it got, and leaves a file that opens or none; it never crashes (HDF5 once did in
// its shutdown, after "No space left on device").
#include <doctest/doctest.h>

#include <chrono>
#include <csignal>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "faults/stops_support.hpp"

namespace fs = std::filesystem;
using namespace ganglion::test;

namespace {

// 2000 Poisson sources at 100 Hz, recorded: 3.2 MB of spikes a simulated second.
std::string experiment(const std::string &output) {
  return R"({"ganglion": 1,
  "simulation": {"dt": "0.1 ms", "duration": "20 s", "seed": 4, "threads": 2},
  "populations": {"X": {"model": "poisson", "size": 2000, "params": {"rate": "100 Hz"}}},
  "recorders": [{"type": "spikes", "populations": ["X"]},
                {"type": "rates", "populations": ["X"], "params": {"bin": "10 ms"}}],
  "output": ")" +
         output + R"("})";
}

// The run writing `output` on a disk with room for `room` bytes of it.
Ended run_on_full_disk(const TempDir &dir, const std::string &output, uint64_t room) {
  const std::string preload = fixture("preload/full_disk.so");
  REQUIRE(fs::exists(preload));
  Child child(dir, write_file(dir / "exp.json", experiment(output)), {},
              {"LD_PRELOAD=" + preload, "GANGLION_TEST_FULL_FILE=" + output,
               "GANGLION_TEST_FULL_AT=" + std::to_string(room)});
  return child.wait(60);
}

} // namespace

TEST_CASE("full disk: the run ends with exit 3, the path and how far it got, and a readable file "
          "or none") {
  for (const uint64_t room : {uint64_t(2) << 20, uint64_t(5) << 20}) {
    CAPTURE(room);
    TempDir dir;
    const std::string output = dir / "run.h5", part = output + ".part";
    const Ended e = run_on_full_disk(dir, output, room);
    INFO("stderr: " << e.err);
    REQUIRE(e.exited); // no crash
    CHECK(e.code == 3);
    CHECK(contains(e.err, "'" + part + "'"));
    CHECK(contains(e.err, "No space left on device"));
    CHECK(contains(e.err, "ganglion: the run had simulated "));
    CHECK_FALSE(fs::exists(output));
    if (!fs::exists(part)) {
      CHECK(contains(e.err, part + " could not be read back and was removed"));
      continue;
    }
    CHECK(contains(e.err, part + " keeps what its last flush wrote ("));
    CHECK(fs::file_size(part) <= room);
    CHECK(root_attribute(part, "status") == "running");
    CHECK_FALSE(root_attribute(part, "experiment").empty());
    const std::vector<double> times = read_h5_f64(part, "/spikes/X/timestamps");
    CHECK(read_h5_u64(part, "/spikes/X/node_ids").size() == times.size());
    CHECK(number_after(e.err, "keeps what its last flush wrote (") >= double(times.size()) * 8);
    // The data that reached the file are measured; where none did, analyze says so.
    const CliResult a = run_cli("analyze " + part);
    if (number_after(e.err, "keeps what its last flush wrote (") > 0) {
      CHECK(a.exit_code == 0);
      CHECK(number_after(a.out, "over (0, ") == root_number(part, "recorded_ms"));
    } else {
      CHECK(a.exit_code == 1);
      CHECK(a.err == "ganglion: " + part +
                         ": no recorded data reached the file before its run stopped (status: "
                         "running)\n");
    }
  }
}

TEST_CASE("full disk: a disk full before the first step is bad input: exit 1, no file") {
  TempDir dir;
  const std::string output = dir / "run.h5";
  const Ended e = run_on_full_disk(dir, output, 1000);
  INFO("stderr: " << e.err);
  REQUIRE(e.exited);
  CHECK(e.code == 1);
  CHECK(contains(e.err, "'" + output + ".part'"));
  CHECK(contains(e.err, "No space left on device"));
  CHECK_FALSE(fs::exists(output));
  CHECK_FALSE(fs::exists(output + ".part"));
}

TEST_CASE("full disk: an output folder removed during the run: exit 3, the path, no crash") {
  TempDir dir;
  const std::string folder = dir / "out", output = folder + "/run.h5";
  fs::create_directories(folder);
  Child child(dir, write_file(dir / "exp.json", experiment(output)));
  REQUIRE(wait_for_file(output + ".part", 30,
                        [](hid_t f) { return has_object(f, "/spikes/X/timestamps"); }));
  fs::remove_all(folder);
  child.signal(SIGINT); // the file can still be written (it is open), but not renamed into place
  const Ended e = child.wait(30);
  INFO("stderr: " << e.err);
  REQUIRE(e.exited);
  CHECK(e.code == 3);
  CHECK(contains(e.err, "cannot rename '" + output + ".part' to '" + output + "'"));
  CHECK(contains(e.err, "the file is gone (was its folder removed?)"));
  CHECK_FALSE(fs::exists(folder));
}
