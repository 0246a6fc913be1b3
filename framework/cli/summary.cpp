// What `ganglion run` prints after a run: the summary, the predicted beside the simulated rates,
// and the spike-train measures.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <string>
#include <vector>

#include "commands.hpp"
#include "experiment/units.hpp"

namespace ganglion::cli {

namespace {

std::string transient_words(double from_ms) {
  return from_ms < 100 ? "the first 10% of the run skipped as transient"
                       : "the first 100 ms skipped as transient";
}

// The populations as a table, its first columns as wide as the longest name and model.
void print_populations(const RunReport &r, std::FILE *out) {
  int name_w = 12, model_w = 10;
  for (const auto &p : r.populations) {
    name_w = std::max(name_w, int(p.name.size()));
    model_w = std::max(model_w, int(p.model.size()));
  }
  std::fprintf(out, "  %-*s %-*s %10s %12s %10s\n", name_w, "population", model_w, "model",
               "neurons", "spikes", "rate (Hz)");
  for (const auto &p : r.populations)
    std::fprintf(out, "  %-*s %-*s %10s %12s %10.3f\n", name_w, p.name.c_str(), model_w,
                 p.model.c_str(), thousands(p.size).c_str(), thousands(p.spikes).c_str(),
                 p.rate_hz);
}

// The synapses by projection, their memory, and the projections computed in the neuron step.
void print_synapses(const RunReport &r, std::FILE *out) {
  std::fprintf(out, "  synapses: %s", thousands(r.synapses()).c_str());
  const char *sep = " (";
  for (const auto &q : r.projections) {
    std::fprintf(out, "%s%s %s", sep, q.name.c_str(), thousands(q.synapses).c_str());
    sep = ", ";
  }
  std::fprintf(out, "%s\n", r.projections.empty() ? "" : ")");
  // (of the synapses the host holds: those kept on the GPU have the device's line)
  uint64_t held = 0;
  for (const auto &q : r.projections)
    held += q.bytes > 0 ? q.synapses : 0;
  if (held > 0) {
    std::fprintf(out, "  synapse memory: %.1f MB, %.2f bytes a synapse",
                 double(r.synapse_bytes()) / 1e6, double(r.synapse_bytes()) / double(held));
    if (r.queue_bytes() > 0)
      std::fprintf(out, "; arrival queues of drawn delays %.1f MB", double(r.queue_bytes()) / 1e6);
    if (r.synapses_per_core_s > 0)
      std::fprintf(out, "; built at %.3g synapses a second per core", r.synapses_per_core_s);
    std::fprintf(out, "\n");
  }
  sep = "  computed in the neuron step (channels): ";
  for (const auto &q : r.projections)
    if (q.fused) {
      std::fprintf(out, "%s%s", sep, q.name.c_str());
      sep = ", ";
    }
  if (std::strcmp(sep, ", ") == 0) std::fprintf(out, "\n");
}

// The columns of predictions beside the simulated rates: a heading and n values each (NaN where
// a prediction has no value for a population).
struct PredictionColumns {
  std::vector<std::string> head;
  std::vector<std::vector<double>> values;
};

PredictionColumns prediction_columns(const theory::Report &t) {
  const std::size_t n = t.mf.names.size();
  PredictionColumns c;
  auto column = [&](const std::string &head, const Eigen::VectorXd &v) {
    std::vector<double> values(n, std::nan(""));
    for (std::size_t b = 0; b < n && b < std::size_t(v.size()); ++b)
      values[b] = v(Eigen::Index(b));
    c.head.push_back(head);
    c.values.push_back(values);
  };
  column("balanced", t.balanced.r);
  const std::size_t ns = t.semi.solutions.size();
  for (std::size_t k = 0; k < ns; ++k)
    column(ns == 1 ? "semi-bal." : "semi-bal. " + std::to_string(k + 1), t.semi.solutions[k]);
  for (std::size_t k = 0; k < t.fixed_points.size(); ++k)
    column("fixed pt " + std::to_string(k + 1) + (t.fixed_points[k].stable ? " s" : " u"),
           t.fixed_points[k].r);
  return c;
}

// The simulated rate of each mean-field population: from the spike statistics (transient
// skipped) where spikes were recorded, else over the whole run (rate units: their rate at the
// end).
struct SimulatedRates {
  std::vector<double> rate;
  bool whole_run = false; // some spiking population's rate is over the whole run
};

SimulatedRates simulated_rates(const theory::MeanField &mf, const RunReport &rep,
                               const std::optional<FileAnalysis> &a) {
  const std::size_t n = mf.names.size();
  SimulatedRates s;
  s.rate.assign(n, std::nan(""));
  for (std::size_t b = 0; b < n; ++b) {
    bool found = false;
    if (a)
      for (const auto &p : a->populations)
        if (p.name == mf.names[b] && p.has_spikes) s.rate[b] = p.spikes.rate_hz, found = true;
    if (!found)
      for (const auto &p : rep.populations)
        if (p.name == mf.names[b])
          s.rate[b] = p.rate_hz, s.whole_run = s.whole_run || !mf.rate_units;
  }
  return s;
}

void print_theory_table(const std::vector<std::string> &names, const PredictionColumns &c,
                        const std::vector<double> &simulated, std::FILE *out) {
  int name_w = 12;
  for (const auto &s : names)
    name_w = std::max(name_w, int(s.size()));
  std::fprintf(out, "  %-*s", name_w, "population");
  for (const auto &h : c.head)
    std::fprintf(out, " %13s", h.c_str());
  std::fprintf(out, " %13s\n", "simulated");
  auto cell = [out](double x) {
    if (std::isnan(x))
      std::fprintf(out, " %13s", "-");
    else
      std::fprintf(out, " %13.3f", x);
  };
  for (std::size_t b = 0; b < names.size(); ++b) {
    std::fprintf(out, "  %-*s", name_w, names[b].c_str());
    for (const auto &v : c.values)
      cell(v[b]);
    cell(simulated[b]);
    std::fprintf(out, "\n");
  }
}

// Under the table: what each column is.
void print_theory_notes(const theory::Report &t, const std::optional<FileAnalysis> &a,
                        bool whole_run, std::FILE *out) {
  const std::size_t ns = t.semi.solutions.size();
  if (t.balanced.r.size() != Eigen::Index(t.mf.names.size()))
    std::fprintf(out, "  balanced: none\n");
  else
    std::fprintf(out, "  balanced: -W^-1 X, %s\n",
                 t.balanced.admissible
                     ? "admissible (every rate > 0)"
                     : "not admissible (a rate <= 0): the semi-balanced state applies");
  if (ns == 0)
    std::fprintf(out, "  semi-balanced: no solution%s%s\n", t.semi.note.empty() ? "" : ": ",
                 t.semi.note.c_str());
  else if (ns > 1)
    std::fprintf(out, "  semi-balanced: %zu solutions, none preferred by the theory\n", ns);
  if (!t.fixed_points.empty()) std::fprintf(out, "  fixed points: s stable, u unstable\n");
  if (t.mf.rate_units)
    std::fprintf(out, "  simulated: the rate units' mean rate at the end of the run\n");
  else if (a && !whole_run)
    std::fprintf(out, "  simulated: mean rate, %s\n", transient_words(a->options.from_ms).c_str());
  else
    std::fprintf(out, "  simulated: mean rate over the whole run%s\n",
                 a ? " (where no spikes were recorded)" : "");
}

// Several ranks: each one's neurons, and the spike exchange's share of the run.
void print_ranks(const RunReport &r, std::FILE *out) {
  std::string neurons;
  for (uint64_t n : r.rank_neurons)
    neurons += (neurons.empty() ? "" : ", ") + std::to_string(n);
  std::fprintf(out, "  neurons per rank: %s\n", neurons.c_str());
  const double steps = double(std::max<uint64_t>(r.steps_done, 1));
  const std::string every = std::to_string(r.exchange_steps) +
                            (r.exchange_steps == 1 ? " step" : " steps") +
                            (r.exchange_overlapped ? ", overlapped with the next" : "");
  std::fprintf(out,
               "  spike exchange every %s: %.3g s of the run on rank 0 (%.0f %%, waiting "
               "included), %.3g us and %.0f bytes a step\n",
               every.c_str(), r.exchange_s, r.run_s > 0 ? 100.0 * r.exchange_s / r.run_s : 0.0,
               1e6 * r.exchange_s / steps, double(r.exchange_bytes) / steps);
}

} // namespace

void print_summary(const std::string &config, const Experiment &exp, const RunReport &r,
                   std::FILE *out) {
  std::fprintf(out, "ganglion: %s\n", config.c_str());
  std::string threads = std::to_string(r.threads) + (r.threads == 1 ? " thread" : " threads");
  if (r.ranks > 1) threads = std::to_string(r.ranks) + " MPI ranks of " + threads + " each";
  const std::string where = r.device.empty() ? threads
                            : r.threads > 1  ? "the GPU and " + threads // (a mixed network)
                                             : std::string("the GPU");
  std::fprintf(out, "  simulated %.10g ms in %.3g s (%.3g x real time) on %s; setup %.3g s\n",
               r.simulated_ms, r.run_s,
               r.simulated_ms > 0 ? r.run_s / (r.simulated_ms * 1e-3) : 0.0, where.c_str(),
               r.setup_s);
  for (const auto &line : r.device)
    std::fprintf(out, "  %s\n", line.c_str());
  if (r.ranks > 1) print_ranks(r, out);
  if (r.owner_from != UINT64_MAX)
    std::fprintf(out,
                 "  from t = %.10g ms each thread delivered the spikes onto its own neurons, with "
                 "their next step (runs cut %u time%s)\n",
                 double(r.owner_from) * exp.simulation.dt, r.owner_cuts,
                 r.owner_cuts == 1 ? "" : "s");
  if (r.auto_threads && r.calibrations > 0) {
    const bool one = r.one_thread_step_s <= r.all_threads_step_s;
    std::fprintf(out,
                 "  threads 0 (auto) chose %s: a step took %.3g ms on 1 thread and %.3g ms on %u "
                 "(timed %u time%s); %.0f %% of the steps ran on 1 thread\n",
                 one ? "1 thread" : "all threads", r.one_thread_step_s * 1e3,
                 r.all_threads_step_s * 1e3, r.threads, r.calibrations,
                 r.calibrations == 1 ? "" : "s",
                 100.0 * double(r.serial_steps) / double(std::max<uint64_t>(r.steps_done, 1)));
  }
  print_populations(r, out);
  print_synapses(r, out);
  if (!exp.output.empty()) std::fprintf(out, "  output: %s\n", exp.output.c_str());
}

std::optional<FileAnalysis> measures(const std::string &path, double duration_ms, std::FILE *err) {
  try {
    if (!file_has_spikes(path)) return std::nullopt;
    SpikeStatsOptions o;
    o.from_ms = default_transient_ms(duration_ms);
    return analyze_file(path, o);
  } catch (const std::exception &e) {
    std::fprintf(err, "ganglion: note: no spike statistics: %s\n", e.what());
  }
  return std::nullopt;
}

void print_measures(const FileAnalysis &a, std::FILE *out) {
  std::fprintf(out, "\n%s", format_analysis(a, transient_words(a.options.from_ms)).c_str());
}

void print_theory(const theory::Report &t, const RunReport &rep,
                  const std::optional<FileAnalysis> &a, std::FILE *out) {
  if (!t.error.empty()) {
    std::fprintf(out, "\ntheory: no prediction: %s\n", t.error.c_str());
    // A singular W still has its semi-balanced solutions (shown); otherwise nothing to compare.
    if (t.mf.names.empty() || t.semi.solutions.empty()) return;
  }
  const PredictionColumns columns = prediction_columns(t);
  const SimulatedRates simulated = simulated_rates(t.mf, rep, a);
  if (t.error.empty())
    std::fprintf(out,
                 "\ntheory: predicted beside simulated rates (Hz); `ganglion theory` explains\n");
  print_theory_table(t.mf.names, columns, simulated.rate, out);
  print_theory_notes(t, a, simulated.whole_run, out);
}

} // namespace ganglion::cli
