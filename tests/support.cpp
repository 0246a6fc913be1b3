// Helpers shared by the tests (see support.hpp).
#include "support.hpp"

#include <doctest/doctest.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>
#include <sys/wait.h>

#include <hdf5.h>

#include "experiment/loader.hpp"
#include "output/hdf5_writer.hpp"
#include "registry/registry.hpp"

namespace ganglion::test {

CpuOnlyEngine::CpuOnlyEngine() {
  if (const char *v = std::getenv("GANGLION_CUDA_ENGINE")) {
    had = true;
    before = v;
  }
  setenv("GANGLION_CUDA_ENGINE", "", 1);
}

CpuOnlyEngine::~CpuOnlyEngine() {
  if (had)
    setenv("GANGLION_CUDA_ENGINE", before.c_str(), 1);
  else
    unsetenv("GANGLION_CUDA_ENGINE");
}

TempDir::TempDir() {
  std::random_device rd;
  path = std::filesystem::temp_directory_path() / ("ganglion-test-" + std::to_string(rd()));
  std::filesystem::create_directories(path);
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path, ec);
}

std::string cli_path() {
  // (GANGLION_TEST_CLI: the binary beside a test binary run away from its build, as
  // tools/gpu_check.sh runs it on a device machine)
  const char *moved = std::getenv("GANGLION_TEST_CLI");
  return moved ? moved : std::string(GANGLION_BINARY_DIR) + "/bin/ganglion";
}

std::string source_path(const std::string &relative) {
  // (GANGLION_TEST_SOURCE_DIR: the checkout where the test binary runs away from its build, as
  // tools/gpu_check.sh runs it on a device machine)
  const char *moved = std::getenv("GANGLION_TEST_SOURCE_DIR");
  return std::string(moved ? moved : GANGLION_SOURCE_DIR) + "/" + relative;
}

std::string write_file(const std::string &path, const std::string &text) {
  std::ofstream f(path);
  if (!f) throw std::runtime_error("cannot write " + path);
  f << text;
  return path;
}

std::string read_file(const std::string &path) {
  std::ifstream f(path);
  if (!f) throw std::runtime_error("cannot read " + path);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

CliResult run_cli(const std::string &args, const std::string &env) {
  TempDir tmp;
  const std::string out = tmp / "out.txt", err = tmp / "err.txt";
  const std::string cmd =
      env + (env.empty() ? "" : " ") + cli_path() + " " + args + " >" + out + " 2>" + err;
  const int status = std::system(cmd.c_str());
  CliResult r;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.out = read_file(out);
  r.err = read_file(err);
  return r;
}

} // namespace ganglion::test

// ---- Running an experiment in-process (see support.hpp) ----

