// The `ganglion` command: run, validate, describe, plugins, analyze.
// Exit status: 0 success; 1 bad input (config, plugin, output path); 3 a run that diverged or
// whose plugin failed (what was recorded up to then is kept).
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "analysis/analyze_file.hpp"
#include "engine/simulation.hpp"
#include "graph/errors.hpp"
#include "graph/loader.hpp"
#include "output/hdf5_writer.hpp"
#include "plugins/registry.hpp"

namespace {

using namespace ganglion;

constexpr int kBadInput = 1;
constexpr int kRunFailed = 3;

const char *kind_word(int32_t kind) {
  switch (kind) {
  case GG_KIND_NEURON: return "neuron";
  case GG_KIND_SYNAPSE: return "synapse";
  case GG_KIND_PLASTICITY: return "plasticity";
  case GG_KIND_RECORDER: return "recorder";
  }
  return "?";
}

std::string backends(const gg_descriptor *d) {
  std::string s;
  if (d->cpu) s += "cpu";
  if (d->cuda) s += s.empty() ? "cuda" : ", cuda";
  return s;
}

std::string num(double x) {
  if (std::isinf(x)) return x > 0 ? "inf" : "-inf";
  std::ostringstream os;
  os << x;
  return os.str();
}

std::string range_text(const gg_field &f) {
  if (f.type == GG_TYPE_CHOICE) return std::string("one of ") + f.choices;
  if (std::isinf(f.min) && std::isinf(f.max) && f.min < 0 && f.max > 0) return "any";
  // An infinite end is never reached: write it open, as the loader's messages do.
  const bool open_min = (f.flags & GG_MIN_EXCLUSIVE) || std::isinf(f.min);
  const bool open_max = (f.flags & GG_MAX_EXCLUSIVE) || std::isinf(f.max);
  return std::string(open_min ? "(" : "[") + num(f.min) + ", " + num(f.max) + (open_max ? ")" : "]");
}

std::string default_text(const gg_field &f) {
  if (f.type != GG_TYPE_CHOICE) return num(f.default_value);
  std::stringstream ss(f.choices);
  std::string word;
  for (int i = 0; std::getline(ss, word, '|'); ++i)
    if (i == int(f.default_value)) return word;
  return "?";
}

const char *role_word(int32_t role) {
  switch (role) {
  case GG_ROLE_PARAM: return "param";
  case GG_ROLE_STATE: return "state";
  case GG_ROLE_PER_SYNAPSE: return "per-synapse";
  case GG_ROLE_TRACE: return "trace";
  case GG_ROLE_PRE_TRACE: return "pre-trace";
  }
  return "?";
}

int describe(const PluginRegistry &reg, const std::string &name) {
  const LoadedPlugin *p = reg.find(name);
  if (!p) {
    std::cerr << "ganglion: no plugin named '" << name << "'" << did_you_mean(name, reg.names())
              << "; `ganglion plugins` lists those found (add folders with GANGLION_PLUGIN_PATH)\n";
    return kBadInput;
  }
  const gg_descriptor *d = p->desc;
  std::cout << d->name << " (" << kind_word(d->kind) << " plugin, version " << d->version
            << ", ABI " << d->abi_major << "." << d->abi_minor << ")\n"
            << "  file:     " << p->path << "\n"
            << "  backends: " << backends(d) << "\n";
  if (d->weight_unit) std::cout << "  weight:   in " << d->weight_unit << "\n";
  if (d->flags & GG_DESC_SOURCE) std::cout << "  source:   takes no input\n";
  std::cout << "\n  " << d->doc << "\n\n";
  if (d->n_fields == 0) {
    std::cout << "  (no fields)\n";
    return 0;
  }
  std::printf("  %-12s %-9s %-7s %-14s %-22s %s\n", "field", "role", "unit", "default", "range",
              "meaning");
  for (uint32_t k = 0; k < d->n_fields; ++k) {
    const gg_field &f = d->fields[k];
    std::printf("  %-12s %-9s %-7s %-14s %-22s %s\n", f.name, role_word(f.role), f.unit,
                default_text(f).c_str(), range_text(f).c_str(), f.doc ? f.doc : "");
  }
  std::cout << "\n  Set params under \"params\", initial values of state under \"init\"; a bare "
               "number is in the unit shown, or write the unit (\"15 ms\").\n";
  return 0;
}

int list_plugins(const PluginRegistry &reg) {
  std::printf("%-16s %-10s %-5s %-10s %s\n", "plugin", "kind", "ABI", "backends", "file");
  for (const auto &p : reg.all())
    std::printf("%-16s %-10s %u.%-3u %-10s %s\n", p.name.c_str(), kind_word(p.desc->kind),
                p.desc->abi_major, p.desc->abi_minor, backends(p.desc).c_str(), p.path.c_str());
  for (const auto &w : reg.warnings()) std::cerr << "note: " << w << "\n";
  std::cout << "\nbuilt-in folder: " << PluginRegistry::builtin_dir()
            << "\nmore folders: GANGLION_PLUGIN_PATH (separated by ':') and a config's \"plugins\"\n";
  return 0;
}

Experiment load(PluginRegistry &reg, const std::string &config, const std::vector<std::string> &sets,
                const std::string &output) {
  std::vector<std::string> all = sets;
  if (!output.empty()) all.push_back("output=\"" + output + "\"");
  Experiment exp = load_experiment(config, all, reg);
  if (!exp.output.empty()) check_output_path(exp.output);
  return exp;
}

std::string thousands(uint64_t x) {
  const std::string digits = std::to_string(x);
  std::string s;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) s += ',';
    s += digits[i];
  }
  return s;
}

