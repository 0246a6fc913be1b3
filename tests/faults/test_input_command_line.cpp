// Hostile input, the command line: each mistake exits 2 (usage) with ganglion's words, naming the
// option or command and what it takes, and runs nothing; --help and --version still exit 0.
#include <doctest/doctest.h>

#include <filesystem>
#include <string>

#include "test_input_case.hpp"

using namespace ganglion::test;
using namespace ganglion::test::input;

TEST_CASE("input faults: command-line mistakes exit 2 with ganglion's words, and run nothing") {
  Case c;
  const std::string text = base_config(c.output);
  const std::string usage =
      "usage: ganglion run CONFIG [--set path=value]... [-o FILE] [-t THREADS] [--plot]";
  c.refused(c.cli("run", text, "-t two"), 2,
            "ganglion run: -t/--threads takes a whole number of threads (0: all cores), not "
            "'two'\n");
  c.refused(c.cli("run", text, "-t -1"), 2,
            "ganglion run: -t/--threads takes a whole number of threads (0: all cores), not "
            "'-1'\n");
  c.refused(c.cli("run", text, "-t"), 2,
            "ganglion run: -t/--threads needs a value; see ganglion run --help\n");
  c.refused(c.cli("run", text, "--thread 2"), 2,
            "ganglion run: unknown option '--thread' (did you mean '--threads'?); see ganglion "
            "run --help\n");
  c.refused(c.cli("run", text, "-o a.h5 -o b.h5"), 2,
            "ganglion run: -o/--output is given 2 times ('a.h5', 'b.h5'); give it once\n");
  c.refused(c.cli("run", text, shell_quoted(c.config)), 2,
            "ganglion run: unexpected argument '" + c.config + "'; " + usage + "\n");
  c.refused(run_cli("run"), 2, "ganglion run: no experiment file given; " + usage + "\n");
  c.refused(run_cli("rnu " + shell_quoted(c.config)), 2,
            "ganglion: unknown command 'rnu' (did you mean 'run'?); commands: run, sweep, "
            "validate, theory, describe, plugins, analyze, plot\n");
  c.refused(run_cli(""), 2,
            "ganglion: no command given; commands: run, sweep, validate, theory, describe, "
            "plugins, analyze, plot\n");
  c.refused(run_cli("sweep " + shell_quoted(c.config) + " --vary populations.E.size"), 2,
            "ganglion sweep: --vary 'populations.E.size' has no '=': write --vary path=v1,v2,... "
            "(--vary populations.E.size=100,200)\n");
  c.refused(run_cli("sweep " + shell_quoted(c.config) + " --seeds 0"), 2,
            "ganglion sweep: --seeds takes at least 1\n");
  c.refused(run_cli("sweep " + shell_quoted(c.config) + " --zip"), 2,
            "ganglion sweep: --zip pairs --vary lists, and none is given\n");
  c.refused(run_cli("analyze x.h5 --from soon"), 2,
            "ganglion analyze: --from takes a number of milliseconds, not 'soon'\n");
}

TEST_CASE("input faults: --help and --version still exit 0") {
  for (const char *args : {"--help", "run --help", "--version"}) {
    CAPTURE(args);
    const CliResult r = run_cli(args);
    CHECK(r.exit_code == 0);
    CHECK_FALSE(r.out.empty());
    CHECK(r.err.empty());
  }
}

TEST_CASE("input faults: under mpirun on several ranks, a sweep (and a run in a build without "
          "MPI) is refused by rank 0 alone, before anything runs") {
  const std::string config = source_path("configs/hh_spike.json");
  TempDir dir;
  const std::string out = dir / "x.h5";
  const std::string args = "run " + shell_quoted(config) + " -o " + shell_quoted(out);
#ifndef GANGLION_TESTS_WITH_MPI
  const std::string expected =
      "ganglion run: an MPI launcher started it on 2 ranks (OMPI_COMM_WORLD_SIZE=2), and this "
      "ganglion was built without MPI: each rank would run the whole network and write the same "
      "file. Install MPI (Debian: libopenmpi-dev openmpi-bin, as tools/install-deps.sh does) and "
      "build again, or run it without mpirun (it uses this machine's cores as threads: -t)\n";
  CliResult r = run_cli(args, "OMPI_COMM_WORLD_SIZE=2 OMPI_COMM_WORLD_RANK=0");
  CHECK(r.exit_code == 2);
  CHECK(r.err == expected);
  r = run_cli(args, "OMPI_COMM_WORLD_SIZE=2 OMPI_COMM_WORLD_RANK=1");
  CHECK(r.exit_code == 2);
  CHECK(r.err.empty());
#endif
  CliResult s = run_cli("sweep " + shell_quoted(config) + " --vary simulation.seed=1,2 -o " +
                            shell_quoted(dir / "s"),
                        "PMI_SIZE=3 PMI_RANK=0");
  CHECK(s.exit_code == 2);
  CHECK(s.err ==
        "ganglion sweep: an MPI launcher started it on 3 ranks (PMI_SIZE=3), and a sweep runs its "
        "members as processes of its own (-j at a time): run it without mpirun, or run each "
        "member with mpirun ganglion run\n");
  CHECK_FALSE(std::filesystem::exists(out));
  CHECK_FALSE(std::filesystem::exists(dir / "s"));
  // One rank is a plain run.
  s = run_cli(args, "OMPI_COMM_WORLD_SIZE=1 OMPI_COMM_WORLD_RANK=0");
  CHECK(s.exit_code == 0);
  CHECK(std::filesystem::exists(out));
}
