// The Python package's native part, `ganglion._ganglion`: loading and checking an experiment
// (the loader's own messages), running it in this process with the GIL released (the recorders'
// data kept in memory and handed out as NumPy arrays without a copy, and the output file written
// as `ganglion run` writes it where one is asked for), plugin descriptions and the mean-field
// theory. The package's Python modules (python/ganglion/) give these their public form.
#include <pybind11/eigen.h>
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/description.hpp"
#include "engine/hook_call.hpp"
#include "engine/simulation.hpp"
#include "experiment/errors.hpp"
#include "experiment/loader.hpp"
#include "experiment/prepare.hpp"
#include "output/memory_recording.hpp"
#include "output/run_file.hpp"
#include "registry/registry.hpp"
#include "theory/theory.hpp"

namespace py = pybind11;

namespace ganglion::python {

namespace {

// A loaded experiment with the plugins it points into (the registry must outlive it).
struct Loaded {
  PluginRegistry registry = PluginRegistry::discover();
  Experiment exp;
  std::string origin;
};

std::unique_ptr<Loaded> load(const std::string &text, const std::string &origin,
                             const std::string &base_dir) {
  auto loaded = std::make_unique<Loaded>();
  loaded->exp = load_experiment_text(text, origin, base_dir, {}, loaded->registry);
  loaded->origin = origin;
  return loaded;
}

// `--set`'s assignment applied to an experiment's JSON text; the changed text.
std::string apply_set(const std::string &text, const std::string &assignment) {
  nlohmann::ordered_json doc = nlohmann::ordered_json::parse(text);
  apply_override(doc, assignment);
  return doc.dump();
}

// One dataset as a NumPy array over the recording's own bytes, which the array keeps alive.
py::array array_of(MemoryDataset &&d) {
  auto *bytes = new std::vector<std::byte>(std::move(d.bytes));
  py::capsule owner(bytes, [](void *p) { delete static_cast<std::vector<std::byte> *>(p); });
  std::vector<py::ssize_t> shape{py::ssize_t(d.rows)};
  if (d.width > 1) shape.push_back(py::ssize_t(d.width));
  const py::dtype type =
      d.dtype == GG_DTYPE_U64 ? py::dtype::of<uint64_t>() : py::dtype::of<double>();
  return py::array(type, shape, bytes->data(), owner);
}

py::array vector_of(const Eigen::VectorXd &v) {
  return py::array_t<double>(py::ssize_t(v.size()), v.data());
}

// Solutions (vectors of n) as the rows of an (count, n) array, as the file stores them.
py::array rows_of(const std::vector<Eigen::VectorXd> &vs, Eigen::Index n) {
  py::array_t<double> a({py::ssize_t(vs.size()), py::ssize_t(n)});
  auto m = a.mutable_unchecked<2>();
  for (std::size_t k = 0; k < vs.size(); ++k)
    for (Eigen::Index b = 0; b < n; ++b)
      m(py::ssize_t(k), b) = vs[k](b);
  return a;
}

// The report under the names, shapes and units of the file's /theory group.
py::dict theory_dict(const theory::Report &t) {
  const theory::MeanField &mf = t.mf;
  const auto n = Eigen::Index(mf.names.size());
  py::dict d;
  d["names"] = mf.names;
  d["units"] = mf.units;
  d["error"] = t.error.empty() && n == 0 ? std::string("no mean-field populations") : t.error;
  if (n == 0) return d;
  if (mf.W.rows() == n && mf.W.cols() == n) d["W"] = Eigen::MatrixXd(mf.W);
  if (mf.X.size() == n) d["X"] = vector_of(mf.X);
  if (t.balanced.r.size() == n) d["balanced"] = vector_of(t.balanced.r);
  d["semi_balanced"] = rows_of(t.semi.solutions, n);
  std::vector<Eigen::VectorXd> fixed;
  std::vector<bool> stable;
  for (const auto &f : t.fixed_points)
    fixed.push_back(f.r), stable.push_back(f.stable);
  if (!fixed.empty()) {
    d["fixed_points"] = rows_of(fixed, n);
    d["fixed_point_stable"] = stable;
  }
  d["sqrt_n"] = mf.sqrt_n;
  d["balanced_admissible"] = t.balanced.admissible;
  d["semi_balanced_exact"] = t.semi.exact;
  d["semi_balanced_note"] = t.semi.note;
  d["notes"] = mf.notes;
  return d;
}

nlohmann::json report_json(const RunReport &r) {
  nlohmann::json pops = nlohmann::json::array(), projs = nlohmann::json::array();
  for (const auto &p : r.populations)
    pops.push_back({{"name", p.name},
                    {"model", p.model},
                    {"size", p.size},
                    {"spikes", p.spikes},
                    {"rate_hz", p.rate_hz}});
  for (const auto &q : r.projections)
    projs.push_back({{"name", q.name}, {"synapses", q.synapses}, {"bytes", q.bytes}});
  return {{"populations", pops},   {"projections", projs},
          {"steps", r.steps_done}, {"simulated_ms", r.simulated_ms},
          {"setup_s", r.setup_s},  {"run_s", r.run_s},
          {"threads", r.threads},  {"device", r.device}};
}

// Between steps, at most every kPollSeconds: Python's signal handlers (Ctrl-C ends the run at a
// step boundary, as a signal ends `ganglion run`) and the caller's progress(t_ms, duration_ms).
constexpr double kPollSeconds = 0.1;

struct Poll {
  py::object progress;
  double duration = 0;
  std::atomic<int> stop{0};
  py::object raised; // what a handler or progress raised, re-raised after the run
  std::chrono::steady_clock::time_point last{};

