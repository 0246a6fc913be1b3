// Where the recorders' output goes while a network runs: the output file (Hdf5Writer), memory
// (MemoryRecording, which the Python package hands out as arrays), or both at once
// (TeeRecording). The engine sees only this.
#pragma once

#include <cstdint>

#include "ganglion/plugin_abi.h"

namespace ganglion {

class Recording {
public:
  virtual ~Recording() = default;
  // The C callbacks (gg_sink) for recorder instance `instance`. As the ABI promises, channel ids
  // are per instance and count up from 0 in the order of declaration. A callback never throws:
  // it returns -1 and keeps the reason for check().
  virtual gg_sink sink(uint32_t instance) = 0;
  // After each recorder's hook: throws a callback's kept error as an OutputError (and may write
  // what is buffered).
  virtual void check() = 0;
  // Everything recorded up to simulated time t_ms (ms) has been appended. Called every step.
  virtual void recorded_until(double t_ms) = 0;
};

} // namespace ganglion
