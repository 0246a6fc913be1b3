// Tests of the spike-train measures (framework/src/analysis): each checks a property the measure
// must have on trains whose answer is known, exactly or from the estimator's sampling
// distribution (the tolerance and its derivation are given with each check), and the file path
// on a small HDF5 file written here.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "analysis/analyze_file.hpp"
#include "analysis/spike_stats.hpp"
#include "output/hdf5_writer.hpp"

namespace fs = std::filesystem;
using namespace ganglion;

namespace {

struct Train {
  std::vector<double> t;
  std::vector<uint64_t> id;
  void add(double time, uint64_t neuron) {
    t.push_back(time);
    id.push_back(neuron);
  }
};

// A uniform double in (0, 1] from the raw engine (53 bits), so the trains are the same on every
// standard library (std::exponential_distribution's algorithm is not specified).
double uniform01(std::mt19937_64 &rng) { return (double(rng() >> 11) + 1.0) * 0x1p-53; }

// Spike times of a homogeneous Poisson process of `rate_hz` on (0, duration_ms].
std::vector<double> poisson_times(std::mt19937_64 &rng, double rate_hz, double duration_ms) {
  std::vector<double> out;
  const double mean_isi = 1000.0 / rate_hz;
  for (double t = -mean_isi * std::log(uniform01(rng)); t <= duration_ms;
       t += -mean_isi * std::log(uniform01(rng)))
    out.push_back(t);
  return out;
}

// n independent Poisson neurons; with `shared` > 0 each is the union of an independent train at
// (1 - shared) * rate and one common train at shared * rate (the same times for every neuron).
Train poisson_population(uint64_t n, double rate_hz, double duration_ms, uint64_t seed,
                         double shared = 0) {
  std::mt19937_64 rng(seed);
  Train tr;
  std::vector<double> common;
  if (shared > 0) common = poisson_times(rng, shared * rate_hz, duration_ms);
  for (uint64_t i = 0; i < n; ++i) {
    for (double t : poisson_times(rng, (1 - shared) * rate_hz, duration_ms)) tr.add(t, i);
    for (double t : common) tr.add(t, i);
  }
  return tr;
}

// A fresh folder removed at scope exit.
struct Scratch {
  Scratch() {
    std::string tmpl = (fs::temp_directory_path() / "ganglion-analysis-XXXXXX").string();
    REQUIRE(mkdtemp(tmpl.data()) != nullptr);
    path = tmpl;
  }
  ~Scratch() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  std::string operator/(const std::string &name) const { return (path / name).string(); }
  fs::path path;
};

} // namespace

TEST_CASE("analysis: the mean rate is exact on a known train over the span from..duration") {
  // 4 neurons, 1 s: neuron 0 every 100 ms (100 .. 1000: 10 spikes), neuron 1 at 250, 500, 750
  // (3), neuron 2 once at 1000, neuron 3 silent: 14 spikes / (4 neurons * 1 s) = 3.5 Hz.
  Train tr;
  for (int k = 1; k <= 10; ++k) tr.add(100.0 * k, 0);
  for (double t : {250.0, 500.0, 750.0}) tr.add(t, 1);
  tr.add(1000.0, 2);
  CHECK(mean_rate_hz(tr.t, tr.id, 4, 1000) == doctest::Approx(3.5).epsilon(1e-15));
  // From 500 ms: a spike at exactly 500 is in the skipped part, one at exactly 1000 is counted:
  // neuron 0: 600 .. 1000 (5), neuron 1: 750 (1), neuron 2: 1000 (1) = 7 / (4 * 0.5 s) = 3.5 Hz.
  CHECK(mean_rate_hz(tr.t, tr.id, 4, 1000, 500) == doctest::Approx(3.5).epsilon(1e-15));
  // Spikes after the duration are not counted: 14 spikes over 2 s is 1.75 Hz only if they were
  // all inside; shortening the span to (0, 250] leaves neuron 0's 100, 200 and neuron 1's 250.
  CHECK(mean_rate_hz(tr.t, tr.id, 4, 250) == doctest::Approx(3.0 / (4 * 0.25)).epsilon(1e-15));
  CHECK(spike_stats(tr.t, tr.id, 4, 1000).spikes == 14);

  // Bad input is refused with a reason, not guessed around.
  const std::vector<uint64_t> bad_ids{0, 7};
  const std::vector<double> two{1.0, 2.0};
  CHECK_THROWS_AS(mean_rate_hz(two, bad_ids, 4, 1000), std::invalid_argument);
  CHECK_THROWS_AS(mean_rate_hz(two, tr.id, 4, 1000), std::invalid_argument); // lengths differ
  CHECK_THROWS_AS(mean_rate_hz(tr.t, tr.id, 4, 1000, 1000), std::invalid_argument); // empty span
}

