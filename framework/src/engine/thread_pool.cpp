// See thread_pool.hpp.
#include "engine/thread_pool.hpp"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

namespace ganglion {
namespace {

// About 20-50 microseconds of waiting before a thread sleeps.
constexpr int kSpins = 20000;

inline void relax() {
#if defined(__x86_64__) || defined(__i386__)
  _mm_pause();
#else
  std::this_thread::yield();
#endif
}

} // namespace

ThreadPool::ThreadPool(unsigned threads) {
  for (unsigned i = 1; i < threads; ++i) workers_.emplace_back([this] { work(); });
}

ThreadPool::~ThreadPool() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  start_.notify_all();
  for (auto &w : workers_) w.join();
}

// Takes tasks of the current batch until none is left.
void ThreadPool::drain() {
  for (;;) {
    std::size_t i;
    const std::function<void(std::size_t)> *task;
    std::size_t n;
    {
      std::lock_guard lock(mutex_);
      if (next_ >= n_) return;
      i = next_++;
      task = task_;
      n = n_;
    }
    (*task)(i);
    if (finished_.fetch_add(1, std::memory_order_acq_rel) + 1 == n) {
      std::lock_guard lock(mutex_); // so a main thread about to sleep cannot miss the wake-up
      done_.notify_all();
    }
  }
}

void ThreadPool::work() {
  unsigned long seen = 0;
  for (;;) {
    for (int s = 0; s < kSpins && generation_.load(std::memory_order_acquire) == seen &&
                    !stop_.load(std::memory_order_relaxed);
         ++s)
      relax();
    {
      std::unique_lock lock(mutex_);
      start_.wait(lock, [&] { return stop_ || generation_ != seen; });
      if (stop_) return;
      seen = generation_;
    }
    drain();
  }
}

void ThreadPool::run(std::size_t n, const std::function<void(std::size_t)> &task) {
  if (n == 0) return;
  if (workers_.empty() || n == 1) {
    for (std::size_t i = 0; i < n; ++i) task(i);
    return;
  }
  {
    std::lock_guard lock(mutex_);
    task_ = &task;
    n_ = n;
    next_ = 0;
    finished_.store(0, std::memory_order_relaxed);
    generation_.fetch_add(1, std::memory_order_release);
  }
  start_.notify_all();
  drain();
  for (int s = 0; s < kSpins && finished_.load(std::memory_order_acquire) != n; ++s) relax();
  std::unique_lock lock(mutex_);
  done_.wait(lock, [&] { return finished_.load(std::memory_order_acquire) == n; });
  n_ = 0; // late workers find nothing to take
}

} // namespace ganglion
