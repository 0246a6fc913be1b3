// Tests of the output file writer: what it writes is read back with the HDF5 C API.
#include <doctest/doctest.h>
#include <hdf5.h>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <numeric>
#include <string>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <vector>

#include "output/hdf5_writer.hpp"
#include "support.hpp"
#include "unit/output/read_back.hpp"

namespace fs = std::filesystem;
using ganglion::check_output_path;
using ganglion::Hdf5Writer;
using ganglion::OutputError;
using namespace ganglion::test;

namespace {

std::string message_of(const std::function<void()> &action) {
  return ganglion::test::message_of<OutputError>(action);
}

} // namespace

TEST_CASE("appends that span several blocks are written whole and in order") {
  TempDir tmp;
  const std::string path = tmp / "run.h5";
  std::vector<double> times, grid;
  std::vector<uint64_t> ids;
  {
    // 64 bytes per block: 8 values of a 1-D channel, 2 rows (and a bit) of the width-3 one.
    Hdf5Writer w(path, 64);
    const int32_t t = w.declare("/spikes/E/timestamps", GG_DTYPE_F64, 1, "ms");
    const int32_t n = w.declare("/spikes/E/node_ids", GG_DTYPE_U64, 1, "");
    const int32_t g = w.declare("/report/E/v/data", GG_DTYPE_F64, 3, "mV");
    CHECK(t != n);
    CHECK(n != g);
    // Sizes below, at and above a block, so that some appends fill the buffer and some bypass it.
    const std::vector<uint64_t> sizes = {1, 3, 8, 20, 0, 7, 2, 33, 1, 5, 16, 9};
    for (uint64_t rows : sizes) {
      std::vector<double> tv, gv;
      std::vector<uint64_t> nv;
      for (uint64_t i = 0; i < rows; ++i) {
        tv.push_back(0.1 * static_cast<double>(times.size() + i));
        nv.push_back(1000 + ids.size() + i);
        for (int k = 0; k < 3; ++k)
          gv.push_back(static_cast<double>(grid.size() + 3 * i + k));
      }
      w.append(t, tv.data(), rows);
      w.append(n, nv.data(), rows);
      w.append(g, gv.data(), rows);
      times.insert(times.end(), tv.begin(), tv.end());
      ids.insert(ids.end(), nv.begin(), nv.end());
      grid.insert(grid.end(), gv.begin(), gv.end());
    }
    w.commit();
  }
  ReadFile f(path);
  std::vector<hsize_t> max;
  CHECK(shape(f.id, "/spikes/E/timestamps", &max) == std::vector<hsize_t>{times.size()});
  CHECK(max == std::vector<hsize_t>{H5S_UNLIMITED});
  CHECK(read_all<double>(f.id, "/spikes/E/timestamps") == times);
  CHECK(read_all<uint64_t>(f.id, "/spikes/E/node_ids") == ids);
  CHECK(shape(f.id, "/report/E/v/data", &max) == std::vector<hsize_t>{grid.size() / 3, 3});
  CHECK(max == std::vector<hsize_t>{H5S_UNLIMITED, 3});
  CHECK(read_all<double>(f.id, "/report/E/v/data") == grid);

  // The file types are fixed little-endian types, whatever the machine.
  const hid_t d = H5Dopen2(f.id, "/spikes/E/node_ids", H5P_DEFAULT);
  const hid_t type = H5Dget_type(d);
  CHECK(H5Tequal(type, H5T_STD_U64LE) > 0);
  const hid_t dcpl = H5Dget_create_plist(d);
  CHECK(H5Pget_layout(dcpl) == H5D_CHUNKED);
  H5Pclose(dcpl);
  H5Tclose(type);
  H5Dclose(d);
}

