// The resident step (engine/device_plan.hpp's resident_refusal says where it applies): a chunk
// of steps as one kernel on one thread block cluster, in place of the CUDA graph whose step is
// some 20 launches. It does in its own code what those launches do, in the same order and with
// the same arithmetic:
//
//   phase 1  each population's neurons stepped (their element step, lif's, eif's or poisson's,
//            called through a device function pointer: resident_element), their input started from
//            I_app, their bound-checked fields checked (check_bounds_kernel's rule), and each
//            thread's spikes counted;                                         cluster barrier A
//   gather   the spikes written into the step's ring slot ascending (each thread holds a
//            contiguous range of neurons: a block scan of its counts, then the blocks' totals);
//            the lead thread ends the step (the slot's count, the run's total, an overflow, a
//            first bad value's record);                                       cluster barrier B
//   phase 2  each projection delivered from its presynaptic ring, ordered (a thread a target,
//            the CPU's order: ArrivalForm::deliver_each) or scattered (a warp a spike, atomics);
//            block 0 logs the step's spikes (spike_log.cuh's reserve and append); the lead
//            thread decides whether another step is taken (gate_kernel's rule);  barrier C
//            (the lead keeps its books, the logs' counts and the totals, in its registers for
//            the chunk: Books)
//   samples  where a state recorder samples this step, its pairs; barrier D (only then).
//
// A neuron's thread is the same in every phase and step (range_of), so an ordered delivery's
// target is written by the thread that steps it. The decision is one word per step parity,
// written by the lead thread before barrier C and read by all after it, so every thread leaves
// the loop at the same step. For .cu files only (the kernel is static).
#pragma once

#include <cooperative_groups.h>
#include <cuda_runtime.h>

#include <cstdint>
#include <type_traits>

#include <cub/block/block_scan.cuh>

#include "run/resident.hpp"

