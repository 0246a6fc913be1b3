// `ganglion run CONFIG`: load an experiment, run it, write its output file and print what came
// of it (summary.cpp). The file is valid from its creation on (root attributes, status
// "running") and the recorded data reach it every kFlushSeconds; a stop signal ends the run at a
// step boundary with the file finished, and a crash inside a plugin is reported with the file
// finished where the crash allows it (engine/faults.hpp).
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "engine/faults.hpp"
#include "engine/hook_call.hpp"
#include "experiment/errors.hpp"
#include "output/hdf5_writer.hpp"
#include "output/run_attributes.hpp"
#include "output/run_file.hpp"
#include "parallel/ranks.hpp"

namespace ganglion::cli {

namespace {

// The exit status of a run stopped by signal n is 128 + n, as a shell reports a process it ended.
constexpr int kSignalBase = 128;

// For the crash handler: the run's file finished with `status`, where the crash allows it.
const char *salvage_output(void *writer, const char *status) {
  return static_cast<Hdf5Writer *>(writer)->salvage(status);
}

// `text` on the run's error stream.
void say(const RunIo &io, const std::string &text) {
  if (io.err)
    std::fputs(text.c_str(), io.err);
  else
    std::cerr << text;
}

// Builds the network. When that fails nothing ran (a plugin refused its values in init, say):
// the reason on stderr, and null for bad input.
std::unique_ptr<Simulation> make_simulation(const Experiment &exp, Hdf5Writer *writer,
                                            const RunIo &io) {
  try {
    return std::make_unique<Simulation>(exp, writer);
  } catch (const std::exception &e) {
    say(io, std::string("ganglion: ") + e.what() + "\n");
    return nullptr;
  }
}

// Runs the network until its end or a stop signal. Between steps, now and then: the data recorded
// so far to the file every kFlushSeconds, and on a terminal the progress line (simulated time,
// wall time and the real-time factor, wall time per simulated second, rewritten in place). A
// plugin's error, or a failed write, ends the run; its message is the outcome's.
struct Ran {
  RunReport report;
  RunOutcome outcome;
};

Ran run_simulation(Simulation &sim, const Experiment &exp, Hdf5Writer *writer,
                   const std::atomic<int> &stop, const RunIo &io) {
  using Clock = std::chrono::steady_clock;
  const bool tty = !io.stop && isatty(STDERR_FILENO); // (a sweep's members: the sweep's line)
  const double duration = exp.simulation.duration;
  const auto started = Clock::now();
  auto flushed = started;
  auto progress = [&](double t) {
    const auto now = Clock::now();
    if (writer && std::chrono::duration<double>(now - flushed).count() >= kFlushSeconds) {
      writer->flush();
      flushed = now;
    }
    if (!tty) return;
    const double wall = std::chrono::duration<double>(now - started).count();
    std::fprintf(stderr, "\r  t = %.1f / %.1f ms (%3.0f%%)   wall %.1f s   %.3g x real time   ", t,
                 duration, 100.0 * t / duration, wall, t > 0 ? wall / (t * 1e-3) : 0.0);
    std::fflush(stderr);
  };
  Ran ran;
  try {
    if (writer) writer->flush(); // the datasets the recorders declared
    ran.report = sim.run(progress, &stop);
    // A run on a GPU: what ran there and how each projection was delivered (the summary's lines).
    if (writer && !ran.report.device.empty())
      writer->attribute("/", "device", nlohmann::json(ran.report.device).dump());
  } catch (const std::exception &e) {
    ran.outcome = {RunOutcome::Kind::failed, e.what()};
  }
  if (tty) std::fprintf(stderr, "\n");
  if (ran.outcome.kind == RunOutcome::Kind::complete)
    ran.outcome = outcome_of(ran.report, faults::signal_name(ran.report.stopped_by));
  return ran;
}

// A write to the file failed (a full disk, a quota, a removed folder): what failed, how far the
// run went and what is left, the file as of its last flush or none.
int write_failed(Hdf5Writer &writer, const Experiment &exp, uint64_t steps, const RunIo &io) {
  std::ostringstream m;
  m << "ganglion: " << writer.failure() << "\n";
  const uint64_t bytes = writer.bytes_flushed();
  const std::string part = exp.output + ".part";
  m << "ganglion: the run had simulated " << steps << " of " << exp.simulation.n_steps
    << " steps (t = " << engine::format_ms(double(steps) * exp.simulation.dt) << "); ";
  if (writer.abandon())
    m << part << " keeps what its last flush wrote (" << bytes
      << " bytes of recorded data), with status \"running\"\n";
  else
    m << part << " could not be read back and was removed\n";
  say(io, m.str());
  return kRunFailed;
}

// After the file is finished: what ran, and the exit status.
int report(const std::string &config, const Experiment &exp, const Ran &ran, bool file,
           const theory::Report &theory_report, const RunIo &io) {
  const auto &[rep, outcome] = ran;
  const auto failure = [&](const std::string &what, const char *where) {
    say(io, "ganglion: " + what + (file ? where + exp.output : std::string()) + "\n");
  };
  if (outcome.kind == RunOutcome::Kind::failed) {
    failure(outcome.why, "\nganglion: what was recorded before is in ");
    return kRunFailed;
  }
  print_summary(config, exp, rep, io.out);
  if (outcome.kind == RunOutcome::Kind::interrupted) {
    failure("interrupted " + outcome.why, "; what was recorded up to then is in ");
    return kSignalBase + rep.stopped_by;
  }
  std::optional<FileAnalysis> analysis;
  if (file && !rep.diverged)
    analysis = measures(exp.output, exp.simulation.duration, io.err ? io.err : stderr);
  if (!rep.diverged) print_theory(theory_report, rep, analysis, io.out);
  if (analysis) print_measures(*analysis, io.out);
  if (rep.diverged) {
    failure(rep.divergence, "\nganglion: what was recorded up to then is in ");
    return kRunFailed;
  }
  return 0;
}

// Several ranks: every rank loads the experiment and rank 0 alone opens the file; the first
// failing rank's error is then thrown on every rank, of the same kind (for the same exit status).
void agree_on_input(const std::exception_ptr &e) {
  if (ranks::size() == 1) {
    if (e) std::rethrow_exception(e);
    return;
  }
  enum Kind : int32_t { ok, config, plugin, output, other };
  int32_t kind = ok;
  std::string why;
  if (e) try {
      std::rethrow_exception(e);
    } catch (const ConfigError &x) {
      kind = config, why = x.what();
    } catch (const PluginError &x) {
      kind = plugin, why = x.what();
    } catch (const OutputError &x) {
      kind = output, why = x.what();
    } catch (const std::exception &x) {
      kind = other, why = x.what();
    }
  ranks::Packer p;
  p.put(kind);
  p.put(why);
  std::vector<uint64_t> at;
  const std::vector<char> all = ranks::all_gather(p.bytes, at);
  for (std::size_t r = 0; r + 1 < at.size(); ++r) {
    ranks::Reader from{all.data() + at[r]};
    const auto k = from.get<int32_t>();
    const std::string message = from.text();
    if (k == ok) continue;
    if (e && message == why) std::rethrow_exception(e);
    if (k == config) throw ConfigError(message);
    if (k == plugin) throw PluginError(message);
    if (k == output) throw OutputError(message);
    throw std::runtime_error(message);
  }
}

// What every rank must share to run one network: the resolved experiment (but the output, which
// rank 0 alone writes, and the threads, each rank's own) and each plugin's version and ABI (its
// library's path may differ from machine to machine).
nlohmann::json run_identity(const Experiment &exp) {
  nlohmann::json id = nlohmann::json::parse(exp.resolved.dump());
  id.erase("output");
  if (id.contains("simulation") && id["simulation"].is_object()) id["simulation"].erase("threads");
  nlohmann::json plugins = plugins_used(exp);
  for (auto &entry : plugins)
    entry.erase("path");
  id["plugins used"] = plugins;
  return id;
}

// Several ranks, each having loaded the experiment on its machine: the same experiment on every
// rank, or a ConfigError on a rank whose differs from rank 0's (its files are not rank 0's), at
// the first place they differ.
void check_same_experiment(const std::string &config, const Experiment &exp) {
  if (ranks::size() == 1) return;
  const nlohmann::json here = run_identity(exp);
  std::string rank0 = here.dump();
  ranks::broadcast(rank0);
  const nlohmann::json theirs = nlohmann::json::parse(rank0);
  const nlohmann::json patch = nlohmann::json::diff(theirs, here);
  if (patch.empty()) return;
  const std::string where = patch[0].value("path", "");
  const auto at = nlohmann::json::json_pointer(where);
  const std::string value_here = here.contains(at) ? here.at(at).dump() : "nothing";
  const std::string value_0 = theirs.contains(at) ? theirs.at(at).dump() : "nothing";
  throw ConfigError(config + ": rank " + std::to_string(ranks::rank()) + " of " +
                    std::to_string(ranks::size()) + " loaded another experiment than rank 0: at " +
                    (where.empty() ? "/" : where) + " it has " + value_here + ", rank 0 " +
                    value_0 +
                    ". Every rank must read the same config, --set values and plugins: "
                    "give every machine the same files (a shared folder, or copies)");
}

// Several ranks: rank 0's exit status (it wrote the file and printed the outcome) for every rank.
int agreed_status(int status) {
  std::string s = std::to_string(status);
  ranks::broadcast(s);
  return std::stoi(s);
}

// The run's file finished with its outcome and /theory; the exit status where that failed.
std::optional<int> finish_file(const Experiment &exp, const Ran &ran, Hdf5Writer *writer,
                               const theory::Report &theory_report, uint64_t steps,
                               const RunIo &io) {
  const bool finished =
      writer && writer->failure().empty() && finish_run_file(*writer, ran.outcome, theory_report);
  if (writer && !writer->failure().empty()) return write_failed(*writer, exp, steps, io);
  if (writer && !finished) return kRunFailed;
  return std::nullopt;
}

// What follows the run: the file finished (rank 0), the summary printed, the exit status.
int after_run(const std::string &config, const Experiment &exp, const Ran &ran, Simulation &sim,
              std::unique_ptr<Hdf5Writer> &writer, const theory::Report &theory_report,
              std::optional<faults::StopSignals> &stops, bool figures, const RunIo &io) {
  const std::optional<int> failed =
      finish_file(exp, ran, writer.get(), theory_report, sim.steps_done(), io);
  // A signal after the last step of a run that ended by itself, while its file was finished, takes
  // its default action now, the file complete (on several ranks, its exit status). (A sweep's
  // member leaves that to the sweep.)
  const bool ended = ran.outcome.kind == RunOutcome::Kind::complete ||
                     ran.outcome.kind == RunOutcome::Kind::diverged;
  const int late = ended && stops ? stops->signal() : 0;
  stops.reset();
  if (failed) return *failed;
  if (late && ranks::size() > 1) return kSignalBase + late;
  if (late) std::raise(late);
  if (ranks::rank() != 0) return 0; // (rank 0's status is every rank's)
  const int status = report(config, exp, ran, writer != nullptr, theory_report, io);
  if (status != 0 || !figures) return status;
  std::cout << "figures:\n" << std::flush;
  return plot(exp.output, "");
}

} // namespace

int run(PluginRegistry &reg, const std::string &config, const std::vector<std::string> &sets,
        const std::string &output, int threads, bool figures, const RunIo &io) {
  std::vector<std::string> all = sets;
  if (threads >= 0) all.push_back("simulation.threads=" + std::to_string(threads));
  // From here until the file is finished: a signal ends the run at a step boundary (a second one
  // at once), and a crash is reported with the file finished where it allows. (A sweep's member
  // in the sweep's process: the sweep's flag, and no guard of its own.)
  std::optional<faults::StopSignals> stops;
  if (!io.stop) stops.emplace();
  std::unique_lock<std::mutex> setup;
  if (io.setup) setup = std::unique_lock<std::mutex>(*io.setup);
  Experiment exp;
  std::unique_ptr<Hdf5Writer> writer; // rank 0's
  std::exception_ptr failed;
  try {
    exp = load(reg, config, all, output);
    if (figures && exp.output.empty())
      throw ConfigError(config + ": --plot draws the figures from the run's file, and this run "
                                 "writes none: give it one with -o FILE or \"output\"");
  } catch (...) {
    failed = std::current_exception();
  }
  agree_on_input(failed);
  try {
    check_same_experiment(config, exp);
  } catch (...) {
    failed = std::current_exception();
  }
  agree_on_input(failed);
  try { // (once every rank has loaded it: from here a signal reaches a rank that handles it)
    if (ranks::rank() == 0) writer = open_run_file(exp);
  } catch (...) {
    failed = std::current_exception();
  }
  agree_on_input(failed);
  std::optional<faults::CrashGuard> crash;
  if (!io.stop)
    crash.emplace(writer ? &salvage_output : nullptr, writer.get(),
                  writer ? exp.output + ".part" : "", kRunFailed);
  const std::unique_ptr<Simulation> sim = make_simulation(exp, writer.get(), io);
  if (setup) setup.unlock();
  if (!sim) {
    crash.reset(); // (it holds the writer)
    discard_run_file(writer, exp);
    return kBadInput;
  }

  const theory::Report theory_report = theory::predict(exp);
  const Ran ran = run_simulation(*sim, exp, writer.get(), io.stop ? *io.stop : stops->flag(), io);
  crash.reset();
  const int status = after_run(config, exp, ran, *sim, writer, theory_report, stops, figures, io);
  return ranks::size() > 1 ? agreed_status(status) : status;
}

int conclude_run(const std::string &config, const Experiment &exp, const RunReport &report_of,
                 const RunOutcome &outcome, Hdf5Writer *writer, const RunIo &io) {
  const theory::Report theory_report = theory::predict(exp);
  const Ran ran{report_of, outcome};
  if (const std::optional<int> failed =
          finish_file(exp, ran, writer, theory_report, report_of.steps_done, io))
    return *failed;
  return report(config, exp, ran, writer != nullptr, theory_report, io);
}

} // namespace ganglion::cli
