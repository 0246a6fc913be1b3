// The `ganglion` command's parts, for main.cpp to dispatch to: one function per command (each in
// its own file) and the printing that several share (summary.cpp). Internal to the command.
#pragma once

#include <atomic>
#include <cstdio>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "analysis/analyze_file.hpp"
#include "engine/simulation.hpp"
#include "experiment/experiment.hpp"
#include "experiment/sweep.hpp"
#include "output/hdf5_writer.hpp"
#include "output/run_attributes.hpp"
#include "registry/registry.hpp"
#include "theory/theory.hpp"

namespace ganglion::cli {

// Exit status: bad input (config, plugin, output path); a run that diverged or failed (a plugin's
// error or crash, a failed write: what was recorded up to then is kept). The rest are main.cpp's
// (usage, 2) and run.cpp's (a stop by signal n, 128 + n).
constexpr int kBadInput = 1;
constexpr int kRunFailed = 3;

// How often, at most, a run's recorded data are written to its file and the file flushed: the
// data a kill -9 or a crash can lose (README, "Stops and faults"). A sweep's batch flushes its
// members' files so too.
constexpr double kFlushSeconds = 2;

// Each returns the exit status; input errors (ConfigError, PluginError, OutputError) are thrown
// for main() to report.
// Where a run's words go and what may stop it: `ganglion run`'s own (stdout and stderr, its own
// signal handlers and crash guard, a progress line on a terminal), or a sweep member's run inside
// the sweep's process (`stop` set: its log for both, the sweep's stop flag, no handlers or
// progress line of its own).
struct RunIo {
  std::FILE *out = stdout;
  std::FILE *err = nullptr; // null: std::cerr (silenced on ranks but the first)
  const std::atomic<int> *stop = nullptr;
  // Held from the experiment's loading until its network is built (a sweep's members one at a
  // time: the plugins' registry, and the GPU's free memory each checks, read by one at a time).
  std::mutex *setup = nullptr;
};
// `figures`: draw the run's figures at its end (plot()).
int run(PluginRegistry &reg, const std::string &config, const std::vector<std::string> &sets,
        const std::string &output, int threads, bool figures, const RunIo &io = {});
// A run stepped elsewhere (a batch's member, sweep --batch): its file finished with `outcome` and
// /theory, and its words as `run` says them; the exit status `run` would give.
int conclude_run(const std::string &config, const Experiment &exp, const RunReport &report,
                 const RunOutcome &outcome, Hdf5Writer *writer, const RunIo &io);
// `ganglion sweep`: the members (experiment/sweep.hpp) run as processes of this binary, `jobs` at
// a time (0: one per core), their files, logs and table (sweep.csv) in `folder` (empty:
// out/<config>_sweep).
struct SweepOptions {
  std::vector<Vary> vary;
  bool zip = false;
  uint64_t seeds = 1;
  unsigned jobs = 0;
  std::string folder;
  bool together = false; // the members in this process (RunIo), not as processes
  bool batch = false;    // the members merged into one network (engine/batch.hpp)
};
int sweep(PluginRegistry &reg, const std::string &config, const std::vector<std::string> &sets,
          const SweepOptions &options);
// sweep --batch: the merged members (engine/batch.hpp), each loaded with its output file, run as
// one network; each member's file finished and its words in logs[m] as its run alone writes them,
// and its exit status in `codes`. `codes` is empty where the batch did not complete (its build or
// a hook failed, or it diverged; `why` says what): its files are gone, for the sweep to run the
// members one by one, where each meets its own fate. `stopped_by`: the signal that stopped it.
struct BatchResult {
  std::vector<int> codes;
  int stopped_by = 0;
  std::string why;
};
BatchResult run_batch(const std::string &config, const Experiment &merged,
                      const std::vector<std::string> &logs, const std::atomic<int> &stop);
// A sweep's table as `sweep` printed it, read back from its sweep.csv.
int show_sweep(const std::string &csv);
int validate(PluginRegistry &reg, const std::string &config, const std::vector<std::string> &sets);
int theory_command(PluginRegistry &reg, const std::string &config,
                   const std::vector<std::string> &sets);
// The plugin's description as `ganglion describe` prints it, or as JSON (engine/description.hpp).
int describe(const PluginRegistry &reg, const std::string &name, bool json);
int list_plugins(const PluginRegistry &reg);
int analyze(const std::string &file, const SpikeStatsOptions &options);
// The figures of a run's file or of a sweep's folder (plot.cpp) into `folder` (empty: beside the
// file, FILE without .h5 and with _figures); the paths written on stdout.
int plot(const std::string &source, const std::string &folder);

// The experiment with `sets` applied and `output` (when not empty) as its output file, whose path
// is checked before anything runs.
Experiment load(PluginRegistry &reg, const std::string &config,
                const std::vector<std::string> &sets, const std::string &output);

// After a run (summary.cpp): what ran, how fast, the populations' rates and the synapses.
void print_summary(const std::string &config, const Experiment &exp, const RunReport &r,
                   std::FILE *out = stdout);
// The spike-train measures of a run's output file, with the start skipped as transient; nothing
// when it recorded no spikes. A problem here is a note on stderr; it does not fail the run.
std::optional<FileAnalysis> measures(const std::string &path, double duration_ms,
                                     std::FILE *err = stderr);
void print_measures(const FileAnalysis &a, std::FILE *out = stdout);
// Per mean-field population the predictions beside the simulated rate.
void print_theory(const theory::Report &t, const RunReport &rep,
                  const std::optional<FileAnalysis> &a, std::FILE *out = stdout);

} // namespace ganglion::cli
