// The `ganglion` command: run, sweep, validate, theory, describe, plugins, analyze. This file
// parses the arguments and dispatches to the command (commands.hpp), and maps the exceptions that
// escape it to the exit status: 0 success; 1 bad input (config, plugin, output path); 2 a mistake
// on the command line itself (an unknown command or option, a missing or malformed argument: said
// in ganglion's words, not CLI11's); 3 a run that diverged or failed (a plugin's error or crash, a
// failed write: what was recorded up to then is kept), or a plugin library that crashed as it was
// opened; 128 + n a run stopped by signal n (run.cpp).
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <limits>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <CLI/CLI.hpp>

#include "commands.hpp"
#include "experiment/errors.hpp"
#include "output/hdf5_writer.hpp"
#include "parallel/ranks.hpp"

using namespace ganglion;
using namespace ganglion::cli;

namespace {

constexpr int kUsage = 2;

// A mistake on the command line; the message is whole ("ganglion run: ..."), and exits kUsage.
struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// The command line as given: numbers stay text until they are read here (read_whole,
// read_number), so that a mistake is named with the option and the fix.
struct Words {
  std::string config, plugin, file, from, window, bin, pairs;
  std::vector<std::string> sets, output, threads; // -o and -t: at most one each (read_once)
  std::vector<std::string> vary, seeds, jobs;     // sweep's (--seeds, -j: at most one each)
  bool zip = false;
  bool together = false; // sweep --together
  bool batch = false;    // sweep --batch
  bool json = false;     // describe --json
  bool plot = false; // run --plot
};

// Each command with its options, and how its arguments read in usage messages.
struct Command {
  CLI::App *app = nullptr;
  std::string usage; // "ganglion run CONFIG [--set path=value]... [-o FILE] [-t THREADS]"
};

struct Commands {
  Command run, sweep, validate, theory, describe, plugins, analyze, plot;
  std::vector<const Command *> all() const {
    return {&run, &sweep, &validate, &theory, &describe, &plugins, &analyze, &plot};
  }
  std::vector<std::string> names() const {
    std::vector<std::string> out;
    for (const Command *k : all())
      out.push_back(k->app->get_name());
    return out;
  }
  const std::string &usage(const CLI::App *cmd) const {
    for (const Command *k : all())
      if (k->app == cmd) return k->usage;
    return run.usage;
  }
};

// An option of one value that collects every occurrence, so that one given twice is named
// (read_once) rather than refused by CLI11 in its words.
CLI::Option *every_one(CLI::Option *o) {
  return o->expected(1)->allow_extra_args(false)->multi_option_policy(
      CLI::MultiOptionPolicy::TakeAll);
}

Commands add_commands(CLI::App &app, Words &w) {
  const char *set_help = "override a value: --set populations.E.size=16000";
  Commands c;
  c.run = {app.add_subcommand("run", "run an experiment and write its output file"),
           "ganglion run CONFIG [--set path=value]... [-o FILE] [-t THREADS] [--plot]"};
  c.run.app->add_option("config", w.config, "experiment JSON file");
  c.run.app->add_option("--set", w.sets, set_help);
  every_one(
      c.run.app->add_option("-o,--output", w.output, "HDF5 output file (overrides the config's)"));
  every_one(c.run.app->add_option("-t,--threads", w.threads, "worker threads (0: all cores, or one where that is faster)"))
      ->type_name("INT");
  c.run.app->add_flag("--plot", w.plot, "draw the run's figures at its end (ganglion plot)");
  c.sweep = {app.add_subcommand("sweep", "run an experiment for every combination of values "
                                         "(and seeds), and tabulate the rates"),
             "ganglion sweep CONFIG --vary path=v1,v2,... [--vary ...] [--zip] [--seeds K] "
             "[--set path=value]... [-o FOLDER] [-j JOBS] [--together | --batch]"};
  c.sweep.app->add_option("config", w.config, "experiment JSON file");
  c.sweep.app->add_option("--vary", w.vary,
                          "the values of a path: --vary populations.E.params.tau_m=10ms,20ms");
  c.sweep.app->add_flag("--zip", w.zip,
                        "pair the --vary lists in order instead of every "
                        "combination");
  every_one(c.sweep.app->add_option("--seeds", w.seeds,
                                    "runs of each combination, seeds from "
                                    "the config's on (default 1)"))
      ->type_name("UINT");
  c.sweep.app->add_option("--set", w.sets, set_help);
  every_one(c.sweep.app->add_option("-o,--output", w.output,
                                    "folder of the members' files and sweep.csv (default "
                                    "out/<config>_sweep)"));
  every_one(c.sweep.app->add_option("-j,--jobs", w.jobs,
                                    "members run at once (default: all "
                                    "cores)"))
      ->type_name("UINT");
  c.sweep.app->add_flag("--together", w.together,
                        "run the members in this process, side by side (on a GPU: one context, "
                        "their kernels at once) instead of as processes");
  c.sweep.app
      ->add_flag("--batch", w.batch,
                 "merge the members into one network, each member's neurons a block of it and "
                 "each its own draws and file (runs that differ only in values), run on all cores")
      ->excludes("--together");
  c.validate = {app.add_subcommand("validate", "check an experiment without running it"),
                "ganglion validate CONFIG [--set path=value]..."};
  c.validate.app->add_option("config", w.config, "experiment JSON file");
  c.validate.app->add_option("--set", w.sets, set_help);
  c.theory = {app.add_subcommand("theory", "mean-field prediction: W, X, balanced -W^-1 X, "
                                           "semi-balanced state, fixed points"),
              "ganglion theory CONFIG [--set path=value]..."};
  c.theory.app->add_option("config", w.config, "experiment JSON file");
  c.theory.app->add_option("--set", w.sets, "override a value: --set populations.X.params.rate=5");
  c.describe = {app.add_subcommand("describe", "a plugin's fields, units, defaults, ranges"),
                "ganglion describe PLUGIN [--json]"};
  c.describe.app->add_option("plugin", w.plugin, "plugin name, e.g. eif");
  c.describe.app->add_flag("--json", w.json, "the description as JSON");
  c.plugins = {app.add_subcommand("plugins", "list the plugins found, where, ABI version"),
               "ganglion plugins"};
  c.analyze = {app.add_subcommand("analyze", "spike-train measures of an output file: rate, CV "
                                             "ISI, Fano, correlation, E/I input"),
               "ganglion analyze FILE [--from MS] [--window MS] [--bin MS] [--pairs N]"};
  c.analyze.app->add_option("file", w.file, "HDF5 output file of `ganglion run`");
  c.analyze.app->add_option("--from", w.from, "skip (0, T] ms as transient (default 0)")
      ->type_name("FLOAT");
  c.analyze.app->add_option("--window", w.window, "Fano factor window, ms (default 100)")
      ->type_name("FLOAT");
  c.analyze.app->add_option("--bin", w.bin, "correlation bin, ms (default 50)")->type_name("FLOAT");
  c.analyze.app->add_option("--pairs", w.pairs, "pairs sampled for the correlation (default 1000)")
      ->type_name("UINT");
  c.plot = {app.add_subcommand("plot", "figures of a run's file (raster, rates, traces, inputs, "
                                       "weights, histograms, theory) or of a sweep"),
            "ganglion plot FILE|SWEEP_FOLDER [-o FOLDER]"};
  c.plot.app->add_option("source", w.file, "HDF5 output file, or a sweep's folder or sweep.csv");
  every_one(c.plot.app->add_option("-o,--output", w.output,
                                   "folder of the figures (default FILE without .h5, with "
                                   "_figures)"));
  return c;
}

// "ganglion run: " (or "ganglion: " outside a command) + message.
[[noreturn]] void usage_error(const CLI::App *cmd, const std::string &message) {
  throw UsageError((cmd ? "ganglion " + cmd->get_name() : "ganglion") + ": " + message);
}

// "; see ganglion run --help", for messages that name no fix of their own.
std::string see_help(const CLI::App *cmd) {
  return "; see ganglion" + (cmd ? " " + cmd->get_name() : "") + " --help";
}

// An option's names as usage messages write them: "-t/--threads".
std::string option_label(const CLI::Option &o) {
  std::string label;
  for (const auto &s : o.get_snames())
    label += (label.empty() ? "-" : "/-") + s;
  for (const auto &l : o.get_lnames())
    label += (label.empty() ? "--" : "/--") + l;
  return label;
}

// What CLI11 left unread: an unknown command or option, or an argument too many.
void check_extras(const CLI::App &app, const CLI::App *cmd, const Commands &c) {
  const std::vector<std::string> extras = (cmd ? cmd : &app)->remaining();
  if (extras.empty()) return;
  const std::string &word = extras.front();
  if (!word.empty() && word[0] == '-') {
    std::vector<std::string> known;
    for (const CLI::Option *o : (cmd ? cmd : &app)->get_options())
      for (const auto &l : o->get_lnames())
        known.push_back("--" + l);
    usage_error(cmd, "unknown option '" + clipped(word) + "'" + did_you_mean(word, known) +
                         see_help(cmd));
  }
  if (cmd) usage_error(cmd, "unexpected argument '" + clipped(word) + "'; usage: " + c.usage(cmd));
  usage_error(nullptr, "unknown command '" + clipped(word) + "'" + did_you_mean(word, c.names()) +
                           "; commands: " + join_list(c.names()));
}

// A whole number >= 0 given to `option`; `what` says what it takes.
uint64_t read_whole(const std::string &text, const CLI::App *cmd, const std::string &option,
                    const std::string &what, uint64_t largest) {
  const bool digits =
      !text.empty() && text.size() <= 19 &&
      std::all_of(text.begin(), text.end(), [](char ch) { return ch >= '0' && ch <= '9'; });
  if (!digits || std::stoull(text) > largest)
    usage_error(cmd, option + " takes " + what + ", not '" + clipped(text) + "'");
  return std::stoull(text);
}

// A finite number given to `option` (in ms).
double read_number(const std::string &text, const CLI::App *cmd, const std::string &option) {
  char *end = nullptr;
  const double v = std::strtod(text.c_str(), &end);
  if (text.empty() || *end != '\0' || !std::isfinite(v))
    usage_error(cmd, option + " takes a number of milliseconds, not '" + clipped(text) + "'");
  return v;
}

// CLI11's own errors in ganglion's words: an option without its value; anything else as CLI11
// says it.
[[noreturn]] void parse_failed(const CLI::ParseError &e, const CLI::App &app) {
  const CLI::App *cmd = app.get_subcommands().empty() ? nullptr : app.get_subcommands().front();
  const std::string what = e.what(); // a missing value: "-t: 1 required TEXT missing"
  const auto names = [&](const CLI::Option &o) {
    return what.rfind(o.get_name() + ":", 0) == 0 || what.rfind(option_label(o) + ":", 0) == 0;
  };
  if (dynamic_cast<const CLI::ArgumentMismatch *>(&e) && what.find(" missing") != std::string::npos)
    for (const CLI::Option *o : (cmd ? cmd : &app)->get_options())
      if (names(*o)) usage_error(cmd, option_label(*o) + " needs a value" + see_help(cmd));
  usage_error(cmd, what + see_help(cmd));
}

// The command chosen, with nothing left unread and its argument given (numbers are read by
// dispatch).
const CLI::App *chosen(const CLI::App &app, const Commands &c, const Words &w) {
  const CLI::App *cmd = app.get_subcommands().empty() ? nullptr : app.get_subcommands().front();
  check_extras(app, cmd, c);
  if (!cmd) usage_error(nullptr, "no command given; commands: " + join_list(c.names()));
  const bool takes_config =
      cmd == c.run.app || cmd == c.sweep.app || cmd == c.validate.app || cmd == c.theory.app;
  if (takes_config && w.config.empty())
    usage_error(cmd, "no experiment file given; usage: " + c.usage(cmd));
  if (cmd == c.describe.app && w.plugin.empty())
    usage_error(cmd, "no plugin named; usage: " + c.usage(cmd));
  if ((cmd == c.analyze.app || cmd == c.plot.app) && w.file.empty())
    usage_error(cmd, "no output file given; usage: " + c.usage(cmd));
  return cmd;
}

SpikeStatsOptions analyze_options(const Words &w, const CLI::App *cmd) {
  SpikeStatsOptions o;
  if (!w.from.empty()) o.from_ms = read_number(w.from, cmd, "--from");
  if (!w.window.empty()) o.window_ms = read_number(w.window, cmd, "--window");
  if (!w.bin.empty()) o.bin_ms = read_number(w.bin, cmd, "--bin");
  if (!w.pairs.empty())
    o.pairs = read_whole(w.pairs, cmd, "--pairs", "a whole number of pairs",
                         std::numeric_limits<uint64_t>::max());
  return o;
}

// The value of an option that may be given once; nullptr where it is not given.
const std::string *read_once(const std::vector<std::string> &values, const CLI::App *cmd,
                             const std::string &option) {
  if (values.size() > 1)
    usage_error(cmd, option + " is given " + std::to_string(values.size()) + " times ('" +
                         clipped(values[0]) + "', '" + clipped(values[1]) + "'); give it once");
  return values.empty() ? nullptr : &values.front();
}

// The sweep's options; a malformed --vary, or zipped lists of different lengths, is a usage error.
SweepOptions sweep_options(const Words &w, const CLI::App *cmd, const std::string *output) {
  SweepOptions o;
  try {
    for (const auto &v : w.vary)
      o.vary.push_back(parse_vary(v));
    if (const std::string *s = read_once(w.seeds, cmd, "--seeds"))
      o.seeds = read_whole(*s, cmd, "--seeds", "a whole number of seeds (1 or more)", 1000000);
    if (const std::string *j = read_once(w.jobs, cmd, "-j/--jobs"))
      o.jobs = unsigned(read_whole(*j, cmd, "-j/--jobs", "a whole number of runs at once", 4096));
    o.zip = w.zip;
    o.together = w.together;
    o.batch = w.batch;
    if (o.zip && o.vary.empty()) usage_error(cmd, "--zip pairs --vary lists, and none is given");
    sweep_members(o.vary, o.zip, o.seeds, 0); // (their shapes: checked before anything loads)
  } catch (const SweepError &e) {
    usage_error(cmd, e.what());
  }
  if (output) o.folder = *output;
  return o;
}

// The ranks an MPI launcher (mpirun, mpiexec) started this process among, from the variables
// Open MPI and MPICH-family launchers set: 1 where none did.
struct Ranks {
  unsigned long size = 1, rank = 0;
  std::string variable; // the one that said so
};
Ranks launched_ranks() {
  for (const auto &[size, rank] : {std::pair{"OMPI_COMM_WORLD_SIZE", "OMPI_COMM_WORLD_RANK"},
                                   std::pair{"PMI_SIZE", "PMI_RANK"}}) {
    const char *s = std::getenv(size);
    if (!s) continue;
    const char *r = std::getenv(rank);
    return {std::strtoul(s, nullptr, 10), r ? std::strtoul(r, nullptr, 10) : 0, size};
  }
  return {};
}

// `run` on several ranks needs a build with MPI, and `sweep` runs its members as processes of its
// own: refused, in rank 0's words alone.
void check_ranks(const CLI::App *cmd, bool is_run) {
  const Ranks r = launched_ranks();
  if (r.size <= 1 || (is_run && ranks::available())) return;
  if (r.rank != 0) throw UsageError("");
  const std::string started = "an MPI launcher started it on " + std::to_string(r.size) +
                              " ranks (" + r.variable + "=" + std::to_string(r.size) + "), and ";
  if (is_run)
    usage_error(cmd, started +
                         "this ganglion was built without MPI: each rank would run the whole "
                         "network and write the same file. Install MPI (Debian: libopenmpi-dev "
                         "openmpi-bin, as tools/install-deps.sh does) and build again, or run it "
                         "without mpirun (it uses this machine's cores as threads: -t)");
  usage_error(cmd, started +
                       "a sweep runs its members as processes of its own (-j at a time): run it "
                       "without mpirun, or run each member with mpirun ganglion run");
}

// MPI for a `run` that a launcher started on several ranks, from before it loads anything until
// main returns; ranks but the first print nothing (rank 0 says what came of the run: the ranks
// agree on it), though a crash still reports itself on stderr (engine/faults.hpp writes there
// directly).
struct RankSession {
  bool on = false;
  RankSession(int *argc, char ***argv) {
    if (launched_ranks().size <= 1 || !ranks::available()) return;
    ranks::start(argc, argv);
    on = true;
    if (ranks::rank() == 0) return;
    std::cout.rdbuf(nullptr);
    std::cerr.rdbuf(nullptr);
    if (!std::freopen("/dev/null", "w", stdout)) std::cout.setstate(std::ios::badbit);
  }
  ~RankSession() {
    if (on) ranks::finish();
  }
};

int dispatch(const Commands &c, const CLI::App *cmd, const Words &w) {
  if (cmd == c.run.app || cmd == c.sweep.app) check_ranks(cmd, cmd == c.run.app);
  if (cmd == c.analyze.app) return analyze(w.file, analyze_options(w, cmd));
  const std::string *output = read_once(w.output, cmd, "-o/--output");
  if (cmd == c.plot.app) return plot(w.file, output ? *output : "");
  const std::string *threads_text = read_once(w.threads, cmd, "-t/--threads");
  int threads = -1;
  if (threads_text)
    threads = int(read_whole(*threads_text, cmd, "-t/--threads",
                             "a whole number of threads (0: all cores)",
                             std::numeric_limits<int>::max()));
  PluginRegistry reg = PluginRegistry::discover();
  reg.on_notice(
      [](const std::string &notice) { std::cerr << "ganglion: warning: " << notice << "\n"; });
  if (cmd == c.run.app) return run(reg, w.config, w.sets, output ? *output : "", threads, w.plot);
  if (cmd == c.sweep.app) return sweep(reg, w.config, w.sets, sweep_options(w, cmd, output));
  if (cmd == c.validate.app) return validate(reg, w.config, w.sets);
  if (cmd == c.theory.app) return theory_command(reg, w.config, w.sets);
  if (cmd == c.describe.app) return describe(reg, w.plugin, w.json);
  return list_plugins(reg);
}

// An error that ended a command: its message on stderr, and the exit status it maps to.
int report(const std::exception &e, int status) {
  std::cerr << "ganglion: " << e.what() << "\n";
  return status;
}

} // namespace

