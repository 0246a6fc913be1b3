// The run's output file over the HDF5 C API (see hdf5_writer.hpp).
#include "output/hdf5_writer.hpp"
#include "output/hdf5_handles.hpp"

#include <hdf5.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <map>
#include <mutex>
#include <random>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

namespace ganglion {

namespace fs = std::filesystem;

namespace {

constexpr std::size_t chunk_target_bytes = 64 * 1024;

// Room reserved on the disk ahead of HDF5's writes (Impl::reserve): beyond what is about to be
// written, this much for metadata, and in steps of this much (a system call per step).
constexpr uint64_t reserve_margin = 256 << 10;
constexpr uint64_t reserve_step = 4 << 20;

// HDF5 describes a failed system call with the time, the file's name and descriptor, the
// buffer's address and the offset; the reader needs the call and the system's message ("file
// write failed: No space left on device").
std::string concise(const std::string &description) {
  const std::string key = "error message = '";
  const std::size_t message = description.find(key), at = description.find(": time = ");
  if (message == std::string::npos || at == std::string::npos) return description;
  const std::size_t begin = message + key.size();
  return description.substr(0, at) + ": " +
         description.substr(begin, description.find('\'', begin) - begin);
}

// The description HDF5 gave where it detected the last error ("" when there is none). Must be
// called right after the failing call: the next API call clears the stack.
std::string hdf5_reason() {
  std::string reason;
  H5Ewalk2(
      H5E_DEFAULT, H5E_WALK_UPWARD,
      [](unsigned n, const H5E_error2_t *e, void *out) -> herr_t {
        if (n == 0 && e->desc != nullptr) *static_cast<std::string *>(out) = e->desc;
        return 0;
      },
      &reason);
  return reason.empty() ? "" : " (HDF5: " + concise(reason) + ")";
}

hid_t file_type(gg_dtype dtype) {
  return dtype == GG_DTYPE_U64 ? H5T_STD_U64LE : H5T_IEEE_F64LE;
}
hid_t memory_type(gg_dtype dtype) {
  return dtype == GG_DTYPE_U64 ? H5T_NATIVE_UINT64 : H5T_NATIVE_DOUBLE;
}

// "/a/b" and "a/b" both name /a/b; empty components ("a//b", "a/") and "." or ".." are refused
// since HDF5 would read them differently from what the caller meant.
std::vector<std::string> split_path(const std::string &path, const std::string &file) {
  std::vector<std::string> parts;
  std::size_t start = path.empty() || path[0] != '/' ? 0 : 1;
  while (start < path.size()) {
    const std::size_t end = std::min(path.find('/', start), path.size());
    const std::string part = path.substr(start, end - start);
    if (part.empty() || part == "." || part == "..")
      throw OutputError("invalid object path '" + path + "' in '" + file +
                        "': write it as /group/name with no empty, '.' or '..' parts");
    parts.push_back(part);
    start = end + 1;
    if (end + 1 == path.size())
      throw OutputError("invalid object path '" + path + "' in '" + file +
                        "': remove the trailing '/'");
  }
  return parts;
}

std::string join_path(const std::vector<std::string> &parts, std::size_t count) {
  std::string path;
  for (std::size_t i = 0; i < count; ++i)
    path += "/" + parts[i];
  return path.empty() ? "/" : path;
}

// The path as HDF5 stores it: "/a/b".
std::string normal_path(const std::string &path, const std::string &file) {
  const std::vector<std::string> parts = split_path(path, file);
  return join_path(parts, parts.size());
}

} // namespace

struct Hdf5Writer::Impl {
  struct Channel {
    std::string path;
    Hid dataset;
    gg_dtype dtype = GG_DTYPE_F64;
    uint32_t width = 1;
    std::size_t row_bytes = 8;
    std::size_t chunk_bytes = 0;
    uint64_t rows_written = 0;
    std::vector<unsigned char> buffer;
  };

  // One recorder instance's view of the channels: its id i is the writer's channel channels[i].
  struct Scope {
    Hdf5Writer *writer = nullptr;
    std::vector<int32_t> channels;
  };

