// Tests of the output file writer when writing fails, and of its salvage after a crash. A full
// disk is stood in for by a limit on the size of the files this process writes (RLIMIT_FSIZE): a
// write past it fails with EFBIG as one on a full disk fails with ENOSPC, and it needs no
// privilege. What is left is read back with the HDF5 C API.
#include <doctest/doctest.h>
#include <hdf5.h>

#include <csignal>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <sys/resource.h>
#include <vector>

#include "output/hdf5_writer.hpp"
#include "support.hpp"
#include "unit/output/read_back.hpp"

namespace fs = std::filesystem;
using ganglion::Hdf5Writer;
using ganglion::OutputError;
using namespace ganglion::test;

namespace {

// While it lives, no file of this process grows past `bytes`: a write beyond fails (EFBIG), in
// place of the signal SIGXFSZ, which is ignored meanwhile.
class FileSizeLimit {
public:
  explicit FileSizeLimit(rlim_t bytes) {
    REQUIRE(getrlimit(RLIMIT_FSIZE, &saved_) == 0);
    handler_ = std::signal(SIGXFSZ, SIG_IGN);
    rlimit limit = saved_;
    limit.rlim_cur = bytes;
    REQUIRE(setrlimit(RLIMIT_FSIZE, &limit) == 0);
  }
  ~FileSizeLimit() {
    setrlimit(RLIMIT_FSIZE, &saved_);
    std::signal(SIGXFSZ, handler_);
  }
  FileSizeLimit(const FileSizeLimit &) = delete;
  FileSizeLimit &operator=(const FileSizeLimit &) = delete;

private:
  rlimit saved_{};
  void (*handler_)(int) = nullptr;
};

// A writer of one channel of doubles (0, 1, 2, ...) in blocks of 512 values, flushed once with 1000
// of them and the root attribute "experiment".
struct Filled {
  explicit Filled(const std::string &path) : part(path + ".part"), w(path, 512 * 8) {
    w.attribute("/", "experiment", std::string("{}"));
    channel = w.declare("/spikes/E/timestamps", GG_DTYPE_F64, 1, "ms");
    append(1000);
    w.flush();
  }
  // As the engine appends: a recorder's rows, then check(), which writes the blocks.
  void append(int rows) {
    for (int i = 0; i < rows; ++i, ++next) {
      w.append(channel, &next, 1);
      w.check();
    }
  }
  std::string part;
  Hdf5Writer w;
  int32_t channel = -1;
  double next = 0;
};

// Appends until a write fails, the file left `room` bytes to grow; the failure's message.
std::string fill_until_failure(Filled &f, uintmax_t room) {
  const FileSizeLimit limit(fs::file_size(f.part) + room);
  try {
    for (int i = 0; i < 100000; ++i)
      f.append(512);
  } catch (const OutputError &e) {
    return e.what();
  }
  FAIL("no write failed");
  return "";
}

} // namespace

TEST_CASE("writer failures: a failed write is kept, refuses every later write, and the file "
          "keeps its last flush or goes") {
  TempDir tmp;
  const std::string path = tmp / "run.h5";
  Filled f(path);
  const uint64_t flushed = f.w.bytes_flushed();
  CHECK(flushed == 1000 * 8);
  const std::string first = fill_until_failure(f, 64 * 1024);
  CAPTURE(first);
  CHECK(first.find("'" + path + ".part'") != std::string::npos);
  CHECK(first.find("File too large") != std::string::npos); // the system's words, not HDF5's dump
  CHECK(first.find("time = ") == std::string::npos);
  CHECK(f.w.failure() == first);
  CHECK(f.w.bytes_flushed() >= flushed);

  // Every later write is refused with the first error, without touching the file.
  for (const auto &write : std::vector<std::function<void()>>{
           [&] { f.append(1); }, [&] { f.w.flush(); }, [&] { f.w.commit(); },
           [&] { f.w.attribute("/", "status", std::string("x")); },
           [&] { f.w.declare("/y", GG_DTYPE_F64, 1, ""); }}) {
    try {
      write();
      FAIL("a write after the failure was accepted");
    } catch (const OutputError &e) {
      CHECK(std::string(e.what()) == first);
    }
  }

  const bool kept = f.w.abandon();
  CHECK(kept == fs::exists(path + ".part"));
  CHECK_FALSE(fs::exists(path));
  if (kept) { // as its last flush left it
    ReadFile r(path + ".part");
    CHECK(string_attribute(r.id, "/", "experiment") == "{}");
    const std::vector<double> values = read_all<double>(r.id, "/spikes/E/timestamps");
    REQUIRE(values.size() >= f.w.bytes_flushed() / 8);
    for (std::size_t i = 0; i < f.w.bytes_flushed() / 8; ++i)
      REQUIRE(values[i] == double(i));
  }
  CHECK(f.w.abandon() == kept); // once is enough
}

TEST_CASE("writer failures: a writer destroyed after a failure closes without a crash") {
  // HDF5 leaves a file whose close failed half closed, and crashed at exit in its shutdown; the
  // writer's destructor abandons the file instead, so this test's process ends normally.
  TempDir tmp;
  const std::string path = tmp / "run.h5";
  {
    Filled f(path);
    fill_until_failure(f, 16 * 1024);
  }
  CHECK_FALSE(fs::exists(path));
  if (fs::exists(path + ".part")) {
    ReadFile r(path + ".part");
    CHECK(read_all<double>(r.id, "/spikes/E/timestamps").size() >= 1000);
  }
}

TEST_CASE("writer failures: a failure while flushing is one too") {
  TempDir tmp;
  const std::string path = tmp / "run.h5";
  Filled f(path);
  f.append(100); // buffered
  {
    const FileSizeLimit limit(fs::file_size(path + ".part"));
    f.w.attribute("/", "status", std::string(200000, 'x')); // into HDF5's cache, not the file
    CHECK_THROWS_AS(f.w.flush(), OutputError);
  }
  CHECK(f.w.failure().find("'" + path + ".part'") != std::string::npos);
  f.w.abandon();
  CHECK_FALSE(fs::exists(path));
}

TEST_CASE("writer failures: salvage writes the status and the buffers, and commits") {
  TempDir tmp;
  const std::string path = tmp / "run.h5";
  Filled f(path);
  f.append(100); // buffered: salvage writes them
  const char *where = f.w.salvage("failed: a test crashed");
  REQUIRE(where != nullptr);
  CHECK(std::string(where) == path);
  CHECK_FALSE(fs::exists(path + ".part"));
  ReadFile r(path);
  CHECK(string_attribute(r.id, "/", "status") == "failed: a test crashed");
  CHECK(read_all<double>(r.id, "/spikes/E/timestamps").size() == 1100);
  CHECK(f.w.salvage("again") == nullptr); // nothing is left to do
  CHECK_THROWS_AS(f.append(1), OutputError);
}

TEST_CASE("writer failures: salvage does nothing after a failure") {
  TempDir tmp;
  const std::string path = tmp / "run.h5";
  Filled f(path);
  fill_until_failure(f, 16 * 1024);
  CHECK(f.w.salvage("failed: too") == nullptr);
  CHECK_FALSE(fs::exists(path));
}
