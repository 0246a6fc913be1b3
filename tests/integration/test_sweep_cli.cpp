// `ganglion sweep` end to end: every member's file holds the spikes of the same experiment run
// alone with the member's values and seed (bit for bit), the table (sweep.csv, and `ganglion
// analyze FOLDER`) has a row per member with its values, seed, exit code and rates; a member that
// fails is named in the table and the exit code; a mistake in a member's values is refused, naming
// the member, before anything runs; and an earlier sweep's folder is never overwritten.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "batch_network.hpp"
#include "support.hpp"

using namespace ganglion::test;
namespace fs = std::filesystem;

namespace {

// 200 lif neurons driven by Poisson input through exp_current, 100 ms, spikes recorded.
const char *kConfig = R"({
  "simulation": {"dt": "0.1 ms", "duration": "100 ms", "seed": 4, "threads": 1},
  "populations": {"E": {"model": "lif", "size": 200},
                  "X": {"model": "poisson", "size": 100, "params": {"rate": "20 Hz"}}},
  "projections": [{"pre": "X", "post": "E", "synapse": "exp_current",
                   "connect": {"rule": "fixed_probability", "p": 0.2}, "weight": 8}],
  "recorders": [{"type": "spikes", "populations": ["E"]}],
  "output": "unused.h5"
})";

std::vector<std::string> lines_of(const std::string &path) {
  std::ifstream in(path);
  std::vector<std::string> out;
  for (std::string line; std::getline(in, line);)
    out.push_back(line);
  return out;
}

bool same_spikes(const std::string &a, const std::string &b) {
  return read_h5_f64(a, "/spikes/E/timestamps") == read_h5_f64(b, "/spikes/E/timestamps") &&
         read_h5_u64(a, "/spikes/E/node_ids") == read_h5_u64(b, "/spikes/E/node_ids") &&
         !read_h5_u64(a, "/spikes/E/node_ids").empty();
}

// A sweep (with `extra` options) into `folder` of a member whose neurons diverge beside one that
// completes: the failure in the table, the exit code and the member's log.
CliResult check_failed_member(const std::string &config, const std::string &folder,
                              const std::string &extra) {
  const CliResult failed = run_cli("sweep " + config + " --vary 'populations.E.I_app=0,-1e12'" +
                                   extra + " -o " + folder);
  CHECK(failed.exit_code == 3);
  CHECK(failed.err.find("1 of 2 members did not complete") != std::string::npos);
  const std::vector<std::string> csv = lines_of(folder + "/sweep.csv");
  REQUIRE(csv.size() == 3);
  CHECK(csv[1].rfind("member_0000,0,4,0,", 0) == 0);
  CHECK(csv[2].rfind("member_0001,-1e12,4,3,", 0) == 0);
  CHECK(read_file(folder + "/member_0001.log").find("diverged at t = 0.1 ms") != std::string::npos);
  return failed;
}

} // namespace

TEST_CASE("sweep CLI: each member is the run alone, and the table has a row for each") {
  TempDir dir;
  const std::string config = write_file(dir / "x.json", kConfig);
  const std::string folder = dir / "sweep";
  const CliResult r = run_cli(
      "sweep " + config + " --vary 'projections.0.weight=6,12' --seeds 2 -o " + folder + " -j 2");
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  // The grid, seeds fastest from the config's: (6, 4), (6, 5), (12, 4), (12, 5).
  const std::vector<std::pair<std::string, int>> members{{"6", 4}, {"6", 5}, {"12", 4}, {"12", 5}};
  for (std::size_t i = 0; i < members.size(); ++i) {
    const std::string alone = dir / ("alone" + std::to_string(i) + ".h5");
    const CliResult a = run_cli(
        "run " + config + " --set projections.0.weight=" + members[i].first +
        " --set simulation.seed=" + std::to_string(members[i].second) + " -o " + alone + " -t 1");
    REQUIRE(a.exit_code == 0);
    CHECK(same_spikes(alone, folder + "/member_000" + std::to_string(i) + ".h5"));
  }
  const std::vector<std::string> csv = lines_of(folder + "/sweep.csv");
  REQUIRE(csv.size() == 5);
  CHECK(csv[0] == "member,projections.0.weight,seed,exit,E rate (Hz),E CV,E predicted (Hz),X rate "
                  "(Hz),X CV,X predicted (Hz)");
  CHECK(csv[3].rfind("member_0002,12,4,0,", 0) == 0);
  // The stronger input drives E harder, in both seeds.
  const auto rate = [&](std::size_t row) {
    const std::string line = csv[row];
    std::size_t at = 0;
    for (int k = 0; k < 4; ++k)
      at = line.find(',', at) + 1;
    return std::stod(line.substr(at));
  };
  CHECK(rate(3) > rate(1));
  CHECK(rate(4) > rate(2));
  // `analyze` reads the sweep back.
  const CliResult a = run_cli("analyze " + folder);
  CHECK(a.exit_code == 0);
  CHECK(a.out.find("member_0003") != std::string::npos);
  // A second sweep into the same folder is refused: nothing of the first is lost.
  const CliResult again =
      run_cli("sweep " + config + " --vary projections.0.weight=6 -o " + folder);
  CHECK(again.exit_code == 1);
  CHECK(again.err == "ganglion: " + folder +
                         " holds a sweep already (sweep.csv): choose another folder with -o, or "
                         "remove it\n");
}

