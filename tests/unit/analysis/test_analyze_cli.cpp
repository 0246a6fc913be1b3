// `ganglion analyze` and the measures `ganglion run` prints after its summary: what is printed,
// the transient skipped, and the exit status and message for files that cannot be analysed.
#include <doctest/doctest.h>

#include <string>

#include "support.hpp"

using ganglion::test::CliResult;
using ganglion::test::run_cli;
using ganglion::test::TempDir;
using ganglion::test::write_file;

namespace {

// 50 Poisson neurons at 20 Hz, recorded by `recorder`, for `duration`.
std::string poisson_experiment(const std::string &duration, const std::string &recorder,
                               const std::string &output) {
  return R"({
  "ganglion": 1,
  "simulation": {"dt": "0.1 ms", "duration": ")" +
         duration + R"(", "seed": 3, "threads": 1},
  "populations": {"X": {"model": "poisson", "size": 50, "params": {"rate": "20 Hz"}}},
  "recorders": [{"type": ")" +
         recorder + R"(", "populations": ["X"]}],
  "output": ")" +
         output + R"("
})";
}

bool has(const std::string &text, const std::string &part) {
  return text.find(part) != std::string::npos;
}

} // namespace

TEST_CASE("analyze CLI: run prints the measures, analyze prints them again, bad files exit 1") {
  TempDir dir;
  const std::string out = dir / "x.h5";
  const std::string config = write_file(dir / "x.json", poisson_experiment("1000 ms", "spikes", out));

  const CliResult ran = run_cli("run '" + config + "'");
  INFO(ran.out << ran.err);
  REQUIRE(ran.exit_code == 0);
  // 1000 ms: 100 ms (= 10%) skipped, said so; the population's row and the method lines follow.
  CHECK(has(ran.out, "spike statistics over (100, 1000] ms (the first 100 ms skipped as transient)"));
  CHECK(has(ran.out, "CV ISI (neurons)"));
  CHECK(has(ran.out, "\n  X "));
  CHECK(has(ran.out, "up to 1,000 pairs drawn with a fixed seed"));

  const CliResult an = run_cli("analyze '" + out + "' --from 200 --window 200 --bin 20 --pairs 10");
  INFO(an.out << an.err);
  CHECK(an.exit_code == 0);
  CHECK(has(an.out, "spike statistics over (200, 1000] ms (the first 200 ms skipped)"));
  CHECK(has(an.out, "4 windows of 200 ms"));
  CHECK(has(an.out, "40 bins of 20 ms"));
  CHECK(has(an.out, "(10)\n")); // 10 pairs

  // A short run skips 10% of it instead of 100 ms.
  const std::string short_out = dir / "short.h5";
  const std::string short_config =
      write_file(dir / "short.json", poisson_experiment("500 ms", "spikes", short_out));
  const CliResult short_run = run_cli("run '" + short_config + "'");
  CHECK(short_run.exit_code == 0);
  CHECK(has(short_run.out, "over (50, 500] ms (the first 10% of the run skipped as transient)"));

  // No spikes recorded: run prints no measures; analyze says why, exit 1.
  const std::string rates_out = dir / "rates.h5";
  const std::string rates_config =
      write_file(dir / "rates.json", poisson_experiment("200 ms", "rates", rates_out));
  const CliResult rates_run = run_cli("run '" + rates_config + "'");
  CHECK(rates_run.exit_code == 0);
  CHECK_FALSE(has(rates_run.out, "spike statistics"));
  const CliResult no_spikes = run_cli("analyze '" + rates_out + "'");
  CHECK(no_spikes.exit_code == 1);
  CHECK(has(no_spikes.err, "no /spikes group"));

  const CliResult missing = run_cli("analyze '" + (dir / "missing.h5") + "'");
  CHECK(missing.exit_code == 1);
  CHECK(has(missing.err, "missing.h5: no such file"));

  const CliResult not_h5 = run_cli("analyze '" + config + "'");
  CHECK(not_h5.exit_code == 1);
  CHECK(has(not_h5.err, "not an HDF5 file"));

  const CliResult late = run_cli("analyze '" + out + "' --from 1000");
  CHECK(late.exit_code == 1);
  CHECK(has(late.err, "before the end of the run (1000 ms)"));
}