int main(int argc, char **argv) {
  CLI::App app{"ganglion: simulate recurrent networks of spiking and rate neurons"};
  app.allow_extras(); // what is left unread is named by check_extras, not refused by CLI11
  app.require_subcommand(0, 1);
  app.set_version_flag("--version", std::string("ganglion ") + GANGLION_VERSION);
  Words w;
  const Commands c = add_commands(app, w);
  try {
    app.parse(argc, argv);
  } catch (const CLI::Success &e) { // --help, --version
    return app.exit(e);
  } catch (const CLI::ParseError &e) {
    try {
      parse_failed(e, app);
    } catch (const UsageError &u) {
      std::cerr << u.what() << "\n";
      return kUsage;
    }
  }

  std::optional<RankSession> ranks_session; // (until the error handlers below have spoken)
  try {
    const CLI::App *cmd = chosen(app, c, w);
    if (cmd == c.run.app) ranks_session.emplace(&argc, &argv);
    return dispatch(c, cmd, w);
  } catch (const UsageError &e) {
    if (*e.what()) std::cerr << e.what() << "\n"; // (ranks but the first say nothing)
    return kUsage;
  } catch (const ConfigError &e) {
    return report(e, kBadInput);
  } catch (const PluginError &e) {
    return report(e, kBadInput);
  } catch (const OutputError &e) {
    return report(e, kBadInput);
  } catch (const std::exception &e) {
    return report(e, kRunFailed);
  }
}
