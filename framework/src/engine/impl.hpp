// Simulation::Impl: the state of one run (state.hpp) and the engine's work on it, one file per
// phase: build.cpp (fields, connectivity, views, tasks, the by-post index, channel fusion, init
// hooks), step.cpp (one step in either mode, and the loop), scheduler.cpp (how the threads share
// the work: slice balancing, split delivery, owner mode's cuts) and report.cpp (the RunReport).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <exception>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "engine/device_engine.hpp"
#include "engine/simulation.hpp"
#include "engine/state.hpp"
#include "engine/thread_pool.hpp"
#include "parallel/ranks.hpp"

namespace ganglion {

class Recording;

namespace engine {
using Clock = std::chrono::steady_clock;
inline double seconds_between(Clock::time_point t0, Clock::time_point t1) {
  return std::chrono::duration<double>(t1 - t0).count();
}
inline double seconds_since(Clock::time_point t0) {
  return seconds_between(t0, Clock::now());
}
// Several ranks (ranks.cpp): what a rank tells the others with its step's spikes, how its step
// went.
struct Word {
  enum Kind : uint8_t { ok, diverged, failed };
  Kind kind = ok;
  uint64_t step = 0; // of the failure
  int32_t stop = 0;  // a stop signal seen before the step
  std::string why;
  void put(ranks::Packer &p) const;
  static Word get(ranks::Reader &r);
};
// The word of a failure `e` (a divergence or another error) at `step`.
Word failure_word(const std::exception_ptr &e, uint64_t step);
bool overlap_exchange(); // GANGLION_EXCHANGE's choice (ranks.cpp)
} // namespace engine

// The member functions declared `inline` are defined in step.cpp and called only there: the
// library is built position-independent, where GCC inlines no function that could be interposed,
// so without `inline` none of the step's functions would be inlined into another.
struct Simulation::Impl {
  using Population = engine::Population;
  using Plasticity = engine::Plasticity;
  using Part = engine::Part;
  using Projection = engine::Projection;
  using Recorder = engine::Recorder;
  using Slice = engine::Slice;
  using Member = engine::Member;
  using OwnerTask = engine::OwnerTask;
  using Clock = engine::Clock;

  static constexpr uint64_t kSliceSize = 1024;
  static constexpr uint64_t kSplitRow = 128;    // split_delivery: the least mean row length
  static constexpr uint64_t kOwnerFrom = 128;   // steps of measured slice costs before the split
  static constexpr std::size_t kOpenSlices = 2; // a task's last slices, which others may take