  std::string path;
  std::string part_path;
  std::size_t block_bytes;
  Hid file;
  bool committed = false; // closed (committed, salvaged or abandoned): nothing more is written
  std::string failure;    // the first HDF5 call that failed: the file is written no more
  uint64_t bytes_written = 0, bytes_flushed = 0; // recorded data, and as of the last flush
  bool part_kept = false;                        // abandoned: "<path>.part" is left, readable
  int fd = -1;           // the file's descriptor (HDF5's), to reserve room on; -1: none is
  uint64_t reserved = 0; // bytes from the file's start reserved on the disk
  std::vector<Channel> channels;
  std::map<uint32_t, std::unique_ptr<Scope>> scopes; // stable addresses: they are sink contexts
  std::string sink_error;
  bool block_due = false; // a channel's buffer holds a block: check() writes them all
  std::atomic<double> recorded_ms{0}; // recorded_until()'s, for the "recorded_ms" attribute
  std::mutex mutex;

  // HDF5 empties a file it creates before it locks it: a second run on the path of a run that is
  // writing it would empty the first one's file (which then ends corrupt) before HDF5 refused
  // it. So where the .part exists, its lock is tried first (HDF5's kind, flock): held by another
  // process (a run writing it, a reader), the path is refused untouched. (Two runs that create
  // the same new file at the same instant can still race; HDF5 then refuses one.)
  void refuse_a_locked_part() {
    const int probe = ::open(part_path.c_str(), O_RDONLY | O_CLOEXEC);
    if (probe < 0) return; // (none yet, or HDF5 says why below)
    const bool held = ::flock(probe, LOCK_EX | LOCK_NB) != 0;
    ::close(probe); // (and the lock with it)
    if (held)
      fail("cannot create output file '" + part_path +
           "': another process has it open (a run writing to the same path, or a reader: the "
           "file is locked while it is written); choose another path with -o, or let that "
           "process end");
  }

  // After a failed HDF5 call the file's state is unknown (a full disk, say): the writer keeps the
  // first error and refuses everything from then on, rather than add errors to it.
  [[noreturn]] void fail(const std::string &what) {
    const std::string message = what + hdf5_reason();
    if (failure.empty()) failure = message;
    throw OutputError(message);
  }

  void require_open() const {
    if (committed)
      throw OutputError("output file '" + path +
                        "' is already committed: write everything before commit()");
    if (!failure.empty()) throw OutputError(failure);
  }

  void require_dtype(gg_dtype dtype, const std::string &dataset_path) const {
    if (dtype != GG_DTYPE_F64 && dtype != GG_DTYPE_U64)
      throw OutputError("dataset '" + dataset_path + "' in '" + path + "': unknown dtype " +
                        std::to_string(static_cast<int>(dtype)) +
                        " (use GG_DTYPE_F64 or GG_DTYPE_U64)");
  }

  // Whether the object exists; throws when one of its parents is a dataset rather than a group
  // (HDF5 would otherwise fail deep inside with a vaguer message).
  bool exists(const std::vector<std::string> &parts) {
    for (std::size_t i = 1; i <= parts.size(); ++i) {
      const std::string sub = join_path(parts, i);
      const htri_t found = H5Lexists(file.get(), sub.c_str(), H5P_DEFAULT);
      if (found < 0) fail("cannot look up '" + sub + "' in '" + part_path + "'");
      if (found == 0) return false;
      if (i == parts.size()) return true;
      Hid object(H5Oopen(file.get(), sub.c_str(), H5P_DEFAULT), H5Oclose);
      if (!object.valid()) fail("cannot open '" + sub + "' in '" + part_path + "'");
      if (H5Iget_type(object.get()) != H5I_GROUP)
        throw OutputError("cannot create '" + join_path(parts, parts.size()) + "' in '" + path +
                          "': '" + sub + "' is a dataset, not a group; choose another path");
    }
    return true;
  }

  // A new dataset (parents created as groups); refuses a path that exists already.
  Hid create_dataset(const std::string &dataset_path, gg_dtype dtype, hid_t space, hid_t dcpl,
                     const std::string &unit) {
    const std::vector<std::string> parts = split_path(dataset_path, path);
    if (parts.empty())
      throw OutputError("invalid dataset path '" + dataset_path + "' in '" + path +
                        "': name a dataset, e.g. /spikes/E/timestamps");
    const std::string full = join_path(parts, parts.size());
    if (exists(parts))
      throw OutputError("dataset '" + full + "' is written twice in '" + path +
                        "': each recorder needs a path of its own (are two recorders recording "
                        "the same population and variable?)");
    Hid lcpl(H5Pcreate(H5P_LINK_CREATE), H5Pclose);
    if (!lcpl.valid() || H5Pset_create_intermediate_group(lcpl.get(), 1) < 0)
      fail("cannot set up the creation of '" + full + "' in '" + part_path + "'");
    Hid dataset(H5Dcreate2(file.get(), full.c_str(), file_type(dtype), space, lcpl.get(), dcpl,
                           H5P_DEFAULT),
                H5Dclose);
    if (!dataset.valid()) fail("cannot create dataset '" + full + "' in '" + part_path + "'");
    if (!unit.empty()) string_attribute(dataset.get(), full, "units", unit);
    return dataset;
  }

