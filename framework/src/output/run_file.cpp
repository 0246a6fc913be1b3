// A run's output file from start to finish (see run_file.hpp).
#include "output/run_file.hpp"

#include <filesystem>
#include <iostream>

#include "output/theory_output.hpp"

namespace ganglion {

namespace {

// The spikes recorder writes each step's spikes in turn: SONATA's "sorting" of every
// /spikes/<population> group is by_time.
void mark_spike_sorting(Hdf5Writer &writer) {
  for (const std::string &pop : writer.members("/spikes"))
    writer.enum_attribute("/spikes/" + pop, "sorting", {"none", "by_id", "by_time"}, 2);
}

} // namespace

void discard_run_file(std::unique_ptr<Hdf5Writer> &writer, const Experiment &exp) {
  if (!writer) return;
  writer.reset();
  std::filesystem::remove(exp.output + ".part");
}

std::unique_ptr<Hdf5Writer> open_run_file(const Experiment &exp) {
  if (exp.output.empty()) return nullptr;
  auto writer = std::make_unique<Hdf5Writer>(exp.output);
  try {
    write_run_attributes(*writer, exp, {RunOutcome::Kind::running, ""});
    writer->flush();
  } catch (const std::exception &) {
    discard_run_file(writer, exp);
    throw;
  }
  return writer;
}

bool finish_run_file(Hdf5Writer &writer, const RunOutcome &outcome, const theory::Report &theory) {
  try {
    mark_spike_sorting(writer);
    write_run_status(writer, outcome);
    try {
      write_theory(writer, theory);
    } catch (const std::exception &e) {
      if (!writer.failure().empty()) throw;
      std::cerr << "ganglion: note: /theory not written: " << e.what() << "\n";
    }
    writer.commit();
    return true;
  } catch (const OutputError &e) {
    if (writer.failure().empty()) std::cerr << "ganglion: " << e.what() << "\n";
    return false;
  }
}

} // namespace ganglion
