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

// A string attribute (variable or fixed length); nullopt when absent or not a string.
std::optional<std::string> string_attribute(hid_t loc, const std::string &object,
                                            const std::string &name) {
  if (H5Aexists_by_name(loc, object.c_str(), name.c_str(), H5P_DEFAULT) <= 0) return std::nullopt;
  Hid a(H5Aopen_by_name(loc, object.c_str(), name.c_str(), H5P_DEFAULT, H5P_DEFAULT), H5Aclose);
  if (!a) return std::nullopt;
  Hid type(H5Aget_type(a.get()), H5Tclose);
  if (!type || H5Tget_class(type.get()) != H5T_STRING) return std::nullopt;
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

} // namespace

bool file_has_spikes(const std::string &path) {
  QuietHdf5 quiet;
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec) || H5Fis_hdf5(path.c_str()) <= 0) return false;
  Hid f(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose);
  return f && is_group(f.get(), "/spikes") && !members(f.get(), "/spikes").empty();
}

double default_transient_ms(double duration_ms) { return std::min(100.0, 0.1 * duration_ms); }

FileAnalysis analyze_file(const std::string &path, const SpikeStatsOptions &options) {
  QuietHdf5 quiet;
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) {
    std::string msg = path + ": no such file";
    if (std::filesystem::exists(path + ".part", ec))
      msg += " (" + path + ".part exists: a run that has not finished or failed; analyse that)";
    throw AnalysisError(msg);
  }
  if (std::filesystem::is_directory(path, ec)) throw AnalysisError(path + ": is a folder, not a file");
  if (H5Fis_hdf5(path.c_str()) <= 0)
    throw AnalysisError(path + ": not an HDF5 file (expected the output file of `ganglion run`)");
  Hid f(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose);
  if (!f) throw AnalysisError(path + ": cannot open the HDF5 file (unreadable or damaged)");

  const auto text = string_attribute(f.get(), "/", "experiment");
  if (!text)
    throw AnalysisError(path + ": not a ganglion output file (no \"experiment\" attribute on /)");
  nlohmann::ordered_json exp;
  try {
    exp = nlohmann::ordered_json::parse(*text);
  } catch (const std::exception &e) {
    throw AnalysisError(path + ": the \"experiment\" attribute is not valid JSON (" + e.what() + ")");
  }
  if (!exp.is_object() || !exp.contains("populations") || !exp["populations"].is_object())
    throw AnalysisError(path + ": the \"experiment\" attribute has no \"populations\" object");

  FileAnalysis a;
  a.path = path;
  a.options = options;
  a.status = string_attribute(f.get(), "/", "status").value_or("");
  try {
    a.duration_ms = convert_value(exp.at("simulation").at("duration"), "ms",
                                  path + ": experiment /simulation/duration", "duration");
  } catch (const nlohmann::json::exception &) {
    throw AnalysisError(path + ": the \"experiment\" attribute has no simulation.duration");
  } catch (const std::exception &e) {
    throw AnalysisError(e.what());
  }

  if (!is_group(f.get(), "/spikes"))
    throw AnalysisError(path + ": no spikes recorded (no /spikes group); add {\"type\": \"spikes\", "
                               "\"populations\": [...]} to the experiment's \"recorders\"");
  if (!(options.from_ms >= 0) || !(options.from_ms < a.duration_ms))
    throw AnalysisError("--from " + format_number(options.from_ms) +
                        " ms: must be at least 0 and before the end of the run (" +
                        format_number(a.duration_ms) + " ms)");
  if (!(options.window_ms > 0) || !(options.bin_ms > 0))
    throw AnalysisError("--window " + format_number(options.window_ms) + " ms, --bin " +
                        format_number(options.bin_ms) +
                        " ms: the Fano window and the correlation bin must be positive");

  const auto spiking = members(f.get(), "/spikes");
  const auto with_inputs = is_group(f.get(), "/inputs") ? members(f.get(), "/inputs")
                                                     : std::vector<std::string>{};
  auto has = [](const std::vector<std::string> &v, const std::string &s) {
    return std::find(v.begin(), v.end(), s) != v.end();
  };
  for (const auto &name : spiking)
    if (!exp["populations"].contains(name))
      throw AnalysisError(path + ": /spikes/" + name + " is not a population of the experiment");

  // With weights recorded (plasticity), the run in ten windows: rates and mean weights over time.
  const bool weights = is_group(f.get(), "/weights");
  OverTime &ot = a.over_time;
  const int windows = 10;
  if (weights) {
    for (int w = 1; w <= windows; ++w) ot.end_ms.push_back(a.duration_ms * w / windows);
    for (const auto &proj : members(f.get(), "/weights")) {
      const std::string base = "/weights/" + proj;
      const auto t = read_1d<double>(f.get(), base + "/time", H5T_NATIVE_DOUBLE, path);
      const auto m = read_1d<double>(f.get(), base + "/mean", H5T_NATIVE_DOUBLE, path);
      std::vector<double> at(windows, std::nan(""));
      for (int w = 0; w < windows; ++w) // the last sample at or before the window's end
        for (std::size_t k = 0; k < t.size() && k < m.size(); ++k)
          if (t[k] <= ot.end_ms[std::size_t(w)] + 1e-9) at[std::size_t(w)] = m[k];
      ot.mean_weight.emplace_back(proj, at);
    }
  }

  for (const auto &[name, pop] : exp["populations"].items()) {
    PopulationAnalysis p;
    p.name = name;
    if (has(spiking, name)) {
      const std::string base = "/spikes/" + name;
      if (!pop.contains("size") || !pop["size"].is_number_unsigned())
        throw AnalysisError(path + ": the experiment gives no size for population " + name);
      const uint64_t size = pop["size"].get<uint64_t>();
      const auto times = read_1d<double>(f.get(), base + "/timestamps", H5T_NATIVE_DOUBLE, path);
      const auto ids = read_1d<uint64_t>(f.get(), base + "/node_ids", H5T_NATIVE_UINT64, path);
      if (weights) {
        std::vector<double> counts(windows, 0.0);
        for (double t : times)
          counts[std::size_t(std::clamp(int(std::ceil(t / a.duration_ms * windows)) - 1, 0,
                                        windows - 1))] += 1;
        for (double &c : counts) c /= double(size) * (a.duration_ms / windows * 1e-3);
        ot.rate_hz.emplace_back(name, counts);
      }
      try {
        p.spikes = spike_stats(times, ids, size, a.duration_ms, options);
      } catch (const std::invalid_argument &e) {
        throw AnalysisError(path + ": " + base + ": " + e.what());
      }
      p.has_spikes = true;
    }
    if (has(with_inputs, name)) {
      const std::string base = "/inputs/" + name;
      std::vector<InputSeries> series;
      std::vector<double> times;
      const auto names = members(f.get(), base);
      if (has(names, "time")) times = read_1d<double>(f.get(), base + "/time", H5T_NATIVE_DOUBLE, path);
      for (const auto &proj : names) {
        if (proj == "time" || is_group(f.get(), base + "/" + proj)) continue;
        InputSeries s;
        s.name = proj;
        s.unit = string_attribute(f.get(), base + "/" + proj, "units").value_or("");
        s.values = read_1d<double>(f.get(), base + "/" + proj, H5T_NATIVE_DOUBLE, path);
        if (times.size() == s.values.size()) s.times_ms = times;
        series.push_back(std::move(s));
      }
      if (!series.empty()) {
        // Projections in the experiment's order where it lists them.
        std::vector<std::string> order;
        if (exp.contains("projections") && exp["projections"].is_array())
          for (const auto &q : exp["projections"])
            if (q.is_object() && q.contains("name") && q["name"].is_string())
              order.push_back(q["name"].get<std::string>());
        auto rank = [&](const std::string &n) {
          return std::size_t(std::find(order.begin(), order.end(), n) - order.begin());
        };
        std::stable_sort(series.begin(), series.end(), [&](const auto &x, const auto &y) {
          return rank(x.name) < rank(y.name);
        });
        p.inputs = input_balance(series, a.duration_ms, options.from_ms);
        p.has_inputs = true;
      }
    }
    if (p.has_spikes || p.has_inputs) a.populations.push_back(std::move(p));
  }
  return a;
}

