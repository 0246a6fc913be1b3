// `ganglion sweep`: one experiment run for every member of a parameter sweep
// (experiment/sweep.hpp), each member exactly `ganglion run CONFIG --set ...` with its values and
// seed, so that a member run alone gives the same file. Every member is loaded and checked first (a
// mistake is named with its member before anything runs); then the members run as processes of this
// binary, several at a time, each with its share of the cores, its output file and its log in the
// sweep's folder (or on threads of this process, --together, or merged into one network, --batch:
// sweep_batch.cpp); then the table: per member its values, seed, how its run ended, and per
// population the rate and ISI CV of its spikes and the theory's prediction (balanced, else the one
// semi-balanced solution), printed and written to sweep.csv.
#include <fcntl.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <mutex>
#include <sstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "engine/batch.hpp"
#include "engine/faults.hpp"
#include "experiment/errors.hpp"
#include "experiment/estimate.hpp"
#include "experiment/loader.hpp"
#include "experiment/prepare.hpp"
#include "output/hdf5_writer.hpp"

extern char **environ;

namespace ganglion::cli {

namespace {

namespace fs = std::filesystem;

struct Row {
  std::string file;
  int exit_code = -1;
  std::map<std::string, double> rate, cv, predicted; // by population; missing: not known
};

std::string member_name(std::size_t i) {
  char b[32];
  std::snprintf(b, sizeof b, "member_%04zu", i);
  return b;
}

// A member's values in a message: "tau_m = 20 ms, seed 2".
std::string describe_member(const std::vector<Vary> &vary, const Member &m) {
  std::string s;
  for (std::size_t k = 0; k < vary.size(); ++k)
    s += vary[k].path + " = " + m.values[k] + ", ";
  return s + "seed " + std::to_string(m.seed);
}

// The theory's rate of each mean-field population: the balanced state's where it is admissible,
// else the semi-balanced state's where it has exactly one; none otherwise.
std::map<std::string, double> predictions(const Experiment &exp) {
  std::map<std::string, double> out;
  const theory::Report t = theory::predict(exp);
  const Eigen::VectorXd *r = nullptr;
  if (t.error.empty() && t.balanced.admissible)
    r = &t.balanced.r;
  else if (t.semi.solutions.size() == 1)
    r = &t.semi.solutions.front();
  if (!r) return out;
  for (std::size_t k = 0; k < t.mf.names.size(); ++k)
    out[t.mf.names[k]] = (*r)[Eigen::Index(k)];
  return out;
}

// The command line of member `m`, run by this binary: `run CONFIG --set ... -o FILE -t T`.
std::vector<std::string> member_command(const std::string &config,
                                        const std::vector<std::string> &sets, const Member &m,
                                        const std::string &file, unsigned threads) {
  std::vector<std::string> args{"ganglion", "run", config};
  for (const auto &s : sets)
    args.insert(args.end(), {"--set", s});
  for (const auto &s : m.sets)
    args.insert(args.end(), {"--set", s});
  args.insert(args.end(), {"-o", file, "-t", std::to_string(threads)});
  return args;
}

// Starts `args` with this binary, its output into `log`; returns its pid.
pid_t start(const std::vector<std::string> &args, const std::string &log) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  std::vector<char *> argv;
  for (const auto &a : args)
    argv.push_back(const_cast<char *>(a.c_str()));
  argv.push_back(nullptr);
  pid_t pid = 0;
  const int e = posix_spawn(&pid, "/proc/self/exe", &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (e != 0) throw std::runtime_error("cannot start a member's run: " + std::string(strerror(e)));
  return pid;
}

// Runs every member, `jobs` at a time; their exit codes in `rows`.
void run_members(const std::vector<std::vector<std::string>> &commands,
                 const std::vector<std::string> &logs, unsigned jobs, std::vector<Row> &rows) {
  const bool tty = isatty(STDERR_FILENO);
  std::map<pid_t, std::size_t> running;
  std::size_t next = 0, done = 0;
  while (done < commands.size()) {
    while (next < commands.size() && running.size() < jobs) {
      running[start(commands[next], logs[next])] = next;
      ++next;
    }
    int status = 0;
    const pid_t pid = waitpid(-1, &status, 0);
    if (pid < 0)
      throw std::runtime_error("waiting for the members: " + std::string(strerror(errno)));
    const auto it = running.find(pid);
    if (it == running.end()) continue;
    rows[it->second].exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    running.erase(it);
    ++done;
    if (tty)
      std::fprintf(stderr, "\r  sweep: %zu / %zu members done, %zu running   ", done,
                   commands.size(), running.size());
  }
  if (tty) std::fprintf(stderr, "\n");
}

// Every member run in this process (--together), `jobs` at a time on threads of their own: each
// exactly `ganglion run` (run() with its log for its words, the sweep's stop flag, the loading and
// building one member at a time), so its file is the one it writes alone. On a GPU the members
// share the process's context, each on its own stream, and the device runs their kernels side by
// side. A signal stops every member at a step boundary, its file finished; returns its number (0:
// none came).
int run_together(PluginRegistry &reg, const std::string &config,
                 const std::vector<std::string> &sets, const std::vector<Member> &members,
                 const std::vector<std::string> &logs, unsigned jobs, unsigned threads,
                 std::vector<Row> &rows) {
  const faults::StopSignals stops;
  std::mutex setup, shown;
  std::atomic<std::size_t> next{0};
  std::size_t done = 0;
  const bool tty = isatty(STDERR_FILENO);
  const auto member = [&](std::size_t i) {
    std::FILE *log = std::fopen(logs[i].c_str(), "w");
    if (!log) return kRunFailed; // (the folder was made: a full disk, say)
    std::vector<std::string> all = sets;
    all.insert(all.end(), members[i].sets.begin(), members[i].sets.end());
    int code = kRunFailed;
    try {
      code = run(reg, config, all, rows[i].file, int(threads), false,
                 RunIo{log, log, &stops.flag(), &setup});
    } catch (const std::exception &e) { // (bad input, as main() reports it)
      std::fprintf(log, "ganglion: %s\n", e.what());
      const bool input = dynamic_cast<const ConfigError *>(&e) ||
                         dynamic_cast<const PluginError *>(&e) ||
                         dynamic_cast<const OutputError *>(&e);
      code = input ? kBadInput : kRunFailed;
    }
    std::fclose(log);
    return code;
  };
  const auto worker = [&] {
    for (std::size_t i; (i = next++) < members.size();) {
      rows[i].exit_code = member(i);
      const std::lock_guard<std::mutex> hold(shown);
      ++done;
      if (tty) std::fprintf(stderr, "\r  sweep: %zu / %zu members done   ", done, members.size());
    }
  };
  std::vector<std::thread> pool;
  for (unsigned j = 0; j < jobs; ++j)
    pool.emplace_back(worker);
  for (auto &t : pool)
    t.join();
  if (tty) std::fprintf(stderr, "\n");
  return stops.signal();
}

// What a member's file says: each population's rate and CV (where spikes were recorded).
void read_measures(Row &row, double duration_ms) {
  try {
    if (!file_has_spikes(row.file)) return;
    SpikeStatsOptions o;
    o.from_ms = default_transient_ms(duration_ms);
    for (const auto &p : analyze_file(row.file, o).populations) {
      if (!p.has_spikes) continue;
      row.rate[p.name] = p.spikes.rate_hz;
      row.cv[p.name] = p.spikes.cv.mean;
    }
  } catch (const std::exception &) { // a member that failed early: its exit code says so
  }
}

std::string number(const std::map<std::string, double> &m, const std::string &key) {
  const auto it = m.find(key);
  if (it == m.end() || !std::isfinite(it->second)) return "-";
  char b[32];
  std::snprintf(b, sizeof b, "%.4g", it->second);
  return b;
}

// The table's header and rows as cells.
std::vector<std::vector<std::string>> table(const std::vector<Vary> &vary,
                                            const std::vector<Member> &members,
                                            const std::vector<Row> &rows,
                                            const std::vector<std::string> &pops) {
  std::vector<std::vector<std::string>> t(1);
  t[0].push_back("member");
  for (const Vary &v : vary)
    t[0].push_back(v.path);
  t[0].insert(t[0].end(), {"seed", "exit"});
  for (const auto &p : pops)
    t[0].insert(t[0].end(), {p + " rate (Hz)", p + " CV", p + " predicted (Hz)"});
  for (std::size_t i = 0; i < rows.size(); ++i) {
    std::vector<std::string> r{member_name(i)};
    r.insert(r.end(), members[i].values.begin(), members[i].values.end());
    r.insert(r.end(), {std::to_string(members[i].seed), std::to_string(rows[i].exit_code)});
    for (const auto &p : pops)
      r.insert(r.end(),
               {number(rows[i].rate, p), number(rows[i].cv, p), number(rows[i].predicted, p)});
    t.push_back(std::move(r));
  }
  return t;
}

std::string csv_cell(const std::string &s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string q = "\"";
  for (char c : s)
    q += c == '"' ? std::string("\"\"") : std::string(1, c);
  return q + "\"";
}

void write_csv(const std::string &path, const std::vector<std::vector<std::string>> &t) {
  std::ofstream out(path);
  for (const auto &row : t) {
    for (std::size_t k = 0; k < row.size(); ++k)
      out << (k ? "," : "") << csv_cell(row[k]);
    out << "\n";
  }
  if (!out) throw OutputError(path + ": cannot write the sweep's table");
}

void print_table(const std::vector<std::vector<std::string>> &t) {
  std::vector<std::size_t> width(t[0].size(), 0);
  for (const auto &row : t)
    for (std::size_t k = 0; k < row.size(); ++k)
      width[k] = std::max(width[k], row[k].size());
  for (const auto &row : t) {
    for (std::size_t k = 0; k < row.size(); ++k)
      std::printf("%s%*s", k ? " " : "  ", int(width[k]), row[k].c_str());
    std::printf("\n");
  }
}

// The cells of one CSV line as write_csv writes them (quoted where they hold a comma or quote).
std::vector<std::string> csv_cells(const std::string &line) {
  std::vector<std::string> cells(1);
  bool quoted = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (c == '"' && quoted && i + 1 < line.size() && line[i + 1] == '"') {
      cells.back() += '"';
      ++i;
    } else if (c == '"') {
      quoted = !quoted;
    } else if (c == ',' && !quoted) {
      cells.emplace_back();
    } else {
      cells.back() += c;
    }
  }
  return cells;
}

// The sweep's folder: made where it does not exist (its parent must), refused where it holds a
// sweep already, so that nothing of an earlier sweep is overwritten.
void prepare_folder(const std::string &folder) {
  const fs::path f(folder);
  if (fs::exists(f / "sweep.csv"))
    throw OutputError(folder + " holds a sweep already (sweep.csv): choose another folder with "
                               "-o, or remove it");
  const fs::path parent = f.parent_path().empty() ? fs::path(".") : f.parent_path();
  if (!fs::is_directory(parent))
    throw OutputError("the sweep's folder " + folder + ": its parent " + parent.string() +
                      " does not exist: create it (mkdir -p " + parent.string() + ")");
  std::error_code e;
  fs::create_directory(f, e);
  if (e || !fs::is_directory(f))
    throw OutputError("the sweep's folder " + folder + " cannot be made: " + e.message());
}

// The batch run (run_batch), the members' exit codes in `rows`; false where it did not complete
// and no signal stopped it: the members are then to run one by one. A signal's number in
// `stopped_by`.
bool run_as_batch(const std::string &config, const Experiment &merged,
                  const std::vector<std::string> &logs, std::vector<Row> &rows, int &stopped_by) {
  const faults::StopSignals stops;
  const BatchResult b = run_batch(config, merged, logs, stops.flag());
  for (std::size_t i = 0; i < b.codes.size(); ++i)
    rows[i].exit_code = b.codes[i];
  stopped_by = b.stopped_by ? b.stopped_by : stops.signal();
  if (!b.codes.empty() || stopped_by) return true;
  std::fprintf(stderr,
               "ganglion: sweep --batch: the batch did not complete (%s); its members run one by "
               "one now, each as it runs alone\n",
               b.why.c_str());
  return false;
}

} // namespace

