// The spike_times source's element step, for the host and a CUDA device (GG_HD): the plugin
// (spike_times.cpp) and its CUDA step (spike_times.cu) both run `Step` for each element, so both
// emit the same spikes.
#pragma once

#include <cstdint>

#include "ganglion/hd.h"
#include "ganglion/plugin_abi.h"

namespace ganglion::spike_times {

// The fields, in the table's order (spike_times.cpp), shared by both backends.
enum Field { times, next, count };

// One element's step: its times up to the step's end, t + dt (t = step dt, as the kernel gives
// it) with room for rounding, each a spike; `next` advanced past them.
struct Step {
  const double *ts;        // every element's times, one after another
  const uint64_t *offsets; // element i's times are ts[offsets[i] .. offsets[i + 1])
  double *following;       // `next`: the index of each element's next time
  double dt;
  GG_HD uint64_t operator()(uint64_t i, uint64_t step) const {
    const double until = double(step) * dt + dt * (1 + 1e-9);
    const auto first = uint64_t(following[i]);
    const uint64_t end = offsets[i + 1];
    uint64_t k = first;
    while (k < end && ts[k] <= until)
      ++k;
    following[i] = double(k);
    return k - first;
  }
};

// The step over a view's arrays (on the CPU the view, in a CUDA hook its device view: there
// `offsets` is a host array of device pointers, as `fields` is).
inline Step step_of(const gg_view &v) {
  return Step{v.fields[times], v.offsets[times], v.fields[next], v.dt};
}

} // namespace ganglion::spike_times
