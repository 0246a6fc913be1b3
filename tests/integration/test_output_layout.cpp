// The layout of a run's output file, read back with the HDF5 C API after `ganglion run` on a small
// network (lif E driven by poisson X through exp_current): SONATA-style spikes
// (/spikes/<pop>/{timestamps, node_ids}), the state report (/report/<pop>/V/{data,
// mapping/node_ids, mapping/time}), binned rates (/rates/<pop>/{rate, time}) and the root
// attributes (experiment, seed, version, status), each checked for type, shape, units and the
// relations between them; and what makes the file SONATA's (magic, version, sorting, units).
#include <doctest/doctest.h>
#include <hdf5.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <numeric>
#include <regex>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "support.hpp"

namespace fs = std::filesystem;
using namespace ganglion::test;

namespace {

constexpr double dt = 0.1, duration = 100, every = 1, bin = 10;
constexpr uint64_t e_size = 10, x_size = 20, seed = 7;
constexpr double V_th = -50, V_re = -65; // lif defaults

std::string experiment(const std::string &output) {
  return R"({
  "ganglion": 1,
  "simulation": {"dt": "0.1 ms", "duration": "100 ms", "seed": 7, "threads": 2},
  "populations": {
    "E": {"model": "lif", "size": 10, "params": {"I_e": "1.4 mV/ms"},
          "init": {"V": {"uniform": ["-65 mV", "-55 mV"]}}},
    "X": {"model": "poisson", "size": 20, "params": {"rate": "40 Hz"}}
  },
  "projections": [
    {"pre": "X", "post": "E", "synapse": "exp_current", "params": {"tau": "5 ms"},
     "connect": {"rule": "fixed_probability", "p": 0.5}, "weight": "0.6 mV"}
  ],
  "recorders": [
    {"type": "spikes", "populations": ["E", "X"]},
    {"type": "state", "population": "E", "variables": ["V"], "neurons": [0, 2], "every": "1 ms"},
    {"type": "rates", "population": "E", "params": {"bin": "10 ms"}}
  ],
  "output": ")" +
         output + R"("
})";
}

// The output file open for reading, closed at scope exit.
struct H5File {
  explicit H5File(const std::string &path)
      : id(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT)) {
    REQUIRE_MESSAGE(id >= 0, "cannot open " << path);
  }
  ~H5File() { H5Fclose(id); }
  H5File(const H5File &) = delete;
  H5File &operator=(const H5File &) = delete;

  // The dataset's shape; REQUIREs that it exists.
  std::vector<hsize_t> shape(const std::string &dataset) const {
    const hid_t d = H5Dopen2(id, dataset.c_str(), H5P_DEFAULT);
    REQUIRE_MESSAGE(d >= 0, dataset << " does not exist");
    const hid_t s = H5Dget_space(d);
    std::vector<hsize_t> dims(std::size_t(std::max(0, H5Sget_simple_extent_ndims(s))));
    H5Sget_simple_extent_dims(s, dims.data(), nullptr);
    H5Sclose(s);
    H5Dclose(d);
    return dims;
  }

  // Whether the dataset is stored as `type` (H5T_IEEE_F64LE, H5T_STD_U64LE).
  bool stored_as(const std::string &dataset, hid_t type) const {
    const hid_t d = H5Dopen2(id, dataset.c_str(), H5P_DEFAULT);
    REQUIRE_MESSAGE(d >= 0, dataset << " does not exist");
    const hid_t t = H5Dget_type(d);
    const bool same = H5Tequal(t, type) > 0;
    H5Tclose(t);
    H5Dclose(d);
    return same;
  }

  // A uint32 attribute's values (one for a scalar), REQUIREd to be stored as uint32.
  std::vector<uint32_t> u32_attribute(const std::string &object, const std::string &name) const {
    const hid_t a = H5Aopen_by_name(id, object.c_str(), name.c_str(), H5P_DEFAULT, H5P_DEFAULT);
    REQUIRE_MESSAGE(a >= 0, object << " has no attribute " << name);
    const hid_t t = H5Aget_type(a), s = H5Aget_space(a);
    CHECK(H5Tequal(t, H5T_STD_U32LE) > 0);
    std::vector<uint32_t> values(std::size_t(H5Sget_simple_extent_npoints(s)));
    CHECK(H5Aread(a, H5T_NATIVE_UINT32, values.data()) >= 0);
    H5Sclose(s);
    H5Tclose(t);
    H5Aclose(a);
    return values;
  }

  // An enumeration attribute's value by name ("by_time").
  std::string enum_attribute(const std::string &object, const std::string &name) const {
    const hid_t a = H5Aopen_by_name(id, object.c_str(), name.c_str(), H5P_DEFAULT, H5P_DEFAULT);
    REQUIRE_MESSAGE(a >= 0, object << " has no attribute " << name);
    const hid_t t = H5Aget_type(a);
    REQUIRE(H5Tget_class(t) == H5T_ENUM);
    std::vector<unsigned char> value(H5Tget_size(t));
    char text[32] = {0};
    CHECK(H5Aread(a, t, value.data()) >= 0);
    CHECK(H5Tenum_nameof(t, value.data(), text, sizeof text) >= 0);
    H5Tclose(t);
    H5Aclose(a);
    return text;
  }

  uint64_t u64_attribute(const std::string &object, const std::string &name) const {
    const hid_t a = H5Aopen_by_name(id, object.c_str(), name.c_str(), H5P_DEFAULT, H5P_DEFAULT);
    REQUIRE_MESSAGE(a >= 0, object << " has no attribute " << name);
    uint64_t value = 0;
    CHECK(H5Aread(a, H5T_NATIVE_UINT64, &value) >= 0);
    H5Aclose(a);
    return value;
  }

  hid_t id;
};

