// Tests of what a run adds to its output file besides the recorders' data: the root attributes
// (output/run_attributes.hpp) and the /theory group (output/theory_output.hpp), read back with
// the HDF5 C API.
#include <doctest/doctest.h>
#include <hdf5.h>

#include <cstdint>
#include <string>
#include <unistd.h>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/simulation.hpp"
#include "experiment/loader.hpp"
#include "output/hdf5_writer.hpp"
#include "output/run_attributes.hpp"
#include "output/theory_output.hpp"
#include "registry/registry.hpp"
#include "support.hpp"
#include "theory/theory.hpp"
#include "unit/output/read_back.hpp"

using namespace ganglion;
using namespace ganglion::test;

namespace {

// The rows of `m` one after the other, as the file stores a matrix.
std::vector<double> row_major(const Eigen::MatrixXd &m) {
  std::vector<double> v;
  for (Eigen::Index a = 0; a < m.rows(); ++a)
    for (Eigen::Index b = 0; b < m.cols(); ++b)
      v.push_back(m(a, b));
  return v;
}

std::vector<double> values(const Eigen::VectorXd &v) {
  return {v.data(), v.data() + v.size()};
}

// A file holding /theory alone, written from `t`.
void write_theory_file(const std::string &path, const theory::Report &t) {
  Hdf5Writer w(path);
  write_theory(w, t);
  w.commit();
}

nlohmann::json json_attribute(hid_t file, const std::string &object, const std::string &name) {
  return nlohmann::json::parse(string_attribute(file, object, name));
}

} // namespace

TEST_CASE("run status: complete, diverged, failed, interrupted or running, with the reason") {
  CHECK(run_status({}) == "complete");
  CHECK(run_status({RunOutcome::Kind::running, ""}) == "running");
  CHECK(run_status({RunOutcome::Kind::interrupted, "at t = 812.5 ms by SIGINT"}) ==
        "interrupted at t = 812.5 ms by SIGINT");
  CHECK(run_status({RunOutcome::Kind::diverged, "population 'E' at t = 5 ms"}) ==
        "diverged: population 'E' at t = 5 ms");
  CHECK(run_status({RunOutcome::Kind::failed, "recorder 'spikes': step failed"}) ==
        "failed: recorder 'spikes': step failed");
}

TEST_CASE("root attributes: the resolved experiment, seed, version, backends, provenance and "
          "status") {
  TempDir tmp;
  const std::string path = tmp / "run.h5";
  PluginRegistry reg = PluginRegistry::discover();
  const Experiment exp =
      load_experiment(source_path("configs/rate_model.json"), {"simulation.seed=12345"}, reg);
  {
    Hdf5Writer w(path);
    write_run_attributes(w, exp, {RunOutcome::Kind::failed, "a plugin refused"});
    w.commit();
  }
  ReadFile f(path);
  const std::string experiment = string_attribute(f.id, "/", "experiment");
  CHECK(experiment == exp.resolved.dump());
  CHECK(nlohmann::json::parse(experiment)["simulation"]["seed"] == 12345);
  CHECK(number_attribute<uint64_t>(f.id, "/", "seed") == 12345);
  // The version the command reports of itself: the kernel and the command are built as one.
  const CliResult version = run_cli("--version");
  REQUIRE(version.exit_code == 0);
  CHECK("ganglion " + string_attribute(f.id, "/", "ganglion_version") + "\n" == version.out);
  nlohmann::json backends = nlohmann::json::object();
  for (const auto &p : exp.populations)
    backends[p.name] = "cpu";
  for (const auto &q : exp.projections)
    backends[q.name] = "cpu";
  CHECK(backends.size() == 6); // E, I and four projections
  CHECK(json_attribute(f.id, "/", "backends") == backends);
  CHECK(string_attribute(f.id, "/", "status") == "failed: a plugin refused");

  // Where it ran: each plugin the experiment uses with its library, version and ABI; the host and
  // the threads.
  const nlohmann::json plugins = json_attribute(f.id, "/", "plugins");
  CHECK(plugins.size() == 3);
  for (const char *name : {"rate", "rate_linear", "state"}) {
    CAPTURE(name);
    const LoadedPlugin *p = reg.find(name);
    REQUIRE(p != nullptr);
    REQUIRE(plugins.contains(name));
    CHECK(plugins[name]["path"] == p->path);
    CHECK(plugins[name]["version"] == p->desc->version);
    CHECK(plugins[name]["abi"] ==
          std::to_string(GG_ABI_MAJOR) + "." + std::to_string(GG_ABI_MINOR));
  }
  char host[256] = {0};
  REQUIRE(gethostname(host, sizeof host - 1) == 0);
  CHECK(string_attribute(f.id, "/", "host") == host);
  CHECK(number_attribute<uint64_t>(f.id, "/", "threads") == thread_count(exp.simulation));
  CHECK(number_attribute<uint64_t>(f.id, "/", "ranks") == 1);
  // Which network and input a seed gives: the random mapping's version.
  CHECK(string_attribute(f.id, "/", "rng") == "philox4x32-10/ganglion-2");
}

