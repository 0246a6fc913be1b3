// Reading a run's output file for the spike-train measures (HDF5 C API) and formatting them.
#include "analysis/analyze_file.hpp"

#include <hdf5.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <optional>
#include <sstream>

#include <nlohmann/json.hpp>

#include "experiment/units.hpp"
#include "output/hdf5_handles.hpp"

namespace ganglion {

namespace {

bool exists(hid_t loc, const std::string &path) {
  // Every component in turn: H5Lexists on "a/b" fails when "a" is missing.
  std::string prefix;
  std::stringstream ss(path);
  std::string part;
  while (std::getline(ss, part, '/')) {
    if (part.empty()) continue;
    prefix += "/" + part;
    if (H5Lexists(loc, prefix.c_str(), H5P_DEFAULT) <= 0) return false;
  }
  return true;
}

bool is_group(hid_t loc, const std::string &path) {
  if (!exists(loc, path)) return false;
  H5O_info_t info;
#if H5_VERSION_GE(1, 12, 0)
  if (H5Oget_info_by_name3(loc, path.c_str(), &info, H5O_INFO_BASIC, H5P_DEFAULT) < 0) return false;
#else
  if (H5Oget_info_by_name2(loc, path.c_str(), &info, H5O_INFO_BASIC, H5P_DEFAULT) < 0) return false;
#endif
  return info.type == H5O_TYPE_GROUP;
}

std::vector<std::string> members(hid_t loc, const std::string &group) {
  std::vector<std::string> names;
  Hid g(H5Gopen2(loc, group.c_str(), H5P_DEFAULT), H5Gclose);
  if (!g) return names;
  H5G_info_t info;
  if (H5Gget_info(g.get(), &info) < 0) return names;
  for (hsize_t k = 0; k < info.nlinks; ++k) {
    const ssize_t n =
        H5Lget_name_by_idx(g.get(), ".", H5_INDEX_NAME, H5_ITER_INC, k, nullptr, 0, H5P_DEFAULT);
    if (n < 0) continue;
    std::string name(std::size_t(n), '\0');
    H5Lget_name_by_idx(g.get(), ".", H5_INDEX_NAME, H5_ITER_INC, k, name.data(), std::size_t(n) + 1,
                       H5P_DEFAULT);
    names.push_back(name);
  }
  return names;
}

// An attribute and its type (both invalid where it is absent).
std::pair<Hid, Hid> open_attribute(hid_t loc, const std::string &object, const std::string &name) {
  if (H5Aexists_by_name(loc, object.c_str(), name.c_str(), H5P_DEFAULT) <= 0) return {};
  Hid a(H5Aopen_by_name(loc, object.c_str(), name.c_str(), H5P_DEFAULT, H5P_DEFAULT), H5Aclose);
  Hid type(a ? H5Aget_type(a.get()) : H5I_INVALID_HID, H5Tclose);
  return {std::move(a), std::move(type)};
}

H5T_class_t class_of(const Hid &type) {
  return type ? H5Tget_class(type.get()) : H5T_NO_CLASS;
}

// A string attribute (variable or fixed length); nullopt when absent or not a string.
std::optional<std::string> string_attribute(hid_t loc, const std::string &object,
                                            const std::string &name) {
  const auto [a, type] = open_attribute(loc, object, name);
  if (class_of(type) != H5T_STRING) return std::nullopt;
  if (H5Tis_variable_str(type.get()) > 0) {
    Hid mem(H5Tcopy(H5T_C_S1), H5Tclose);
    H5Tset_size(mem.get(), H5T_VARIABLE);
    H5Tset_cset(mem.get(), H5Tget_cset(type.get()));
    char *text = nullptr;
    if (H5Aread(a.get(), mem.get(), &text) < 0 || !text) return std::nullopt;
    std::string s(text);
    H5free_memory(text);
    return s;
  }
  const std::size_t size = H5Tget_size(type.get());
  std::string s(size, '\0');
  Hid mem(H5Tcopy(H5T_C_S1), H5Tclose);
  H5Tset_size(mem.get(), size);
  if (H5Aread(a.get(), mem.get(), s.data()) < 0) return std::nullopt;
  s.resize(std::strlen(s.c_str()));
  return s;
}

// A whole 1-D dataset converted to `mem_type`.
template <typename T>
std::vector<T> read_1d(hid_t file, const std::string &path, hid_t mem_type,
                       const std::string &file_name) {
  Hid d(H5Dopen2(file, path.c_str(), H5P_DEFAULT), H5Dclose);
  if (!d) throw AnalysisError(file_name + ": cannot open dataset " + path);
  Hid space(H5Dget_space(d.get()), H5Sclose);
  const int rank = H5Sget_simple_extent_ndims(space.get());
  if (rank != 1)
    throw AnalysisError(file_name + ": " + path + " is not a 1-D dataset (rank " +
                        std::to_string(rank) + ")");
  hsize_t n = 0;
  H5Sget_simple_extent_dims(space.get(), &n, nullptr);
  std::vector<T> v(n);
  if (n > 0 && H5Dread(d.get(), mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, v.data()) < 0)
    throw AnalysisError(file_name + ": cannot read " + path + " as numbers");
  return v;
}

std::string fixed(double x, int decimals) {
  if (std::isnan(x)) return "-";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, x);
  return buf;
}

std::string general(double x) {
  if (std::isnan(x)) return "-";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.4g", x);
  return buf;
}

// Whether `v` holds `s`.
bool contains(const std::vector<std::string> &v, const std::string &s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

// With weights recorded (plasticity), the run is shown in this many windows.
constexpr int kWindows = 10;

// `path` opened read-only; an AnalysisError says why it cannot be (missing, a run's unfinished
// .part beside it, a folder, not HDF5, damaged).
Hid open_output(const std::string &path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) {
    std::string msg = path + ": no such file";
    if (std::filesystem::exists(path + ".part", ec))
      msg += " (" + path + ".part exists: a run that has not finished or failed; analyse that)";
    throw AnalysisError(msg);
  }
  if (std::filesystem::is_directory(path, ec))
    throw AnalysisError(path + ": is a folder, not a file");
  if (H5Fis_hdf5(path.c_str()) <= 0)
    throw AnalysisError(path + ": not an HDF5 file (expected the output file of `ganglion run`)");
  Hid f(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose);
  if (!f) throw AnalysisError(path + ": cannot open the HDF5 file (unreadable or damaged)");
  return f;
}

// The resolved experiment the run wrote into the root attribute "experiment".
nlohmann::ordered_json read_experiment(hid_t f, const std::string &path) {
  const auto text = string_attribute(f, "/", "experiment");
  if (!text)
    throw AnalysisError(path + ": not a ganglion output file (no \"experiment\" attribute on /)");
  nlohmann::ordered_json exp;
  try {
    exp = nlohmann::ordered_json::parse(*text);
  } catch (const std::exception &e) {
    throw AnalysisError(path + ": the \"experiment\" attribute is not valid JSON (" + e.what() +
                        ")");
  }
  if (!exp.is_object() || !exp.contains("populations") || !exp["populations"].is_object())
    throw AnalysisError(path + ": the \"experiment\" attribute has no \"populations\" object");
  return exp;
}

// A numeric attribute; nullopt when absent or not a number.
std::optional<double> number_attribute(hid_t loc, const std::string &object,
                                       const std::string &name) {
  const auto [a, type] = open_attribute(loc, object, name);
  const H5T_class_t kind = class_of(type);
  double x = 0;
  if ((kind != H5T_FLOAT && kind != H5T_INTEGER) || H5Aread(a.get(), H5T_NATIVE_DOUBLE, &x) < 0)
    return std::nullopt;
  return x;
}

// The experiment's simulation.duration in ms.
double read_duration(const nlohmann::ordered_json &exp, const std::string &path) {
  try {
    return convert_value(exp.at("simulation").at("duration"), "ms",
                         path + ": experiment /simulation/duration", "duration");
  } catch (const nlohmann::json::exception &) {
    throw AnalysisError(path + ": the \"experiment\" attribute has no simulation.duration");
  } catch (const std::exception &e) {
    throw AnalysisError(e.what());
  }
}

// Refuses a file without spikes and options that leave nothing to measure.
void check_spikes_and_options(hid_t f, const std::string &path, const SpikeStatsOptions &options,
                              double duration_ms) {
  if (!is_group(f, "/spikes"))
    throw AnalysisError(path +
                        ": no spikes recorded (no /spikes group); add {\"type\": \"spikes\", "
                        "\"populations\": [...]} to the experiment's \"recorders\"");
  if (!(options.from_ms >= 0) || !(options.from_ms < duration_ms))
    throw AnalysisError("--from " + format_number(options.from_ms) +
                        " ms: must be at least 0 and before the end of the run (" +
                        format_number(duration_ms) + " ms)");
  if (!(options.window_ms > 0) || !(options.bin_ms > 0))
    throw AnalysisError("--window " + format_number(options.window_ms) + " ms, --bin " +
                        format_number(options.bin_ms) +
                        " ms: the Fano window and the correlation bin must be positive");
}

// The windows' ends and each recorded projection's mean weight at them (the last sample at or
// before each end).
void read_mean_weights(hid_t f, const std::string &path, double duration_ms, OverTime &ot) {
  for (int w = 1; w <= kWindows; ++w)
    ot.end_ms.push_back(duration_ms * w / kWindows);
  for (const auto &proj : members(f, "/weights")) {
    const std::string base = "/weights/" + proj;
    const auto t = read_1d<double>(f, base + "/time", H5T_NATIVE_DOUBLE, path);
    const auto m = read_1d<double>(f, base + "/mean", H5T_NATIVE_DOUBLE, path);
    std::vector<double> at(kWindows, std::nan(""));
    for (int w = 0; w < kWindows; ++w)
      for (std::size_t k = 0; k < t.size() && k < m.size(); ++k)
        if (t[k] <= ot.end_ms[std::size_t(w)] + 1e-9) at[std::size_t(w)] = m[k];
    ot.mean_weight.emplace_back(proj, at);
  }
}

// A population's rate (Hz) in each window, from its spike times.
std::vector<double> window_rates(const std::vector<double> &times, uint64_t size,
                                 double duration_ms) {
  std::vector<double> counts(kWindows, 0.0);
  for (double t : times)
    counts[std::size_t(
        std::clamp(int(std::ceil(t / duration_ms * kWindows)) - 1, 0, kWindows - 1))] += 1;
  for (double &c : counts)
    c /= double(size) * (duration_ms / kWindows * 1e-3);
  return counts;
}

// The spike measures of population `name` (/spikes/<name>) into p, and its rate in each window
// when weights were recorded.
void analyze_spikes(hid_t f, const std::string &name, const nlohmann::ordered_json &pop,
                    bool weights, FileAnalysis &a, PopulationAnalysis &p) {
  const std::string &path = a.path;
  const std::string base = "/spikes/" + name;
  if (!pop.contains("size") || !pop["size"].is_number_unsigned())
    throw AnalysisError(path + ": the experiment gives no size for population " + name);
  const uint64_t size = pop["size"].get<uint64_t>();
  const auto times = read_1d<double>(f, base + "/timestamps", H5T_NATIVE_DOUBLE, path);
  const auto ids = read_1d<uint64_t>(f, base + "/node_ids", H5T_NATIVE_UINT64, path);
  if (weights) a.over_time.rate_hz.emplace_back(name, window_rates(times, size, a.duration_ms));
  try {
    p.spikes = spike_stats(times, ids, size, a.duration_ms, a.options);
  } catch (const std::invalid_argument &e) {
    throw AnalysisError(path + ": " + base + ": " + e.what());
  }
  p.has_spikes = true;
}

// The input series recorded under `base` (/inputs/<population>): one per projection, with the
// common "time" dataset when it fits.
std::vector<InputSeries> read_input_series(hid_t f, const std::string &base,
                                           const std::string &path) {
  std::vector<InputSeries> series;
  std::vector<double> times;
  const auto names = members(f, base);
  if (contains(names, "time")) times = read_1d<double>(f, base + "/time", H5T_NATIVE_DOUBLE, path);
  for (const auto &proj : names) {
    if (proj == "time" || is_group(f, base + "/" + proj)) continue;
    InputSeries s;
    s.name = proj;
    s.unit = string_attribute(f, base + "/" + proj, "units").value_or("");
    s.values = read_1d<double>(f, base + "/" + proj, H5T_NATIVE_DOUBLE, path);
    if (times.size() == s.values.size()) s.times_ms = times;
    series.push_back(std::move(s));
  }
  return series;
}

// Puts the series in the order the experiment lists its projections (those it does not list
// last, in the order they came).
void sort_by_projection_order(std::vector<InputSeries> &series, const nlohmann::ordered_json &exp) {
  std::vector<std::string> order;
  if (exp.contains("projections") && exp["projections"].is_array())
    for (const auto &q : exp["projections"])
      if (q.is_object() && q.contains("name") && q["name"].is_string())
        order.push_back(q["name"].get<std::string>());
  auto rank = [&](const std::string &n) {
    return std::size_t(std::find(order.begin(), order.end(), n) - order.begin());
  };
  std::stable_sort(series.begin(), series.end(),
                   [&](const auto &x, const auto &y) { return rank(x.name) < rank(y.name); });
}

// The mean input of each projection into population `name` and its E / I split, into p.
void analyze_inputs(hid_t f, const std::string &name, const nlohmann::ordered_json &exp,
                    const FileAnalysis &a, PopulationAnalysis &p) {
  std::vector<InputSeries> series = read_input_series(f, "/inputs/" + name, a.path);
  if (series.empty()) return;
  sort_by_projection_order(series, exp);
  p.inputs = input_balance(series, a.duration_ms, a.options.from_ms);
  p.has_inputs = true;
}

// The first line: the span measured, what was skipped, and the file's status when the run did
// not complete.
void write_span(std::ostringstream &os, const FileAnalysis &a, const std::string &transient_note) {
  const SpikeStatsOptions &o = a.options;
  const std::string skipped = !transient_note.empty() ? transient_note
                              : o.from_ms > 0
                                  ? "the first " + format_number(o.from_ms) + " ms skipped"
                                  : "nothing skipped";
  os << "spike statistics over (" << format_number(o.from_ms) << ", "
     << format_number(a.duration_ms) << "] ms (" << skipped << ")";
  if (!a.status.empty() && a.status != "complete") os << "; file status: " << a.status;
  os << "\n";
}

// The population column is as wide as the longest name (at least 12).
int name_width(const FileAnalysis &a) {
  int name_w = 12;
  for (const auto &p : a.populations)
    name_w = std::max(name_w, int(p.name.size()));
  return name_w;
}

// How the spike measures were computed (the windows and bins are the first spiking population's:
// every population has the same).
void write_spike_notes(std::ostringstream &os, const SpikeStats &s, const SpikeStatsOptions &o) {
  os << "  CV ISI: mean over the neurons with >= 3 spikes.\n"
     << "  Fano: spike counts in " << thousands(s.fano.windows) << " windows of "
     << format_number(o.window_ms) << " ms, mean over the neurons that spiked.\n"
     << "  corr: Pearson correlation of spike counts in " << thousands(s.correlation.bins)
     << " bins of " << format_number(o.bin_ms)
     << " ms, mean over pairs of neurons whose count varies:\n        "
     << (o.pairs == 0 ? std::string("none asked for (--pairs 0).")
                      : "up to " + thousands(o.pairs) +
                            " pairs drawn with a fixed seed (every pair when there are fewer).")
     << "\n";
}

// One row per population with spikes: size, spikes, rate, CV, Fano and correlation.
void write_spike_table(std::ostringstream &os, const FileAnalysis &a, int name_w) {
  const PopulationAnalysis *first = nullptr;
  for (const auto &p : a.populations)
    if (p.has_spikes && !first) first = &p;
  if (!first) return;
  char line[256];
  std::snprintf(line, sizeof line, "  %-*s %9s %11s %9s %17s %17s %19s\n", name_w, "population",
                "neurons", "spikes", "rate (Hz)", "CV ISI (neurons)", "Fano (neurons)",
                "corr (pairs)");
  os << line;
  auto cell = [](const std::string &v, uint64_t n) { return v + " (" + thousands(n) + ")"; };
  for (const auto &p : a.populations) {
    if (!p.has_spikes) continue;
    const SpikeStats &s = p.spikes;
    std::snprintf(line, sizeof line, "  %-*s %9s %11s %9.3f %17s %17s %19s\n", name_w,
                  p.name.c_str(), thousands(s.size).c_str(), thousands(s.spikes).c_str(), s.rate_hz,
                  cell(fixed(s.cv.mean, 3), s.cv.neurons).c_str(),
                  cell(fixed(s.fano.mean, 3), s.fano.neurons).c_str(),
                  cell(fixed(s.correlation.mean, 4), s.correlation.pairs).c_str());
    os << line;
  }
  write_spike_notes(os, first->spikes, a.options);
}

// Rates in the windows and mean weights at their ends, one row per population and projection.
void write_over_time(std::ostringstream &os, const OverTime &ot, int name_w) {
  os << "\nover time (weights were recorded): rates in ten windows, mean weights at their ends\n";
  std::string head(std::size_t(name_w) + 2, ' ');
  for (double e : ot.end_ms) {
    const std::string t = format_number(e);
    head.append(std::size_t(std::max(1, 10 - int(t.size()))), ' ');
    head += t;
  }
  os << head << "  (ms)\n";
  auto series = [&](const std::string &label, const std::vector<double> &v, const char *unit) {
    char cell[32];
    std::string line =
        "  " + label + std::string(std::size_t(std::max(0, name_w - int(label.size()))), ' ');
    for (double x : v) {
      std::snprintf(cell, sizeof cell, " %9s", general(x).c_str());
      line += cell;
    }
    os << line << "  " << unit << "\n";
  };
  for (const auto &[pop, v] : ot.rate_hz)
    series(pop, v, "Hz");
  for (const auto &[proj, v] : ot.mean_weight)
    series(proj, v, "mean weight");
}

// The mean input of each projection per population with recorded inputs, then its excitation,
// inhibition, total and what the cancellation leaves.
void write_input_table(std::ostringstream &os, const FileAnalysis &a, int name_w) {
  bool any_inputs = false;
  for (const auto &p : a.populations)
    any_inputs = any_inputs || p.has_inputs;
  if (!any_inputs) return;
  os << "\nmean input per projection (population mean, time-averaged over t > "
     << format_number(a.options.from_ms) << " ms)\n"
     << "  excitation: the projections with a positive mean; inhibition: negative; "
        "|total| / excitation: what the cancellation leaves\n";
  char line[256];
  int proj_w = 20;
  for (const auto &p : a.populations)
    for (const auto &q : p.inputs.projections)
      proj_w = std::max(proj_w, int(q.name.size()));
  std::snprintf(line, sizeof line, "  %-*s %-*s %12s  %s\n", name_w, "population", proj_w,
                "projection", "mean", "unit");
  os << line;
  for (const auto &p : a.populations) {
    if (!p.has_inputs) continue;
    const InputBalance &b = p.inputs;
    const std::string &u = b.unit;
    bool first_row = true;
    auto row = [&](const std::string &label, double v, const std::string &unit) {
      std::snprintf(line, sizeof line, "  %-*s %-*s %12s  %s", name_w,
                    first_row ? p.name.c_str() : "", proj_w, label.c_str(), general(v).c_str(),
                    unit.c_str());
      std::string l = line;
      l.erase(l.find_last_not_of(' ') + 1);
      os << l << "\n";
      first_row = false;
    };
    for (const auto &q : b.projections)
      row(q.name, q.mean, q.unit);
    row("excitation", b.excitatory, u);
    row("inhibition", b.inhibitory, u);
    row("total", b.total, u);
    row("|total| / excitation", b.ratio, "");
  }
}

} // namespace

