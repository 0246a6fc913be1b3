// ganglion::integrate_and_fire::step (ganglion/integrate_and_fire.hpp, the step lif and eif
// share): a held element keeps V_re and the others take next(); spikes reset and hold; and
// out_of_range is set exactly when V ends outside [V_min, V_max] or NaN (GG_DESC_CHECKS_BOUNDS:
// the kernel then finds the element), in the loop or by a reset.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "ganglion/integrate_and_fire.hpp"
#include "ganglion/sdk/params.hpp"

namespace {

enum Field { V, until, V_th, V_re, tau_ref, count };
constexpr ganglion::integrate_and_fire::Fields kFields{V, until, V_th, V_re, tau_ref, -1000, 1000};

struct Population {
  std::vector<std::vector<double>> data;
  std::vector<double *> ptrs;
  std::vector<uint32_t> spikes;
  uint64_t n_spikes = 0;
  int32_t out_of_range = 0;
  gg_view v{};
  explicit Population(uint64_t n) : data(count, std::vector<double>(n, 0.0)), spikes(n) {
    for (auto &d : data)
      ptrs.push_back(d.data());
    for (uint64_t i = 0; i < n; ++i) {
      data[V_th][i] = -50;
      data[V_re][i] = -60;
      data[tau_ref][i] = 2;
    }
    v.struct_size = sizeof(gg_view);
    v.n = n;
    v.dt = 0.1;
    v.fields = ptrs.data();
    v.n_fields = count;
    v.spikes = spikes.data();
    v.n_spikes = &n_spikes;
    v.spike_capacity = n;
    v.out_of_range = &out_of_range;
  }
  // One step at `step` in which element i integrates to next[i].
  void step(uint64_t step, const std::vector<double> &next) {
    v.step = step;
    n_spikes = 0;
    out_of_range = 0;
    ganglion::with_params(v, {V_th, V_re, tau_ref}, [&](const auto &p) {
      ganglion::integrate_and_fire::step<kFields>(
          v, p, [&](uint64_t i, double) GANGLION_INLINE { return next[i]; });
    });
  }
};

} // namespace

TEST_CASE("integrate_and_fire::step: out_of_range exactly where V ends outside its range or NaN") {
  const double inf = std::numeric_limits<double>::infinity(),
               nan = std::numeric_limits<double>::quiet_NaN();
  // 300 elements (chunks of 128: the odd one out in the second or the last, partial chunk).
  for (const uint64_t at : {uint64_t(0), uint64_t(130), uint64_t(299)})
    for (const double bad : {-1000.5, 1000.5, inf, -inf, nan}) {
      CAPTURE(at);
      CAPTURE(bad);
      Population pop(300);
      std::vector<double> next(300, -55.0);
      pop.step(0, next);
      CHECK(pop.out_of_range == 0);
      next[at] = bad;
      pop.step(1, next);
      CHECK(pop.out_of_range == 1);
      // The range's ends are inside (the bound check's `min <= V <= max`); at a step past any
      // hold (a value above V_th spiked: V_re, held for 20 steps).
      next[at] = -1000.0;
      next[(at + 1) % 300] = -1000.0;
      pop.step(100, next);
      CHECK(pop.out_of_range == 0);
      CHECK(pop.data[V][at] == -1000.0);
    }
}

TEST_CASE("integrate_and_fire::step: a spike resets to V_re and holds it for tau_ref / dt steps; "
          "a reset outside the range is reported") {
  Population pop(200);
  std::vector<double> next(200, -55.0);
  next[150] = -49.0; // crosses V_th = -50
  pop.step(10, next);
  REQUIRE(pop.n_spikes == 1);
  CHECK(pop.spikes[0] == 150);
  CHECK(pop.data[V][150] == -60.0);
  CHECK(pop.data[until][150] == 10 + 1 + 20); // held in steps 11 to 30 (2 ms at 0.1 ms)
  CHECK(pop.out_of_range == 0);
  next[150] = -40.0; // would cross again, but it is held
  for (uint64_t s = 11; s <= 30; ++s) {
    pop.step(s, next);
    CHECK(pop.n_spikes == 0);
    CHECK(pop.data[V][150] == -60.0);
  }
  pop.step(31, next); // free again: integrates, crosses, spikes
  CHECK(pop.n_spikes == 1);
  CHECK(pop.data[until][150] == 31 + 1 + 20);
  // A reset below the range: only the spike's reset puts V there, and it is reported.
  for (auto &x : pop.data[V_re])
    x = -1500;
  next[150] = -55.0;
  next[20] = -45.0;
  pop.step(100, next);
  CHECK(pop.n_spikes == 1);
  CHECK(pop.data[V][20] == -1500.0);
  CHECK(pop.out_of_range == 1);
}

TEST_CASE("integrate_and_fire::step: a V exactly at V_th spikes, the next double below does not, "
          "in any chunk, with V_th one for all or per element, and at V_th = +0 or -0") {
  // The chunk's reduction (the lowest V_th - V as bits) must not miss an element exactly at V_th.
  for (const bool per_element : {false, true})
    for (const double th : {-50.0, 0.0, -0.0})
      for (const uint64_t at : {uint64_t(0), uint64_t(127), uint64_t(128), uint64_t(299)}) {
        CAPTURE(per_element);
        CAPTURE(th);
        CAPTURE(at);
        Population pop(300);
        for (auto &x : pop.data[V_th])
          x = th;
        if (per_element) pop.data[V_th][(at + 7) % 300] = th + 10; // not one for all
        std::vector<double> next(300, -55.0);
        next[at] = std::nextafter(th, -std::numeric_limits<double>::infinity());
        pop.step(0, next);
        CHECK(pop.n_spikes == 0);
        uint64_t step = 0;
        for (const double at_th : {th, -th}) { // +0 and -0 are both at a threshold of 0
          if (at_th != th) continue;           // (-50 and 50 are not)
          next[at] = at_th;
          step += 100; // past the last spike's hold
          pop.step(step, next);
          REQUIRE(pop.n_spikes == 1);
          CHECK(pop.spikes[0] == at);
        }
      }
}
