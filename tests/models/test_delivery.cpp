// Spike delivery through ganglion::for_each_arrival and the compact synapse layout (ABI 1.2,
// GG_DESC_COMPACT_CSR): every arriving synapse visited exactly once, in the arrivals' order for
// each target when rows ascend (so the sums are the same bits as a plain loop), with 16- and 32-bit
// targets, walked plainly or block by block; and whole runs that store synapses compactly, or
// deliver a large projection on several threads by target range, giving the same spikes as runs
// that store them in full on one thread.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "ganglion/plugin.hpp"
#include "support.hpp"

using namespace ganglion::test;

namespace {

// Rows of a CSR onto n targets and a set of arrivals over them, as a synapse view sees them.
struct Arrivals {
  uint64_t n = 0;
  std::vector<uint64_t> row_ptr{0};
  std::vector<uint32_t> post32;
  std::vector<uint16_t> post16;
  std::vector<float> weight;
  std::vector<gg_arrival> arrivals;

  // rows rows of about `per_row` distinct targets each, ascending unless `shuffled`; arrivals
  // are `spikes` rows drawn with repetition (a neuron may spike twice in a step, or over delays).
  Arrivals(uint64_t n_, uint64_t rows, uint64_t per_row, uint64_t spikes, bool shuffled,
           uint32_t seed)
      : n(n_) {
    std::mt19937 rng(seed);
    std::bernoulli_distribution take(double(per_row) / double(n));
    std::uniform_int_distribution<int> small(-8, 8);
    std::uniform_real_distribution<float> real(-1, 1);
    for (uint64_t i = 0; i < rows; ++i) {
      std::vector<uint32_t> row;
      for (uint32_t j = 0; j < n; ++j)
        if (take(rng)) row.push_back(j);
      if (shuffled) std::shuffle(row.begin(), row.end(), rng);
      for (uint32_t j : row) {
        post32.push_back(j);
        // Small integers where rows are shuffled (exact sums in any order), else reals (whose
        // sums differ in their last bits when the order changes).
        weight.push_back(shuffled ? float(small(rng)) : real(rng));
      }
      row_ptr.push_back(post32.size());
    }
    post16.assign(post32.begin(), post32.end());
    std::uniform_int_distribution<uint64_t> pick(0, rows - 1);
    for (uint64_t a = 0; a < spikes; ++a) {
      const uint64_t i = pick(rng);
      arrivals.push_back({row_ptr[i], row_ptr[i + 1], uint32_t(i), 1});
    }
  }

  gg_view view(bool narrow) const {
    gg_view v{};
    v.struct_size = sizeof(gg_view);
    v.n = n;
    v.arrivals = arrivals.data();
    v.n_arrivals = arrivals.size();
    v.row_ptr = row_ptr.data();
    v.post_index = narrow ? nullptr : post32.data();
    v.post_index16 = narrow ? post16.data() : nullptr;
    v.weight = weight.data();
    return v;
  }
  uint64_t synapses() const {
    uint64_t s = 0;
    for (const auto &a : arrivals)
      s += a.end - a.begin;
    return s;
  }
};

// What for_each_arrival must do, written plainly: x[target] += weight x scale, arrival by
// arrival. With scale 0.1 the terms have all 53 bits, so a sum taken in another order differs in
// its last bits.
std::vector<double> plain(const Arrivals &t, double scale) {
  std::vector<double> x(t.n, scale);
  for (const auto &a : t.arrivals)
    for (uint64_t s = a.begin; s < a.end; ++s)
      x[t.post32[s]] += double(t.weight[s]) * scale;
  return x;
}

// The same through for_each_arrival, counting the visits of each synapse.
std::vector<double> delivered(const Arrivals &t, bool narrow, double scale,
                              std::vector<int> &visits) {
  std::vector<double> x(t.n, scale);
  visits.assign(t.post32.size(), 0);
  ganglion::for_each_arrival(t.view(narrow), [&](uint32_t j, uint64_t s) {
    CHECK(j == t.post32[s]);
    ++visits[s];
    x[j] += double(t.weight[s]) * scale;
  });
  return x;
}

std::vector<int> expected_visits(const Arrivals &t) {
  std::vector<int> v(t.post32.size(), 0);
  for (const auto &a : t.arrivals)
    for (uint64_t s = a.begin; s < a.end; ++s)
      ++v[s];
  return v;
}

} // namespace

