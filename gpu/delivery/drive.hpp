// A drive's arrivals (GG_DESC_DRIVE, a poisson_generator's rows) as the device engine delivers a
// declared arrival form (arrival_form.hpp): synapse k of generator element i takes a Poisson(rate_i
// dt) count each step, drawn by drive_count with id (i, the target's global id) and the step (the
// CPU's draw: random/drive_count.hpp, which the engine's batched counts are tested equal to), and
// adds (w[k] scale[j]) count, the count handed at once as the CPU hands it to a synapse that takes
// counts (GG_DESC_COUNTS, as every built-in arrival form does; one spike at a time to one that does
// not). For the host and a device (GG_HD).
#pragma once

#include <cstdint>

#include "delivery/arrival_form.hpp"
#include "ganglion/hd.h"
#include "ganglion/poisson_count.hpp"
#include "ganglion/sdk/row_search.hpp"
#include "random/drive_count.hpp"

namespace ganglion::gpu {

struct Drive {
  const double *rate; // Hz, one per generator element
  double dt;          // ms
  DriveIds ids;       // whose seed and ids each row and target draws with
  uint64_t stream;
  // Drawn delays: each synapse's (rows sorted by delay, then target); NULL: one delay, rows by
  // target. (A count ignores the delay, as on the CPU: it is drawn where it arrives.)
  const uint16_t *delay = nullptr;
  // Whether the synapse takes a count at once (GG_DESC_COUNTS); else the CPU hands it that many
  // arrivals of one spike, added one by one.
  bool counted = true;

  GG_HD PoissonCount count_of(uint32_t i) const { return PoissonCount(rate[i] * 1e-3 * dt); }
  // Synapse k's count in step `step`: row r's (ids.row(i), found once a row), onto target j.
  GG_HD uint64_t count(const PoissonCount &p, const DriveIds::Row &r, uint32_t j,
                       uint64_t step) const {
    return drive_count(p, r.seed, stream, r.row, r.target(j), uint32_t(step));
  }

  // Where run [k, end) of a row sorted by delay ends: its first synapse's delay's last one.
  GG_HD uint64_t run_end(uint64_t k, uint64_t end) const {
    const uint16_t d = delay[k];
    uint64_t lo = k + 1, hi = end; // the first one past d lies in [lo, hi]
    while (lo < hi) {
      const uint64_t mid = lo + (hi - lo) / 2;
      if (delay[mid] > d)
        hi = mid;
      else
        lo = mid + 1;
    }
    return lo;
  }

  // Target j's arrivals in the CPU's order (rows ascending, each row's synapses onto j in CSR
  // order: first_onto in each delay's run), into f.x[j]: the CPU's bits.
  GG_HD void deliver_to(const ArrivalForm &f, uint32_t j, const uint64_t *row_ptr, uint64_t n_pre,
                        uint64_t step) const {
    double sum = f.x[j];
    for (uint64_t i = 0; i < n_pre; ++i) {
      const uint64_t end = row_ptr[i + 1];
      for (uint64_t run = row_ptr[i]; run < end;) {
        const uint64_t stop = delay ? run_end(run, end) : end;
        uint64_t k = first_onto(f.post, run, stop, j);
        if (k < stop && f.post[k] == j) {
          const PoissonCount p = count_of(uint32_t(i));
          const DriveIds::Row r = ids.row(i);
          for (; k < stop && f.post[k] == j; ++k)
            if (const uint64_t c = count(p, r, j, step)) {
              if (counted)
                sum += f.amount(k, j, double(c));
              else
                for (uint64_t r = 0; r < c; ++r)
                  sum += f.amount(k, j, 1.0);
            }
        }
        run = stop;
      }
    }
    f.x[j] = sum;
  }
};

} // namespace ganglion::gpu