bool file_has_spikes(const std::string &path) {
  QuietHdf5 quiet;
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec) || H5Fis_hdf5(path.c_str()) <= 0) return false;
  Hid f(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose);
  return f && is_group(f.get(), "/spikes") && !members(f.get(), "/spikes").empty();
}

double default_transient_ms(double duration_ms) {
  return std::min(100.0, 0.1 * duration_ms);
}

FileAnalysis analyze_file(const std::string &path, const SpikeStatsOptions &options) {
  QuietHdf5 quiet;
  const Hid file = open_output(path);
  const hid_t f = file.get();
  const nlohmann::ordered_json exp = read_experiment(f, path);
  FileAnalysis a;
  a.path = path;
  a.options = options;
  a.status = string_attribute(f, "/", "status").value_or("");
  a.duration_ms = read_duration(exp, path);
  // A run stopped early (a signal, a crash, kill -9): its data end where the file says.
  if (a.status != "complete")
    if (const auto recorded = number_attribute(f, "/", "recorded_ms"); recorded)
      a.duration_ms = std::min(a.duration_ms, std::max(0.0, *recorded));
  if (!(a.duration_ms > 0))
    throw AnalysisError(path + ": no recorded data reached the file before its run stopped "
                               "(status: " + a.status + ")");
  check_spikes_and_options(f, path, options, a.duration_ms);

  const auto spiking = members(f, "/spikes");
  const auto with_inputs =
      is_group(f, "/inputs") ? members(f, "/inputs") : std::vector<std::string>{};
  for (const auto &name : spiking)
    if (!exp["populations"].contains(name))
      throw AnalysisError(path + ": /spikes/" + name + " is not a population of the experiment");
  const bool weights = is_group(f, "/weights");
  if (weights) read_mean_weights(f, path, a.duration_ms, a.over_time);

  for (const auto &[name, pop] : exp["populations"].items()) {
    PopulationAnalysis p;
    p.name = name;
    if (contains(spiking, name)) analyze_spikes(f, name, pop, weights, a, p);
    if (contains(with_inputs, name)) analyze_inputs(f, name, exp, a, p);
    if (p.has_spikes || p.has_inputs) a.populations.push_back(std::move(p));
  }
  return a;
}

std::string format_analysis(const FileAnalysis &a, const std::string &transient_note) {
  std::ostringstream os;
  write_span(os, a, transient_note);
  const int name_w = name_width(a);
  write_spike_table(os, a, name_w);
  if (!a.over_time.end_ms.empty()) write_over_time(os, a.over_time, name_w);
  write_input_table(os, a, name_w);
  return os.str();
}

} // namespace ganglion