void print_summary(const std::string &config, const Experiment &exp, const RunReport &r) {
  std::printf("ganglion: %s\n", config.c_str());
  std::printf("  simulated %.10g ms in %.3g s (%.3g x real time) on %u thread%s; setup %.3g s\n",
              r.simulated_ms, r.run_s, r.simulated_ms > 0 ? r.run_s / (r.simulated_ms * 1e-3) : 0.0,
              r.threads, r.threads == 1 ? "" : "s", r.setup_s);
  int name_w = 12, model_w = 10; // columns as wide as the longest name
  for (const auto &p : r.populations) {
    name_w = std::max(name_w, int(p.name.size()));
    model_w = std::max(model_w, int(p.model.size()));
  }
  std::printf("  %-*s %-*s %10s %12s %10s\n", name_w, "population", model_w, "model", "neurons",
              "spikes", "rate (Hz)");
  for (const auto &p : r.populations)
    std::printf("  %-*s %-*s %10s %12s %10.3f\n", name_w, p.name.c_str(), model_w, p.model.c_str(),
                thousands(p.size).c_str(), thousands(p.spikes).c_str(), p.rate_hz);
  std::printf("  synapses: %s", thousands(r.synapses()).c_str());
  const char *sep = " (";
  for (const auto &q : r.projections) {
    std::printf("%s%s %s", sep, q.name.c_str(), thousands(q.synapses).c_str());
    sep = ", ";
  }
  std::printf("%s\n", r.projections.empty() ? "" : ")");
  if (!exp.output.empty()) std::printf("  output: %s\n", exp.output.c_str());
}

// After a run that recorded spikes: the spike-train measures (analysis/analyze_file.hpp), with
// the start skipped as transient. A problem here is a note; it does not fail the run.
void print_measures(const std::string &path, double duration_ms) {
  try {
    if (!file_has_spikes(path)) return;
    SpikeStatsOptions o;
    o.from_ms = default_transient_ms(duration_ms);
    const std::string skipped = o.from_ms < 100 ? "the first 10% of the run skipped as transient"
                                                : "the first 100 ms skipped as transient";
    std::printf("\n%s", format_analysis(analyze_file(path, o), skipped).c_str());
  } catch (const std::exception &e) {
    std::cerr << "ganglion: note: no spike statistics: " << e.what() << "\n";
  }
}

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