TEST_CASE("the default block size buffers and flush() writes what is buffered") {
  TempDir tmp;
  const std::string path = tmp / "run.h5";
  Hdf5Writer w(path);
  const int32_t c = w.declare("rates/E/rate", GG_DTYPE_F64, 1, "Hz");
  const std::vector<double> v = {1.0, 2.0, 3.0};
  w.append(c, v.data(), 3);
  w.flush();
  {
    ReadFile f(path + ".part");
    CHECK(read_all<double>(f.id, "/rates/E/rate") == v);
  }
  w.commit();
}

TEST_CASE("write_fixed writes a dataset once, with its units") {
  TempDir tmp;
  const std::string path = tmp / "run.h5";
  {
    Hdf5Writer w(path);
    const std::vector<double> time = {0.0, 100.0, 0.5};
    const std::vector<uint64_t> ids = {3, 5, 8, 13};
    const std::vector<double> matrix = {1, 2, 3, 4, 5, 6};
    w.write_fixed("/report/E/v/mapping/time", GG_DTYPE_F64, time.data(), 3, 1, "ms");
    w.write_fixed("/report/E/v/mapping/node_ids", GG_DTYPE_U64, ids.data(), 4, 1, "");
    w.write_fixed("/weights/EE/matrix", GG_DTYPE_F64, matrix.data(), 2, 3, "mV");
    w.write_fixed("/empty", GG_DTYPE_U64, nullptr, 0, 1, "");
    w.commit();
  }
  ReadFile f(path);
  CHECK(read_all<double>(f.id, "/report/E/v/mapping/time") == std::vector<double>{0, 100, 0.5});
  CHECK(read_all<uint64_t>(f.id, "/report/E/v/mapping/node_ids") ==
        std::vector<uint64_t>{3, 5, 8, 13});
  CHECK(shape(f.id, "/weights/EE/matrix") == std::vector<hsize_t>{2, 3});
  CHECK(read_all<double>(f.id, "/weights/EE/matrix") == std::vector<double>{1, 2, 3, 4, 5, 6});
  CHECK(shape(f.id, "/empty") == std::vector<hsize_t>{0});
  CHECK(string_attribute(f.id, "/report/E/v/mapping/time", "units") == "ms");
  CHECK(string_attribute(f.id, "/weights/EE/matrix", "units") == "mV");
  // No unit, no attribute: node ids are counts, not quantities.
  CHECK_FALSE(has_attribute(f.id, "/report/E/v/mapping/node_ids", "units"));
}

TEST_CASE("declared channels carry their units") {
  TempDir tmp;
  const std::string path = tmp / "run.h5";
  {
    Hdf5Writer w(path);
    w.declare("/spikes/E/timestamps", GG_DTYPE_F64, 1, "ms");
    w.declare("/report/E/V_m/data", GG_DTYPE_F64, 10, "mV");
    w.declare("/spikes/E/node_ids", GG_DTYPE_U64, 1, "");
    w.commit();
  }
  ReadFile f(path);
  CHECK(string_attribute(f.id, "/spikes/E/timestamps", "units") == "ms");
  CHECK(string_attribute(f.id, "/report/E/V_m/data", "units") == "mV");
  CHECK_FALSE(has_attribute(f.id, "/spikes/E/node_ids", "units"));
  CHECK(shape(f.id, "/spikes/E/timestamps") == std::vector<hsize_t>{0});
  CHECK(shape(f.id, "/report/E/V_m/data") == std::vector<hsize_t>{0, 10});
}

