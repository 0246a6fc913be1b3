// A fixed pool of worker threads that runs one batch of independent tasks at a time. The engine
// hands it slices of populations and projections, twice a step; which thread runs which task never
// changes a result, because tasks write disjoint memory and each task's arithmetic is sequential.
// Between batches a worker spins briefly before it sleeps: a step is often shorter than the time
// a sleeping thread takes to wake.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace ganglion {

class ThreadPool {
public:
  explicit ThreadPool(unsigned threads); // 1: run everything on the calling thread
  ~ThreadPool();
  ThreadPool(const ThreadPool &) = delete;
  ThreadPool &operator=(const ThreadPool &) = delete;

  // Runs task(i) for i in [0, n) and returns when all are done. The calling thread works too.
  // With `split` (size() + 1 ascending bounds from 0 to n), thread t (0: the caller) starts on
  // [split[t], split[t + 1]) and takes others' tasks only once its own are gone: the same thread
  // gets the same tasks step after step, so their data stays in its caches.
  void run(std::size_t n, const std::function<void(std::size_t)> &task,
           const std::size_t *split = nullptr);
  unsigned size() const { return threads_; }

private:
  void work(unsigned self);
  // Runs tasks of batch `gen` (task, n) until none is left unclaimed.
  void drain(unsigned self, unsigned long gen, const std::function<void(std::size_t)> &task,
             std::size_t n);
  // A thread's share of the batch. Tasks are claimed by a compare-and-swap of `next`, which holds
  // the batch's number (high 32 bits) beside the next index (low 32 bits): a thread that comes late
  // to a batch, still holding the last one's number, fails to claim and so never runs a task of
  // the new batch with the old function.
  struct alignas(64) Range {
    std::atomic<uint64_t> next{0};
    std::atomic<std::size_t> end{0};
  };
  // A batch is handed over without the mutex: the caller writes the task, n and the ranges, then
  // publishes generation_ (release); a spinning worker that sees it (acquire) sees them. The mutex
  // and the condition variables serve only a thread that has stopped spinning and sleeps: the other
  // side notifies only where a sleeper said so (sleepers_, caller_sleeps_). Both sides write their
  // flag, then read the other's (sequentially consistent), so at least one of them sees the other.
  const unsigned threads_; // the workers and the caller
  std::vector<std::thread> workers_;
  std::mutex mutex_;
  std::condition_variable start_, done_;
  std::atomic<const std::function<void(std::size_t)> *> task_{nullptr};
  std::unique_ptr<Range[]> ranges_; // size() of them
  std::atomic<std::size_t> n_{0};
  alignas(64) std::atomic<unsigned long> generation_{0};
  std::atomic<bool> stop_{false};
  alignas(64) std::atomic<std::size_t> finished_{0};
  alignas(64) std::atomic<unsigned> sleepers_{0};      // workers asleep or about to be
  alignas(64) std::atomic<bool> caller_sleeps_{false}; // the caller waits on done_
};

// Runs task(i) for i in [0, n) on the pool, or in order on the calling thread where there is none;
// every task runs either way (so what they write does not depend on the thread count), then the
// error of the lowest failing index is rethrown, so which error is reported never depends on the
// thread timing.
template <class F>
void run_all(ThreadPool *pool, std::size_t n, F &&task, std::vector<std::exception_ptr> &errors,
             const std::size_t *split = nullptr) {
  if (!pool) {
    std::exception_ptr first; // in order: the first error is the lowest index's
    for (std::size_t i = 0; i < n; ++i) {
      try {
        task(i);
      } catch (...) {
        if (!first) first = std::current_exception();
      }
    }
    if (first) std::rethrow_exception(first);
    return;
  }
  errors.assign(n, nullptr); // `errors` is scratch: reused by a caller in a loop, no allocation
  pool->run(
      n,
      [&](std::size_t i) {
        try {
          task(i);
        } catch (...) {
          errors[i] = std::current_exception();
        }
      },
      split);
  for (auto &e : errors)
    if (e) std::rethrow_exception(e);
}
template <class F> void run_all(ThreadPool *pool, std::size_t n, F &&task) {
  std::vector<std::exception_ptr> errors;
  run_all(pool, n, task, errors);
}

} // namespace ganglion
