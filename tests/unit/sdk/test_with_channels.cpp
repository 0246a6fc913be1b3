// ganglion::with_channels (ganglion/sdk/channels.hpp): syn(i, V) is the input plus each channel's
// current in the channels' order, with the rounding of the synapses' own `current` hooks (the same
// bits), and it advances each channel's state by its decay; with and without an input array, for 1
// to GG_MAX_CHANNELS channels of either form. A view that hands channels of two forms is refused.
#include <doctest/doctest.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "ganglion/sdk/channels.hpp"

namespace {

constexpr uint64_t kN = 37; // not a multiple of any vector width

double value(uint64_t i, int k) {
  return 0.013 * double(i + 1) + 0.41 * double(k);
}

// What the kernel would do without channels: input, then each projection's current hook, in
// order (exp_conductance's `in += g * a * (E - V)`, exp_current's `in += I * a`), then the decay.
struct Reference {
  std::vector<double> input;
  std::vector<std::vector<double>> g;
};
Reference reference(int form, int n_channels, bool with_input, const std::vector<double> &V,
                    const std::vector<gg_channel> &ch, const std::vector<double> &input) {
  Reference r;
  r.input.assign(kN, 0.0);
  if (with_input) r.input = input;
  for (int k = 0; k < n_channels; ++k) {
    std::vector<double> g(kN);
    for (uint64_t i = 0; i < kN; ++i) {
      const double x = value(i, k);
      r.input[i] +=
          form == GG_CHANNEL_CONDUCTANCE ? x * ch[k].scale * (ch[k].E - V[i]) : x * ch[k].scale;
      g[i] = x * ch[k].decay;
    }
    r.g.push_back(g);
  }
  return r;
}

} // namespace

TEST_CASE("with_channels: the input plus each channel's current, the same bits as the hooks, and "
          "the state decayed") {
  std::vector<double> V(kN), input(kN);
  for (uint64_t i = 0; i < kN; ++i) {
    V[i] = -70.0 + 0.7 * double(i);
    input[i] = 0.1 * double(i) - 1.3;
  }
  for (const int form : {GG_CHANNEL_CURRENT, GG_CHANNEL_CONDUCTANCE})
    for (int n = 1; n <= GG_MAX_CHANNELS; ++n)
      for (const bool with_input : {true, false})
        // Scales of exactly 1 (the Euler scheme's) take a loop without their multiplication
        // where there is no input; one scale of 1 among others does not.
        for (const int unit : {0, 1, 2}) {
          CAPTURE(form);
          CAPTURE(n);
          CAPTURE(with_input);
          CAPTURE(unit);
          std::vector<std::vector<double>> g(static_cast<std::size_t>(n), std::vector<double>(kN));
          std::vector<gg_channel> ch;
          for (int k = 0; k < n; ++k) {
            for (uint64_t i = 0; i < kN; ++i)
              g[std::size_t(k)][i] = value(i, k);
            const double scale = unit == 1 || (unit == 2 && k == 0) ? 1.0 : 0.3 + 0.1 * k;
            ch.push_back({form, g[std::size_t(k)].data(), scale, -80.0 + 40.0 * k, 0.9 - 0.05 * k});
          }
          gg_view v{};
          v.struct_size = sizeof(gg_view);
          v.n = kN;
          v.input = with_input ? input.data() : nullptr;
          v.channels = ch.data();
          v.n_channels = uint32_t(n);
          std::vector<double> got(kN);
          int calls = 0;
          ganglion::with_channels(v, [&](const auto &syn) {
            ++calls;
            for (uint64_t i = 0; i < kN; ++i)
              got[i] = syn(i, V[i]);
          });
          CHECK(calls == 1);
          const Reference want = reference(form, n, with_input, V, ch, input);
          for (uint64_t i = 0; i < kN; ++i) {
            CAPTURE(i);
            CHECK(got[i] == want.input[i]); // exact: the same operations in the same order
            for (int k = 0; k < n; ++k)
              CHECK(g[std::size_t(k)][i] == want.g[std::size_t(k)][i]);
          }
        }
}

TEST_CASE("with_channels: without channels syn is the input; a view older than ABI 1.3 has none") {
  std::vector<double> input(kN);
  for (uint64_t i = 0; i < kN; ++i)
    input[i] = 0.25 * double(i);
  gg_view v{};
  v.n = kN;
  v.input = input.data();
  for (const uint32_t size : {uint32_t(sizeof(gg_view)), uint32_t(offsetof(gg_view, channels))}) {
    CAPTURE(size);
    v.struct_size = size;
    std::vector<double> got(kN, -1.0);
    ganglion::with_channels(v, [&](const auto &syn) {
      for (uint64_t i = 0; i < kN; ++i)
        got[i] = syn(i, -65.0);
    });
    CHECK(got == input);
  }
}

TEST_CASE("with_channels: channels of two forms, or no input and no channel, are refused") {
  std::vector<double> a(kN, 1.0), b(kN, 1.0), input(kN, 0.0);
  const std::vector<gg_channel> mixed = {{GG_CHANNEL_CURRENT, a.data(), 1, 0, 0.5},
                                         {GG_CHANNEL_CONDUCTANCE, b.data(), 1, -80, 0.5}};
  gg_view v{};
  v.struct_size = sizeof(gg_view);
  v.n = kN;
  v.input = input.data();
  v.channels = mixed.data();
  v.n_channels = 2;
  const auto body = [](const auto &) {};
  CHECK_THROWS_WITH_AS(ganglion::with_channels(v, body),
                       "with_channels: the kernel handed 2 channels that are not all of one "
                       "form, or more than 3; the kernel and the SDK disagree",
                       ganglion::Failure);
  v.n_channels = 0;
  v.input = nullptr;
  CHECK_THROWS_WITH_AS(ganglion::with_channels(v, body),
                       "with_channels: neither input nor channels; the kernel and the SDK disagree",
                       ganglion::Failure);
  CHECK(a == std::vector<double>(kN, 1.0)); // nothing was advanced
}