TEST_CASE("delivery: every arriving synapse once, the same bits as a plain loop (16 and 32 bits)") {
  // 5000 targets (3 blocks of 2048), rows of about 900: blocked (300 >= 128 per block and
  // arrival).
  // Then rows of 10: plain. Repeated rows, arrivals of the same neuron twice, included.
  for (const uint64_t per_row : {uint64_t(900), uint64_t(10)}) {
    const Arrivals t(5000, 60, per_row, 40, false, 7);
    const std::vector<double> want = plain(t, 0.1);
    for (const bool narrow : {false, true}) {
      CAPTURE(per_row);
      CAPTURE(narrow);
      std::vector<int> visits;
      const std::vector<double> got = delivered(t, narrow, 0.1, visits);
      CHECK(visits == expected_visits(t));
      CHECK(std::memcmp(got.data(), want.data(), got.size() * sizeof(double)) == 0);
    }
  }
}

TEST_CASE("delivery: rows in any order still have every synapse visited once") {
  const Arrivals t(5000, 60, 900, 40, true, 11);
  for (const bool narrow : {false, true}) {
    std::vector<int> visits;
    CHECK(delivered(t, narrow, 1.0, visits) == plain(t, 1.0)); // integers: exact in any order
    CHECK(visits == expected_visits(t));
  }
  CHECK(t.synapses() > 20 * 900);
}

TEST_CASE("delivery: an arrival's count reaches a callback that takes it once, else as that many "
          "calls") {
  // Counted arrivals (ABI 1.6, a drive's): each its count, 1 to 4. A callback with a count gets
  // one call per synapse with that count; one without gets as many calls as the count. Without
  // counts a callback that takes one is handed 1.
  const Arrivals t(300, 40, 12, 60, false, 5);
  std::vector<uint32_t> counts;
  for (std::size_t a = 0; a < t.arrivals.size(); ++a)
    counts.push_back(uint32_t(1 + a % 4));
  std::vector<double> want(t.post32.size(), 0), once(want.size(), 0), repeated(want.size(), 0);
  for (std::size_t a = 0; a < t.arrivals.size(); ++a)
    for (uint64_t s = t.arrivals[a].begin; s < t.arrivals[a].end; ++s)
      want[s] += counts[a];
  for (const bool narrow : {false, true}) {
    gg_view v = t.view(narrow);
    v.arrival_counts = counts.data();
    std::fill(once.begin(), once.end(), 0);
    std::fill(repeated.begin(), repeated.end(), 0);
    uint64_t calls = 0;
    ganglion::for_each_arrival(v, [&](uint32_t j, uint64_t s, double n) {
      CHECK(j == t.post32[s]);
      once[s] += n;
      ++calls;
    });
    ganglion::for_each_arrival(v, [&](uint32_t, uint64_t s) { repeated[s] += 1; });
    CHECK(once == want);
    CHECK(repeated == want);
    CHECK(calls == t.synapses());
    v.arrival_counts = nullptr;
    std::vector<int> visits(t.post32.size(), 0);
    ganglion::for_each_arrival(v, [&](uint32_t, uint64_t s, double n) {
      CHECK(n == 1.0);
      ++visits[s];
    });
    CHECK(visits == expected_visits(t));
  }
}

