// The weights recorder's sample as its CUDA companion makes it (weights.cu: a thread for each lane
// of each block of weights, the lanes added pairwise, the blocks' and then the groups' sums added
// in turn, each weight's bin by bin_of), run here on the host with weights_model.hpp's pieces,
// must be the CPU plugin's record bit for bit: mean, standard deviation, histogram and the chosen
// weights. The weights span several blocks and groups and end in a part of a block, their
// magnitudes spread so that a sum in another order gives other bits (checked: the test can fail).
#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <random>
#include <vector>

#include "models/harness.hpp"

#include "../../plugins/recorder/weights/weights_model.hpp"

namespace model = ganglion::weights;

namespace {

// A sink that keeps every row appended, by channel.
struct KeptRows {
  std::vector<std::vector<double>> rows; // per channel, the values in order
  static int32_t declare(void *ctx, const char *, int32_t, uint32_t, const char *) {
    auto &k = *static_cast<KeptRows *>(ctx);
    k.rows.emplace_back();
    return int32_t(k.rows.size() - 1);
  }
  static int32_t write_fixed(void *, const char *, int32_t, const void *, uint64_t, uint32_t,
                             const char *) {
    return 0;
  }
  static int32_t append(void *ctx, int32_t channel, const void *data, uint64_t rows) {
    (void)rows; // (one row at a time here)
    auto &k = *static_cast<KeptRows *>(ctx);
    const auto &widths = k.widths;
    const auto *v = static_cast<const double *>(data);
    k.rows[std::size_t(channel)].insert(k.rows[std::size_t(channel)].end(), v,
                                        v + widths[std::size_t(channel)]);
    return 0;
  }
  std::vector<uint64_t> widths;
};

// Weights over several of the sums' blocks and groups, ending in a part of a block, their
// magnitudes spread over eight decades (so that the order of their addition shows in the bits).
std::vector<float> spread_weights() {
  std::vector<float> w(2 * model::kGroup * model::kBlock + 3 * model::kBlock + 12345);
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> u(0, 1);
  std::uniform_int_distribution<int> e(-6, 2);
  for (auto &x : w)
    x = float(u(rng) * std::pow(10.0, e(rng)));
  return w;
}

// The record as the device makes it.
std::vector<double> device_record(const std::vector<float> &w, double lo, double hi, uint64_t nb,
                                  const std::vector<uint64_t> &chosen) {
  const uint64_t n = w.size();
  const auto sum = [&](double shift, bool square) {
    std::vector<double> blocks(model::blocks_of(n)), groups(model::groups_of(n));
    for (uint64_t b = 0; b < blocks.size(); ++b) {
      double acc[model::kLanes];
      const uint64_t end = std::min(n, (b + 1) * model::kBlock);
      for (uint64_t l = 0; l < model::kLanes; ++l)
        acc[l] = model::lane_part(w.data(), b * model::kBlock, end, l, shift, square);
      blocks[b] = model::lane_sums(acc);
    }
    for (uint64_t g = 0; g < groups.size(); ++g)
      groups[g] = model::group_sum(blocks.data(), blocks.size(), g);
    return model::total_sum(groups.data(), groups.size());
  };
  std::vector<double> r(model::record_values(nb, chosen.size()), 0.0);
  r[0] = model::mean_of(sum(0.0, false), n);
  r[1] = model::std_of(sum(r[0], true), n);
  for (float x : w) {
    const uint32_t b = model::bin_of(x, lo, hi, nb);
    if (b < nb) r[2 + b] += 1;
  }
  for (std::size_t c = 0; c < chosen.size(); ++c)
    r[2 + nb + c] = w[chosen[c]];
  return r;
}

} // namespace

TEST_CASE("weights recorder: the device's record of a sample is the CPU's, bit for bit") {
  std::vector<float> w = spread_weights();
  const uint64_t n = w.size(), nb = 16;
  w[17] = -1.0f;    // outside, below
  w[n - 2] = 50.0f; // the top edge: the last bin
  const std::vector<uint64_t> chosen{0, 17, n - 2, n - 1};

  ganglion::test::PluginInstance rec(ganglion::test::builtin_descriptor("weights"), 1, 0.1);
  rec.set("bins", double(nb));
  rec.set("hist_min", 0);
  rec.set("hist_max", 50);
  KeptRows kept;
  kept.widths = {1, 1, 1, nb, chosen.size()};
  rec.view.sink = gg_sink{&kept, &KeptRows::declare, &KeptRows::write_fixed, &KeptRows::append};
  const std::vector<uint64_t> row_ptr{0, n};
  const std::vector<uint32_t> post(n, 0);
  rec.view.weight = w.data();
  rec.view.n_synapses = n;
  rec.view.row_ptr = row_ptr.data();
  rec.view.post_index = post.data();
  rec.view.n_pre = 1;
  rec.view.projection = "A->B";
  rec.view.chosen_synapses = chosen.data();
  rec.view.n_chosen_synapses = chosen.size();
  rec.view.every = 1;
  rec.init();  // the sample at t = 0
  rec.step(0); // and the one after step 0

  REQUIRE(kept.rows.size() == 5);
  const std::vector<double> r = device_record(w, 0, 50, nb, chosen);
  for (std::size_t s = 0; s < 2; ++s) {
    CAPTURE(s);
    CHECK(kept.rows[0][s] == doctest::Approx(0.1 * double(s)));
    std::vector<double> cpu{kept.rows[1][s], kept.rows[2][s]};
    cpu.insert(cpu.end(), kept.rows[3].begin() + long(s * nb),
               kept.rows[3].begin() + long((s + 1) * nb));
    cpu.insert(cpu.end(), kept.rows[4].begin() + long(s * chosen.size()),
               kept.rows[4].begin() + long((s + 1) * chosen.size()));
    REQUIRE(cpu.size() == r.size());
    CHECK(std::memcmp(cpu.data(), r.data(), sizeof(double) * r.size()) == 0);
  }
  double inside = 0;
  for (uint64_t b = 0; b < nb; ++b)
    inside += r[2 + b];
  double in_range = 0; // (some lie above 50: up to 100)
  for (float x : w)
    in_range += x >= 0 && x <= 50 ? 1 : 0;
  CHECK(inside == in_range);
  CHECK(inside < double(n - 1));                        // the one below, and those above, in none
  CHECK(r[2 + nb - 1] >= 1);                            // the top edge's
  CHECK(model::bin_of(std::nanf(""), 0, 50, nb) == nb); // NaN: in no bin
}

TEST_CASE("weights recorder: the order of the sums matters for these weights") {
  // The mean in the device's order and in plain order differ in their bits, so the test above
  // would see a CPU that summed in another order.
  const std::vector<float> w = spread_weights();
  const uint64_t n = w.size();
  double plain = 0;
  for (float x : w)
    plain += double(x);
  const std::vector<double> r = device_record(w, 0, 50, 1, {});
  CHECK(r[0] != plain / double(n));
  CHECK(r[0] == doctest::Approx(plain / double(n)).epsilon(1e-12));
}