  void operator()(double t) {
    const auto now = std::chrono::steady_clock::now();
    if (std::chrono::duration<double>(now - last).count() < kPollSeconds) return;
    last = now;
    py::gil_scoped_acquire gil;
    try {
      if (PyErr_CheckSignals() != 0) throw py::error_already_set();
      if (!progress.is_none()) progress(t, duration);
    } catch (py::error_already_set &e) {
      raised = e.value();
      stop = SIGINT;
    }
  }
};

// What stopped a run from Python: the exception a signal handler or the progress callable raised
// ("KeyboardInterrupt" for Ctrl-C).
std::string raised_name(const py::object &raised) {
  return raised ? py::str(py::type::of(raised).attr("__name__")).cast<std::string>()
                : std::string("an interrupt");
}

// Where a run's recorders write: memory, and the output file too where the experiment has one
// (opened with its root attributes before the network is built).
struct Recordings {
  std::unique_ptr<Hdf5Writer> writer;
  MemoryRecording memory;
  std::unique_ptr<TeeRecording> both;

  explicit Recordings(const Experiment &exp) : writer(open_run_file(exp)) {
    if (writer) both = std::make_unique<TeeRecording>(*writer, memory);
  }
  Recording *target() { return both ? static_cast<Recording *>(both.get()) : &memory; }
};

// Steps the network with the GIL released, polling Python between steps; how it ended.
RunOutcome run_released(Simulation &sim, Poll &poll, RunReport &report) {
  {
    py::gil_scoped_release released;
    try {
      report = sim.run([&](double t) { poll(t); }, &poll.stop);
    } catch (const std::exception &e) {
      return {RunOutcome::Kind::failed, e.what()};
    }
  }
  return outcome_of(report, raised_name(poll.raised));
}

// The file's root attributes (strings and numbers as the file has them), the status, and how far
// the data go.
py::dict attributes_of(const Experiment &exp, const RunOutcome &outcome, const RunReport &report,
                       double recorded_ms) {
  py::dict attributes;
  const nlohmann::ordered_json root = run_attributes(exp);
  for (const auto &[name, value] : root.items())
    attributes[py::str(name)] = value.is_number_unsigned()
                                    ? py::object(py::int_(value.get<uint64_t>()))
                                    : py::object(py::str(value.get<std::string>()));
  attributes["status"] = run_status(outcome);
  attributes["recorded_ms"] = recorded_ms;
  if (!report.device.empty()) attributes["device"] = nlohmann::json(report.device).dump();
  if (!exp.output.empty()) attributes["file"] = exp.output;
  return attributes;
}

// Runs a loaded experiment: {"datasets": {path: array}, "units": {path: unit}, "attributes":
// the file's root attributes, "status", "failed", "report" (JSON text), "theory", "raised": what
// a signal handler or the progress callable raised, or None}.
py::dict run(Loaded &loaded, const py::object &progress) {
  Experiment &exp = loaded.exp;
  prepare_run(exp, loaded.origin);
  Recordings recordings(exp);
  std::unique_ptr<Simulation> sim;
  try {
    sim = std::make_unique<Simulation>(exp, recordings.target());
  } catch (...) {
    discard_run_file(recordings.writer, exp);
    throw;
  }
  const theory::Report theory = theory::predict(exp);
  Poll poll;
  poll.progress = progress;
  poll.duration = exp.simulation.duration;
  RunReport report;
  const RunOutcome outcome = run_released(*sim, poll, report);
  if (Hdf5Writer *w = recordings.writer.get(); w && !finish_run_file(*w, outcome, theory))
    throw OutputError(w->failure().empty() ? "the output file could not be finished"
                                           : w->failure());
  py::dict datasets, units, out;
  for (auto &[path, d] : recordings.memory.take()) {
    units[py::str(path)] = d.unit;
    datasets[py::str(path)] = array_of(std::move(d));
  }
  out["datasets"] = datasets;
  out["units"] = units;
  out["attributes"] = attributes_of(exp, outcome, report, recordings.memory.recorded_ms());
  out["status"] = run_status(outcome);
  out["failed"] = outcome.kind == RunOutcome::Kind::failed;
  out["report"] = report_json(report).dump();
  out["theory"] = theory_dict(theory);
  out["raised"] = poll.raised ? poll.raised : py::none();
  return out;
}

// Every plugin found, in the search order, as `ganglion plugins` lists them.
std::string plugins() {
  const PluginRegistry reg = PluginRegistry::discover();
  nlohmann::ordered_json list = nlohmann::ordered_json::array();
  for (const LoadedPlugin *p : reg.ordered())
    list.push_back(describe_plugin(*p));
  return list.dump();
}

std::string describe(const std::string &name) {
  const PluginRegistry reg = PluginRegistry::discover();
  return describe_plugin(plugin_to_describe(reg, name, "ganglion.plugins()")).dump();
}

theory::MeanField mean_field_of(const Eigen::MatrixXd &W, const Eigen::VectorXd &X) {
  if (W.rows() != W.cols() || W.rows() != X.size())
    throw std::invalid_argument("W must be square (n x n) and X of length n: got W " +
                                std::to_string(W.rows()) + " x " + std::to_string(W.cols()) +
                                " and X of " + std::to_string(X.size()));
  theory::MeanField mf;
  mf.W = W;
  mf.X = X;
  return mf;
}

} // namespace

} // namespace ganglion::python