  // Opens an object for its attributes, creating it as a group when it is missing.
  Hid open_object(const std::string &object_path) {
    const std::vector<std::string> parts = split_path(object_path, path);
    const std::string full = join_path(parts, parts.size());
    if (!exists(parts)) {
      Hid lcpl(H5Pcreate(H5P_LINK_CREATE), H5Pclose);
      if (!lcpl.valid() || H5Pset_create_intermediate_group(lcpl.get(), 1) < 0)
        fail("cannot set up the creation of '" + full + "' in '" + part_path + "'");
      Hid group(H5Gcreate2(file.get(), full.c_str(), lcpl.get(), H5P_DEFAULT, H5P_DEFAULT),
                H5Gclose);
      if (!group.valid()) fail("cannot create group '" + full + "' in '" + part_path + "'");
    }
    Hid object(H5Oopen(file.get(), full.c_str(), H5P_DEFAULT), H5Oclose);
    if (!object.valid()) fail("cannot open '" + full + "' in '" + part_path + "'");
    return object;
  }

  // Writes one attribute, replacing one of the same name: a scalar, or `count` values in one
  // dimension where count > 1.
  void write_attribute(hid_t object, const std::string &object_path, const std::string &name,
                       hid_t type, hid_t mem_type, const void *value, hsize_t count = 1) {
    const std::string where =
        "attribute '" + name + "' of '" + object_path + "' in '" + part_path + "'";
    const htri_t found = H5Aexists(object, name.c_str());
    if (found < 0) fail("cannot look up " + where);
    if (found > 0 && H5Adelete(object, name.c_str()) < 0) fail("cannot replace " + where);
    Hid space(count > 1 ? H5Screate_simple(1, &count, nullptr) : H5Screate(H5S_SCALAR), H5Sclose);
    if (!space.valid()) fail("cannot set up " + where);
    Hid attr(H5Acreate2(object, name.c_str(), type, space.get(), H5P_DEFAULT, H5P_DEFAULT),
             H5Aclose);
    if (!attr.valid()) fail("cannot create " + where);
    if (H5Awrite(attr.get(), mem_type, value) < 0) fail("cannot write " + where);
  }

  // Room on the disk for `bytes` more of the file, reserved (fallocate, the file's size left as
  // it is) before HDF5 writes them: a full disk, or a quota, then fails here, with the file as its
  // last flush left it, rather than halfway through HDF5's next flush, which could leave the
  // file's metadata pointing past its end. Where the file system reserves nothing, neither does
  // this.
  void reserve(uint64_t bytes) {
    if (fd < 0) return;
    hsize_t size = 0;
    if (H5Fget_filesize(file.get(), &size) < 0) fail("cannot get the size of '" + part_path + "'");
    // HDF5 places a chunk in the file only once it leaves its cache: what was written since the
    // last flush may not have a place yet, and each channel's last chunk is placed whole.
    uint64_t pending = bytes_written - bytes_flushed;
    for (const Channel &c : channels)
      pending += c.rows_written > 0 ? c.chunk_bytes : 0;
    const uint64_t needed = size + pending + bytes + reserve_margin;
    if (needed <= reserved) return;
    const uint64_t from = std::max<uint64_t>(reserved, size);
    int error = 0;
    for (const uint64_t to : {needed + reserve_step, needed}) { // a step ahead, else what is needed
      if (::fallocate(fd, FALLOC_FL_KEEP_SIZE, off_t(from), off_t(to - from)) == 0) {
        reserved = to;
        return;
      }
      error = errno;
      if (error != ENOSPC && error != EDQUOT && error != EFBIG && error != EIO) {
        fd = -1; // (EOPNOTSUPP: this file system cannot)
        return;
      }
    }
    fail("cannot write to '" + part_path + "': " + std::strerror(error));
  }

  // What reserve() left beyond the file's end, given back once the file is closed.
  void release_reserve() const {
    struct stat st {};
    if (reserved > 0 && ::stat(part_path.c_str(), &st) == 0)
      ::truncate(part_path.c_str(), st.st_size);
  }