TEST_CASE("compact synapses: 2 bytes a synapse, the same spikes as synapses stored in full, and as "
          "delivery split between threads") {
  // E (3000) and I (750) with exp_current, exp_conductance and delta projections. Recording a
  // projection's weights makes the kernel keep its synapses in full (32-bit targets, a weight
  // each); without recorders every projection is compact. Rows of about 300 onto 3000 neurons are
  // delivered block by block.
  const std::string json =
      R"({"ganglion": 1, "simulation": {"dt": "0.1 ms", "duration": "200 ms", "seed": 3},
      "populations": {
        "E": {"model": "lif", "size": 3000, "init": {"V": {"uniform": ["-65 mV", "-50 mV"]}},
              "params": {"I_e": "1.7 mV/ms", "tau_m": "20 ms"}},
        "I": {"model": "lif", "size": 750, "init": {"V": {"uniform": ["-65 mV", "-50 mV"]}},
              "params": {"I_e": "1.7 mV/ms", "tau_m": "20 ms"}}},
      "projections": [
        {"pre": "E", "post": "E", "synapse": "exp_current", "connect": {"rule": "fixed_probability", "p": 0.1},
         "weight": 0.01},
        {"pre": "E", "post": "I", "synapse": "delta", "connect": {"rule": "fixed_probability", "p": 0.1},
         "weight": 0.1},
        {"pre": "I", "post": "E", "synapse": "exp_conductance", "params": {"E_syn": "-80 mV"},
         "connect": {"rule": "fixed_probability", "p": 0.1}, "weight": 0.002},
        {"pre": "I", "post": "I", "synapse": "exp_current", "connect": {"rule": "fixed_indegree", "indegree": 50},
         "weight": {"normal": [-0.2, 0.05]}}],
      "recorders": [{"type": "spikes", "populations": ["E", "I"]}RECORDERS]})";
  std::string full_json = json, compact_json = json;
  std::string weights;
  for (const char *p : {"E->E", "E->I", "I->E", "I->I"})
    weights += std::string(R"(, {"type": "weights", "projection": ")") + p + R"("})";
  full_json.replace(full_json.find("RECORDERS"), 9, weights);
  compact_json.replace(compact_json.find("RECORDERS"), 9, "");
  const InProcessRun full = run_in_process(full_json, {"simulation.threads=1"}),
                     compact = run_in_process(compact_json, {"simulation.threads=1"});
  for (const std::string pop : {"E", "I"}) {
    CAPTURE(pop);
    CHECK(full.spikes.at(pop).times.size() > 1000);
    CHECK(compact.spikes.at(pop).times == full.spikes.at(pop).times);
    CHECK(compact.spikes.at(pop).ids == full.spikes.at(pop).ids);
  }
  // With more threads, E->E (two thirds of the synapses, rows of about 300) is delivered in one
  // part per thread, by target range: the same sums in the same order, so the same spikes.
  for (const int threads : {2, 3}) {
    CAPTURE(threads);
    const InProcessRun split =
        run_in_process(compact_json, {"simulation.threads=" + std::to_string(threads)});
    CHECK(split.report.projections[0].parts == unsigned(threads));
    CHECK(split.report.projections[1].parts == 1); // delta moves V: never split
    for (const std::string pop : {"E", "I"}) {
      CHECK(split.spikes.at(pop).times == full.spikes.at(pop).times);
      CHECK(split.spikes.at(pop).ids == full.spikes.at(pop).ids);
    }
  }
  CHECK(compact.report.projections[0].parts == 1);
  REQUIRE(compact.report.projections.size() == 4);
  for (std::size_t q = 0; q < 4; ++q) {
    const auto &c = compact.report.projections[q], &f = full.report.projections[q];
    CAPTURE(c.name);
    REQUIRE(c.synapses == f.synapses);
    const double row_bytes = 8.0 * (q < 2 ? 3001 : 751) / double(c.synapses);
    // In full: 4-byte targets and 4-byte weights. Compact: 2-byte targets and, for the constant
    // weights, one weight in all; I->I's drawn weights stay per synapse.
    CHECK(double(f.bytes) / double(f.synapses) == doctest::Approx(8 + row_bytes));
    CHECK(double(c.bytes) / double(c.synapses) ==
          doctest::Approx((q == 3 ? 6 : 2) + row_bytes).epsilon(1e-3));
  }
}