TEST_CASE("analysis: a regular train has CV 0 and a Fano factor that goes to 0") {
  // 50 neurons firing every 10 ms, each with its own phase inside (0, 10) (off the window edges).
  Train tr;
  const double duration = 10000;
  for (uint64_t i = 0; i < 50; ++i)
    for (double t = 0.13 + 0.19 * double(i); t <= duration; t += 10) tr.add(t, i);
  const CvResult cv = isi_cv(tr.t, tr.id, 50, duration);
  CHECK(cv.neurons == 50);
  CHECK(std::abs(cv.mean) < 1e-9); // intervals equal up to rounding of the sums (~1e-12 ms)

  // 10 ms divides the 100 ms window: every window holds exactly 10 spikes, variance 0.
  const FanoResult f = fano_factor(tr.t, tr.id, 50, duration, 100);
  CHECK(f.windows == 100);
  CHECK(f.neurons == 50);
  CHECK(std::abs(f.mean) < 1e-12);

  // Period T = 30 ms, not dividing the window: a window of w holds floor(w/T) or that + 1
  // spikes, so its variance is at most 1/4 (two values one apart) while its mean is w/T: the
  // Fano factor is at most T / (4 w), -> 0 as the window grows. The bound is checked for growing
  // windows, and the factor is seen to fall.
  Train slow;
  for (uint64_t i = 0; i < 50; ++i)
    for (double t = 0.13 + 0.57 * double(i); t <= 100000; t += 30) slow.add(t, i);
  double previous = 1;
  for (double w : {100.0, 1000.0, 10000.0}) {
    const FanoResult g = fano_factor(slow.t, slow.id, 50, 100000, w);
    // The unbiased variance (divisor W - 1) can exceed the 1/4 bound by the factor W / (W - 1).
    const double W = double(g.windows);
    CHECK(g.mean <= 30.0 / (4 * w) * W / (W - 1) + 1e-12);
    CHECK(g.mean < previous);
    previous = g.mean;
  }
  CHECK(previous < 1e-3);
}

TEST_CASE("analysis: Poisson trains have CV ~ 1 and Fano factor ~ 1") {
  // 200 neurons at 20 Hz for 20 s: ~400 intervals per neuron, 80,000 in all.
  const uint64_t n = 200;
  const double rate = 20, duration = 20000;
  const Train tr = poisson_population(n, rate, duration, 20240601);

  // CV: for exponential intervals, the delta method gives Var(s/m) = 1/k for k intervals
  // (Var s^2 = 8 sigma^4 / k, Cov(s^2, m) = 2 sigma^3 / k, Var m = sigma^2 / k), so the mean over
  // independent neurons has sd 1/sqrt(total intervals); its bias is O(1/k). Tolerance: 5 sd plus
  // 2/k for the bias.
  const CvResult cv = isi_cv(tr.t, tr.id, n, duration);
  REQUIRE(cv.neurons == n);
  const double intervals = double(tr.t.size() - n);
  const double k = intervals / double(n);
  const double cv_tol = 5 / std::sqrt(intervals) + 2 / k;
  INFO("CV = " << cv.mean << ", tolerance " << cv_tol);
  CHECK(std::abs(cv.mean - 1) < cv_tol);

  // Fano: counts in W = 200 windows of 100 ms, mean lambda = 2. For Poisson counts the delta
  // method gives Var(s^2 / m) = 2 / W (Var s^2 = (lambda + 2 lambda^2) / W, Cov(s^2, m) =
  // lambda / W, Var m = lambda / W) and the bias is O(1/W^2); over n independent neurons the
  // mean has sd sqrt(2 / (n W)). Tolerance: 5 sd.
  const FanoResult f = fano_factor(tr.t, tr.id, n, duration, 100);
  REQUIRE(f.windows == 200);
  REQUIRE(f.neurons == n);
  const double fano_tol = 5 * std::sqrt(2.0 / (double(n) * double(f.windows)));
  INFO("Fano = " << f.mean << ", tolerance " << fano_tol);
  CHECK(std::abs(f.mean - 1) < fano_tol);

  // The same holds with a transient skipped (the process is stationary).
  const FanoResult late = fano_factor(tr.t, tr.id, n, duration, 100, 2000);
  CHECK(late.windows == 180);
  CHECK(std::abs(late.mean - 1) < 5 * std::sqrt(2.0 / (double(n) * 180)));
}

