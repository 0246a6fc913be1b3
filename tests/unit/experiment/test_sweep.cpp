// A sweep's members (experiment/sweep.hpp): --vary's values split at the commas outside lists,
// objects and quotes; a grid in odometer order (the last --vary fastest) or zipped lists; each
// combination once per seed, seed fastest; each member the --set overrides that make it; and the
// mistakes refused with what to write instead.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "experiment/sweep.hpp"
#include "support.hpp"

using namespace ganglion;

namespace {

std::string refusal(const std::vector<Vary> &vary, bool zip, uint64_t seeds) {
  return ganglion::test::message_of<SweepError>([&] { sweep_members(vary, zip, seeds, 1); });
}

std::string vary_refusal(const std::string &text) {
  return ganglion::test::message_of<SweepError>([&] { parse_vary(text); });
}

} // namespace

TEST_CASE("sweep: --vary's values split at the commas outside lists, objects and quotes") {
  const Vary v = parse_vary("populations.E.params.tau_m= 10 ms, 20 ms ,30 ms");
  CHECK(v.path == "populations.E.params.tau_m");
  CHECK(v.values == std::vector<std::string>{"10 ms", "20 ms", "30 ms"});
  CHECK(parse_vary("populations.E.I_app=[1, 2],{\"uniform\": [0, 1]},\"a,b\"").values ==
        std::vector<std::string>{"[1, 2]", "{\"uniform\": [0, 1]}", "\"a,b\""});
  CHECK(parse_vary("simulation.seed=7").values == std::vector<std::string>{"7"});
  CHECK(vary_refusal("populations.E.size") ==
        "--vary 'populations.E.size' has no '=': write --vary path=v1,v2,... (--vary "
        "populations.E.size=100,200)");
  CHECK(vary_refusal("=1,2") == "--vary '=1,2' names no path before '=': write --vary "
                                "path=v1,v2,...");
  CHECK(vary_refusal("populations.E.size=100,,200") ==
        "--vary populations.E.size: an empty value in '100,,200'; separate the values with single "
        "commas");
}

TEST_CASE("sweep: a grid in odometer order, each combination once per seed") {
  const std::vector<Vary> vary{{"a", {"1", "2"}}, {"b", {"x", "y", "z"}}};
  const std::vector<Member> m = sweep_members(vary, false, 2, 5);
  REQUIRE(m.size() == 12);
  CHECK(m[0].values == std::vector<std::string>{"1", "x"});
  CHECK(m[0].seed == 5);
  CHECK(m[1].values == std::vector<std::string>{"1", "x"});
  CHECK(m[1].seed == 6);
  CHECK(m[2].values == std::vector<std::string>{"1", "y"});
  CHECK(m[6].values == std::vector<std::string>{"2", "x"});
  CHECK(m[11].values == std::vector<std::string>{"2", "z"});
  CHECK(m[11].seed == 6);
  CHECK(m[11].sets == std::vector<std::string>{"a=2", "b=z", "simulation.seed=6"});
  // No --vary: the config itself, once per seed.
  const std::vector<Member> seeds = sweep_members({}, false, 3, 1);
  REQUIRE(seeds.size() == 3);
  CHECK(seeds[2].sets == std::vector<std::string>{"simulation.seed=3"});
}

TEST_CASE("sweep: zipped lists pair their values in order, and must be as long") {
  const std::vector<Vary> vary{{"a", {"1", "2", "3"}}, {"b", {"x", "y", "z"}}};
  const std::vector<Member> m = sweep_members(vary, true, 1, 1);
  REQUIRE(m.size() == 3);
  CHECK(m[1].sets == std::vector<std::string>{"a=2", "b=y", "simulation.seed=1"});
  CHECK(refusal({{"a", {"1", "2"}}, {"b", {"x"}}}, true, 1) ==
        "--zip pairs the values in order, but --vary a has 2 and --vary b 1: give each as many, "
        "or leave out --zip for every combination");
  CHECK(refusal({{"a", {"1"}}}, false, 0) == "--seeds takes at least 1");
}
