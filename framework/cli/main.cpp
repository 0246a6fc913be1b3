// The `ganglion` command: run, validate, theory, describe, plugins, analyze.
// Exit status: 0 success; 1 bad input (config, plugin, output path); 3 a run that diverged or
// whose plugin failed (what was recorded up to then is kept).
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "analysis/analyze_file.hpp"
#include "engine/simulation.hpp"
#include "experiment/errors.hpp"
#include "experiment/loader.hpp"
#include "experiment/units.hpp"
#include "output/hdf5_writer.hpp"
#include "output/run_attributes.hpp"
#include "output/theory_output.hpp"
#include "registry/registry.hpp"
#include "theory/theory.hpp"

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
  if (d->flags & GG_DESC_COMPACT_CSR)
    std::cout << "  storage:  compact (2 bytes a synapse: 16-bit targets onto up to 65536 "
                 "neurons, a constant weight once) unless plasticity or a recorder reads them\n";
  if (d->flags & GG_DESC_SPLIT_STEP)
    std::cout << "  delivery: a large projection may be delivered on several threads at once, by "
                 "target range\n";
  if (channel_hook(d->cpu))
    std::cout << "  channel:  where its constants are one for all neurons, its current is computed "
                 "in the step of a neuron that takes channels\n";
  if (d->flags & GG_DESC_CHECKS_BOUNDS)
    std::cout << "  bounds:   its step checks its bound-checked state as it writes it\n";
  if (d->flags & GG_DESC_SPIKES_ONLY)
    std::cout << "  reads:    "
              << (d->flags & GG_DESC_PROJECTION ? "weights only" : "spikes only")
              << " (with several threads the kernel may deliver a step's spikes with the next "
                 "step's neurons in one batch)\n";
  if (d->flags & GG_DESC_SPLIT_RULE)
    std::cout << "  split:    with several threads the rule may run by target range, each part "
                 "with its projection's delivery onto the same neurons\n";
  if (d->flags & GG_DESC_CHANNELS)
    std::cout << "  channels: its step computes the current of up to " << GG_MAX_CHANNELS
              << " incoming exponential synapses of one kind (their channels) in its own pass\n";
  std::cout << "\n  " << d->doc << "\n\n";
  if (d->n_fields == 0) {
    std::cout << "  (no fields)\n";
    return 0;
  }
  int name_w = 12; // as wide as the longest field name
  for (uint32_t k = 0; k < d->n_fields; ++k)
    name_w = std::max(name_w, int(std::strlen(d->fields[k].name)));
  std::printf("  %-*s %-9s %-7s %-14s %-22s %s\n", name_w, "field", "role", "unit", "default",
              "range", "meaning");
  for (uint32_t k = 0; k < d->n_fields; ++k) {
    const gg_field &f = d->fields[k];
    std::printf("  %-*s %-9s %-7s %-14s %-22s %s\n", name_w, f.name, role_word(f.role), f.unit,
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

void print_summary(const std::string &config, const Experiment &exp, const RunReport &r) {
  std::printf("ganglion: %s\n", config.c_str());
  std::printf("  simulated %.10g ms in %.3g s (%.3g x real time) on %u thread%s; setup %.3g s\n",
              r.simulated_ms, r.run_s, r.simulated_ms > 0 ? r.run_s / (r.simulated_ms * 1e-3) : 0.0,
              r.threads, r.threads == 1 ? "" : "s", r.setup_s);
  if (r.owner_from != UINT64_MAX)
    std::printf("  from t = %.10g ms each thread delivered the spikes onto its own neurons, with "
                "their next step (runs cut %u time%s)\n",
                double(r.owner_from) * exp.simulation.dt, r.owner_cuts,
                r.owner_cuts == 1 ? "" : "s");
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
  if (r.synapses() > 0)
    std::printf("  synapse memory: %.1f MB, %.2f bytes a synapse\n",
                double(r.synapse_bytes()) / 1e6,
                double(r.synapse_bytes()) / double(r.synapses()));
  sep = "  computed in the neuron step (channels): ";
  for (const auto &q : r.projections)
    if (q.fused) {
      std::printf("%s%s", sep, q.name.c_str());
      sep = ", ";
    }
  if (std::strcmp(sep, ", ") == 0) std::printf("\n");
  if (!exp.output.empty()) std::printf("  output: %s\n", exp.output.c_str());
}

std::string transient_words(double from_ms) {
  return from_ms < 100 ? "the first 10% of the run skipped as transient"
                       : "the first 100 ms skipped as transient";
}

// After a run that recorded spikes: the spike-train measures (analysis/analyze_file.hpp), with
// the start skipped as transient. A problem here is a note; it does not fail the run.
std::optional<FileAnalysis> measures(const std::string &path, double duration_ms) {
  try {
    if (!file_has_spikes(path)) return std::nullopt;
    SpikeStatsOptions o;
    o.from_ms = default_transient_ms(duration_ms);
    return analyze_file(path, o);
  } catch (const std::exception &e) {
    std::cerr << "ganglion: note: no spike statistics: " << e.what() << "\n";
  }
  return std::nullopt;
}

void print_measures(const FileAnalysis &a) {
  std::printf("\n%s", format_analysis(a, transient_words(a.options.from_ms)).c_str());
}

// Mean-field theory (theory/theory.hpp, SCIENCE.md "Balanced state", "Semi-balanced state") of a
// loaded experiment. Never throws: why no prediction exists is the report's error.
theory::Report theory_of(const Experiment &exp) {
  try {
    return theory::analyze(exp);
  } catch (const std::exception &e) {
    theory::Report r;
    r.error = e.what();
    return r;
  }
}

// `ganglion theory CONFIG`: the report, exit 0. No prediction (Report::error): the reason on
// stderr, exit 1, after what could be worked out (W, X and the LCP of a singular W) on stdout.
int theory_command(PluginRegistry &reg, const std::string &config,
                   const std::vector<std::string> &sets) {
  const Experiment exp = load_experiment(config, sets, reg); // no output is written: no path check
  const theory::Report r = theory_of(exp);
  if (!r.error.empty()) {
    if (!r.mf.names.empty()) std::printf("%s", theory::format(r).c_str());
    std::cerr << "ganglion: " << config << ": " << r.error << "\n";
    return kBadInput;
  }
  std::printf("%s", theory::format(r).c_str()); // it names the config itself
  return 0;
}

// After the summary: per mean-field population the balanced prediction, the semi-balanced
// solution(s) (and the rate units' fixed points) beside the simulated rate, from the spike
// statistics (transient skipped) where spikes were recorded, else over the whole run (rate
// units: their rate at the end).
void print_theory(const theory::Report &t, const RunReport &rep, const std::optional<FileAnalysis> &a) {
  if (!t.error.empty()) {
    std::printf("\ntheory: no prediction: %s\n", t.error.c_str());
    // A singular W still has its semi-balanced solutions (shown); otherwise nothing to compare.
    if (t.mf.names.empty() || t.semi.solutions.empty()) return;
  }
  const theory::MeanField &mf = t.mf;
  const std::size_t n = mf.names.size();
  std::vector<std::string> head = {"balanced"};
  std::vector<std::vector<double>> cols; // one per column of predictions, n values each
  auto column = [&](const Eigen::VectorXd &v) {
    std::vector<double> c(n, std::nan(""));
    for (std::size_t b = 0; b < n && b < std::size_t(v.size()); ++b) c[b] = v(Eigen::Index(b));
    cols.push_back(c);
  };
  column(t.balanced.r);
  const std::size_t ns = t.semi.solutions.size();
  for (std::size_t k = 0; k < ns; ++k) {
    head.push_back(ns == 1 ? "semi-bal." : "semi-bal. " + std::to_string(k + 1));
    column(t.semi.solutions[k]);
  }
  for (std::size_t k = 0; k < t.fixed_points.size(); ++k) {
    head.push_back("fixed pt " + std::to_string(k + 1) + (t.fixed_points[k].stable ? " s" : " u"));
    column(t.fixed_points[k].r);
  }
  bool whole_run = false; // spiking populations whose rate is over the whole run
  std::vector<double> sim(n, std::nan(""));
  for (std::size_t b = 0; b < n; ++b) {
    bool found = false;
    if (a)
      for (const auto &p : a->populations)
        if (p.name == mf.names[b] && p.has_spikes) sim[b] = p.spikes.rate_hz, found = true;
    if (!found)
      for (const auto &p : rep.populations)
        if (p.name == mf.names[b]) sim[b] = p.rate_hz, whole_run = whole_run || !mf.rate_units;
  }
  int name_w = 12;
  for (const auto &s : mf.names) name_w = std::max(name_w, int(s.size()));
  if (t.error.empty())
    std::printf("\ntheory: predicted beside simulated rates (Hz); `ganglion theory` explains\n");
  std::printf("  %-*s", name_w, "population");
  for (const auto &h : head) std::printf(" %13s", h.c_str());
  std::printf(" %13s\n", "simulated");
  auto cell = [](double x) {
    if (std::isnan(x)) std::printf(" %13s", "-");
    else std::printf(" %13.3f", x);
  };
  for (std::size_t b = 0; b < n; ++b) {
    std::printf("  %-*s", name_w, mf.names[b].c_str());
    for (const auto &c : cols) cell(c[b]);
    cell(sim[b]);
    std::printf("\n");
  }
  if (t.balanced.r.size() != Eigen::Index(n))
    std::printf("  balanced: none\n");
  else
    std::printf("  balanced: -W^-1 X, %s\n",
                t.balanced.admissible ? "admissible (every rate > 0)"
                                      : "not admissible (a rate <= 0): the semi-balanced state applies");
  if (ns == 0)
    std::printf("  semi-balanced: no solution%s%s\n", t.semi.note.empty() ? "" : ": ",
                t.semi.note.c_str());
  else if (ns > 1)
    std::printf("  semi-balanced: %zu solutions, none preferred by the theory\n", ns);
  if (!t.fixed_points.empty()) std::printf("  fixed points: s stable, u unstable\n");
  if (mf.rate_units)
    std::printf("  simulated: the rate units' mean rate at the end of the run\n");
  else if (a && !whole_run)
    std::printf("  simulated: mean rate, %s\n", transient_words(a->options.from_ms).c_str());
  else
    std::printf("  simulated: mean rate over the whole run%s\n",
                a ? " (where no spikes were recorded)" : "");
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
  const theory::Report theory_report = theory_of(exp);
  RunReport rep;
  std::string failure;
  try {
    rep = sim->run(progress);
  } catch (const std::exception &e) {
    failure = e.what();
  }
  if (tty) std::fprintf(stderr, "\n");

  if (writer) {
    write_run_attributes(*writer, exp,
                         !failure.empty() ? RunOutcome{RunOutcome::Kind::failed, failure}
                         : rep.diverged   ? RunOutcome{RunOutcome::Kind::diverged, rep.divergence}
                                          : RunOutcome{});
    try {
      write_theory(*writer, theory_report);
    } catch (const std::exception &e) { // the run's output matters more than the theory's
      std::cerr << "ganglion: note: /theory not written: " << e.what() << "\n";
    }
    writer->commit();
  }
  if (!failure.empty()) {
    std::cerr << "ganglion: " << failure << "\n";
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

  auto *theory_cmd = app.add_subcommand(
      "theory", "mean-field prediction: W, X, balanced -W^-1 X, semi-balanced state, fixed points");
  theory_cmd->add_option("config", config, "experiment JSON file")->required();
  theory_cmd->add_option("--set", sets, "override a value: --set populations.X.params.rate=5");

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
    if (*theory_cmd) return theory_command(reg, config, sets);
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