struct Run {
  TempDir dir;
  std::string output = dir / "x.h5";
  CliResult result;
  Run() {
    const std::string config = write_file(dir / "exp.json", experiment(output));
    result = run_cli("run '" + config + "'");
  }
};

// One run shared by the test cases below (it takes well under a second, but its file is the
// subject of every one of them).
const Run &the_run() {
  static const Run run;
  return run;
}

const Run &checked_run() {
  const Run &r = the_run();
  INFO("stderr: " << r.result.err);
  REQUIRE(r.result.exit_code == 0);
  REQUIRE(fs::exists(r.output));
  return r;
}

} // namespace

TEST_CASE("output layout: the run completes and leaves only the committed file") {
  const Run &r = checked_run();
  CHECK_FALSE(fs::exists(r.output + ".part"));
  CHECK(r.result.out.find("output: " + r.output) != std::string::npos); // the summary names it
}

TEST_CASE("output layout: /spikes/<pop> holds f64 timestamps in ms and u64 node ids, in step") {
  const Run &r = checked_run();
  const H5File f(r.output);
  for (const auto &[pop, size] :
       {std::pair{std::string("E"), e_size}, std::pair{std::string("X"), x_size}}) {
    CAPTURE(pop);
    const std::string ts = "/spikes/" + pop + "/timestamps", ni = "/spikes/" + pop + "/node_ids";
    CHECK(f.stored_as(ts, H5T_IEEE_F64LE));
    CHECK(f.stored_as(ni, H5T_STD_U64LE));
    CHECK(f.shape(ts).size() == 1);
    CHECK(f.shape(ni).size() == 1);
    CHECK(read_h5_string_attribute(r.output, ts, "units") == "ms");

    const std::vector<double> times = read_h5_f64(r.output, ts);
    const std::vector<uint64_t> ids = read_h5_u64(r.output, ni);
    REQUIRE(times.size() == ids.size());
    REQUIRE(times.size() > 10); // the network fires: the checks below are not vacuous
    CHECK(std::is_sorted(times.begin(), times.end()));
    CHECK(times.front() > 0);
    CHECK(times.back() <= duration);
    CHECK(*std::max_element(ids.begin(), ids.end()) < size);
    // Each spike is stamped at the end of its step: a whole number of dt.
    std::size_t off_grid = 0;
    for (double t : times)
      off_grid += std::abs(t / dt - std::round(t / dt)) > 1e-9;
    CHECK(off_grid == 0);
  }
}

TEST_CASE("output layout: /report/<pop>/V has one row per sample and the chosen neurons' columns") {
  const Run &r = checked_run();
  const H5File f(r.output);
  const auto samples = hsize_t(std::llround(duration / every));
  CHECK(f.stored_as("/report/E/V/data", H5T_IEEE_F64LE));
  CHECK(f.shape("/report/E/V/data") == std::vector<hsize_t>{samples, 2});

  CHECK(f.stored_as("/report/E/V/mapping/node_ids", H5T_STD_U64LE));
  CHECK(read_h5_u64(r.output, "/report/E/V/mapping/node_ids") == std::vector<uint64_t>{0, 2});

  // [first sample, end, interval] in ms; sample k (1, 2, ...) is the state at k * every, after
  // the step, and the end is exclusive as in SONATA, so rows = (end - first) / interval.
  CHECK(f.stored_as("/report/E/V/mapping/time", H5T_IEEE_F64LE));
  CHECK(read_h5_string_attribute(r.output, "/report/E/V/mapping/time", "units") == "ms");
  const std::vector<double> time = read_h5_f64(r.output, "/report/E/V/mapping/time");
  REQUIRE(time.size() == 3);
  CHECK(time[0] == doctest::Approx(every));
  CHECK(time[1] == doctest::Approx(duration + every));
  CHECK(time[2] == doctest::Approx(every));
  CHECK(double(samples) == doctest::Approx((time[1] - time[0]) / time[2]));

  // The values are membrane potentials after a step: at or above the reset (all drive is
  // excitatory, and V starts in [-65, -55] mV) and below the threshold (a crossing resets).
  const std::vector<double> data = read_h5_f64(r.output, "/report/E/V/data");
  REQUIRE(data.size() == 2 * samples);
  const auto [lo, hi] = std::minmax_element(data.begin(), data.end());
  CHECK(*lo >= V_re);
  CHECK(*hi < V_th);
  // Neurons 0 and 2 are different neurons: their traces are not the same.
  bool differ = false;
  for (std::size_t k = 0; k < samples; ++k)
    differ |= data[2 * k] != data[2 * k + 1];
  CHECK(differ);
}