TEST_CASE("root attributes: write_run_status replaces the status alone") {
  TempDir tmp;
  const std::string path = tmp / "run.h5";
  PluginRegistry reg = PluginRegistry::discover();
  const Experiment exp = load_experiment(source_path("configs/rate_model.json"), {}, reg);
  {
    Hdf5Writer w(path);
    write_run_attributes(w, exp, {RunOutcome::Kind::running, ""});
    write_run_status(w, {RunOutcome::Kind::interrupted, "at t = 3 ms by SIGTERM"});
    w.commit();
  }
  ReadFile f(path);
  CHECK(string_attribute(f.id, "/", "status") == "interrupted at t = 3 ms by SIGTERM");
  CHECK(string_attribute(f.id, "/", "experiment") == exp.resolved.dump());
}

TEST_CASE("/theory of a rate network: W, X, balanced, semi-balanced and fixed points") {
  TempDir tmp;
  const std::string path = tmp / "run.h5";
  PluginRegistry reg = PluginRegistry::discover();
  const Experiment exp = load_experiment(source_path("configs/rate_model.json"), {}, reg);
  const theory::Report t = theory::analyze(exp);
  REQUIRE(t.error.empty());
  REQUIRE(t.mf.names == std::vector<std::string>{"E", "I"});
  REQUIRE(t.mf.units[0] == t.mf.units[1]);
  REQUIRE(t.semi.solutions.size() == 1);
  REQUIRE(t.fixed_points.size() == 1);
  write_theory_file(path, t);
  ReadFile f(path);
  const std::string unit = t.mf.units[0];
  CHECK(shape(f.id, "/theory/W") == std::vector<hsize_t>{2, 2});
  CHECK(read_all<double>(f.id, "/theory/W") == row_major(t.mf.W));
  CHECK(string_attribute(f.id, "/theory/W", "units") == unit + " per Hz");
  CHECK(read_all<double>(f.id, "/theory/X") == values(t.mf.X));
  CHECK(string_attribute(f.id, "/theory/X", "units") == unit);
  CHECK(read_all<double>(f.id, "/theory/balanced") == values(t.balanced.r));
  CHECK(string_attribute(f.id, "/theory/balanced", "units") == "Hz");
  CHECK(shape(f.id, "/theory/semi_balanced") == std::vector<hsize_t>{1, 2});
  CHECK(read_all<double>(f.id, "/theory/semi_balanced") == values(t.semi.solutions[0]));
  CHECK(shape(f.id, "/theory/fixed_points") == std::vector<hsize_t>{1, 2});
  CHECK(read_all<double>(f.id, "/theory/fixed_points") == values(t.fixed_points[0].r));
  CHECK(read_all<uint64_t>(f.id, "/theory/fixed_point_stable") == std::vector<uint64_t>{1});

  CHECK_FALSE(has_attribute(f.id, "/theory", "error"));
  CHECK(json_attribute(f.id, "/theory", "names") == nlohmann::json::array({"E", "I"}));
  CHECK(json_attribute(f.id, "/theory", "units") == nlohmann::json(t.mf.units));
  CHECK(number_attribute<double>(f.id, "/theory", "sqrt_n") == t.mf.sqrt_n);
  CHECK(number_attribute<uint64_t>(f.id, "/theory", "balanced_admissible") ==
        (t.balanced.admissible ? 1u : 0u));
  CHECK(number_attribute<uint64_t>(f.id, "/theory", "semi_balanced_exact") == 1);
  CHECK(string_attribute(f.id, "/theory", "semi_balanced_note") == t.semi.note);
  CHECK(json_attribute(f.id, "/theory", "notes") == nlohmann::json(t.mf.notes));
}

