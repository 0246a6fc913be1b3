// `ganglion run CONFIG`: load an experiment, run it, write its output file and print what came
// of it (summary.cpp).
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "commands.hpp"
#include "output/hdf5_writer.hpp"
#include "output/run_attributes.hpp"
#include "output/theory_output.hpp"

namespace ganglion::cli {

namespace {

// Builds the network. When that fails nothing ran (a plugin refused its values in init, say):
// the reason on stderr, no file left behind, and null for bad input.
std::unique_ptr<Simulation> make_simulation(const Experiment &exp,
                                            std::unique_ptr<Hdf5Writer> &writer) {
  try {
    return std::make_unique<Simulation>(exp, writer.get());
  } catch (const std::exception &e) {
    if (writer) {
      const std::string part = exp.output + ".part";
      writer.reset();
      std::filesystem::remove(part);
    }
    std::cerr << "ganglion: " << e.what() << "\n";
    return nullptr;
  }
}

// Runs the network, with progress on a terminal only: simulated time, wall time and the
// real-time factor (wall time per simulated second) on one line rewritten in place. A plugin's
// error ends the run; its message is the outcome's.
struct Ran {
  RunReport report;
  RunOutcome outcome;
};

Ran run_simulation(Simulation &sim, double duration) {
  const bool tty = isatty(STDERR_FILENO);
  const auto started = std::chrono::steady_clock::now();
  auto progress = [&](double t) {
    if (!tty) return;
    const double wall =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    std::fprintf(stderr, "\r  t = %.1f / %.1f ms (%3.0f%%)   wall %.1f s   %.3g x real time   ", t,
                 duration, 100.0 * t / duration, wall, t > 0 ? wall / (t * 1e-3) : 0.0);
    std::fflush(stderr);
  };
  Ran ran;
  try {
    ran.report = sim.run(progress);
  } catch (const std::exception &e) {
    ran.outcome = {RunOutcome::Kind::failed, e.what()};
  }
  if (tty) std::fprintf(stderr, "\n");
  if (ran.outcome.kind == RunOutcome::Kind::complete && ran.report.diverged)
    ran.outcome = {RunOutcome::Kind::diverged, ran.report.divergence};
  return ran;
}

// The root attributes and /theory, then the file under its final name.
void finish_output(Hdf5Writer &writer, const Experiment &exp, const RunOutcome &outcome,
                   const theory::Report &theory_report) {
  write_run_attributes(writer, exp, outcome);
  try {
    write_theory(writer, theory_report);
  } catch (const std::exception &e) { // the run's output matters more than the theory's
    std::cerr << "ganglion: note: /theory not written: " << e.what() << "\n";
  }
  writer.commit();
}

} // namespace

int run(PluginRegistry &reg, const std::string &config, const std::vector<std::string> &sets,
        const std::string &output, int threads) {
  std::vector<std::string> all = sets;
  if (threads >= 0) all.push_back("simulation.threads=" + std::to_string(threads));
  Experiment exp = load(reg, config, all, output);

  std::unique_ptr<Hdf5Writer> writer;
  if (!exp.output.empty()) writer = std::make_unique<Hdf5Writer>(exp.output);
  const std::unique_ptr<Simulation> sim = make_simulation(exp, writer);
  if (!sim) return kBadInput;

  const theory::Report theory_report = theory_of(exp);
  const auto [rep, outcome] = run_simulation(*sim, exp.simulation.duration);
  if (writer) finish_output(*writer, exp, outcome, theory_report);
  if (outcome.kind == RunOutcome::Kind::failed) {
    std::cerr << "ganglion: " << outcome.why << "\n";
    if (writer) std::cerr << "ganglion: what was recorded before is in " << exp.output << "\n";
    return kRunFailed;
  }
  print_summary(config, exp, rep);
  std::optional<FileAnalysis> analysis;
  if (writer && !rep.diverged) analysis = measures(exp.output, exp.simulation.duration);
  if (!rep.diverged) print_theory(theory_report, rep, analysis);
  if (analysis) print_measures(*analysis);
  if (rep.diverged) {
    std::cerr << "ganglion: " << rep.divergence << "\n";
    if (writer) std::cerr << "ganglion: what was recorded up to then is in " << exp.output << "\n";
    return kRunFailed;
  }
  return 0;
}

} // namespace ganglion::cli