TEST_CASE("output layout: /rates/<pop>/rate holds whole bins whose mean is the mean rate") {
  const Run &r = checked_run();
  const H5File f(r.output);
  const auto bins = std::size_t(std::llround(duration / bin));
  CHECK(f.stored_as("/rates/E/rate", H5T_IEEE_F64LE));
  CHECK(read_h5_string_attribute(r.output, "/rates/E/rate", "units") == "Hz");
  const std::vector<double> rate = read_h5_f64(r.output, "/rates/E/rate");
  REQUIRE(rate.size() == bins);
  const std::vector<double> start = read_h5_f64(r.output, "/rates/E/time");
  REQUIRE(start.size() == bins);
  for (std::size_t b = 0; b < bins; ++b)
    CHECK(start[b] == doctest::Approx(double(b) * bin));

  const std::size_t spikes = read_h5_f64(r.output, "/spikes/E/timestamps").size();
  REQUIRE(spikes > 0);
  const double mean = std::accumulate(rate.begin(), rate.end(), 0.0) / double(bins);
  CHECK(mean == doctest::Approx(double(spikes) / (double(e_size) * duration * 1e-3)).epsilon(1e-9));
  // And bin by bin: each bin's rate is the spikes stamped in (start, start + bin].
  const std::vector<double> times = read_h5_f64(r.output, "/spikes/E/timestamps");
  for (std::size_t b = 0; b < bins; ++b) {
    const double from = double(b) * bin, to = from + bin;
    const auto n = std::count_if(times.begin(), times.end(), [&](double t) {
      return t > from + dt / 2 && t < to + dt / 2; // stamps are whole steps: no ties at the edges
    });
    CAPTURE(b);
    CHECK(rate[b] == doctest::Approx(double(n) / (double(e_size) * bin * 1e-3)).epsilon(1e-9));
  }
}

TEST_CASE("output layout: root attributes name the experiment, seed, version and status") {
  const Run &r = checked_run();
  const H5File f(r.output);
  CHECK(read_h5_string_attribute(r.output, "/", "status") == "complete");
  CHECK(f.u64_attribute("/", "seed") == seed);
  const std::string version = read_h5_string_attribute(r.output, "/", "ganglion_version");
  CHECK(std::regex_match(version, std::regex(R"(\d+\.\d+\.\d+.*)")));

  // The resolved experiment: valid JSON with every default written out.
  const nlohmann::json exp =
      nlohmann::json::parse(read_h5_string_attribute(r.output, "/", "experiment"));
  REQUIRE(exp.contains("populations"));
  CHECK(exp["populations"]["E"]["model"] == "lif");
  CHECK(exp["populations"]["E"]["size"] == e_size);
  CHECK(exp["populations"]["X"]["model"] == "poisson");
  CHECK(exp["populations"]["X"]["size"] == x_size);
  CHECK(exp["populations"]["E"]["params"].contains("tau_m")); // a default, written out
  CHECK(exp["simulation"]["seed"] == seed);
  CHECK(exp["output"] == r.output);
  CHECK(exp["recorders"].size() == 3);
}

TEST_CASE("output layout: SONATA's marks: magic and version at the root, spikes sorted by time, "
          "the report's units and mapping") {
  const Run &r = checked_run();
  const H5File f(r.output);
  CHECK(f.u32_attribute("/", "magic") == std::vector<uint32_t>{0x0A7A});
  CHECK(f.u32_attribute("/", "version") == std::vector<uint32_t>{0, 1});
  for (const std::string pop : {"E", "X"}) {
    CAPTURE(pop);
    CHECK(f.enum_attribute("/spikes/" + pop, "sorting") == "by_time");
    const std::vector<double> t = read_h5_f64(r.output, "/spikes/" + pop + "/timestamps");
    CHECK(std::is_sorted(t.begin(), t.end()));
  }
  const std::string mapping = "/report/E/V/mapping/";
  CHECK(read_h5_string_attribute(r.output, "/report/E/V/data", "units") == "mV");
  CHECK(read_h5_u64(r.output, mapping + "node_ids") == std::vector<uint64_t>{0, 2});
  CHECK(read_h5_u64(r.output, mapping + "index_pointers") == std::vector<uint64_t>{0, 1, 2});
  CHECK(read_h5_u64(r.output, mapping + "element_ids") == std::vector<uint64_t>{0, 0});
}