  // Variable-length strings keep only a reference in the object header (the text goes to the
  // global heap), so they escape the 64 KiB limit on attributes in HDF5's default format.
  void string_attribute(hid_t object, const std::string &object_path, const std::string &name,
                        const std::string &value) {
    reserve(value.size());
    Hid type(H5Tcopy(H5T_C_S1), H5Tclose);
    if (!type.valid() || H5Tset_size(type.get(), H5T_VARIABLE) < 0 ||
        H5Tset_cset(type.get(), H5T_CSET_UTF8) < 0)
      fail("cannot set up string attribute '" + name + "' of '" + object_path + "'");
    const char *text = value.c_str();
    write_attribute(object, object_path, name, type.get(), type.get(), &text);
  }

  // Appends rows of a channel to its dataset.
  void write_rows(Channel &c, const void *data, uint64_t rows) {
    if (rows == 0) return;
    reserve(rows * c.row_bytes + c.chunk_bytes);
    const std::string where = "dataset '" + c.path + "' in '" + part_path + "'";
    const int rank = c.width == 1 ? 1 : 2;
    const hsize_t total[2] = {c.rows_written + rows, c.width};
    if (H5Dset_extent(c.dataset.get(), total) < 0) fail("cannot extend " + where);
    Hid file_space(H5Dget_space(c.dataset.get()), H5Sclose);
    const hsize_t start[2] = {c.rows_written, 0};
    const hsize_t count[2] = {rows, c.width};
    if (!file_space.valid() ||
        H5Sselect_hyperslab(file_space.get(), H5S_SELECT_SET, start, nullptr, count, nullptr) < 0)
      fail("cannot select the rows to write in " + where);
    Hid mem_space(H5Screate_simple(rank, count, nullptr), H5Sclose);
    if (!mem_space.valid()) fail("cannot set up the rows to write in " + where);
    if (H5Dwrite(c.dataset.get(), memory_type(c.dtype), mem_space.get(), file_space.get(),
                 H5P_DEFAULT, data) < 0)
      fail("cannot write " + where + " (is the disk full?)");
    c.rows_written += rows;
    bytes_written += rows * c.row_bytes;
  }

  void write_buffer(Channel &c) {
    if (c.buffer.empty()) return;
    write_rows(c, c.buffer.data(), c.buffer.size() / c.row_bytes);
    c.buffer.clear();
  }

  // Flushing after the writes keeps the file's metadata current, so that a run killed afterwards
  // leaves a .part file that opens with everything written.
  void flush_file() {
    reserve(0);
    if (H5Fflush(file.get(), H5F_SCOPE_LOCAL) < 0) fail("cannot flush '" + part_path + "'");
    bytes_flushed = bytes_written;
  }

  void flush_all() {
    for (Channel &c : channels)
      write_buffer(c);
    const double recorded = recorded_ms.load(std::memory_order_relaxed);
    Hid root = open_object("/");
    write_attribute(root.get(), "/", "recorded_ms", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, &recorded);
    flush_file();
  }

  // Closes every dataset and then the file; reports whether the file closed cleanly.
  bool close_all() {
    for (Channel &c : channels)
      c.dataset.reset();
    const bool closed = file.close();
    release_reserve();
    return closed;
  }

  // After a failure (a full disk) the file is written no more: it keeps the state of its last
  // flush. HDF5 writes the metadata it holds before it closes a file, and where that fails it may
  // leave the file half closed, to crash in its own shutdown at exit. So the file's descriptor is
  // first replaced by a scratch one (an anonymous file in memory), which takes every later write;
  // then the file is closed where a flush into the scratch file succeeds, and otherwise left to
  // HDF5's shutdown, which fails there quietly. What is on the disk is kept where it can be read
  // back, and removed where it cannot, rather than left filling the disk.
  void abandon() {
    void *handle = nullptr;
    Hid fapl(H5Fget_access_plist(file.get()), H5Pclose);
    if (fapl.valid() && H5Fget_vfd_handle(file.get(), fapl.get(), &handle) >= 0 && handle) {
      int scratch = memfd_create("ganglion-abandoned", MFD_CLOEXEC);
      if (scratch < 0) scratch = ::open("/dev/null", O_WRONLY | O_CLOEXEC);
      if (scratch >= 0) {
        ::dup2(scratch, *static_cast<int *>(handle));
        ::close(scratch);
      }
    }
    fd = -1;
    for (Channel &c : channels)
      c.dataset.reset();
    if (H5Fflush(file.get(), H5F_SCOPE_LOCAL) >= 0)
      file.close();
    else
      file.release();
    release_reserve();
    committed = true;
    part_kept = readable();
    if (!part_kept) std::remove(part_path.c_str());
  }