  const Experiment &exp;
  // Where each member's recorders write (one member unless a batch); a null: nowhere.
  std::vector<Recording *> writers;
  // A batch: each member's seed, which the views hand the hooks (gg_view::batch_seeds).
  std::vector<uint64_t> batch_seeds;
  std::vector<Population> pops;
  std::vector<Projection> projs;
  std::vector<Recorder> recs;
  std::vector<Slice> slices;                     // phase 1 tasks, population after population
  std::vector<std::vector<Member>> groups;       // phase 2 tasks: projections stepped together
  std::vector<std::vector<Member>> whole_groups; // the same for one thread (none split), or empty
  // Phase 2 hands the groups out longest first (by their measured time, a running mean), so the
  // thread that takes the largest projection is not also left the last: the order changes nothing
  // but the load balance, since every group writes only its own projections.
  std::vector<double> group_cost;
  std::vector<std::size_t> group_order;
  // Phase 1 gives each thread a run of consecutive slices of about equal measured time (running
  // means), the same run step after step, so a slice's neurons and synaptic state stay in the
  // caches of the core that steps them; a thread done early takes the others' slices.
  std::vector<double> slice_cost;
  std::vector<std::size_t> slice_split;
  // Owner mode (OwnerTask in state.hpp): possible where every instance allows it, entered at step
  // kOwnerFrom.
  bool owner_possible = false;
  std::vector<OwnerTask> owner;                    // empty: not (yet) in owner mode
  std::vector<std::vector<uint64_t>> owner_cuts;   // the parts' row bounds, by projection
  std::vector<std::vector<uint64_t>> owner_bounds; // ... and the target bounds they were cut at
  double owner_build_s = 0;                        // the last cut's time to build (s)
  unsigned owner_cuts_made = 0;                    // cuts so far (RunReport::owner_cuts)
  bool recut_for_tests = false;                    // GANGLION_TEST_RECUT (rebalance_owner)
  std::vector<std::size_t> owner_split;            // task t first on thread t
  std::vector<std::exception_ptr> slice_errors;    // owner mode: this step's, by slice
  std::atomic<bool> any_slice_error{false};
  // Owner mode: the step whose rules' presynaptic traces are advanced. Task 0 advances them first,
  // and a rule's part waits for them (they are done long before, while its deliveries ran), so
  // that they take no time of their own between batches.
  std::atomic<uint64_t> pre_traces_done{UINT64_MAX};
  std::unique_ptr<ThreadPool> pool;
  // threads: 0 with a pool of 2 or more (auto_threads): windows of steps run as on one thread
  // (`serial`: out of owner mode, every projection delivered whole, every batch on the calling
  // thread; the same results) timed against windows on the whole pool, in the order
  // P S S P P S S P (a drift in the load or the network's activity weighs on both alike), and the
  // faster kept (calibrate), by its quickest window: a window's time only grows with what else
  // the machine does (another process, a page fault, the writer's flush). One window of each
  // decides where one way is 1.5 times faster.
  // Windows of `window` steps, first from step `start` (after owner mode's first new cut, at
  // kOwnerFrom + 256, and past a network's opening transient), again every `recheck` steps (4 times
  // as many where one way was 25 % faster or more): multiples of 1024 apart, so that owner mode's
  // checks (every 1024 steps) fall outside the windows. GANGLION_TEST_CALIBRATE (tests only):
  // windows of 4 steps from step 8, every 64 steps, so that runs switch often.
  struct Calibration {
    static constexpr int kWindows = 8;
    uint64_t window = 64, start = kOwnerFrom + 272, recheck = 16384;
    int at = -1; // the window being timed; -1: none
    Clock::time_point t0;
    double serial_s = 0, parallel_s = 0; // this calibration's quickest windows
  };
  bool auto_threads = false, serial = false;
  Calibration calibration;
  std::vector<std::exception_ptr> errors; // run_all's scratch, kept to allocate nothing per step
  // Some of the network runs on a GPU: the host builds it all as for the CPU, its CPU tasks for the
  // parts on "cpu" only, and the device engine steps the parts on "cuda" (run_device: in chunks,
  // or in windows beside the CPU's where some populations are on "cpu", mixed_window).
  std::unique_ptr<DeviceEngine> device;
  bool mixed = false; // and some populations on "cpu": both engines step, the spikes that cross
                      // exchanged once every `interval` steps (device_plan::mixed_interval)
  // Several ranks (parallel/ranks.hpp; ranks.cpp): this rank steps neurons [own_lo[p], own_hi[p])
  // of population p, rank r those from bounds[p][r] (bounds[p][ranks] is its size), and builds
  // the synapses onto them. One rank: every population whole.
  bool distributed = false;
  bool records = true; // the recorders' hooks run here (rank 0)
  std::vector<uint64_t> own_lo, own_hi;
  std::vector<std::vector<uint64_t>> bounds;
  // Rank 0, several ranks: the whole synapses of each projection a recorder reads (by index), its
  // weights gathered from the ranks before the recorder samples them (merge_weights).
  std::map<std::size_t, Csr> whole_csr;
  // The ranks exchange every `interval` steps the spike lists of those steps (choose_interval): the
  // shortest delay of the projections that deliver them, or 1 where something reads a step's
  // spikes or state in that step, or half that delay where `overlapped`: each interval's
  // exchange in flight (in_flight: of steps flight_first .. flight_last) while the next one runs.
  // whole_until: the first step whose lists are not yet whole here (in one process, each step's
  // once it is gathered); told_from: the first step of the last exchange taken in.
  uint64_t interval = 1;
  bool overlap_wanted = true, overlapped = false;
  ranks::AllGatherInFlight in_flight;
  uint64_t flight_first = 0, flight_last = 0;
  uint64_t whole_until = 0, told_from = 0;
  uint64_t failed_at = 0;      // the step of the failure the ranks agreed on (throw_failure)
  uint64_t recorded_until = 0; // the steps whose recorders ran here
  ranks::Packer exchange_out;  // start_exchange's message, its room kept
  double exchange_s = 0;       // RunReport::exchange_s
  uint64_t exchange_bytes = 0; // RunReport::exchange_bytes
  double setup_s = 0;
  uint64_t gathered = UINT64_MAX; // the last step whose spikes were gathered
  uint64_t steps_done = 0;        // Simulation::steps_done

  Impl(const Experiment &e, std::vector<Recording *> w) : exp(e), writers(std::move(w)) {}

  template <class F> void parallel(std::size_t n, F &&task, const std::size_t *split = nullptr) {
    run_all(serial ? nullptr : pool.get(), n, task, errors, split);
  }

  // ---- build.cpp: everything before step 0 ----
  void build();
  void make_instances();
  void build_populations();
  void build_projections();
  void bind_views();
  void build_plasticity(Projection &proj);
  void build_tasks();
  void build_slices();
  void build_groups(unsigned threads, std::vector<std::vector<Member>> &groups);
  void build_recorders();
  void build_recorder(Recorder &rec, std::size_t r);
  void bind_recorded_projection(Recorder &rec);
  void init_hooks();
  void fuse_channels(std::size_t p);
  gg_channel channel_of(const Projection &proj, const gg_view &v);
  gg_view base_view(uint64_t n, uint64_t first_gid, int backend) const;
  void member_ids(gg_view &v, const PopulationSpec &pop, uint64_t offset) const;
  void member_rows(Recorder &rec);
  inline void member_spikes(Recorder &rec, const Population &pop, uint64_t slot);
  void report_members(RunReport &rep) const;
  void validate_schedules(const Population &pop) const;

