// `ganglion analyze FILE`: the spike-train measures of an output file (analysis/analyze_file.hpp),
// or, given a sweep's folder (or its sweep.csv), the sweep's table (sweep.cpp).
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <string>

#include "commands.hpp"

namespace ganglion::cli {

int analyze(const std::string &file, const SpikeStatsOptions &options) {
  namespace fs = std::filesystem;
  if (fs::is_directory(file) && fs::exists(fs::path(file) / "sweep.csv"))
    return show_sweep((fs::path(file) / "sweep.csv").string());
  if (fs::path(file).filename() == "sweep.csv") return show_sweep(file);
  try {
    const FileAnalysis a = analyze_file(file, options);
    std::printf("ganglion: %s\n%s", file.c_str(), format_analysis(a).c_str());
    return 0;
  } catch (const AnalysisError &e) {
    std::cerr << "ganglion: " << e.what() << "\n";
    return kBadInput;
  }
}

} // namespace ganglion::cli
