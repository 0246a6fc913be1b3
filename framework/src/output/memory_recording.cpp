// The recorders' output in memory, and two recordings fed at once (see memory_recording.hpp).
#include "output/memory_recording.hpp"

#include <cstring>

#include "output/hdf5_writer.hpp"

namespace ganglion {

namespace {

// "a/b" and "/a/b" name the same dataset, as in the file.
std::string absolute(const char *path) {
  std::string full(path[0] == '/' ? 0 : 1, '/');
  return full += path;
}

} // namespace

MemoryRecording::MemoryRecording() = default;
MemoryRecording::~MemoryRecording() = default;

gg_sink MemoryRecording::sink(uint32_t instance) {
  const std::lock_guard lock(mutex_);
  std::unique_ptr<Scope> &scope = scopes_[instance];
  if (!scope) scope = std::make_unique<Scope>(Scope{this, {}});
  return gg_sink{scope.get(), &MemoryRecording::declare, &MemoryRecording::write_fixed,
                 &MemoryRecording::append};
}

void MemoryRecording::check() {
  const std::lock_guard lock(mutex_);
  if (error_.empty()) return;
  std::string message = std::move(error_);
  error_.clear();
  throw OutputError(message);
}

void MemoryRecording::recorded_until(double t_ms) {
  recorded_ms_ = t_ms;
}

double MemoryRecording::recorded_ms() const {
  return recorded_ms_;
}

std::map<std::string, MemoryDataset> MemoryRecording::take() {
  const std::lock_guard lock(mutex_);
  scopes_.clear();
  return std::move(datasets_);
}

// A new dataset; the caller holds the lock. The writer's refusals, in its words.
MemoryDataset &MemoryRecording::add(const std::string &path, int32_t dtype, uint32_t width,
                                    const char *unit) {
  if (dtype != GG_DTYPE_F64 && dtype != GG_DTYPE_U64)
    throw OutputError("dataset '" + path + "': unknown dtype " + std::to_string(dtype) +
                      " (use GG_DTYPE_F64 or GG_DTYPE_U64)");
  if (width == 0)
    throw OutputError("dataset '" + path +
                      "' is declared with width 0: a row needs at least one value");
  if (datasets_.count(path))
    throw OutputError("dataset '" + path +
                      "' is written twice: each recorder needs a path of its own (are two "
                      "recorders recording the same population and variable?)");
  MemoryDataset &d = datasets_[path];
  d.dtype = static_cast<gg_dtype>(dtype);
  d.width = width;
  d.unit = unit ? unit : "";
  return d;
}

void MemoryRecording::keep(const std::string &message) {
  const std::lock_guard lock(mutex_);
  if (error_.empty()) error_ = message;
}

// No exception may cross into a plugin: each callback turns one into -1 and a kept message.
int32_t MemoryRecording::declare(void *ctx, const char *path, int32_t dtype, uint32_t width,
                                 const char *unit) {
  auto *scope = static_cast<Scope *>(ctx);
  MemoryRecording *self = scope->self;
  try {
    if (path == nullptr) throw OutputError("a recorder declared an output channel with no path");
    const std::lock_guard lock(self->mutex_);
    const std::string full = absolute(path);
    self->add(full, dtype, width, unit).growing = true;
    scope->channels.push_back(full);
    return int32_t(scope->channels.size() - 1);
  } catch (const std::exception &e) {
    self->keep(e.what());
  }
  return -1;
}

int32_t MemoryRecording::write_fixed(void *ctx, const char *path, int32_t dtype, const void *data,
                                     uint64_t rows, uint32_t width, const char *unit) {
  MemoryRecording *self = static_cast<Scope *>(ctx)->self;
  try {
    if (path == nullptr) throw OutputError("a recorder wrote a fixed dataset with no path");
    const std::lock_guard lock(self->mutex_);
    MemoryDataset &d = self->add(absolute(path), dtype, width, unit);
    d.rows = rows;
    d.bytes.resize(std::size_t(rows) * width * 8);
    if (rows > 0) std::memcpy(d.bytes.data(), data, d.bytes.size());
    return 0;
  } catch (const std::exception &e) {
    self->keep(e.what());
  }
  return -1;
}

int32_t MemoryRecording::append(void *ctx, int32_t channel, const void *data, uint64_t rows) {
  auto *scope = static_cast<Scope *>(ctx);
  MemoryRecording *self = scope->self;
  try {
    const std::lock_guard lock(self->mutex_);
    if (channel < 0 || std::size_t(channel) >= scope->channels.size())
      throw OutputError("output channel " + std::to_string(channel) +
                        " was never declared by this recorder: append to an id that declare() "
                        "returned");
    MemoryDataset &d = self->datasets_.at(scope->channels[std::size_t(channel)]);
    const std::size_t bytes = std::size_t(rows) * d.width * 8, at = d.bytes.size();
    d.bytes.resize(at + bytes);
    if (bytes > 0) std::memcpy(d.bytes.data() + at, data, bytes);
    d.rows += rows;
    return 0;
  } catch (const std::exception &e) {
    self->keep(e.what());
  }
  return -1;
}

TeeRecording::TeeRecording(Recording &first, Recording &second) : first_(first), second_(second) {}
TeeRecording::~TeeRecording() = default;

gg_sink TeeRecording::sink(uint32_t instance) {
  const std::lock_guard lock(mutex_);
  std::unique_ptr<Pair> &pair = pairs_[instance];
  if (!pair) pair = std::make_unique<Pair>(Pair{first_.sink(instance), second_.sink(instance)});
  gg_sink s{};
  s.ctx = pair.get();
  s.declare = [](void *ctx, const char *path, int32_t dtype, uint32_t width, const char *unit) {
    auto *p = static_cast<Pair *>(ctx);
    const int32_t a = p->first.declare(p->first.ctx, path, dtype, width, unit);
    const int32_t b = p->second.declare(p->second.ctx, path, dtype, width, unit);
    return a < 0 || b < 0 ? -1 : a; // both count their ids from 0 alike
  };
  s.write_fixed = [](void *ctx, const char *path, int32_t dtype, const void *data, uint64_t rows,
                     uint32_t width, const char *unit) {
    auto *p = static_cast<Pair *>(ctx);
    const int32_t a = p->first.write_fixed(p->first.ctx, path, dtype, data, rows, width, unit);
    const int32_t b = p->second.write_fixed(p->second.ctx, path, dtype, data, rows, width, unit);
    return a < 0 || b < 0 ? -1 : 0;
  };
  s.append = [](void *ctx, int32_t channel, const void *data, uint64_t rows) {
    auto *p = static_cast<Pair *>(ctx);
    const int32_t a = p->first.append(p->first.ctx, channel, data, rows);
    const int32_t b = p->second.append(p->second.ctx, channel, data, rows);
    return a < 0 || b < 0 ? -1 : 0;
  };
  return s;
}

void TeeRecording::check() {
  first_.check();
  second_.check();
}

void TeeRecording::recorded_until(double t_ms) {
  first_.recorded_until(t_ms);
  second_.recorded_until(t_ms);
}

} // namespace ganglion
