// The run's output file: growing datasets that recorders append rows to in blocks, fixed datasets,
// and attributes, written with the HDF5 C API. The file is written as "<path>.part" and renamed to
// its final name only by commit() (or salvage()), so a run that stops before it has finished its
// file never leaves one that looks complete, while what it recorded up to the file's last flush
// stays readable in the .part file. A write that fails (a full disk) ends the writing: the file
// keeps its last flush, or is removed where that cannot be read back (abandon()).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "ganglion/plugin_abi.h"
#include "output/recording.hpp"

namespace ganglion {

// Thrown for any output problem; the message names the file or dataset and the fix.
struct OutputError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Before a run, so that a long simulation does not end in a file that cannot be written: the
// output's folder exists, is a folder and is writable (checked by creating and removing a probe
// file, since access() says yes to root for everything), and `path` is not an existing folder.
void check_output_path(const std::string &path);

// One output file. Every member is safe to call from several threads (recorder hooks of different
// instances may run at once); HDF5 itself is not thread-safe, so calls are serialised.
class Hdf5Writer : public Recording {
public:
  // Creates "<path>.part", truncating it. block_bytes: the bytes buffered per channel before they
  // are written to the file (0 writes every append at once).
  explicit Hdf5Writer(std::string path, std::size_t block_bytes = 1 << 20);
  // Without commit(): writes what is buffered, closes the file and leaves "<path>.part"; after a
  // failed write, abandon()s it.
  ~Hdf5Writer() override;
  Hdf5Writer(const Hdf5Writer &) = delete;
  Hdf5Writer &operator=(const Hdf5Writer &) = delete;

  // A growing dataset at `dataset_path` ("/spikes/E/timestamps"; intermediate groups are
  // created): shape (0) when width is 1, else (0, width), chunked, with a "units" attribute when
  // `unit` is not empty. Returns the channel id to append to. A path that exists already throws.
  int32_t declare(const std::string &dataset_path, gg_dtype dtype, uint32_t width,
                  const std::string &unit);
  // A dataset written once, of `rows` rows of `width` values (shape (rows) when width is 1).
  void write_fixed(const std::string &dataset_path, gg_dtype dtype, const void *data, uint64_t rows,
                   uint32_t width, const std::string &unit);
  // Appends rows * width values (of the channel's dtype) to a channel. Buffered: once the
  // channel holds block_bytes, the next check() writes every buffer to the file.
  void append(int32_t channel, const void *data, uint64_t rows);

  // Scalar attributes on a group or dataset ("/" is the root); an object that does not exist yet
  // is created as a group, and an attribute that exists already is replaced (e.g. "status").
  // Strings are variable-length UTF-8, so they may be of any size (the experiment's JSON).
  void attribute(const std::string &object_path, const std::string &name, const std::string &value);
  void attribute(const std::string &object_path, const std::string &name, double value);
  void attribute(const std::string &object_path, const std::string &name, uint64_t value);
  // 32-bit unsigned values (a scalar where there is one): SONATA's "magic" and "version".
  void attribute(const std::string &object_path, const std::string &name,
                 const std::vector<uint32_t> &values);
  // An enumeration over 8-bit integers whose value `value` is named names[value] (SONATA's
  // "sorting": none, by_id, by_time).
  void enum_attribute(const std::string &object_path, const std::string &name,
                      const std::vector<std::string> &names, int value);
  // The names of the groups and datasets in a group, in name order; none where it does not exist.
  std::vector<std::string> members(const std::string &group_path);

  // Everything recorded up to simulated time t_ms (ms) has been appended. Each write of the
  // buffers (a block, a flush, the commit) also sets the root attribute "recorded_ms" to the
  // latest such time (0 until one is given), so that a file left by a run that stopped early
  // (a kill, a crash, a full disk) says how far its data go. A plain store: called every step.
  void recorded_until(double t_ms) override;

  // Writes every buffer to the file and flushes the file: a reader of the file (or of what is
  // left of it after a kill) finds everything appended up to here.
  void flush();
  // Flushes, closes and renames "<path>.part" to path. Nothing can be written afterwards.
  void commit();

  // The first HDF5 call that failed (a full disk, a quota, a folder removed), in words; "" where
  // none did. After one, every member that writes throws it again, without touching the file.
  std::string failure() const;
  // The recorded data (the rows appended) in the file as of its last flush, in bytes.
  uint64_t bytes_flushed() const;
  // After a failure: closes the file without writing to it again, so that it keeps its last
  // flush, and removes it where it cannot be read back. Returns whether "<path>.part" is left.
  bool abandon();
  // For a crash handler, as a best effort: where no thread is inside the writer and nothing
  // failed, sets the root attribute "status", writes the buffers, closes the file and renames it as
  // commit() does. Returns the file's path (the .part where the rename failed), or null where
  // it did nothing or failed.
  const char *salvage(const char *status) noexcept;

  // C callbacks over this writer for recorder instance `instance`. As the ABI promises, channel
  // ids are per instance and count up from 0 in the order of declaration; the writer maps them to
  // its own channels, and every sink() of one instance shares that instance's ids. A callback
  // that fails returns -1 and keeps the reason; check() throws it as an OutputError.
  gg_sink sink(uint32_t instance = 0) override;
  // After each recorder's hook: throws a callback's kept error; else, where a channel's buffer
  // holds a block, writes every buffer and flushes the file. Blocks are written here rather than
  // by append(), so that the datasets a recorder appends to together (timestamps and node ids)
  // reach the file at the same step.
  void check() override;

  const std::string &path() const;

private:
  struct Impl;
  std::unique_ptr<Impl> impl_;

  static int32_t sink_declare(void *ctx, const char *path, int32_t dtype, uint32_t width,
                              const char *unit);
  static int32_t sink_write_fixed(void *ctx, const char *path, int32_t dtype, const void *data,
                                  uint64_t rows, uint32_t width, const char *unit);
  static int32_t sink_append(void *ctx, int32_t channel, const void *data, uint64_t rows);
  void keep_sink_error(const std::string &message);
};

} // namespace ganglion
