// The processes (MPI ranks) one run is spread over, and the few collective operations the engine
// needs of them. A build without MPI, and a process not started by an MPI launcher, is one rank:
// every operation is then the identity, so the engine calls them unconditionally.
//
// Every operation here is collective: each rank calls it, in the same order, with data of the
// same shape (a rank that skipped one would leave the others waiting). Data travel as bytes;
// where a rank's part has to be told apart, offsets[r] .. offsets[r + 1] is rank r's.
#pragma once

#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

namespace ganglion::ranks {

// Whether this build can run on several ranks (it was built with MPI).
bool available();

// Starts MPI where this build has it; afterwards rank() and size() say where this process
// stands. Called once, by the command, before anything else runs; finish() at its end.
void start(int *argc, char ***argv);
void finish();

int rank(); // 0 .. size() - 1
int size(); // 1 unless started on several ranks
// The ranks on this machine (MPI's shared-memory split), which share its cores.
int local_size();

// Every rank's `mine`, concatenated in rank order, to every rank.
std::vector<char> all_gather(const std::vector<char> &mine, std::vector<uint64_t> &offsets);
// all_gather while the caller computes: start() hands `mine` over (unchanged until wait()
// returns), poll() moves the exchange on (MPI advances a nonblocking collective only inside an
// MPI call), wait() finishes it. One at a time; every rank starts and waits in the same order
// (polls are each rank's own). `at_once`: all_gather's blocking collectives now (MPI's blocking
// ones are quicker where nothing is to overlap), wait() then only hands the result over.
class AllGatherInFlight {
public:
  AllGatherInFlight();
  ~AllGatherInFlight();
  void start(const std::vector<char> &mine, bool at_once = false);
  void poll();
  const std::vector<char> &wait(std::vector<uint64_t> &offsets);
  bool pending() const;

private:
  struct State;
  std::unique_ptr<State> s;
};
// The same to rank 0 alone (others get an empty result).
std::vector<char> gather(const std::vector<char> &mine, std::vector<uint64_t> &offsets);
// v[k] = the sum of v[k] over the ranks below this one (exclusive prefix sum; 0 on rank 0).
void sum_below(std::vector<uint64_t> &v);
// v[k] = the sum of v[k] over every rank.
void sum_all(std::vector<uint64_t> &v);
// The largest x over every rank.
double max_all(double x);
// Rank 0's `s` to every rank.
void broadcast(std::string &s);

// Values packed into and read back from the byte messages above.
struct Packer {
  std::vector<char> bytes;
  template <class T> void put(const T &x) { put(&x, 1); }
  template <class T> void put(const T *x, uint64_t n) {
    if (n == 0) return;
    const std::size_t at = bytes.size();
    bytes.resize(at + n * sizeof(T));
    std::memcpy(bytes.data() + at, x, n * sizeof(T));
  }
  void put(const std::string &s) {
    put(uint64_t(s.size()));
    put(s.data(), s.size());
  }
};

struct Reader {
  const char *at;
  template <class T> T get() {
    T x;
    get(&x, 1);
    return x;
  }
  template <class T> void get(T *x, uint64_t n) {
    if (n) std::memcpy(x, at, n * sizeof(T));
    at += n * sizeof(T);
  }
  std::string text() {
    const auto n = get<uint64_t>();
    std::string s(at, at + n);
    at += n;
    return s;
  }
};

} // namespace ganglion::ranks
