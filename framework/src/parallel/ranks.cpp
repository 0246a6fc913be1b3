// The ranks of a run (ranks.hpp): MPI's where the build has it (GANGLION_MPI), one otherwise.
#include "parallel/ranks.hpp"

#include <climits>
#include <stdexcept>

#ifdef GANGLION_MPI
#define OMPI_SKIP_MPICXX 1 // MPI's C interface alone (its C++ bindings are another library)
#define MPICH_SKIP_MPICXX 1
#include <mpi.h>
#endif

namespace ganglion::ranks {

#ifdef GANGLION_MPI

namespace {

int g_local_size = 1; // start()'s count of the ranks on this machine

bool started() {
  int on = 0, off = 0;
  MPI_Initialized(&on);
  MPI_Finalized(&off);
  return on && !off;
}

// MPI counts are ints: a message of 2 GiB or more from one rank is refused with what it was.
int count_of(uint64_t bytes) {
  if (bytes > uint64_t(INT_MAX))
    throw std::runtime_error("a rank's message of " + std::to_string(bytes) +
                             " bytes is over MPI's limit of 2 GiB per rank and exchange; run on "
                             "more ranks");
  return int(bytes);
}

// The byte counts of every rank's `mine`, as offsets, and as MPI's counts and displacements.
struct Layout {
  std::vector<int> counts, displs;
};

Layout layout(const std::vector<uint64_t> &sizes, std::vector<uint64_t> &offsets) {
  Layout l;
  offsets.assign(sizes.size() + 1, 0);
  for (std::size_t r = 0; r < sizes.size(); ++r) {
    offsets[r + 1] = offsets[r] + sizes[r];
    l.counts.push_back(count_of(sizes[r]));
    l.displs.push_back(count_of(offsets[r]));
  }
  count_of(offsets.back());
  return l;
}

} // namespace

bool available() {
  return true;
}

void start(int *argc, char ***argv) {
  if (started()) return;
  MPI_Init(argc, argv);
  MPI_Comm local;
  MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, 0, MPI_INFO_NULL, &local);
  MPI_Comm_size(local, &g_local_size);
  MPI_Comm_free(&local);
}

void finish() {
  if (started()) MPI_Finalize();
}

int rank() {
  int r = 0;
  if (started()) MPI_Comm_rank(MPI_COMM_WORLD, &r);
  return r;
}

int size() {
  int n = 1;
  if (started()) MPI_Comm_size(MPI_COMM_WORLD, &n);
  return n;
}

int local_size() {
  return started() ? g_local_size : 1;
}

std::vector<char> all_gather(const std::vector<char> &mine, std::vector<uint64_t> &offsets) {
  if (size() == 1) {
    offsets = {0, mine.size()};
    return mine;
  }
  std::vector<uint64_t> sizes(static_cast<std::size_t>(size()));
  const uint64_t n = mine.size();
  MPI_Allgather(&n, 1, MPI_UINT64_T, sizes.data(), 1, MPI_UINT64_T, MPI_COMM_WORLD);
  const Layout l = layout(sizes, offsets);
  std::vector<char> all(offsets.back());
  MPI_Allgatherv(mine.data(), count_of(n), MPI_BYTE, all.data(), l.counts.data(), l.displs.data(),
                 MPI_BYTE, MPI_COMM_WORLD);
  return all;
}

// Its stages: the sizes (MPI_Iallgather), then the bytes (MPI_Iallgatherv); MPI reads the
// counts and fills the buffers until a stage completes, so they live here.
struct AllGatherInFlight::State {
  enum Stage { idle, sizes, bytes, done } stage = idle;
  MPI_Request request = MPI_REQUEST_NULL;
  const std::vector<char> *mine = nullptr;
  uint64_t n = 0;
  std::vector<uint64_t> counts, offsets;
  Layout layout;
  std::vector<char> all;

  // The next stage where this one has completed (or once it has, where `block`).
  void advance(bool block) {
    int complete = 1;
    if (block)
      MPI_Wait(&request, MPI_STATUS_IGNORE);
    else
      MPI_Test(&request, &complete, MPI_STATUS_IGNORE);
    if (!complete) return;
    if (stage == bytes) {
      stage = done;
      return;
    }
    layout = ranks::layout(counts, offsets);
    all.resize(offsets.back());
    MPI_Iallgatherv(mine->data(), count_of(n), MPI_BYTE, all.data(), layout.counts.data(),
                    layout.displs.data(), MPI_BYTE, MPI_COMM_WORLD, &request);
    stage = bytes;
  }
};

AllGatherInFlight::AllGatherInFlight() : s(std::make_unique<State>()) {}
AllGatherInFlight::~AllGatherInFlight() = default;