namespace ganglion::gpu {

// A population's element step, called through a pointer (each population's Step type is chosen on
// the host by with_step, so the kernel cannot name it): a neuron's outcome (Firing's use of it),
// or a source's count of spikes (Emitting's).
template <class Step>
__device__ uint32_t resident_element(const void *step, uint64_t i, double now, bool &outside) {
  const Step &s = *static_cast<const Step *>(step);
  if constexpr (std::is_integral_v<decltype(s(i, uint64_t(0)))>) {
    outside = false;
    return uint32_t(s(i, uint64_t(now)));
  } else {
    const auto o = s(i, now);
    outside = o.outside;
    return o.spiked ? 1u : 0u;
  }
}

// The device address of resident_element<Step>, for the host to hand the kernel.
template <class Step> __global__ void element_address(ElementStep *out) {
  *out = &resident_element<Step>;
}

// Thread t's neurons of a population of n, of `threads`: contiguous ranges in thread order.
struct ThreadRange {
  uint64_t first, end;
};
__device__ inline ThreadRange range_of(uint64_t n, uint64_t t, uint64_t threads) {
  const uint64_t per = (n + threads - 1) / threads;
  const uint64_t first = t * per < n ? t * per : n;
  return {first, first + per < n ? first + per : n};
}

// The lead thread's books, which it alone writes: each population's spike log (entries held, the
// step it paused at), spike total and overflow, read at the chunk's start and written back at its
// end, so that a step's bookkeeping waits on no memory round trip for them.
struct Books {
  unsigned long long count[kResidentPops], paused[kResidentPops], total[kResidentPops];
  bool overflow[kResidentPops];
  __device__ void load(const Resident &r) {
    for (int p = 0; p < r.n_pops; ++p) {
      const ResidentPop &P = r.pops[p];
      count[p] = P.logged ? *P.log[r.set].count : 0;
      paused[p] = P.logged ? *P.log[r.set].paused_at : kNotPaused;
      total[p] = *P.total;
      overflow[p] = *P.overflow != 0;
    }
  }
  __device__ void store(const Resident &r) const {
    for (int p = 0; p < r.n_pops; ++p) {
      const ResidentPop &P = r.pops[p];
      if (P.logged) {
        *P.log[r.set].count = count[p];
        *P.log[r.set].paused_at = paused[p];
      }
      *P.total = total[p];
      if (overflow[p]) *P.overflow = 1;
    }
  }
};

// gate_kernel's rule for step s: within the chunk, every value in range, no slot overflowed,
// room in every spike log for the most a step brings, and for another row of samples (`rows`: each
// population's rows once step s - 1's samples are in). The lead thread's, with its books.
__device__ inline bool resident_open(const Resident &r, const Books &books, uint64_t s,
                                     uint64_t stop, const uint32_t *rows) {
  if (s >= stop) return false;
  for (int p = 0; p < r.n_pops; ++p) {
    const ResidentPop &P = r.pops[p];
    const volatile BoundsStatus *b = P.bounds;
    if (b->step != kAllInRange || books.overflow[p]) return false;
    if (P.logged && books.count[p] + P.ring.capacity > P.log[r.set].capacity) return false;
    if (P.sampled && rows[p] >= P.samples[r.set].max_rows) return false;
  }
  return true;
}

// check_bounds_kernel's rule for element i at step s: the first step wins, within it the lowest
// place.
__device__ inline void resident_check(const CheckedFields &f, uint64_t i, BoundsStatus *status,
                                      unsigned long long s) {
  for (int k = 0; k < f.count; ++k) {
    if (!outside(f.field[k].x[i], f.field[k].min, f.field[k].max)) continue;
    const unsigned long long before = atomicMin(&status->step, s);
    if (before >= s) atomicMin(&status->where, where_key(f.slice, k, i));
    return;
  }
}

// Phase 1 for population p: its thread's neurons stepped and checked, their spikes counted; the
// block's exclusive sum of its threads' counts returned, its total left in block_totals.
template <class Scan>
__device__ uint32_t resident_phase1(const Resident &r, int p, uint64_t s, uint64_t t,
                                    uint64_t threads, typename Scan::TempStorage &scan) {
  const ResidentPop &P = r.pops[p];
  const ThreadRange g = range_of(P.n, t, threads);
  uint32_t mine = 0;
  for (uint64_t i = g.first; i < g.end; ++i) {
    if (P.accumulates) P.input[i] = P.i_app ? P.i_app[i] : 0.0;
    bool outside = false;
    const uint32_t c = P.step(P.state, i, double(s), outside);
    P.counts[i] = c;
    mine += c;
    if (P.checked.count > 0) resident_check(P.checked, i, P.bounds, s);
  }
  uint32_t before = 0, total = 0;
  Scan(scan).ExclusiveSum(mine, before, total);
  __syncthreads(); // (the scan's storage is used again for the next population)
  if (threadIdx.x == 0) r.block_totals[p * kResidentBlocks + blockIdx.x] = total;
  return before;
}

// Population p's spikes of step s written into its ring slot ascending, from `before` (the
// thread's place in its block); returns the step's spikes (all blocks').
__device__ inline uint64_t resident_gather(const Resident &r, int p, uint64_t s, uint64_t t,
                                           uint64_t threads, uint32_t before) {
  const ResidentPop &P = r.pops[p];
  const volatile uint32_t *totals = r.block_totals + p * kResidentBlocks;
  uint64_t at = before, all = 0;
  for (unsigned b = 0; b < gridDim.x; ++b) {
    if (b < blockIdx.x) at += totals[b];
    all += totals[b];
  }
  uint32_t *out = P.ring.slot_begin(P.ring.slot_of(s));
  const ThreadRange g = range_of(P.n, t, threads);
  for (uint64_t i = g.first; i < g.end; ++i)
    for (uint32_t c = P.counts[i]; c > 0; --c, ++at)
      if (at < P.ring.capacity) out[at] = uint32_t(i);
  return all;
}

// The lead thread's end of population p's step s (copy_slot's and scatter_spikes' bookkeeping,
// and the record of a first bad value): `all` its spikes.
__device__ inline void resident_step_end(const Resident &r, Books &books, int p, uint64_t s,
                                         uint64_t all) {
  const ResidentPop &P = r.pops[p];
  const uint32_t slot = P.ring.slot_of(s);
  const uint32_t n = all < P.ring.capacity ? uint32_t(all) : P.ring.capacity;
  P.ring.counts[slot] = n;
  if (all > P.ring.capacity) books.overflow[p] = true;
  books.total[p] += n;
  volatile BoundsStatus *b = P.bounds;
  if (P.checked.count > 0 && b->step == s && !b->recorded) {
    const unsigned long long w = b->where;
    b->value = P.checked.field[where_field(w)].x[where_element(w)];
    b->recorded = 1;
  }
}

// Phase 2 for projection q at step s: the spikes that arrive now, from its presynaptic ring.
__device__ inline void resident_deliver(const Resident &r, int q, uint64_t s, uint64_t t,
                                        uint64_t threads) {
  const ResidentProj &Q = r.projs[q];
  const ResidentPop &pre = r.pops[Q.pre];
  uint32_t slot = 0;
  if (!pre.ring.arrival_slot(s, Q.delay, slot)) return;
  const uint32_t n = *(const volatile uint32_t *)(pre.ring.counts + slot);
  const uint32_t *spikes = pre.ring.slot_begin(slot);
  if (Q.ordered) {
    const ThreadRange g = range_of(r.pops[Q.post].n, t, threads);
    for (uint64_t j = g.first; j < g.end; ++j)
      Q.form.deliver_each(
          uint32_t(j), n,
          [&](uint64_t k) { return fixed_delay_arrival(Q.row_ptr, spikes[k], Q.delay); }, nullptr);
    return;
  }
  const unsigned lane = threadIdx.x & 31u;
  for (uint64_t k = t / 32; k < n; k += threads / 32) {
    const gg_arrival a = fixed_delay_arrival(Q.row_ptr, spikes[k], Q.delay);
    for (uint64_t syn = a.begin + lane; syn < a.end; syn += 32) {
      const uint32_t j = Q.form.post[syn];
      atomicAdd(Q.form.x + j, Q.form.amount(syn, j, 1.0));
    }
  }
}

// Block 0: each logged population's step s logged (reserve_kernel's rule by thread 0, the lead,
// with its books; then the entries by the block).
__device__ inline void resident_log(const Resident &r, Books &books, uint64_t s,
                                    unsigned long long *first) {
  if (threadIdx.x == 0)
    for (int p = 0; p < r.n_pops; ++p) {
      const ResidentPop &P = r.pops[p];
      first[p] = kNotPaused;
      if (!P.logged || books.paused[p] != kNotPaused) continue;
      const unsigned long long at = books.count[p];
      if (at + P.ring.capacity > P.log[r.set].capacity) {
        books.paused[p] = s;
        continue;
      }
      first[p] = at;
      books.count[p] = at + P.ring.counts[P.ring.slot_of(s)];
    }
  __syncthreads();
  for (int p = 0; p < r.n_pops; ++p) {
    if (first[p] == kNotPaused) continue;
    const ResidentPop &P = r.pops[p];
    const uint32_t slot = P.ring.slot_of(s), n = P.ring.counts[slot];
    const uint32_t *spikes = P.ring.slot_begin(slot);
    for (uint32_t k = threadIdx.x; k < n; k += blockDim.x)
      P.log[r.set].entries[first[p] + k] = (unsigned long long)s << 32 | spikes[k];
  }
}

// Whether population p samples its state at step s, and whether any does.
__device__ inline bool resident_due(const Resident &r, int p, uint64_t s) {
  return r.pops[p].sampled && r.pops[p].samples[r.set].due(s);
}
__device__ inline bool resident_due(const Resident &r, uint64_t s) {
  for (int p = 0; p < r.n_pops; ++p)
    if (resident_due(r, p, s)) return true;
  return false;
}

// Step s's samples (sample_kernel's rule), at each population's row `rows[p]`.
__device__ inline void resident_sample(const Resident &r, uint64_t s, uint64_t t, uint64_t threads,
                                       const uint32_t *rows) {
  for (int p = 0; p < r.n_pops; ++p) {
    if (!resident_due(r, p, s)) continue;
    const Samples &S = r.pops[p].samples[r.set];
    double *row = S.log + uint64_t(rows[p]) * S.pairs;
    for (uint64_t k = t; k < S.pairs; k += threads)
      row[k] = S.field[k][S.element[k]];
  }
}

// A chunk from *r.step until the decision says no (at *r.stop at the latest), on one cluster of
// gridDim.x blocks of kResidentThreads.
static __global__ void __launch_bounds__(kResidentThreads) resident_kernel(Resident r) {
  namespace cg = cooperative_groups;
  cg::cluster_group cluster = cg::this_cluster();
  using Scan = cub::BlockScan<uint32_t, kResidentThreads>;
  __shared__ typename Scan::TempStorage scan;
  __shared__ unsigned long long log_first[kResidentPops];
  const uint64_t threads = uint64_t(gridDim.x) * blockDim.x;
  const uint64_t t = uint64_t(blockIdx.x) * blockDim.x + threadIdx.x;
  const bool lead = t == 0;
  const uint64_t stop = *r.stop;
  uint64_t s = *r.step;
  uint32_t rows[kResidentPops] = {}; // each population's sample rows so far (every thread's copy)
  for (int p = 0; p < r.n_pops; ++p)
    if (r.pops[p].sampled) rows[p] = *r.pops[p].samples[r.set].rows;
  Books books; // (the lead's)
  if (lead) {
    books.load(r);
    r.go[s & 1] = resident_open(r, books, s, stop, rows) ? 1 : 0;
  }
  cluster.sync();
  volatile int32_t *go = r.go;
  while (go[s & 1]) {
    uint32_t before[kResidentPops];
    for (int p = 0; p < r.n_pops; ++p)
      before[p] = resident_phase1<Scan>(r, p, s, t, threads, scan);
    cluster.sync(); // A: every neuron stepped, every block's count known
    for (int p = 0; p < r.n_pops; ++p) {
      const uint64_t all = resident_gather(r, p, s, t, threads, before[p]);
      if (lead) resident_step_end(r, books, p, s, all);
    }
    cluster.sync(); // B: every slot whole
    for (int q = 0; q < r.n_projs; ++q)
      resident_deliver(r, q, s, t, threads);
    if (blockIdx.x == 0) resident_log(r, books, s, log_first);
    const bool due = resident_due(r, s);
    if (lead) {
      uint32_t next[kResidentPops];
      for (int p = 0; p < r.n_pops; ++p)
        next[p] = rows[p] + (resident_due(r, p, s) ? 1 : 0);
      go[(s + 1) & 1] = resident_open(r, books, s + 1, stop, next) ? 1 : 0;
    }
    cluster.sync(); // C: every delivery in, the decision made
    if (due) {
      resident_sample(r, s, t, threads, rows);
      for (int p = 0; p < r.n_pops; ++p)
        rows[p] += resident_due(r, p, s) ? 1 : 0;
      cluster.sync(); // D: the samples read before the next step moves the state
    }
    ++s;
  }
  if (!lead) return;
  books.store(r);
  *r.step = s;
  for (int p = 0; p < r.n_pops; ++p)
    if (r.pops[p].sampled) *r.pops[p].samples[r.set].rows = rows[p];
}

} // namespace ganglion::gpu