int run(PluginRegistry &reg, const std::string &config, const std::vector<std::string> &sets,
        const std::string &output, int threads) {
  std::vector<std::string> all = sets;
  if (threads >= 0) all.push_back("simulation.threads=" + std::to_string(threads));
  Experiment exp = load(reg, config, all, output);

  std::unique_ptr<Hdf5Writer> writer;
  if (!exp.output.empty()) writer = std::make_unique<Hdf5Writer>(exp.output);
  std::unique_ptr<Simulation> sim;
  try {
    sim = std::make_unique<Simulation>(exp, writer.get());
  } catch (const std::exception &e) {
    // Nothing ran (a plugin refused its values in init, say): bad input, and no file left behind.
    if (writer) {
      const std::string part = exp.output + ".part";
      writer.reset();
      std::filesystem::remove(part);
    }
    std::cerr << "ganglion: " << e.what() << "\n";
    return kBadInput;
  }

  // Progress on a terminal only: simulated time, wall time and the real-time factor (wall time
  // per simulated second) on one line rewritten in place.
  const bool tty = isatty(STDERR_FILENO);
  const double duration = exp.simulation.duration;
  const auto started = std::chrono::steady_clock::now();
  auto progress = [&](double t) {
    if (!tty) return;
    const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    std::fprintf(stderr, "\r  t = %.1f / %.1f ms (%3.0f%%)   wall %.1f s   %.3g x real time   ", t,
                 duration, 100.0 * t / duration, wall, t > 0 ? wall / (t * 1e-3) : 0.0);
    std::fflush(stderr);
  };
  RunReport rep;
  std::string failure;
  try {
    rep = sim->run(progress);
  } catch (const std::exception &e) {
    failure = e.what();
  }
  if (tty) std::fprintf(stderr, "\n");

  if (writer) {
    writer->attribute("/", "experiment", exp.resolved.dump());
    writer->attribute("/", "seed", uint64_t(exp.simulation.seed));
    writer->attribute("/", "version", std::string(GANGLION_VERSION));
    nlohmann::json b = nlohmann::json::object();
    for (const auto &p : exp.populations)
      b[p.name] = p.backend == GG_BACKEND_CUDA ? "cuda" : "cpu";
    for (const auto &q : exp.projections)
      b[q.name] = q.backend == GG_BACKEND_CUDA ? "cuda" : "cpu";
    writer->attribute("/", "backends", b.dump());
    writer->attribute("/", "status", !failure.empty() ? "failed: " + failure
                                     : rep.diverged   ? "diverged: " + rep.divergence
                                                      : std::string("complete"));
    writer->commit();
  }
  if (!failure.empty()) {
    std::cerr << "ganglion: " << failure << "\n";
    if (writer) std::cerr << "ganglion: what was recorded before is in " << exp.output << "\n";
    return kRunFailed;
  }
  print_summary(config, exp, rep);
  if (writer && !rep.diverged) print_measures(exp.output, exp.simulation.duration);
  if (rep.diverged) {
    std::cerr << "ganglion: " << rep.divergence << "\n";
    if (writer) std::cerr << "ganglion: what was recorded up to then is in " << exp.output << "\n";
    return kRunFailed;
  }
  return 0;
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
  run_cmd->add_option("-t,--threads", threads, "worker threads (0: all cores)")->check(CLI::NonNegativeNumber);

  auto *validate_cmd = app.add_subcommand("validate", "check an experiment without running it");
  validate_cmd->add_option("config", config, "experiment JSON file")->required();
  validate_cmd->add_option("--set", sets, "override a value: --set populations.E.size=16000");

  auto *describe_cmd = app.add_subcommand("describe", "a plugin's fields, units, defaults, ranges");
  describe_cmd->add_option("plugin", plugin, "plugin name, e.g. eif")->required();

  auto *plugins_cmd = app.add_subcommand("plugins", "list the plugins found, where, ABI version");

  std::string analyze_path;
  SpikeStatsOptions measures;
  auto *analyze_cmd = app.add_subcommand(
      "analyze", "spike-train measures of an output file: rate, CV ISI, Fano, correlation, E/I input");
  analyze_cmd->add_option("file", analyze_path, "HDF5 output file of `ganglion run`")->required();
  analyze_cmd->add_option("--from", measures.from_ms, "skip (0, T] ms as transient (default 0)");
  analyze_cmd->add_option("--window", measures.window_ms, "Fano factor window, ms (default 100)");
  analyze_cmd->add_option("--bin", measures.bin_ms, "correlation bin, ms (default 50)");
  analyze_cmd->add_option("--pairs", measures.pairs, "pairs sampled for the correlation (default 1000)");

  CLI11_PARSE(app, argc, argv);

  try {
    if (*analyze_cmd) return analyze(analyze_path, measures);
    PluginRegistry reg = PluginRegistry::discover();
    if (*run_cmd) return run(reg, config, sets, output, threads);
    if (*validate_cmd) {
      Experiment exp = load(reg, config, sets, "");
      uint64_t neurons = 0;
      for (const auto &p : exp.populations) neurons += p.size;
      std::printf("%s: valid: %zu populations (%s neurons), %zu projections, %zu recorders, "
                  "%llu steps of %.10g ms\n",
                  config.c_str(), exp.populations.size(), thousands(neurons).c_str(),
                  exp.projections.size(), exp.recorders.size(),
                  static_cast<unsigned long long>(exp.simulation.n_steps), exp.simulation.dt);
      return 0;
    }
    if (*describe_cmd) return describe(reg, plugin);
    if (*plugins_cmd) return list_plugins(reg);
  } catch (const ConfigError &e) {
    std::cerr << "ganglion: " << e.what() << "\n";
    return kBadInput;
  } catch (const PluginError &e) {
    std::cerr << "ganglion: " << e.what() << "\n";
    return kBadInput;
  } catch (const OutputError &e) {
    std::cerr << "ganglion: " << e.what() << "\n";
    return kBadInput;
  } catch (const std::exception &e) {
    std::cerr << "ganglion: " << e.what() << "\n";
    return kRunFailed;
  }
  return 0;
}
