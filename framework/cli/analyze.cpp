// `ganglion analyze FILE`: the spike-train measures of an output file (analysis/analyze_file.hpp).
#include <cstdio>
#include <iostream>
#include <string>

#include "commands.hpp"

namespace ganglion::cli {

int analyze(const std::string &file, const SpikeStatsOptions &options) {
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