TEST_CASE("sweep CLI: a member's mistake is named before anything runs, a failed member after") {
  TempDir dir;
  const std::string config = write_file(dir / "x.json", kConfig);
  const CliResult bad =
      run_cli("sweep " + config + " --vary 'populations.E.size=100,-5' -o " + (dir / "bad"));
  CHECK(bad.exit_code == 1);
  CHECK(bad.err.find("(in sweep member 1: populations.E.size = -5, seed 4)") != std::string::npos);
  CHECK_FALSE(fs::exists(dir / "bad"));
  // A member whose neurons diverge fails; the others complete.
  check_failed_member(config, dir / "f", "");
}

TEST_CASE("sweep CLI: --together runs the members side by side in one process, each the run "
          "alone, its words in its log") {
  // The same members as processes and together (3 at a time, on threads of the sweep's process):
  // the same files, the same table, a log each with the run's summary; a member that diverges
  // fails alone, its exit code and message where the processes put them.
  TempDir dir;
  const std::string config = write_file(dir / "x.json", kConfig);
  const std::string vary = " --vary 'projections.0.weight=6,12' --seeds 2 -j 3";
  const CliResult apart = run_cli("sweep " + config + vary + " -o " + (dir / "apart"));
  const CliResult together =
      run_cli("sweep " + config + vary + " --together -o " + (dir / "together"));
  INFO(together.err);
  REQUIRE(apart.exit_code == 0);
  REQUIRE(together.exit_code == 0);
  CHECK(together.out.find("3 at a time on 1 thread each in this process") != std::string::npos);
  for (int i = 0; i < 4; ++i) {
    const std::string member = "/member_000" + std::to_string(i);
    CHECK(same_spikes(dir / "apart" + member + ".h5", dir / "together" + member + ".h5"));
    const std::string log = read_file(dir / "together" + member + ".log");
    CHECK(log.find("ganglion: " + config + "\n  simulated 100 ms in ") == 0);
    CHECK(log.find("output: " + (dir / "together") + member + ".h5") != std::string::npos);
  }
  CHECK(lines_of(dir / "apart/sweep.csv") == lines_of(dir / "together/sweep.csv"));
  check_failed_member(config, dir / "f", " --together");
}

TEST_CASE("sweep CLI: --batch merges the members into one network, each member's file the run "
          "alone's bit for bit") {
  TempDir dir;
  // (and an inputs recorder: its sums, slice by slice, are each member's)
  nlohmann::json net = nlohmann::json::parse(kBatchNetwork);
  net["recorders"].push_back({{"type", "inputs"}, {"populations", {"I"}}});
  const std::string config = write_file(dir / "x.json", net.dump());
  const std::string vary = " --vary 'populations.E.params.tau_m=10 ms,20 ms' --vary "
                           "'populations.I.I_app={\"schedule\": [[\"0 ms\", 0], [\"40 ms\", 0.1]]},"
                           "{\"schedule\": [[\"0 ms\", 0], [\"40 ms\", 0.3]]}' --seeds 2";
  const CliResult apart = run_cli("sweep " + config + vary + " -o " + (dir / "apart"));
  const CliResult batch = run_cli("sweep " + config + vary + " --batch -o " + (dir / "batch"));
  INFO(batch.err);
  REQUIRE(apart.exit_code == 0);
  REQUIRE(batch.exit_code == 0);
  CHECK(batch.out.find("8 members merged into one network on ") != std::string::npos);
  for (int i = 0; i < 8; ++i) {
    const std::string member = "/member_000" + std::to_string(i);
    INFO(member);
    const auto expected = h5_datasets(dir / "apart" + member + ".h5");
    CHECK(expected.size() >= 20);
    CHECK(expected.at("spikes/E/node_ids").size() > 1000);
    CHECK(h5_datasets(dir / "batch" + member + ".h5") == expected);
    const std::string log = read_file(dir / "batch" + member + ".log");
    CHECK(log.find("ganglion: " + config + "\n  simulated 100 ms in ") == 0);
    CHECK(log.find("  E            lif                      300") != std::string::npos);
  }
  // The members differ: each seed and value its own network.
  CHECK(h5_datasets(dir / "batch/member_0000.h5") != h5_datasets(dir / "batch/member_0001.h5"));
  CHECK(lines_of(dir / "apart/sweep.csv") == lines_of(dir / "batch/sweep.csv"));
}