TEST_CASE("attributes: strings of any size, numbers, replacement") {
  TempDir tmp;
  const std::string path = tmp / "run.h5";
  // Larger than the 64 KiB an attribute may take in an object header: the experiment's JSON.
  std::string big(200 * 1024, ' ');
  for (std::size_t i = 0; i < big.size(); ++i)
    big[i] = static_cast<char>('a' + i % 26);
  {
    Hdf5Writer w(path);
    w.attribute("/", "experiment", big);
    w.attribute("/", "version", std::string("0.1.0"));
    w.attribute("/", "status", std::string("running"));
    w.attribute("/", "seed", uint64_t{18446744073709551615ull});
    w.attribute("/", "dt", 0.1);
    w.attribute("/", "status", std::string("completed"));
    w.attribute("/", "unicode", std::string("τ_m = 10 ms"));
    w.attribute("/", "empty", std::string());
    // A missing object is created as a group; a dataset takes attributes too.
    w.attribute("/spikes/E", "sorting", std::string("time"));
    w.declare("/spikes/E/timestamps", GG_DTYPE_F64, 1, "ms");
    w.attribute("/spikes/E/timestamps", "big", big);
    w.commit();
  }
  ReadFile f(path);
  CHECK(string_attribute(f.id, "/", "experiment") == big);
  CHECK(string_attribute(f.id, "/", "version") == "0.1.0");
  CHECK(string_attribute(f.id, "/", "status") == "completed");
  CHECK(number_attribute<uint64_t>(f.id, "/", "seed") == 18446744073709551615ull);
  CHECK(number_attribute<double>(f.id, "/", "dt") == 0.1);
  CHECK(string_attribute(f.id, "/", "unicode") == "τ_m = 10 ms");
  CHECK(string_attribute(f.id, "/", "empty").empty());
  CHECK(string_attribute(f.id, "/spikes/E", "sorting") == "time");
  CHECK(string_attribute(f.id, "/spikes/E/timestamps", "big") == big);
  CHECK(string_attribute(f.id, "/spikes/E/timestamps", "units") == "ms");
}

TEST_CASE("the final name appears only at commit") {
  TempDir tmp;
  const std::string path = tmp / "run.h5";
  ganglion::test::write_file(path + ".part", "stale leftovers of an earlier run");
  Hdf5Writer w(path);
  CHECK(w.path() == path);
  const int32_t c = w.declare("/x", GG_DTYPE_F64, 1, "");
  const double v = 1.5;
  w.append(c, &v, 1);
  CHECK(fs::exists(path + ".part"));
  CHECK_FALSE(fs::exists(path));
  w.commit();
  CHECK(fs::exists(path));
  CHECK_FALSE(fs::exists(path + ".part"));
  ReadFile f(path);
  CHECK(read_all<double>(f.id, "/x") == std::vector<double>{1.5});
  // Nothing can be written once committed.
  CHECK(message_of([&] { w.append(c, &v, 1); }).find("already committed") != std::string::npos);
}

TEST_CASE("a writer destroyed without commit leaves a readable .part") {
  TempDir tmp;
  const std::string path = tmp / "run.h5";
  std::vector<double> values(25);
  std::iota(values.begin(), values.end(), 0.0);
  {
    Hdf5Writer w(path, 80); // blocks of 10 values
    const int32_t c = w.declare("/spikes/E/timestamps", GG_DTYPE_F64, 1, "ms");
    w.attribute("/", "status", std::string("running"));
    for (double v : values)
      w.append(c, &v, 1);
  }
  CHECK_FALSE(fs::exists(path));
  REQUIRE(fs::exists(path + ".part"));
  ReadFile f(path + ".part");
  // Two whole blocks and the buffered remainder, written by the destructor.
  CHECK(read_all<double>(f.id, "/spikes/E/timestamps") == values);
  CHECK(string_attribute(f.id, "/", "status") == "running");
}

TEST_CASE("a run killed between blocks leaves a .part with the blocks written") {
  TempDir tmp;
  const std::string path = tmp / "run.h5";
  const pid_t child = fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    // Never destroyed: _exit stands for a kill after the third block was written. check() after
    // each append, as the engine calls it after each recorder's hook, writes the blocks.
    auto *w = new Hdf5Writer(path, 80);
    const int32_t c = w->declare("/spikes/E/timestamps", GG_DTYPE_F64, 1, "ms");
    for (int i = 0; i < 35; ++i) {
      const double v = i;
      w->append(c, &v, 1);
      w->check();
    }
    _exit(0);
  }
  int status = 0;
  waitpid(child, &status, 0);
  REQUIRE(WIFEXITED(status));
  ReadFile f(path + ".part");
  std::vector<double> expected(30);
  std::iota(expected.begin(), expected.end(), 0.0);
  CHECK(read_all<double>(f.id, "/spikes/E/timestamps") == expected);
}

