// The recorders' output kept in memory, dataset by dataset under the paths the file would give
// them ("/spikes/E/timestamps"), for a front end that hands the results out as arrays (the Python
// package) rather than read them back from a file. Paths follow the file's rules: a path declared
// twice is refused, as the writer refuses it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "output/recording.hpp"

namespace ganglion {

struct MemoryDataset {
  gg_dtype dtype = GG_DTYPE_F64;
  uint32_t width = 1;   // values a row; the shape is (rows) for 1, else (rows, width)
  std::string unit;     // the file's "units" attribute; "" for none
  bool growing = false; // declared (appended to) rather than written once
  uint64_t rows = 0;
  std::vector<std::byte> bytes; // rows * width values of dtype, 8 bytes each
};

class MemoryRecording : public Recording {
public:
  MemoryRecording();
  ~MemoryRecording() override;
  gg_sink sink(uint32_t instance) override;
  void check() override;
  void recorded_until(double t_ms) override;
  double recorded_ms() const;
  // The datasets by path, moved out: the recording holds none afterwards.
  std::map<std::string, MemoryDataset> take();

private:
  struct Scope {
    MemoryRecording *self;
    std::vector<std::string> channels; // this instance's channel ids -> dataset paths
  };
  std::mutex mutex_;
  std::map<std::string, MemoryDataset> datasets_;
  std::map<uint32_t, std::unique_ptr<Scope>> scopes_;
  std::string error_; // the first callback's failure, for check()
  double recorded_ms_ = 0;

  MemoryDataset &add(const std::string &path, int32_t dtype, uint32_t width, const char *unit);
  static int32_t declare(void *ctx, const char *path, int32_t dtype, uint32_t width,
                         const char *unit);
  static int32_t write_fixed(void *ctx, const char *path, int32_t dtype, const void *data,
                             uint64_t rows, uint32_t width, const char *unit);
  static int32_t append(void *ctx, int32_t channel, const void *data, uint64_t rows);
  void keep(const std::string &message);
};

// Two recordings fed the same calls, the first's answers returned: the file and memory at once.
class TeeRecording : public Recording {
public:
  TeeRecording(Recording &first, Recording &second);
  ~TeeRecording() override;
  gg_sink sink(uint32_t instance) override;
  void check() override;
  void recorded_until(double t_ms) override;

private:
  struct Pair {
    gg_sink first, second;
  };
  Recording &first_, &second_;
  std::mutex mutex_;
  std::map<uint32_t, std::unique_ptr<Pair>> pairs_;
};

} // namespace ganglion