TEST_CASE("sweep CLI: --batch refuses members that differ in more than values, plugins that do "
          "not declare it, and a file in a member's place, before anything runs") {
  TempDir dir;
  const std::string config = write_file(dir / "x.json", kConfig);
  const std::string instead = "; run the sweep with --together instead (its members side by side, "
                              "each a network of its own)\n";
  const CliResult sizes =
      run_cli("sweep " + config + " --vary 'populations.E.size=100,200' --batch -o " + (dir / "a"));
  CHECK(sizes.exit_code == 1);
  CHECK(sizes.err == "ganglion: sweep --batch: member 1 differs from member 0 in the population's "
                     "name, model or size (/populations/E): a batch merges runs that differ only "
                     "in values (parameters, initial values, weights, rates, seeds)" +
                         instead);
  const CliResult delays = run_cli(
      "sweep " + config + " --vary 'projections.0.delay=1 ms,2 ms' --batch -o " + (dir / "b"));
  CHECK(delays.exit_code == 1);
  CHECK(delays.err.find("member 1 differs from member 0 in its delay (a batch's projection has "
                        "one delay, or drawn ones in every member) (/projections/0/delay)") !=
        std::string::npos);
  // A neuron of ABI 1.0 .. 1.11 (tests/fixtures/good_neuron.c) may act across its elements or draw
  // by the view's one seed: it does not declare GG_DESC_BATCH.
  nlohmann::json j = nlohmann::json::parse(kConfig);
  j["plugins"] = {std::string(GANGLION_TEST_PLUGIN_DIR) + "/good_neuron.so"};
  j["populations"]["E"]["model"] = "gg_test_good";
  const std::string own = write_file(dir / "own.json", j.dump());
  const CliResult plugin = run_cli("sweep " + own + " --seeds 2 --batch -o " + (dir / "c"));
  CHECK(plugin.exit_code == 1);
  CHECK(plugin.err == "ganglion: sweep --batch: /populations/E: plugin 'gg_test_good' does not "
                      "declare that it can run several members at once (GG_DESC_BATCH, ABI 1.12: "
                      "hooks element by element, draws through gg_element_seed and "
                      "gg_element_gid)" +
                          instead);
  // Each member of the reference network fits in 250 MiB (27 MiB), 8 of them merged do not: about
  // 206 MiB, and 102 MiB more while the largest projection's copies are joined.
  const std::string reference = source_path("configs/balanced_eif.json");
  const CliResult memory = run_cli("sweep " + reference + " --seeds 8 --batch -o " + (dir / "d"),
                                   "GANGLION_MEMORY_LIMIT=250M");
  CHECK(memory.exit_code == 1);
  CHECK(memory.err.find("ganglion: " + reference +
                        ": /projections/0/connect: the network would need about ") == 0);
  CHECK(memory.err.find("more than the 250 MiB available (the limit GANGLION_MEMORY_LIMIT=250M)") !=
        std::string::npos);
  for (const char *f : {"a", "b", "c", "d"})
    CHECK_FALSE(fs::exists(dir / f));
  // A folder that holds a file other than HDF5 in member 1's place: refused, nothing written.
  fs::create_directory(dir / "e");
  write_file(dir / "e/member_0001.h5", "my notes\n");
  const CliResult taken = run_cli("sweep " + config + " --seeds 2 --batch -o " + (dir / "e"));
  CHECK(taken.exit_code == 1);
  CHECK(taken.err == "ganglion: output path '" + (dir / "e/member_0001.h5") +
                         "' is an existing file that is not an HDF5 file; writing the output "
                         "would replace it: choose another path with -o or \"output\", or remove "
                         "the file first\n");
  CHECK(read_file(dir / "e/member_0001.h5") == "my notes\n");
  CHECK_FALSE(fs::exists(dir / "e/member_0000.h5"));
  CHECK_FALSE(fs::exists(dir / "e/sweep.csv"));
}

TEST_CASE("sweep CLI: a batch that diverges runs its members one by one, each meeting its own "
          "fate") {
  // The batch stops at member 1's divergence and leaves no file; the members then run alone:
  // member 0 completes, member 1 diverges, as without --batch.
  TempDir dir;
  const std::string config = write_file(dir / "x.json", kConfig);
  const CliResult r = check_failed_member(config, dir / "f", " --batch");
  CHECK(r.err.find("ganglion: sweep --batch: the batch did not complete (population 'E' (lif) "
                   "diverged at t = 0.1 ms: neuron 200 (member 1's neuron 0) has V = ") !=
        std::string::npos);
  CHECK(r.err.find("its members run one by one now, each as it runs alone\n") != std::string::npos);
  CHECK(read_file(dir / "f/member_0000.log").find("simulated 100 ms") != std::string::npos);
}
