// Tests of the recorders' output kept in memory (output/memory_recording.hpp): a run recorded to
// memory and to its file at once gives the same datasets, values, shapes and units in both, and
// a recorder's mistakes get the file's messages.
#include <doctest/doctest.h>
#include <hdf5.h>

#include <cstring>
#include <map>
#include <string>
#include <vector>

#include "engine/simulation.hpp"
#include "experiment/loader.hpp"
#include "output/hdf5_writer.hpp"
#include "output/memory_recording.hpp"
#include "registry/registry.hpp"
#include "support.hpp"
#include "unit/output/read_back.hpp"

using namespace ganglion;
using namespace ganglion::test;

namespace {

// Runs `config` with `overrides` into a file and memory at once; returns memory's datasets.
std::map<std::string, MemoryDataset> run_both(const std::string &config, const std::string &h5,
                                              const std::vector<std::string> &overrides) {
  PluginRegistry registry = PluginRegistry::discover();
  const Experiment exp = load_experiment(source_path(config), overrides, registry);
  MemoryRecording memory;
  {
    Hdf5Writer writer(h5);
    TeeRecording both(writer, memory);
    Simulation sim(exp, &both);
    sim.run();
    writer.commit();
  }
  return memory.take();
}

template <typename T> std::vector<T> values_of(const MemoryDataset &d) {
  std::vector<T> v(d.bytes.size() / sizeof(T));
  if (!v.empty()) std::memcpy(v.data(), d.bytes.data(), d.bytes.size());
  return v;
}

// Every dataset of memory is in the file with the same shape, unit and values, bit for bit.
void check_same(const std::map<std::string, MemoryDataset> &memory, const std::string &h5) {
  ReadFile file(h5);
  for (const auto &[path, d] : memory) {
    CAPTURE(path);
    REQUIRE(has_object(file.id, path));
    std::vector<hsize_t> dims{d.rows};
    if (d.width > 1) dims.push_back(d.width);
    CHECK(shape(file.id, path) == dims);
    const std::string unit = has_attribute(file.id, path, "units")
                                 ? string_attribute(file.id, path, "units")
                                 : std::string();
    CHECK(unit == d.unit);
    if (d.dtype == GG_DTYPE_U64)
      CHECK(values_of<uint64_t>(d) == read_all<uint64_t>(file.id, path));
    else
      CHECK(std::memcmp(values_of<double>(d).data(), read_all<double>(file.id, path).data(),
                        d.bytes.size()) == 0);
  }
}

} // namespace

TEST_CASE("memory recording: every recorder's datasets equal the file's, bit for bit") {
  TempDir dir;
  struct Case {
    std::string config;
    std::vector<std::string> overrides;
    std::vector<std::string> expect; // datasets that must be there, with rows
  };
  const std::vector<Case> cases = {
      {"configs/synapse_response.json",
       {},
       {"/spikes/SE/timestamps", "/report/E_current/V/data", "/report/E_current/V/mapping/time"}},
      {"configs/recurrent_ei.json",
       {"simulation.duration=200 ms"},
       {"/spikes/E/node_ids", "/rates/I/rate", "/inputs/E/time"}},
      {"configs/istdp_balanced.json",
       {"simulation.duration=300 ms", "populations.E.size=800", "populations.I.size=200",
        "projections.2.plasticity.active=[[\"100 ms\", \"300 ms\"]]"},
       {"/weights/I->E/mean", "/weights/I->E/histogram", "/weights/I->E/synapses/data",
        "/weights/I->E/synapses/pre"}},
  };
  for (const Case &c : cases) {
    CAPTURE(c.config);
    const std::string h5 = dir / "run.h5";
    const auto memory = run_both(c.config, h5, c.overrides);
    for (const auto &path : c.expect) {
      CAPTURE(path);
      REQUIRE(memory.count(path) == 1);
      CHECK(memory.at(path).rows > 0);
    }
    check_same(memory, h5);
    CHECK(memory.at(c.expect[0]).growing);
  }
}

TEST_CASE("memory recording: a path twice and an undeclared channel get the writer's messages") {
  MemoryRecording memory;
  gg_sink s = memory.sink(0);
  CHECK(s.declare(s.ctx, "/spikes/E/timestamps", GG_DTYPE_F64, 1, "ms") == 0);
  CHECK(s.declare(s.ctx, "spikes/E/node_ids", GG_DTYPE_U64, 1, "1") == 1);
  const double t[2] = {1.5, 2.5};
  CHECK(s.append(s.ctx, 0, t, 2) == 0);
  memory.check();
  CHECK(s.declare(s.ctx, "spikes/E/timestamps", GG_DTYPE_F64, 1, "ms") == -1);
  CHECK(message_of<OutputError>([&] { memory.check(); }) ==
        "dataset '/spikes/E/timestamps' is written twice: each recorder needs a path of its own "
        "(are two recorders recording the same population and variable?)");
  gg_sink other = memory.sink(1); // channel ids are per instance: this one declared none
  CHECK(other.append(other.ctx, 0, t, 1) == -1);
  CHECK(message_of<OutputError>([&] { memory.check(); }) ==
        "output channel 0 was never declared by this recorder: append to an id that declare() "
        "returned");
  const auto taken = memory.take();
  REQUIRE(taken.count("/spikes/E/timestamps") == 1);
  CHECK(values_of<double>(taken.at("/spikes/E/timestamps")) == std::vector<double>{1.5, 2.5});
  CHECK(taken.at("/spikes/E/node_ids").rows == 0);
}