TEST_CASE("analysis: count correlation is ~0 for independent trains and c for a shared fraction c") {
  const uint64_t n = 100;
  const double rate = 20, duration = 100000, bin = 50; // 2000 bins, 1 spike per bin on average
  const double B = duration / bin;

  SUBCASE("independent") {
    // Under independence each pair's sample correlation has sd 1/sqrt(B), and the correlations of
    // two pairs sharing a neuron are uncorrelated, so the mean over P pairs has sd
    // 1/sqrt(B P). Tolerance: 4 sd.
    const Train tr = poisson_population(n, rate, duration, 7);
    const CorrelationResult r = spike_count_correlation(tr.t, tr.id, n, duration, bin, 1000);
    CHECK(r.bins == 2000);
    CHECK(r.neurons == n);
    CHECK(r.pairs == 1000);
    CHECK_FALSE(r.all_pairs); // 4950 pairs > 1000: a sample
    const double tol = 4 / std::sqrt(B * 1000);
    INFO("corr = " << r.mean << ", tolerance " << tol);
    CHECK(std::abs(r.mean) < tol);
  }

  SUBCASE("shared component") {
    // Each count X_i = Y_i + Z with Y_i ~ Poisson((1-c) L) independent and Z ~ Poisson(c L) common
    // (L = rate * bin = 1): Cov(X_i, X_j) = Var Z = c L, Var X_i = L, so the correlation is c.
    // Its estimate over many pairs is, to first order, V_Z / (V_Z + V_Y) with the sample
    // variance V_Z of the one common sequence (the independent parts average out over pairs),
    // so its sd is (1 - c) / L * sd(V_Z) = (1 - c) sqrt(c / L + 2 c^2) / sqrt(B) (Var of a
    // Poisson sample variance: (mu + 2 mu^2) / B); plus the pair sample's 1/sqrt(B P).
    // Tolerance: 4 sd of each.
    const double L = rate * bin * 1e-3;
    for (double c : {0.1, 0.3}) {
      const Train tr = poisson_population(n, rate, duration, 11, c);
      const CorrelationResult r = spike_count_correlation(tr.t, tr.id, n, duration, bin, 1000);
      const double tol =
          4 * (1 - c) * std::sqrt(c / L + 2 * c * c) / std::sqrt(B) + 4 / std::sqrt(B * 1000);
      INFO("c = " << c << ": corr = " << r.mean << ", tolerance " << tol);
      CHECK(r.pairs == 1000);
      CHECK(std::abs(r.mean - c) < tol);
    }
  }

  SUBCASE("the sample: deterministic, all pairs when few, only neurons whose count varies") {
    const Train tr = poisson_population(n, rate, 10000, 3, 0.2);
    const auto a = spike_count_correlation(tr.t, tr.id, n, 10000, bin, 500);
    const auto b = spike_count_correlation(tr.t, tr.id, n, 10000, bin, 500);
    CHECK(a.mean == b.mean); // the same pairs, bit for bit
    const auto other = spike_count_correlation(tr.t, tr.id, n, 10000, bin, 500, 0, 12345);
    CHECK(other.mean != a.mean); // another seed, another sample

    // 10 neurons: a silent one and one with exactly 1 spike per bin (variance 0) are left out,
    // leaving 8 whose 28 pairs are all used.
    Train small;
    for (std::size_t k = 0; k < tr.t.size(); ++k)
      if (tr.id[k] < 8) small.add(tr.t[k], tr.id[k]);
    for (double t = 25; t <= 10000; t += 50) small.add(t, 9); // neuron 8 silent
    const auto s = spike_count_correlation(small.t, small.id, 10, 10000, bin, 1000);
    CHECK(s.neurons == 8);
    CHECK(s.all_pairs);
    CHECK(s.pairs == 28);
    CHECK(std::abs(s.mean - 0.2) < 0.15); // 200 bins: a loose check that it is the same measure
  }
}