int show_sweep(const std::string &csv) {
  std::ifstream in(csv);
  std::vector<std::vector<std::string>> t;
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) t.push_back(csv_cells(line));
  if (t.size() < 2 || t[0].empty() || t[0][0] != "member") {
    std::cerr << "ganglion: " << csv << ": not a sweep's table (ganglion sweep writes one)\n";
    return kBadInput;
  }
  for (const auto &row : t)
    if (row.size() != t[0].size()) {
      std::cerr << "ganglion: " << csv << ": a row of " << row.size() << " cells under a header of "
                << t[0].size() << "; the table is damaged\n";
      return kBadInput;
    }
  std::printf("ganglion: sweep %s\n", csv.c_str());
  print_table(t);
  return 0;
}

int sweep(PluginRegistry &reg, const std::string &config, const std::vector<std::string> &sets,
          const SweepOptions &o) {
  const Experiment base = load_experiment(config, sets, reg); // (its output is the members')
  const std::vector<Member> members = sweep_members(o.vary, o.zip, o.seeds, base.simulation.seed);
  const std::string folder =
      o.folder.empty() ? "out/" + fs::path(config).stem().string() + "_sweep" : o.folder;
  const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  const unsigned jobs = std::min<unsigned>(o.jobs ? o.jobs : cores, unsigned(members.size()));
  const unsigned threads = std::max(1u, cores / jobs);
  // Every member loads and validates before anything runs or is written (a batch: and merges).
  std::vector<Row> rows(members.size());
  std::vector<std::string> pops;
  std::vector<Experiment> loaded; // (a batch's members, each with its file, on every core)
  for (std::size_t i = 0; i < members.size(); ++i) {
    std::vector<std::string> all = sets;
    all.insert(all.end(), members[i].sets.begin(), members[i].sets.end());
    rows[i].file = (fs::path(folder) / (member_name(i) + ".h5")).string();
    if (o.batch) {
      all.push_back("output=" + nlohmann::json(rows[i].file).dump()); // (JSON-quoted)
      all.push_back("simulation.threads=" + std::to_string(cores));
    }
    try {
      const Experiment exp = load_experiment(config, all, reg);
      rows[i].predicted = predictions(exp);
      if (i == 0)
        for (const auto &p : exp.populations)
          pops.push_back(p.name);
      if (o.batch) loaded.push_back(exp);
    } catch (const ConfigError &e) {
      throw ConfigError(std::string(e.what()) + " (in sweep member " + std::to_string(i) + ": " +
                        describe_member(o.vary, members[i]) + ")");
    }
  }
  // A batch: refused here where the members cannot merge, do not fit in memory together, or a
  // file other than an earlier output lies in a member's place (nothing is written then).
  Experiment merged;
  if (o.batch) {
    merged = merge_members(std::move(loaded));
    check_memory(merged, estimate(merged), memory_limit(std::getenv("GANGLION_MEMORY_LIMIT")));
    if (fs::is_directory(folder))
      for (const Row &row : rows)
        check_output(row.file, config);
  }
  prepare_folder(folder);
  std::vector<std::vector<std::string>> commands;
  std::vector<std::string> logs;
  for (std::size_t i = 0; i < members.size(); ++i) {
    commands.push_back(member_command(config, sets, members[i], rows[i].file, threads));
    logs.push_back((fs::path(folder) / (member_name(i) + ".log")).string());
  }
  if (o.batch)
    std::printf("ganglion: sweep of %s: %zu members merged into one network on %u thread%s, into "
                "%s\n",
                config.c_str(), members.size(), cores, cores == 1 ? "" : "s", folder.c_str());
  else
    std::printf("ganglion: sweep of %s: %zu members, %u at a time on %u thread%s each%s, into "
                "%s\n",
                config.c_str(), members.size(), jobs, threads, threads == 1 ? "" : "s",
                o.together ? " in this process" : "", folder.c_str());
  std::fflush(stdout);
  int stopped_by = 0; // (as processes, a signal reaches the members and ends the sweep itself)
  const bool together =
      o.together || (o.batch && !run_as_batch(config, merged, logs, rows, stopped_by));
  if (together)
    stopped_by = run_together(reg, config, sets, members, logs, jobs, threads, rows);
  else if (!o.batch)
    run_members(commands, logs, jobs, rows);
  for (auto &row : rows)
    read_measures(row, base.simulation.duration);
  const auto t = table(o.vary, members, rows, pops);
  write_csv((fs::path(folder) / "sweep.csv").string(), t);
  print_table(t);
  std::printf("  table: %s/sweep.csv; each member's output and log: %s/member_NNNN.{h5,log}\n",
              folder.c_str(), folder.c_str());
  if (stopped_by) {
    std::fprintf(stderr,
                 "ganglion: sweep: interrupted by signal %d; each member's file holds what it "
                 "recorded until then\n",
                 stopped_by);
    return 128 + stopped_by;
  }
  const auto failed =
      std::count_if(rows.begin(), rows.end(), [](const Row &r) { return r.exit_code != 0; });
  if (failed == 0) return 0;
  std::fprintf(stderr,
               "ganglion: sweep: %zu of %zu members did not complete (exit codes in the "
               "table; their logs say why)\n",
               std::size_t(failed), members.size());
  return kRunFailed;
}

} // namespace ganglion::cli