  // Whether the file on the disk opens, with its root attributes (the experiment) and the
  // channels' datasets that it holds. Read through another driver than the writer's: HDF5 would
  // otherwise hand back the file it may still hold, its state in memory, instead of the disk's.
  bool readable() const {
    Hid fapl(H5Pcreate(H5P_FILE_ACCESS), H5Pclose);
    if (!fapl.valid() || H5Pset_fapl_stdio(fapl.get()) < 0) return false;
    Hid f(H5Fopen(part_path.c_str(), H5F_ACC_RDONLY, fapl.get()), H5Fclose);
    if (!f.valid() || H5Aexists(f.get(), "experiment") <= 0) return false;
    for (const Channel &c : channels) {
      const std::vector<std::string> parts = split_path(c.path, path);
      for (std::size_t i = 1; i <= parts.size(); ++i) {
        const htri_t found = H5Lexists(f.get(), join_path(parts, i).c_str(), H5P_DEFAULT);
        if (found < 0) return false;
        if (found == 0) break; // declared after the last flush
        if (i < parts.size()) continue;
        Hid dataset(H5Dopen2(f.get(), c.path.c_str(), H5P_DEFAULT), H5Dclose);
        Hid space(dataset.valid() ? H5Dget_space(dataset.get()) : H5I_INVALID_HID, H5Sclose);
        if (!space.valid()) return false;
      }
    }
    return true;
  }
};

Hdf5Writer::Hdf5Writer(std::string path, std::size_t block_bytes)
    : impl_(std::make_unique<Impl>()) {
  const QuietHdf5 quiet;
  impl_->path = std::move(path);
  impl_->part_path = impl_->path + ".part";
  impl_->block_bytes = block_bytes;
  impl_->refuse_a_locked_part();
  impl_->file =
      Hid(H5Fcreate(impl_->part_path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT), H5Fclose);
  if (!impl_->file.valid())
    impl_->fail("cannot create output file '" + impl_->part_path +
                "': check that its folder exists and is writable, or choose another path with -o");
  void *handle = nullptr;
  Hid fapl(H5Fget_access_plist(impl_->file.get()), H5Pclose);
  if (fapl.valid() && H5Fget_vfd_handle(impl_->file.get(), fapl.get(), &handle) >= 0 && handle)
    impl_->fd = *static_cast<int *>(handle);
}

Hdf5Writer::~Hdf5Writer() {
  if (!impl_ || impl_->committed) return;
  const QuietHdf5 quiet;
  // Errors cannot leave a destructor: what can be written is written; after a failure the file
  // keeps its last flush.
  try {
    if (impl_->failure.empty()) impl_->flush_all();
  } catch (const std::exception &) {
  }
  if (impl_->failure.empty())
    impl_->close_all();
  else
    impl_->abandon();
}

int32_t Hdf5Writer::declare(const std::string &dataset_path, gg_dtype dtype, uint32_t width,
                            const std::string &unit) {
  const std::lock_guard lock(impl_->mutex);
  const QuietHdf5 quiet;
  impl_->require_open();
  impl_->require_dtype(dtype, dataset_path);
  if (width == 0)
    throw OutputError("dataset '" + dataset_path + "' in '" + impl_->path +
                      "' is declared with width 0: a row needs at least one value");
  if (impl_->channels.size() >= static_cast<std::size_t>(INT32_MAX))
    throw OutputError("too many output channels in '" + impl_->path + "'");

  const int rank = width == 1 ? 1 : 2;
  const std::size_t row_bytes = std::size_t{8} * width;
  const hsize_t dims[2] = {0, width};
  const hsize_t max_dims[2] = {H5S_UNLIMITED, width};
  const hsize_t chunk[2] = {std::max<hsize_t>(1, chunk_target_bytes / row_bytes), width};
  const std::string where = "dataset '" + dataset_path + "' in '" + impl_->part_path + "'";
  Hid space(H5Screate_simple(rank, dims, max_dims), H5Sclose);
  if (!space.valid()) impl_->fail("cannot set up the shape of " + where);
  Hid dcpl(H5Pcreate(H5P_DATASET_CREATE), H5Pclose);
  if (!dcpl.valid() || H5Pset_chunk(dcpl.get(), rank, chunk) < 0)
    impl_->fail("cannot set up the chunks of " + where);

  Impl::Channel c;
  c.dataset = impl_->create_dataset(dataset_path, dtype, space.get(), dcpl.get(), unit);
  c.path = normal_path(dataset_path, impl_->path);
  c.dtype = dtype;
  c.width = width;
  c.row_bytes = row_bytes;
  c.chunk_bytes = chunk[0] * row_bytes;
  impl_->channels.push_back(std::move(c));
  return static_cast<int32_t>(impl_->channels.size() - 1);
}

void Hdf5Writer::write_fixed(const std::string &dataset_path, gg_dtype dtype, const void *data,
                             uint64_t rows, uint32_t width, const std::string &unit) {
  const std::lock_guard lock(impl_->mutex);
  const QuietHdf5 quiet;
  impl_->require_open();
  impl_->require_dtype(dtype, dataset_path);
  if (width == 0)
    throw OutputError("dataset '" + dataset_path + "' in '" + impl_->path +
                      "' is written with width 0: a row needs at least one value");
  if (rows > 0 && data == nullptr)
    throw OutputError("dataset '" + dataset_path + "' in '" + impl_->path +
                      "': no data given for " + std::to_string(rows) + " rows");
  const int rank = width == 1 ? 1 : 2;
  const hsize_t dims[2] = {rows, width};
  const std::string where = "dataset '" + dataset_path + "' in '" + impl_->part_path + "'";
  Hid space(H5Screate_simple(rank, dims, nullptr), H5Sclose);
  if (!space.valid()) impl_->fail("cannot set up the shape of " + where);
  Hid dataset = impl_->create_dataset(dataset_path, dtype, space.get(), H5P_DEFAULT, unit);
  impl_->reserve(rows * width * 8);
  if (rows > 0 &&
      H5Dwrite(dataset.get(), memory_type(dtype), H5S_ALL, H5S_ALL, H5P_DEFAULT, data) < 0)
    impl_->fail("cannot write " + where);
}

void Hdf5Writer::append(int32_t channel, const void *data, uint64_t rows) {
  const std::lock_guard lock(impl_->mutex);
  const QuietHdf5 quiet;
  impl_->require_open();
  if (channel < 0 || static_cast<std::size_t>(channel) >= impl_->channels.size())
    throw OutputError("output channel " + std::to_string(channel) + " of '" + impl_->path +
                      "' was never declared: append to an id that declare() returned");
  Impl::Channel &c = impl_->channels[static_cast<std::size_t>(channel)];
  if (rows == 0) return;
  if (data == nullptr)
    throw OutputError("dataset '" + c.path + "' in '" + impl_->path + "': no data given for " +
                      std::to_string(rows) + " rows");
  const auto *begin = static_cast<const unsigned char *>(data);
  c.buffer.insert(c.buffer.end(), begin, begin + rows * c.row_bytes);
  if (c.buffer.size() >= impl_->block_bytes) impl_->block_due = true;
}

void Hdf5Writer::attribute(const std::string &object_path, const std::string &name,
                           const std::string &value) {
  const std::lock_guard lock(impl_->mutex);
  const QuietHdf5 quiet;
  impl_->require_open();
  Hid object = impl_->open_object(object_path);
  impl_->string_attribute(object.get(), object_path, name, value);
}

void Hdf5Writer::attribute(const std::string &object_path, const std::string &name, double value) {
  const std::lock_guard lock(impl_->mutex);
  const QuietHdf5 quiet;
  impl_->require_open();
  Hid object = impl_->open_object(object_path);
  impl_->write_attribute(object.get(), object_path, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE,
                         &value);
}

void Hdf5Writer::attribute(const std::string &object_path, const std::string &name,
                           uint64_t value) {
  const std::lock_guard lock(impl_->mutex);
  const QuietHdf5 quiet;
  impl_->require_open();
  Hid object = impl_->open_object(object_path);
  impl_->write_attribute(object.get(), object_path, name, H5T_STD_U64LE, H5T_NATIVE_UINT64, &value);
}

void Hdf5Writer::attribute(const std::string &object_path, const std::string &name,
                           const std::vector<uint32_t> &values) {
  const std::lock_guard lock(impl_->mutex);
  const QuietHdf5 quiet;
  impl_->require_open();
  Hid object = impl_->open_object(object_path);
  impl_->write_attribute(object.get(), object_path, name, H5T_STD_U32LE, H5T_NATIVE_UINT32,
                         values.data(), values.size());
}

void Hdf5Writer::enum_attribute(const std::string &object_path, const std::string &name,
                                const std::vector<std::string> &names, int value) {
  const std::lock_guard lock(impl_->mutex);
  const QuietHdf5 quiet;
  impl_->require_open();
  Hid type(H5Tenum_create(H5T_NATIVE_INT8), H5Tclose);
  if (!type.valid()) impl_->fail("cannot set up the type of attribute '" + name + "'");
  for (std::size_t k = 0; k < names.size(); ++k) {
    const auto v = static_cast<int8_t>(k);
    if (H5Tenum_insert(type.get(), names[k].c_str(), &v) < 0)
      impl_->fail("cannot set up the type of attribute '" + name + "'");
  }
  Hid object = impl_->open_object(object_path);
  const auto v = static_cast<int8_t>(value);
  impl_->write_attribute(object.get(), object_path, name, type.get(), type.get(), &v);
}

std::vector<std::string> Hdf5Writer::members(const std::string &group_path) {
  const std::lock_guard lock(impl_->mutex);
  const QuietHdf5 quiet;
  impl_->require_open();
  std::vector<std::string> names;
  if (!impl_->exists(split_path(group_path, impl_->path))) return names;
  H5Literate_by_name(
      impl_->file.get(), group_path.c_str(), H5_INDEX_NAME, H5_ITER_INC, nullptr,
      [](hid_t, const char *name, const H5L_info_t *, void *out) -> herr_t {
        static_cast<std::vector<std::string> *>(out)->push_back(name);
        return 0;
      },
      &names, H5P_DEFAULT);
  return names;
}

void Hdf5Writer::recorded_until(double t_ms) {
  impl_->recorded_ms.store(t_ms, std::memory_order_relaxed);
}

void Hdf5Writer::flush() {
  const std::lock_guard lock(impl_->mutex);
  const QuietHdf5 quiet;
  impl_->require_open();
  impl_->flush_all();
}

void Hdf5Writer::commit() {
  const std::lock_guard lock(impl_->mutex);
  const QuietHdf5 quiet;
  impl_->require_open();
  impl_->flush_all();
  if (!impl_->close_all()) {
    impl_->committed = true; // (HDF5 holds the file no more)
    impl_->fail("cannot close output file '" + impl_->part_path + "'");
  }
  impl_->committed = true;
  std::error_code ec;
  fs::rename(impl_->part_path, impl_->path, ec);
  if (ec && !fs::exists(impl_->part_path))
    throw OutputError("cannot rename '" + impl_->part_path + "' to '" + impl_->path +
                      "': " + ec.message() + "; the file is gone (was its folder removed?)");
  if (ec)
    throw OutputError("cannot rename '" + impl_->part_path + "' to '" + impl_->path + "': " +
                      ec.message() + "; the results are complete in '" + impl_->part_path + "'");
}

std::string Hdf5Writer::failure() const {
  const std::lock_guard lock(impl_->mutex);
  return impl_->failure;
}

uint64_t Hdf5Writer::bytes_flushed() const {
  const std::lock_guard lock(impl_->mutex);
  return impl_->bytes_flushed;
}

bool Hdf5Writer::abandon() {
  const std::lock_guard lock(impl_->mutex);
  const QuietHdf5 quiet;
  if (!impl_->committed) impl_->abandon();
  return impl_->part_kept;
}

const char *Hdf5Writer::salvage(const char *status) noexcept {
  if (!impl_ || !impl_->mutex.try_lock()) return nullptr; // a thread is inside HDF5
  const std::lock_guard lock(impl_->mutex, std::adopt_lock);
  if (impl_->committed || !impl_->failure.empty()) return nullptr;
  try {
    const QuietHdf5 quiet;
    Hid root = impl_->open_object("/");
    impl_->string_attribute(root.get(), "/", "status", status);
    root.reset();
    impl_->flush_all();
    if (!impl_->close_all()) return nullptr;
    impl_->committed = true;
    return std::rename(impl_->part_path.c_str(), impl_->path.c_str()) == 0
               ? impl_->path.c_str()
               : impl_->part_path.c_str();
  } catch (...) {
    return nullptr;
  }
}

gg_sink Hdf5Writer::sink(uint32_t instance) {
  const std::lock_guard lock(impl_->mutex);
  std::unique_ptr<Impl::Scope> &scope = impl_->scopes[instance];
  if (!scope) {
    scope = std::make_unique<Impl::Scope>();
    scope->writer = this;
  }
  gg_sink s{};
  s.ctx = scope.get();
  s.declare = &Hdf5Writer::sink_declare;
  s.write_fixed = &Hdf5Writer::sink_write_fixed;
  s.append = &Hdf5Writer::sink_append;
  return s;
}

void Hdf5Writer::check() {
  const std::lock_guard lock(impl_->mutex);
  if (!impl_->sink_error.empty()) {
    std::string message = std::move(impl_->sink_error);
    impl_->sink_error.clear();
    throw OutputError(message);
  }
  if (!impl_->block_due) return;
  const QuietHdf5 quiet;
  impl_->require_open();
  impl_->flush_all();
  impl_->block_due = false;
}

const std::string &Hdf5Writer::path() const {
  return impl_->path;
}

// The first error is kept: later ones are usually its consequences.
void Hdf5Writer::keep_sink_error(const std::string &message) {
  const std::lock_guard lock(impl_->mutex);
  if (impl_->sink_error.empty()) impl_->sink_error = message;
}

// No exception may cross into a plugin: each callback turns one into -1 and a kept message.
int32_t Hdf5Writer::sink_declare(void *ctx, const char *path, int32_t dtype, uint32_t width,
                                 const char *unit) {
  auto *scope = static_cast<Impl::Scope *>(ctx);
  Hdf5Writer *self = scope->writer;
  try {
    if (path == nullptr) throw OutputError("a recorder declared an output channel with no path");
    const int32_t channel =
        self->declare(path, static_cast<gg_dtype>(dtype), width, unit ? unit : "");
    const std::lock_guard lock(self->impl_->mutex);
    scope->channels.push_back(channel);
    return static_cast<int32_t>(scope->channels.size() - 1);
  } catch (const std::exception &e) {
    self->keep_sink_error(e.what());
  } catch (...) {
    self->keep_sink_error("unknown error while declaring an output channel");
  }
  return -1;
}

int32_t Hdf5Writer::sink_write_fixed(void *ctx, const char *path, int32_t dtype, const void *data,
                                     uint64_t rows, uint32_t width, const char *unit) {
  Hdf5Writer *self = static_cast<Impl::Scope *>(ctx)->writer;
  try {
    if (path == nullptr) throw OutputError("a recorder wrote a fixed dataset with no path");
    self->write_fixed(path, static_cast<gg_dtype>(dtype), data, rows, width, unit ? unit : "");
    return 0;
  } catch (const std::exception &e) {
    self->keep_sink_error(e.what());
  } catch (...) {
    self->keep_sink_error("unknown error while writing a fixed dataset");
  }
  return -1;
}

int32_t Hdf5Writer::sink_append(void *ctx, int32_t channel, const void *data, uint64_t rows) {
  auto *scope = static_cast<Impl::Scope *>(ctx);
  Hdf5Writer *self = scope->writer;
  try {
    int32_t global = -1;
    {
      const std::lock_guard lock(self->impl_->mutex);
      if (channel >= 0 && static_cast<std::size_t>(channel) < scope->channels.size())
        global = scope->channels[static_cast<std::size_t>(channel)];
    }
    if (global < 0)
      throw OutputError("output channel " + std::to_string(channel) + " of '" + self->path() +
                        "' was never declared by this recorder: append to an id that declare() "
                        "returned");
    self->append(global, data, rows);
    return 0;
  } catch (const std::exception &e) {
    self->keep_sink_error(e.what());
  } catch (...) {
    self->keep_sink_error("unknown error while appending to an output channel");
  }
  return -1;
}

void check_output_path(const std::string &path) {
  if (path.empty()) throw OutputError("the output path is empty: choose a file with -o");
  std::error_code ec;
  if (fs::is_directory(path, ec))
    throw OutputError("output path '" + path + "' is a folder: name a file inside it, e.g. -o " +
                      (fs::path(path) / "run.h5").string());
  fs::path folder = fs::path(path).parent_path();
  if (folder.empty()) folder = ".";
  const std::string name = folder.string();
  const fs::file_status status = fs::status(folder, ec);
  if (!fs::exists(status))
    throw OutputError("output folder '" + name + "' does not exist: create it (mkdir -p " + name +
                      ") or choose another path with -o");
  if (!fs::is_directory(status))
    throw OutputError("output folder '" + name + "' is not a folder: choose another path with -o");
  // Create and remove a probe file: permission bits alone do not tell (root, read-only mounts,
  // /proc), and this is exactly what writing the output will need.
  std::random_device random;
  const fs::path probe =
      folder / (".ganglion-probe-" + std::to_string(::getpid()) + "-" + std::to_string(random()));
  const int fd = ::open(probe.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    const int error = errno;
    throw OutputError("output folder '" + name +
                      "' is not writable (creating a file there failed: " + std::strerror(error) +
                      "): choose another path with -o or make the folder writable");
  }
  ::close(fd);
  ::unlink(probe.c_str());
}

} // namespace ganglion