TEST_CASE("analysis: input balance splits the projections into E and I by the sign of the mean") {
  // Evenly spaced samples over 1000 ms: 10 samples at 100, 200, ..., 1000 ms.
  std::vector<InputSeries> in(3);
  in[0] = {"E->E", "mV/ms", {}, {}};
  in[1] = {"I->E", "mV/ms", {}, {}};
  in[2] = {"X->E", "mV/ms", {}, {}};
  for (int k = 0; k < 10; ++k) {
    in[0].values.push_back(k < 5 ? 9.0 : 1.0); // mean 5, 1 after 500 ms
    in[1].values.push_back(-4.0);
    in[2].values.push_back(0.5);
  }
  const InputBalance b = input_balance(in, 1000);
  REQUIRE(b.projections.size() == 3);
  CHECK(b.projections[0].mean == doctest::Approx(5.0).epsilon(1e-14));
  CHECK(b.projections[0].samples == 10);
  CHECK(b.excitatory == doctest::Approx(5.5).epsilon(1e-14));
  CHECK(b.inhibitory == doctest::Approx(-4.0).epsilon(1e-14));
  CHECK(b.total == doctest::Approx(1.5).epsilon(1e-14));
  CHECK(b.ratio == doctest::Approx(1.5 / 5.5).epsilon(1e-14));
  CHECK(b.unit == "mV/ms");

  // From 500 ms: the sample at 500 ms closes the skipped part; 5 samples remain.
  const InputBalance late = input_balance(in, 1000, 500);
  CHECK(late.projections[0].samples == 5);
  CHECK(late.projections[0].mean == doctest::Approx(1.0).epsilon(1e-14));
  CHECK(late.total == doctest::Approx(-2.5).epsilon(1e-14));
  CHECK(late.ratio == doctest::Approx(2.5 / 1.5).epsilon(1e-14));

  // Given times are used as they are.
  in[0].times_ms = {10, 20, 30, 40, 50, 60, 70, 80, 90, 100};
  CHECK(input_balance(in, 1000, 500).projections[0].samples == 0);
  CHECK(std::isnan(input_balance(in, 1000, 500).projections[0].mean));
}

namespace {

// A small output file as `ganglion run` writes it: E (4 neurons) and I (2) with spikes, inputs
// of E, and the resolved experiment as the root attribute.
void write_small_file(const std::string &path, bool with_spikes) {
  Hdf5Writer w(path, 0);
  nlohmann::ordered_json exp = {
      {"ganglion", 1},
      {"simulation", {{"dt", "0.1 ms"}, {"duration", "1 s"}, {"seed", 1}}},
      {"populations", {{"E", {{"model", "lif"}, {"size", 4}}}, {"I", {{"model", "lif"}, {"size", 2}}}}},
      {"projections",
       {{{"name", "E->E"}, {"pre", "E"}, {"post", "E"}}, {{"name", "I->E"}, {"pre", "I"}, {"post", "E"}}}}};
  w.attribute("/", "experiment", exp.dump());
  w.attribute("/", "status", std::string("complete"));
  if (with_spikes) {
    // E: neuron 0 every 10 ms (100 spikes), neuron 1 every 20 ms (50), 2 and 3 silent: 150
    // spikes / (4 * 1 s) = 37.5 Hz. I: neuron 0 every 5 ms (200), neuron 1 silent: 100 Hz.
    std::vector<double> te, ti;
    std::vector<uint64_t> ie, ii;
    for (int s = 1; s <= 1000; ++s) {
      const double t = 1.0 * s - 0.05; // off the bin edges
      if (s % 10 == 0) { te.push_back(t); ie.push_back(0); }
      if (s % 20 == 0) { te.push_back(t); ie.push_back(1); }
      if (s % 5 == 0) { ti.push_back(t); ii.push_back(0); }
    }
    const int32_t a = w.declare("/spikes/E/timestamps", GG_DTYPE_F64, 1, "ms");
    const int32_t b = w.declare("/spikes/E/node_ids", GG_DTYPE_U64, 1, "1");
    const int32_t c = w.declare("/spikes/I/timestamps", GG_DTYPE_F64, 1, "ms");
    const int32_t d = w.declare("/spikes/I/node_ids", GG_DTYPE_U64, 1, "1");
    w.append(a, te.data(), te.size());
    w.append(b, ie.data(), ie.size());
    w.append(c, ti.data(), ti.size());
    w.append(d, ii.data(), ii.size());
  }
  // Inputs of E: 10 samples; E->E 3 mV/ms, I->E -2.4 mV/ms (written in file order I->E first).
  const std::vector<double> ee(10, 3.0), ie_in(10, -2.4);
  w.write_fixed("/inputs/E/I->E", GG_DTYPE_F64, ie_in.data(), ie_in.size(), 1, "mV/ms");
  w.write_fixed("/inputs/E/E->E", GG_DTYPE_F64, ee.data(), ee.size(), 1, "mV/ms");
  w.commit();
}

} // namespace