TEST_CASE("a path written twice is refused") {
  TempDir tmp;
  Hdf5Writer w(tmp / "run.h5");
  w.declare("/spikes/E/timestamps", GG_DTYPE_F64, 1, "ms");
  const std::string twice =
      message_of([&] { w.declare("spikes/E/timestamps", GG_DTYPE_F64, 1, "ms"); });
  CHECK(twice.find("dataset '/spikes/E/timestamps' is written twice in '" + (tmp / "run.h5")) !=
        std::string::npos);
  const double v = 0;
  CHECK(message_of([&] {
          w.write_fixed("/spikes/E/timestamps", GG_DTYPE_F64, &v, 1, 1, "");
        }).find("written twice") != std::string::npos);
  CHECK(message_of([&] {
          w.declare("/spikes/E/timestamps/x", GG_DTYPE_F64, 1, "");
        }).find("'/spikes/E/timestamps' is a dataset, not a group") != std::string::npos);
  CHECK(message_of([&] {
          w.declare("/spikes//E", GG_DTYPE_F64, 1, "");
        }).find("invalid object path '/spikes//E'") != std::string::npos);
  CHECK(message_of([&] { w.declare("/w", GG_DTYPE_F64, 0, ""); }).find("width 0") !=
        std::string::npos);
  CHECK(message_of([&] {
          w.declare("/w", static_cast<gg_dtype>(7), 1, "");
        }).find("unknown dtype 7") != std::string::npos);
}

TEST_CASE("the sink's callbacks write through the writer and keep their errors for check()") {
  TempDir tmp;
  const std::string path = tmp / "run.h5";
  {
    Hdf5Writer w(path, 16);
    const gg_sink s = w.sink();
    const int32_t c = s.declare(s.ctx, "/spikes/I/timestamps", GG_DTYPE_F64, 1, "ms");
    REQUIRE(c >= 0);
    const std::vector<double> v = {0.5, 1.5, 2.5, 3.5, 4.5};
    CHECK(s.append(s.ctx, c, v.data(), 2) == 0);
    CHECK(s.append(s.ctx, c, v.data() + 2, 3) == 0);
    const uint64_t ids[2] = {7, 9};
    CHECK(s.write_fixed(s.ctx, "/report/I/v/mapping/node_ids", GG_DTYPE_U64, ids, 2, 1, nullptr) ==
          0);
    CHECK_NOTHROW(w.check());

    CHECK(s.append(s.ctx, 99, v.data(), 1) == -1);
    CHECK(s.declare(s.ctx, "/spikes/I/timestamps", GG_DTYPE_F64, 1, "ms") == -1);
    // The first error is reported, once.
    CHECK(message_of([&] { w.check(); }) ==
          "output channel 99 of '" + path +
              "' was never declared by this recorder: append to an id that declare() returned");
    CHECK_NOTHROW(w.check());
    w.commit();
  }
  ReadFile f(path);
  CHECK(read_all<double>(f.id, "/spikes/I/timestamps") ==
        std::vector<double>{0.5, 1.5, 2.5, 3.5, 4.5});
  CHECK(read_all<uint64_t>(f.id, "/report/I/v/mapping/node_ids") == std::vector<uint64_t>{7, 9});
}