PYBIND11_MODULE(_ganglion, m) {
  using namespace ganglion;
  using namespace ganglion::python;
  m.doc() = "ganglion's engine, in-process (use the `ganglion` package rather than this)";

  // Each of ganglion's errors as the package's exception of its kind (python/ganglion/errors.py).
  py::register_exception_translator([](std::exception_ptr p) {
    if (!p) return;
    const auto raise = [](const char *kind, const std::exception &e) {
      py::object type = py::module_::import("ganglion.errors").attr(kind);
      PyErr_SetObject(type.ptr(), py::str(e.what()).ptr());
    };
    try {
      std::rethrow_exception(p);
    } catch (const ConfigError &e) {
      raise("ConfigError", e);
    } catch (const PluginError &e) {
      raise("PluginError", e);
    } catch (const OutputError &e) {
      raise("OutputError", e);
    } catch (const RunError &e) {
      raise("RunError", e);
    } catch (const theory::TheoryError &e) {
      raise("TheoryError", e);
    }
  });

  py::class_<Loaded>(m, "Loaded")
      .def_property_readonly("resolved", [](const Loaded &l) { return l.exp.resolved.dump(); })
      .def_property_readonly("output", [](const Loaded &l) { return l.exp.output; });
  m.def("load", &load, py::arg("text"), py::arg("origin"), py::arg("base_dir"));
  m.def(
      "load_file",
      [](const std::string &path) {
        auto loaded = std::make_unique<Loaded>();
        loaded->exp = load_experiment(path, {}, loaded->registry);
        loaded->origin = path;
        return loaded;
      },
      py::arg("path"));
  m.def("apply_set", &apply_set, py::arg("text"), py::arg("assignment"));
  m.def("run", &run, py::arg("loaded"), py::arg("progress"));
  m.def("plugins", &plugins);
  m.def("describe", &describe, py::arg("name"));
  m.def("theory", [](const Loaded &l) { return theory_dict(theory::predict(l.exp)); });
  m.def(
      "balanced",
      [](const Eigen::MatrixXd &W, const Eigen::VectorXd &X) {
        const theory::Balanced b = theory::balanced(mean_field_of(W, X));
        return py::make_tuple(vector_of(b.r), b.admissible);
      },
      py::arg("W"), py::arg("X"));
  m.def(
      "semi_balanced",
      [](const Eigen::MatrixXd &W, const Eigen::VectorXd &X,
         const std::vector<std::string> &names) {
        mean_field_of(W, X);
        const theory::SemiBalanced s = theory::semi_balanced(W, X, 20, names);
        return py::make_tuple(rows_of(s.solutions, W.rows()), s.exact, s.note);
      },
      py::arg("W"), py::arg("X"), py::arg("names"));
}