std::string format_analysis(const FileAnalysis &a, const std::string &transient_note) {
  std::ostringstream os;
  const SpikeStatsOptions &o = a.options;
  const std::string skipped =
      !transient_note.empty() ? transient_note
      : o.from_ms > 0         ? "the first " + format_number(o.from_ms) + " ms skipped"
                              : "nothing skipped";
  os << "spike statistics over (" << format_number(o.from_ms) << ", " << format_number(a.duration_ms)
     << "] ms (" << skipped << ")";
  if (!a.status.empty() && a.status != "complete") os << "; file status: " << a.status;
  os << "\n";

  const PopulationAnalysis *first = nullptr;
  int name_w = 12; // the population column as wide as the longest name
  for (const auto &p : a.populations) {
    if (p.has_spikes && !first) first = &p;
    name_w = std::max(name_w, int(p.name.size()));
  }
  if (first) {
    char line[256];
    std::snprintf(line, sizeof line, "  %-*s %9s %11s %9s %17s %17s %19s\n", name_w, "population",
                  "neurons", "spikes", "rate (Hz)", "CV ISI (neurons)", "Fano (neurons)",
                  "corr (pairs)");
    os << line;
    for (const auto &p : a.populations) {
      if (!p.has_spikes) continue;
      const SpikeStats &s = p.spikes;
      auto cell = [](const std::string &v, uint64_t n) { return v + " (" + thousands(n) + ")"; };
      std::snprintf(line, sizeof line, "  %-*s %9s %11s %9.3f %17s %17s %19s\n", name_w, p.name.c_str(),
                    thousands(s.size).c_str(), thousands(s.spikes).c_str(), s.rate_hz,
                    cell(fixed(s.cv.mean, 3), s.cv.neurons).c_str(),
                    cell(fixed(s.fano.mean, 3), s.fano.neurons).c_str(),
                    cell(fixed(s.correlation.mean, 4), s.correlation.pairs).c_str());
      os << line;
    }
    const SpikeStats &s = first->spikes;
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

  if (!a.over_time.end_ms.empty()) {
    const OverTime &ot = a.over_time;
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
      std::string line = "  " + label + std::string(std::size_t(std::max(0, name_w - int(label.size()))), ' ');
      for (double x : v) {
        std::snprintf(cell, sizeof cell, " %9s", general(x).c_str());
        line += cell;
      }
      os << line << "  " << unit << "\n";
    };
    for (const auto &[pop, v] : ot.rate_hz) series(pop, v, "Hz");
    for (const auto &[proj, v] : ot.mean_weight) series(proj, v, "mean weight");
  }

  bool any_inputs = false;
  for (const auto &p : a.populations) any_inputs = any_inputs || p.has_inputs;
  if (any_inputs) {
    os << "\nmean input per projection (population mean, time-averaged over t > "
       << format_number(o.from_ms) << " ms)\n"
       << "  excitation: the projections with a positive mean; inhibition: negative; "
          "|total| / excitation: what the cancellation leaves\n";
    char line[256];
    int proj_w = 20;
    for (const auto &p : a.populations)
      for (const auto &q : p.inputs.projections) proj_w = std::max(proj_w, int(q.name.size()));
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
      for (const auto &q : b.projections) row(q.name, q.mean, q.unit);
      row("excitation", b.excitatory, u);
      row("inhibition", b.inhibitory, u);
      row("total", b.total, u);
      row("|total| / excitation", b.ratio, "");
    }
  }
  return os.str();
}

} // namespace ganglion