void AllGatherInFlight::start(const std::vector<char> &mine, bool at_once) {
  s->mine = &mine;
  s->n = mine.size();
  if (at_once || size() == 1) {
    s->all = all_gather(mine, s->offsets);
    s->stage = State::done;
    return;
  }
  s->counts.resize(std::size_t(size()));
  MPI_Iallgather(&s->n, 1, MPI_UINT64_T, s->counts.data(), 1, MPI_UINT64_T, MPI_COMM_WORLD,
                 &s->request);
  s->stage = State::sizes;
}

void AllGatherInFlight::poll() {
  if (s->stage == State::sizes || s->stage == State::bytes) s->advance(false);
}

const std::vector<char> &AllGatherInFlight::wait(std::vector<uint64_t> &offsets) {
  while (s->stage == State::sizes || s->stage == State::bytes)
    s->advance(true);
  s->stage = State::idle;
  offsets = s->offsets;
  return s->all;
}

bool AllGatherInFlight::pending() const {
  return s->stage != State::idle;
}

std::vector<char> gather(const std::vector<char> &mine, std::vector<uint64_t> &offsets) {
  if (size() == 1) {
    offsets = {0, mine.size()};
    return mine;
  }
  const uint64_t n = mine.size();
  std::vector<uint64_t> sizes(static_cast<std::size_t>(size()));
  MPI_Gather(&n, 1, MPI_UINT64_T, sizes.data(), 1, MPI_UINT64_T, 0, MPI_COMM_WORLD);
  std::vector<char> all;
  Layout l;
  if (rank() == 0) {
    l = layout(sizes, offsets);
    all.resize(offsets.back());
  } else {
    offsets.clear();
  }
  MPI_Gatherv(mine.data(), count_of(n), MPI_BYTE, all.data(), l.counts.data(), l.displs.data(),
              MPI_BYTE, 0, MPI_COMM_WORLD);
  return all;
}

void sum_below(std::vector<uint64_t> &v) {
  if (size() == 1) {
    std::fill(v.begin(), v.end(), 0);
    return;
  }
  std::vector<uint64_t> out(v.size(), 0);
  MPI_Exscan(v.data(), out.data(), count_of(v.size()), MPI_UINT64_T, MPI_SUM, MPI_COMM_WORLD);
  if (rank() == 0) std::fill(out.begin(), out.end(), 0); // (Exscan leaves rank 0's undefined)
  v.swap(out);
}

void sum_all(std::vector<uint64_t> &v) {
  if (size() == 1) return;
  MPI_Allreduce(MPI_IN_PLACE, v.data(), count_of(v.size()), MPI_UINT64_T, MPI_SUM, MPI_COMM_WORLD);
}

double max_all(double x) {
  if (size() > 1) MPI_Allreduce(MPI_IN_PLACE, &x, 1, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD);
  return x;
}

void broadcast(std::string &s) {
  if (size() == 1) return;
  uint64_t n = s.size();
  MPI_Bcast(&n, 1, MPI_UINT64_T, 0, MPI_COMM_WORLD);
  s.resize(n);
  MPI_Bcast(s.data(), count_of(n), MPI_CHAR, 0, MPI_COMM_WORLD);
}

#else // one rank

bool available() {
  return false;
}
void start(int *, char ***) {}
void finish() {}
int rank() {
  return 0;
}
int size() {
  return 1;
}
int local_size() {
  return 1;
}
std::vector<char> all_gather(const std::vector<char> &mine, std::vector<uint64_t> &offsets) {
  offsets = {0, mine.size()};
  return mine;
}
std::vector<char> gather(const std::vector<char> &mine, std::vector<uint64_t> &offsets) {
  return all_gather(mine, offsets);
}

struct AllGatherInFlight::State {
  bool pending = false;
  std::vector<char> all;
};
AllGatherInFlight::AllGatherInFlight() : s(std::make_unique<State>()) {}
AllGatherInFlight::~AllGatherInFlight() = default;
void AllGatherInFlight::start(const std::vector<char> &mine, bool) {
  s->all = mine;
  s->pending = true;
}
void AllGatherInFlight::poll() {}
const std::vector<char> &AllGatherInFlight::wait(std::vector<uint64_t> &offsets) {
  s->pending = false;
  offsets = {0, s->all.size()};
  return s->all;
}
bool AllGatherInFlight::pending() const {
  return s->pending;
}
void sum_below(std::vector<uint64_t> &v) {
  std::fill(v.begin(), v.end(), 0);
}
void sum_all(std::vector<uint64_t> &) {}
double max_all(double x) {
  return x;
}
void broadcast(std::string &) {}

#endif

} // namespace ganglion::ranks
