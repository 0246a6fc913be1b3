// The `ganglion` command: run, validate, theory, describe, plugins, analyze. This file parses the
// arguments and dispatches to the command (commands.hpp), and maps the exceptions that escape
// it to the exit status: 0 success; 1 bad input (config, plugin, output path); 3 a run that
// diverged or whose plugin failed (what was recorded up to then is kept).
#include <iostream>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "commands.hpp"
#include "experiment/errors.hpp"
#include "output/hdf5_writer.hpp"

using namespace ganglion;
using namespace ganglion::cli;

namespace {

// An error that ended a command: its message on stderr, and the exit status it maps to.
int report(const std::exception &e, int status) {
  std::cerr << "ganglion: " << e.what() << "\n";
  return status;
}

} // namespace

int main(int argc, char **argv) {
  CLI::App app{"ganglion: simulate recurrent networks of spiking and rate neurons"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("ganglion ") + GANGLION_VERSION);

  std::string config, output, plugin;
  std::vector<std::string> sets;
  int threads = -1;

  auto *run_cmd = app.add_subcommand("run", "run an experiment and write its output file");
  run_cmd->add_option("config", config, "experiment JSON file")->required();
  run_cmd->add_option("--set", sets, "override a value: --set populations.E.size=16000");
  run_cmd->add_option("-o,--output", output, "HDF5 output file (overrides the config's)");
  run_cmd->add_option("-t,--threads", threads, "worker threads (0: all cores)")
      ->check(CLI::NonNegativeNumber);

  auto *validate_cmd = app.add_subcommand("validate", "check an experiment without running it");
  validate_cmd->add_option("config", config, "experiment JSON file")->required();
  validate_cmd->add_option("--set", sets, "override a value: --set populations.E.size=16000");

  auto *theory_cmd = app.add_subcommand(
      "theory", "mean-field prediction: W, X, balanced -W^-1 X, semi-balanced state, fixed points");
  theory_cmd->add_option("config", config, "experiment JSON file")->required();
  theory_cmd->add_option("--set", sets, "override a value: --set populations.X.params.rate=5");

  auto *describe_cmd = app.add_subcommand("describe", "a plugin's fields, units, defaults, ranges");
  describe_cmd->add_option("plugin", plugin, "plugin name, e.g. eif")->required();

  auto *plugins_cmd = app.add_subcommand("plugins", "list the plugins found, where, ABI version");

  std::string analyze_path;
  SpikeStatsOptions options;
  auto *analyze_cmd = app.add_subcommand(
      "analyze",
      "spike-train measures of an output file: rate, CV ISI, Fano, correlation, E/I input");
  analyze_cmd->add_option("file", analyze_path, "HDF5 output file of `ganglion run`")->required();
  analyze_cmd->add_option("--from", options.from_ms, "skip (0, T] ms as transient (default 0)");
  analyze_cmd->add_option("--window", options.window_ms, "Fano factor window, ms (default 100)");
  analyze_cmd->add_option("--bin", options.bin_ms, "correlation bin, ms (default 50)");
  analyze_cmd->add_option("--pairs", options.pairs,
                          "pairs sampled for the correlation (default 1000)");

  CLI11_PARSE(app, argc, argv);

  try {
    if (*analyze_cmd) return analyze(analyze_path, options);
    PluginRegistry reg = PluginRegistry::discover();
    if (*run_cmd) return run(reg, config, sets, output, threads);
    if (*validate_cmd) return validate(reg, config, sets);
    if (*theory_cmd) return theory_command(reg, config, sets);
    if (*describe_cmd) return describe(reg, plugin);
    if (*plugins_cmd) return list_plugins(reg);
  } catch (const ConfigError &e) {
    return report(e, kBadInput);
  } catch (const PluginError &e) {
    return report(e, kBadInput);
  } catch (const OutputError &e) {
    return report(e, kBadInput);
  } catch (const std::exception &e) {
    return report(e, kRunFailed);
  }
  return 0;
}