TEST_CASE("each recorder instance's sink numbers its channels from 0") {
  TempDir tmp;
  const std::string path = tmp / "run.h5";
  {
    Hdf5Writer w(path);
    w.declare("/kernel/own", GG_DTYPE_F64, 1, ""); // the writer's channel 0 is not a recorder's
    const gg_sink a = w.sink(0);
    const gg_sink b = w.sink(1);
    CHECK(a.declare(a.ctx, "/spikes/A/timestamps", GG_DTYPE_F64, 1, "ms") == 0);
    CHECK(b.declare(b.ctx, "/spikes/B/timestamps", GG_DTYPE_F64, 1, "ms") == 0);
    CHECK(b.declare(b.ctx, "/spikes/B/node_ids", GG_DTYPE_U64, 1, "") == 1);
    // A sink made again for an instance (a fresh view each step) keeps its ids.
    const gg_sink b_again = w.sink(1);
    const double ta = 1.0, tb = 2.0;
    const uint64_t nb = 42;
    CHECK(a.append(a.ctx, 0, &ta, 1) == 0);
    CHECK(b_again.append(b_again.ctx, 0, &tb, 1) == 0);
    CHECK(b_again.append(b_again.ctx, 1, &nb, 1) == 0);
    CHECK(a.append(a.ctx, 1, &ta, 1) == -1); // instance 0 declared one channel only
    CHECK(message_of([&] { w.check(); }).find("output channel 1 of") != std::string::npos);
    w.commit();
  }
  ReadFile f(path);
  CHECK(read_all<double>(f.id, "/spikes/A/timestamps") == std::vector<double>{1.0});
  CHECK(read_all<double>(f.id, "/spikes/B/timestamps") == std::vector<double>{2.0});
  CHECK(read_all<uint64_t>(f.id, "/spikes/B/node_ids") == std::vector<uint64_t>{42});
  CHECK(read_all<double>(f.id, "/kernel/own").empty());
}

TEST_CASE("recorders on several threads may declare and append at once") {
  TempDir tmp;
  const std::string path = tmp / "run.h5";
  constexpr int threads = 4;
  constexpr int rows = 2000;
  {
    Hdf5Writer w(path, 256);
    std::vector<std::thread> workers;
    for (int i = 0; i < threads; ++i)
      workers.emplace_back([&w, i] {
        const gg_sink s = w.sink(static_cast<uint32_t>(i));
        const std::string name = "/rates/P" + std::to_string(i) + "/rate";
        const int32_t c = s.declare(s.ctx, name.c_str(), GG_DTYPE_F64, 1, "Hz");
        for (int r = 0; r < rows; ++r) {
          const double v = i * rows + r;
          s.append(s.ctx, c, &v, 1);
        }
      });
    for (std::thread &t : workers)
      t.join();
    w.check();
    w.commit();
  }
  ReadFile f(path);
  for (int i = 0; i < threads; ++i) {
    std::vector<double> expected(rows);
    std::iota(expected.begin(), expected.end(), static_cast<double>(i * rows));
    CHECK(read_all<double>(f.id, "/rates/P" + std::to_string(i) + "/rate") == expected);
  }
}

TEST_CASE("check_output_path refuses what cannot be written before a run") {
  TempDir tmp;
  const std::string missing = tmp / "missing";
  CHECK(message_of([&] { check_output_path(missing + "/run.h5"); }) ==
        "output folder '" + missing + "' does not exist: create it (mkdir -p " + missing +
            ") or choose another path with -o");

  CHECK(message_of([&] { check_output_path(tmp.path.string()); }) ==
        "output path '" + tmp.path.string() + "' is a folder: name a file inside it, e.g. -o " +
            (tmp / "run.h5"));

  const std::string file = ganglion::test::write_file(tmp / "plain", "x");
  CHECK(message_of([&] { check_output_path(file + "/run.h5"); }) ==
        "output folder '" + file + "' is not a folder: choose another path with -o");

  // Root may write almost anywhere, but no one can create a file in /proc.
  CHECK(message_of([] { check_output_path("/proc/ganglion_test.h5"); }) ==
        "output folder '/proc' is not writable (creating a file there failed: No such file or "
        "directory): choose another path with -o or make the folder writable");

  CHECK(message_of([] { check_output_path(""); }) ==
        "the output path is empty: choose a file with -o");

  // A good path passes and leaves no probe file behind; an existing file may be replaced.
  CHECK_NOTHROW(check_output_path(tmp / "run.h5"));
  CHECK_NOTHROW(check_output_path(file));
  CHECK(std::distance(fs::directory_iterator(tmp.path), fs::directory_iterator()) == 1);
}