  // ---- step.cpp: the step, and the loop ----
  RunReport run(const std::function<void(double)> &progress, const std::atomic<int> *stop);
  RunReport run_device(const std::function<void(double)> &progress, const std::atomic<int> *stop);
  inline void mixed_window(uint64_t first, uint64_t last,
                           const std::function<void(uint64_t)> &each);
  bool changes_at(const Population &pop, uint64_t step) const;
  void apply_device_schedules(uint64_t step);
  uint64_t next_change(uint64_t after) const;
  uint64_t next_boundary(uint64_t after, uint64_t change) const;
  inline void one_step(uint64_t step);
  inline void apply_schedules(uint64_t step);
  inline void phase1(uint64_t step);
  inline void step_slice(Slice &sl, uint64_t step);
  inline double sum_input(const Population &pop, uint64_t begin, uint64_t end) const;
  inline void check_bounds(const Population &pop, uint64_t begin, uint64_t end, double t_end) const;
  inline void gather_spikes(uint64_t step);
  inline void phase2(uint64_t step);
  inline void step_group(const std::vector<Member> &group, uint64_t step);
  inline void collect_arrivals(Projection &proj, uint64_t step, gg_view &v,
                               std::vector<gg_arrival> &arrivals, std::vector<uint32_t> &counts,
                               const uint64_t *first, const uint64_t *last, uint64_t stride);
  inline void collect_drive(const Projection &proj, uint64_t step,
                            std::vector<gg_arrival> &arrivals, std::vector<uint32_t> &counts,
                            const uint64_t *first, const uint64_t *last, uint64_t stride);
  inline void step_projection(Projection &proj, Part *part, uint64_t step, bool rule = true);
  inline void step_rule_part(Projection &proj, Part &part, uint64_t step);
  inline bool rule_by_parts(const Projection &proj) const;
  inline void advance_pre_traces(uint64_t step);
  inline void step_plasticity(Projection &proj, gg_view &v, uint64_t step);
  inline void call_recorders(uint64_t step, bool finish);
  inline void owner_step(uint64_t &step, bool last);
  inline void owner_task(std::size_t t, uint64_t now, bool next, bool time);
  inline void owner_deliver(OwnerTask &o, uint64_t now, bool next, bool time,
                            Clock::time_point &since);
  inline void owner_slice(std::size_t i, uint64_t step, bool time, Clock::time_point &since);

  // ---- scheduler.cpp: how the threads share the work ----
  void balance_slices();
  static void split_costs(const std::vector<double> &cost, std::size_t threads,
                          std::vector<std::size_t> &split);
  bool split_delivery(Projection &proj, unsigned parts);
  std::vector<Part> cut_by_target(const Projection &proj, const std::vector<uint64_t> &bound,
                                  std::vector<uint64_t> &cuts,
                                  const std::vector<uint64_t> &kept = {});
  static Part part_of(const Projection &proj, const uint64_t *first, uint64_t stride, uint64_t lo,
                      uint64_t hi);
  void enter_owner();
  void rebalance_owner(uint64_t steps_in, uint64_t steps_left);
  std::vector<std::size_t> owner_runs() const;
  void build_owner(const std::vector<std::size_t> &split);
  void calibrate(uint64_t step, RunReport &rep);
  std::vector<uint64_t> target_bounds(std::size_t post,
                                      const std::vector<std::size_t> &split) const;

  // ---- ranks.cpp: the run over several ranks ----
  void partition();
  std::size_t owner_of(std::size_t p, uint64_t i) const;
  void choose_interval();
  engine::Word exchange_interval(uint64_t first, uint64_t last, const engine::Word &mine,
                                 bool final);
  void stop_at_failure(const engine::Word &a, uint64_t step, engine::Word &mine);
  void deliver_ranks(uint64_t step, bool next, RunReport &rep, engine::Word &mine);
  void start_exchange(uint64_t first, uint64_t last, const engine::Word &mine);
  void poll_exchange();
  engine::Word finish_exchange();
  void unpack_spikes(Population &pop, uint64_t s, std::vector<ranks::Reader> &from);
  void unpack_read_by_others(std::size_t p, std::vector<ranks::Reader> &from);
  void record_through(uint64_t last, engine::Word &mine);
  engine::Word agree(const engine::Word &mine);
  void gather_recorded(uint64_t step, bool finish);
  void merge_weights(std::size_t q, std::vector<ranks::Reader> &from);
  void throw_failure(const engine::Word &a);
  RunReport run_ranks(const std::function<void(double)> &progress, const std::atomic<int> *stop);
  void agree_on_build(const std::exception_ptr &e);
  const Csr &recorded_csr(std::size_t q) const {
    const auto w = whole_csr.find(q);
    return w == whole_csr.end() ? projs[q].csr : w->second;
  }

  // ---- report.cpp ----
  void report(RunReport &rep) const;
  void report_ranks(RunReport &rep) const;
};

} // namespace ganglion
