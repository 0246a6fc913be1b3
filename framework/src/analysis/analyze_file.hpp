// The measures of spike_stats.hpp on a run's output file: per population that has spikes
// (/spikes/<pop>/{timestamps,node_ids}) the rate, CV, Fano factor and count correlation, and per
// population that has recorded inputs (/inputs/<pop>/<projection>) the mean input of each
// projection and its E / I split. Sizes and the duration come from the root attribute
// "experiment" (the resolved experiment JSON). Used by `ganglion analyze` and after `ganglion run`.
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

#include "analysis/spike_stats.hpp"

namespace ganglion {

// A file that cannot be analysed; the message names the file and what is missing.
struct AnalysisError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct PopulationAnalysis {
  std::string name;
  bool has_spikes = false;
  SpikeStats spikes;    // when has_spikes
  bool has_inputs = false;
  InputBalance inputs;  // when has_inputs
};

// Where weights were recorded (plasticity): the run in ten windows, with each population's rate
// in each window and each recorded projection's mean weight at each window's end.
struct OverTime {
  std::vector<double> end_ms; // window ends
  std::vector<std::pair<std::string, std::vector<double>>> rate_hz;     // per population
  std::vector<std::pair<std::string, std::vector<double>>> mean_weight; // per projection
};

struct FileAnalysis {
  std::string path;
  std::string status;      // the file's "status" attribute ("complete", "diverged: ...")
  // The span's end: simulation.duration of the experiment, or, for a run that did not complete,
  // the time its data reach (the "recorded_ms" attribute)
  double duration_ms = 0;
  SpikeStatsOptions options;
  std::vector<PopulationAnalysis> populations; // in the experiment's order
  OverTime over_time; // empty unless the file has /weights
};

// Reads `path` and computes the measures over (options.from_ms, duration]. Throws AnalysisError
// for a missing file, a file that is not HDF5 or not a ganglion output (no "experiment"
// attribute), one without a /spikes group, a span that is empty, or data that does not fit the
// experiment (a node id outside its population).
FileAnalysis analyze_file(const std::string &path, const SpikeStatsOptions &options = {});

// Whether `path` is an HDF5 file with a /spikes group holding at least one population.
bool file_has_spikes(const std::string &path);

// The transient `ganglion run` skips: 100 ms, or 10% of the run when that is shorter.
double default_transient_ms(double duration_ms);

// The measures as a text table (lines end in '\n'), with a line on how each was computed.
// `transient_note`, when not empty, replaces the words saying what was skipped ("the first 100 ms
// skipped as transient").
std::string format_analysis(const FileAnalysis &a, const std::string &transient_note = "");

} // namespace ganglion
