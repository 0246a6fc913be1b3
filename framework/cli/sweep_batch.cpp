// `ganglion sweep --batch`: the members merged into one network (engine/batch.hpp) and stepped by
// one engine on every core; each member's recorders write its own file, which is then finished
// and reported (its log) as its run alone would (conclude_run). A batch that does not complete
// leaves no file: the sweep then runs its members one by one (sweep.cpp).
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <memory>

#include "commands.hpp"
#include "engine/faults.hpp"
#include "output/run_file.hpp"

namespace ganglion::cli {

namespace {

// Between steps: the files flushed now and then, and on a terminal the batch's progress line.
std::function<void(double)> progress_of(std::vector<std::unique_ptr<Hdf5Writer>> &writers,
                                        double duration) {
  using Clock = std::chrono::steady_clock;
  const bool tty = isatty(STDERR_FILENO);
  auto flushed = Clock::now();
  return [&writers, duration, tty, flushed](double t) mutable {
    const auto now = Clock::now();
    if (std::chrono::duration<double>(now - flushed).count() >= kFlushSeconds) {
      for (auto &w : writers)
        if (w) w->flush();
      flushed = now;
    }
    if (tty)
      std::fprintf(stderr, "\r  sweep: batch of %zu members at t = %.1f / %.1f ms   ",
                   writers.size(), t, duration);
  };
}

} // namespace

BatchResult run_batch(const std::string &config, const Experiment &merged,
                      const std::vector<std::string> &logs, const std::atomic<int> &stop) {
  const std::vector<Experiment> &members = *merged.members;
  std::vector<std::unique_ptr<Hdf5Writer>> writers(members.size());
  const auto discard = [&] {
    for (std::size_t m = 0; m < members.size(); ++m)
      discard_run_file(writers[m], members[m]);
  };
  std::vector<Recording *> outputs;
  try {
    for (std::size_t m = 0; m < members.size(); ++m) {
      writers[m] = open_run_file(members[m]);
      outputs.push_back(writers[m].get());
    }
  } catch (...) {
    discard();
    throw;
  }
  BatchResult result;
  RunReport rep;
  try {
    Simulation sim(merged, outputs);
    for (auto &w : writers)
      if (w) w->flush(); // the datasets the recorders declared
    rep = sim.run(progress_of(writers, merged.simulation.duration), &stop);
    // A batch on a GPU: what ran there (as `run` writes it).
    for (auto &w : writers)
      if (w && !rep.device.empty()) w->attribute("/", "device", nlohmann::json(rep.device).dump());
  } catch (const std::exception &e) {
    result.why = e.what();
  }
  if (isatty(STDERR_FILENO)) std::fprintf(stderr, "\n");
  if (rep.diverged) result.why = rep.divergence;
  if (!result.why.empty()) {
    discard();
    return result;
  }
  result.stopped_by = rep.stopped_by;
  for (std::size_t m = 0; m < members.size(); ++m) {
    std::FILE *log = std::fopen(logs[m].c_str(), "w");
    const RunIo io{log ? log : stdout, log ? log : stderr, &stop, nullptr};
    const RunOutcome outcome =
        outcome_of(rep.members[m], faults::signal_name(rep.members[m].stopped_by));
    result.codes.push_back(
        conclude_run(config, members[m], rep.members[m], outcome, writers[m].get(), io));
    if (log) std::fclose(log);
  }
  return result;
}

} // namespace ganglion::cli