TEST_CASE("a file that cannot be created is reported with its path") {
  TempDir tmp;
  const std::string path = tmp / "missing/run.h5";
  const std::string message = message_of([&] { Hdf5Writer w(path); });
  CHECK(message.find("cannot create output file '" + path + ".part'") != std::string::npos);
  CHECK(message.find("choose another path with -o") != std::string::npos);
}

TEST_CASE("a second writer of a path another process writes is refused, the first's file whole") {
  // HDF5 empties a file it creates before it locks it: the writer locks first, so the second
  // writer is refused before it touches the file, and the first one's file ends complete.
  TempDir tmp;
  const std::string path = tmp / "run.h5";
  int ready[2], go[2];
  REQUIRE(::pipe(ready) == 0);
  REQUIRE(::pipe(go) == 0);
  const pid_t child = fork();
  REQUIRE(child >= 0);
  if (child == 0) { // the first writer: a block written, then the file held until told
    Hdf5Writer w(path, 80);
    const int32_t c = w.declare("/spikes/E/timestamps", GG_DTYPE_F64, 1, "ms");
    for (int i = 0; i < 20; ++i) {
      const double v = i;
      w.append(c, &v, 1);
    }
    w.flush();
    char byte = 1;
    if (::write(ready[1], &byte, 1) != 1 || ::read(go[0], &byte, 1) != 1) _exit(2);
    for (int i = 20; i < 30; ++i) {
      const double v = i;
      w.append(c, &v, 1);
    }
    w.commit();
    _exit(0);
  }
  char byte = 0;
  REQUIRE(::read(ready[0], &byte, 1) == 1);
  const std::string message = message_of([&] { Hdf5Writer second(path); });
  CHECK(message == "cannot create output file '" + path + ".part': another process has it open " +
                       "(a run writing to the same path, or a reader: the file is locked while it "
                       "is written); choose another path with -o, or let that process end");
  REQUIRE(::write(go[1], &byte, 1) == 1);
  int status = 0;
  waitpid(child, &status, 0);
  REQUIRE(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  ReadFile f(path);
  std::vector<double> expected(30);
  std::iota(expected.begin(), expected.end(), 0.0);
  CHECK(read_all<double>(f.id, "/spikes/E/timestamps") == expected);
  for (int fd : {ready[0], ready[1], go[0], go[1]})
    ::close(fd);
}

TEST_CASE("recorded_ms says how far the data go: 0 at first, then the time of each write of the "
          "buffers") {
  TempDir tmp;
  const std::string path = tmp / "run.h5";
  Hdf5Writer w(path, 16); // a block is two rows
  const gg_sink s = w.sink();
  const int32_t c = s.declare(s.ctx, "/rates/E/rate", GG_DTYPE_F64, 1, "Hz");
  w.flush();
  auto recorded = [&] {
    ReadFile f(path + ".part");
    return number_attribute<double>(f.id, "/", "recorded_ms");
  };
  CHECK(recorded() == 0);
  const double v = 1;
  s.append(s.ctx, c, &v, 1);
  w.recorded_until(0.1);
  w.check(); // no block yet: nothing written
  CHECK(recorded() == 0);
  s.append(s.ctx, c, &v, 1);
  w.check(); // a block: written with the time given before it
  CHECK(recorded() == 0.1);
  w.recorded_until(0.2);
  w.flush();
  CHECK(recorded() == 0.2);
  w.recorded_until(0.3);
  w.commit();
  ReadFile f(path);
  CHECK(number_attribute<double>(f.id, "/", "recorded_ms") == 0.3);
}