TEST_CASE("analysis: analyze_file reads an output file and gives the expected numbers") {
  Scratch dir;
  const std::string path = dir / "small.h5";
  write_small_file(path, true);
  CHECK(file_has_spikes(path));

  const FileAnalysis a = analyze_file(path);
  CHECK(a.duration_ms == 1000);
  CHECK(a.status == "complete");
  REQUIRE(a.populations.size() == 2);
  CHECK(a.populations[0].name == "E"); // the experiment's order
  CHECK(a.populations[1].name == "I");

  const SpikeStats &e = a.populations[0].spikes;
  CHECK(e.size == 4);
  CHECK(e.spikes == 150);
  CHECK(e.rate_hz == doctest::Approx(37.5).epsilon(1e-14));
  CHECK(e.cv.neurons == 2);
  CHECK(std::abs(e.cv.mean) < 1e-9);      // regular
  CHECK(e.fano.windows == 10);
  CHECK(e.fano.neurons == 2);             // the silent ones are left out
  CHECK(std::abs(e.fano.mean) < 1e-12);   // 10 and 5 spikes in every window
  CHECK(e.correlation.bins == 20);
  // Per 50 ms bin neuron 0 has exactly 5 spikes (left out: no variance), neuron 1 alternates 2
  // and 3: one eligible neuron, no pair, no value.
  CHECK(e.correlation.neurons == 1);
  CHECK(e.correlation.pairs == 0);
  CHECK(std::isnan(e.correlation.mean));
  const SpikeStats &i = a.populations[1].spikes;
  CHECK(i.rate_hz == doctest::Approx(100.0).epsilon(1e-14));

  REQUIRE(a.populations[0].has_inputs);
  CHECK_FALSE(a.populations[1].has_inputs);
  const InputBalance &b = a.populations[0].inputs;
  REQUIRE(b.projections.size() == 2);
  CHECK(b.projections[0].name == "E->E"); // the experiment's order of projections
  CHECK(b.projections[0].unit == "mV/ms");
  CHECK(b.excitatory == doctest::Approx(3.0).epsilon(1e-14));
  CHECK(b.inhibitory == doctest::Approx(-2.4).epsilon(1e-14));
  CHECK(b.total == doctest::Approx(0.6).epsilon(1e-12));
  CHECK(b.ratio == doctest::Approx(0.2).epsilon(1e-12));

  // With a transient skipped: the rate of regular trains is unchanged.
  SpikeStatsOptions o;
  o.from_ms = 100;
  const FileAnalysis late = analyze_file(path, o);
  CHECK(late.populations[0].spikes.spikes == 135);
  CHECK(late.populations[0].spikes.rate_hz == doctest::Approx(37.5).epsilon(1e-14));
  CHECK(late.populations[0].spikes.fano.windows == 9);

  const std::string text = format_analysis(a);
  CHECK(text.find("37.500") != std::string::npos);
  CHECK(text.find("E->E") != std::string::npos);
  CHECK(text.find("|total| / excitation") != std::string::npos);

  // --from past the end is refused.
  o.from_ms = 1000;
  CHECK_THROWS_WITH_AS(analyze_file(path, o), doctest::Contains("before the end of the run"),
                       AnalysisError);
}

TEST_CASE("analysis: analyze_file refuses files it cannot analyse with a clear message") {
  Scratch dir;
  const std::string no_spikes = dir / "no_spikes.h5";
  write_small_file(no_spikes, false);
  CHECK_FALSE(file_has_spikes(no_spikes));
  CHECK_THROWS_WITH_AS(analyze_file(no_spikes), doctest::Contains("no /spikes group"),
                       AnalysisError);

  CHECK_THROWS_WITH_AS(analyze_file(dir / "missing.h5"), doctest::Contains("no such file"),
                       AnalysisError);

  const std::string text = dir / "notes.h5";
  std::ofstream(text) << "not hdf5\n";
  CHECK_THROWS_WITH_AS(analyze_file(text), doctest::Contains("not an HDF5 file"), AnalysisError);

  const std::string foreign = dir / "foreign.h5";
  {
    Hdf5Writer w(foreign, 0);
    w.attribute("/", "creator", std::string("someone else"));
    w.commit();
  }
  CHECK_THROWS_WITH_AS(analyze_file(foreign), doctest::Contains("not a ganglion output file"),
                       AnalysisError);
}
