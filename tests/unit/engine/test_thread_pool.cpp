// The thread pool: every task of a batch runs exactly once, with and without a split into
// per-thread ranges, with 2 to 4 threads, over many short batches in a row (where a worker that
// comes late to one batch must not run a task of the next with the wrong function); errors come
// back by lowest index; a worker that went to sleep between batches, and a caller that went to
// sleep waiting for a worker, are woken.
#include <doctest/doctest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "engine/thread_pool.hpp"

using ganglion::ThreadPool;

TEST_CASE("thread pool: each task of each batch runs once, split or not, batch after batch") {
  // 2 to 4 threads (more threads than this machine's cores, too): every thread of the pool must see
  // all of it, including one that starts while the pool is still making the others.
  for (const unsigned threads : {2u, 3u, 4u}) {
    CAPTURE(threads);
    ThreadPool pool(threads);
    REQUIRE(pool.size() == threads);
    std::vector<std::atomic<int>> runs(64);
    uint64_t wrong = 0;
    for (int batch = 0; batch < 20000; ++batch) {
      const std::size_t n = 1 + std::size_t(batch % 37);
      for (std::size_t i = 0; i < n; ++i)
        runs[i].store(0);
      // Every other batch split unevenly between the threads (empty shares too).
      std::vector<std::size_t> split(threads + 1, n);
      split[0] = 0;
      for (unsigned t = 1; t < threads; ++t)
        split[t] = std::min(n, split[t - 1] + std::size_t(batch + int(t)) % (n / 2 + 1));
      const int tag = batch; // a task run with another batch's function would see another tag
      std::atomic<int> mismatched{0};
      pool.run(
          n,
          [&, tag](std::size_t i) {
            if (tag != batch) mismatched.fetch_add(1);
            runs[i].fetch_add(1);
          },
          batch % 2 ? split.data() : nullptr);
      for (std::size_t i = 0; i < n; ++i)
        wrong += runs[i].load() != 1;
      wrong += std::size_t(mismatched.load());
    }
    CHECK(wrong == 0);
  }
}

TEST_CASE("thread pool: a sleeping worker wakes for the next batch, a sleeping caller when the "
          "batch ends") {
  using namespace std::chrono_literals;
  ThreadPool pool(2);
  int met = 0;
  for (int batch = 0; batch < 40; ++batch) {
    // Long enough between batches for the worker to stop spinning (20-50 us) and sleep.
    std::this_thread::sleep_for(2ms);
    // Two tasks that wait for each other: they must run at once, so the worker must have woken.
    // A worker never woken fails by the deadline rather than hanging.
    std::atomic<int> entered{0};
    std::atomic<int> together{0};
    pool.run(2, [&](std::size_t i) {
      entered.fetch_add(1);
      const auto deadline = std::chrono::steady_clock::now() + 500ms;
      while (entered.load() < 2 && std::chrono::steady_clock::now() < deadline)
        std::this_thread::yield();
      together.fetch_add(entered.load() == 2);
      // One task outlasts the other by far more than the spinning: whichever thread ran the
      // other one, the caller ends up asleep and must be woken when the batch ends.
      if (i == 1) std::this_thread::sleep_for(3ms);
    });
    met += together.load() == 2;
  }
  CHECK(met == 40);
}

TEST_CASE("thread pool: run_all rethrows the error of the lowest failing task") {
  ThreadPool pool(2);
  std::vector<std::exception_ptr> scratch;
  const std::size_t split[3] = {0, 5, 10};
  try {
    ganglion::run_all(
        &pool, 10,
        [](std::size_t i) {
          if (i == 3 || i == 7) throw std::runtime_error("task " + std::to_string(i));
        },
        scratch, split);
    FAIL("no error came back");
  } catch (const std::runtime_error &e) {
    CHECK(std::string(e.what()) == "task 3");
  }
}