namespace ganglion::test {

namespace {

// Whether `path` ("/spikes/E/timestamps") names an object: H5Lexists needs each parent to exist,
// so the components are checked from the root down.
bool h5_exists(hid_t file, const std::string &path) {
  for (std::size_t pos = path.find('/', 1);; pos = path.find('/', pos + 1)) {
    if (H5Lexists(file, path.substr(0, pos).c_str(), H5P_DEFAULT) <= 0) return false;
    if (pos == std::string::npos) return true;
  }
}

template <class T>
std::vector<T> read_h5_1d(const std::string &file, const std::string &dataset, hid_t mem_type) {
  const hid_t f = H5Fopen(file.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  if (f < 0) throw std::runtime_error("cannot open HDF5 file " + file);
  std::vector<T> data;
  herr_t status = 0;
  if (h5_exists(f, dataset)) {
    const hid_t ds = H5Dopen2(f, dataset.c_str(), H5P_DEFAULT);
    const hid_t space = H5Dget_space(ds);
    const hssize_t n = H5Sget_simple_extent_npoints(space);
    data.resize(n > 0 ? std::size_t(n) : 0);
    if (!data.empty()) status = H5Dread(ds, mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data.data());
    H5Sclose(space);
    H5Dclose(ds);
  }
  H5Fclose(f);
  if (status < 0) throw std::runtime_error("cannot read " + dataset + " from " + file);
  return data;
}

// H5Ovisit's callback: each dataset's dimensions and bytes as stored (its file type's), by path.
herr_t dataset_bytes(hid_t file, const char *name, const H5O_info_t *info, void *out) {
  if (info->type != H5O_TYPE_DATASET) return 0;
  const hid_t ds = H5Dopen2(file, name, H5P_DEFAULT);
  const hid_t space = H5Dget_space(ds), type = H5Dget_type(ds);
  std::array<hsize_t, 8> dims{};
  const int rank = H5Sget_simple_extent_dims(space, dims.data(), nullptr);
  std::string bytes = "dims";
  for (int k = 0; k < rank; ++k) {
    bytes += ' ';
    bytes += std::to_string(dims[std::size_t(k)]);
  }
  bytes += ";";
  const auto n = std::size_t(H5Sget_simple_extent_npoints(space));
  const std::size_t at = bytes.size();
  if (H5Tget_class(type) != H5T_STRING && n > 0) {
    bytes.resize(at + n * H5Tget_size(type));
    H5Dread(ds, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, bytes.data() + at);
  }
  H5Tclose(type);
  H5Sclose(space);
  H5Dclose(ds);
  (*static_cast<std::map<std::string, std::string> *>(out))[name] = std::move(bytes);
  return 0;
}

} // namespace

std::map<std::string, std::string> h5_datasets(const std::string &file) {
  const hid_t f = H5Fopen(file.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  if (f < 0) throw std::runtime_error("cannot open HDF5 file " + file);
  std::map<std::string, std::string> out;
  H5Ovisit(f, H5_INDEX_NAME, H5_ITER_INC, &dataset_bytes, &out);
  H5Fclose(f);
  return out;
}

std::vector<double> read_h5_f64(const std::string &file, const std::string &dataset) {
  return read_h5_1d<double>(file, dataset, H5T_NATIVE_DOUBLE);
}

std::vector<uint64_t> read_h5_u64(const std::string &file, const std::string &dataset) {
  return read_h5_1d<uint64_t>(file, dataset, H5T_NATIVE_UINT64);
}

InProcessRun run_in_process(const std::string &json, const std::vector<std::string> &overrides) {
  TempDir dir;
  return run_in_process_to(json, dir / "run.h5", overrides);
}

InProcessRun run_in_process_to(const std::string &json, const std::string &path,
                               const std::vector<std::string> &overrides) {
  PluginRegistry registry = PluginRegistry::discover(); // outlives the Experiment, which points in
  const Experiment exp = load_experiment_text(json, "<test>", "", overrides, registry);
  InProcessRun result;
  {
    Hdf5Writer writer(path);
    Simulation sim(exp, &writer);
    result.report = sim.run();
    writer.commit();
  }
  std::vector<std::string> recorded;
  {
    const hid_t f = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
    if (f < 0) throw std::runtime_error("cannot open the run's output " + path);
    for (const auto &pop : result.report.populations)
      if (h5_exists(f, "/spikes/" + pop.name)) recorded.push_back(pop.name);
    H5Fclose(f);
  }
  for (const auto &name : recorded) {
    const std::string base = "/spikes/" + name;
    SpikeTrain train{read_h5_f64(path, base + "/timestamps"), read_h5_u64(path, base + "/node_ids")};
    if (train.times.size() != train.ids.size())
      throw std::runtime_error(base + ": " + std::to_string(train.times.size()) +
                               " timestamps but " + std::to_string(train.ids.size()) + " node ids");
    result.spikes.emplace(name, std::move(train));
  }
  return result;
}

std::string read_h5_string_attribute(const std::string &file, const std::string &object,
                                     const std::string &name) {
  const std::string what = file + ": attribute '" + name + "' of '" + object + "'";
  const hid_t f = H5Fopen(file.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  if (f < 0) throw std::runtime_error("cannot open HDF5 file " + file);
  const hid_t a = H5Aexists_by_name(f, object.c_str(), name.c_str(), H5P_DEFAULT) > 0
                      ? H5Aopen_by_name(f, object.c_str(), name.c_str(), H5P_DEFAULT, H5P_DEFAULT)
                      : H5I_INVALID_HID;
  std::string value;
  bool ok = false;
  if (a >= 0) {
    const hid_t type = H5Aget_type(a);
    if (H5Tget_class(type) == H5T_STRING) {
      if (H5Tis_variable_str(type) > 0) {
        char *text = nullptr;
        const hid_t mem = H5Tcopy(H5T_C_S1);
        H5Tset_size(mem, H5T_VARIABLE);
        H5Tset_cset(mem, H5Tget_cset(type));
        ok = H5Aread(a, mem, &text) >= 0;
        if (ok && text) value = text;
        if (text) H5free_memory(text);
        H5Tclose(mem);
      } else {
        std::string buffer(H5Tget_size(type), '\0');
        ok = H5Aread(a, type, buffer.data()) >= 0;
        value = buffer.substr(0, buffer.find('\0'));
      }
    }
    H5Tclose(type);
    H5Aclose(a);
  }
  H5Fclose(f);
  if (!ok) throw std::runtime_error("cannot read " + what + " as a string");
  return value;
}

double config_number(const nlohmann::json &j, const std::string &unit) {
  if (j.is_number()) return j.get<double>();
  const std::string s = j.get<std::string>();
  std::size_t used = 0;
  const double v = std::stod(s, &used);
  REQUIRE(s.substr(s.find_first_not_of(' ', used)) == unit);
  return v;
}

} // namespace ganglion::test