TEST_CASE("/theory of a singular W: the error, and W, X and the LCP's solutions") {
  theory::Report t;
  t.error = "W is singular";
  t.mf.names = {"A", "B"};
  t.mf.units = {"mV/ms", "Hz"}; // no common unit: W and X carry none
  t.mf.W.resize(2, 2);
  t.mf.W << 1, 2, 2, 4;
  t.mf.X.resize(2);
  t.mf.X << -1, 3;
  t.mf.sqrt_n = 100;
  t.mf.notes = {"a drawn weight taken at its mean"};
  Eigen::VectorXd s(2);
  s << 0.5, 0;
  t.semi.solutions = {s};
  t.semi.exact = false;
  t.semi.note = "by the iterative method";
  TempDir tmp;
  const std::string path = tmp / "run.h5";
  write_theory_file(path, t);
  ReadFile f(path);
  CHECK(string_attribute(f.id, "/theory", "error") == "W is singular");
  CHECK(read_all<double>(f.id, "/theory/W") == std::vector<double>{1, 2, 2, 4});
  CHECK_FALSE(has_attribute(f.id, "/theory/W", "units"));
  CHECK(read_all<double>(f.id, "/theory/X") == std::vector<double>{-1, 3});
  CHECK_FALSE(has_attribute(f.id, "/theory/X", "units"));
  CHECK_FALSE(has_object(f.id, "/theory/balanced"));
  CHECK(shape(f.id, "/theory/semi_balanced") == std::vector<hsize_t>{1, 2});
  CHECK(read_all<double>(f.id, "/theory/semi_balanced") == std::vector<double>{0.5, 0});
  CHECK_FALSE(has_object(f.id, "/theory/fixed_points"));
  CHECK_FALSE(has_object(f.id, "/theory/fixed_point_stable"));
  CHECK(json_attribute(f.id, "/theory", "names") == nlohmann::json::array({"A", "B"}));
  CHECK(json_attribute(f.id, "/theory", "units") == nlohmann::json::array({"mV/ms", "Hz"}));
  CHECK(number_attribute<double>(f.id, "/theory", "sqrt_n") == 100);
  CHECK(number_attribute<uint64_t>(f.id, "/theory", "balanced_admissible") == 0);
  CHECK(number_attribute<uint64_t>(f.id, "/theory", "semi_balanced_exact") == 0);
  CHECK(string_attribute(f.id, "/theory", "semi_balanced_note") == "by the iterative method");
  CHECK(json_attribute(f.id, "/theory", "notes") ==
        nlohmann::json::array({"a drawn weight taken at its mean"}));
}

TEST_CASE("/theory without mean-field populations holds the error alone") {
  TempDir tmp;
  for (const std::string error : {"", "population 'E': conductance synapses are not expressed"}) {
    CAPTURE(error);
    const std::string path = tmp / "run.h5";
    theory::Report t;
    t.error = error;
    write_theory_file(path, t);
    ReadFile f(path);
    CHECK(string_attribute(f.id, "/theory", "error") ==
          (error.empty() ? "no mean-field populations" : error));
    CHECK_FALSE(has_attribute(f.id, "/theory", "names"));
    CHECK_FALSE(has_object(f.id, "/theory/W"));
    CHECK_FALSE(has_object(f.id, "/theory/semi_balanced"));
  }
}
