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

ThreadPool::ThreadPool(unsigned threads) : ranges_(std::make_unique<Range[]>(threads ? threads : 1)) {
  for (unsigned i = 1; i < threads; ++i) workers_.emplace_back([this, i] { work(i); });
}

ThreadPool::~ThreadPool() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  start_.notify_all();
  for (auto &w : workers_) w.join();
}

// Takes tasks of the current batch, its own range first, then the others', until none is left.
// Each claim reads the batch's task under the mutex, so a worker that comes late (its batch done,
// a new one begun) takes a task of the new batch with the new batch's function, never a mix.
void ThreadPool::drain(unsigned self) {
  const unsigned threads = size();
  for (;;) {
    std::size_t i = 0, n = 0;
    const std::function<void(std::size_t)> *task = nullptr;
    {
      std::lock_guard lock(mutex_);
      for (unsigned k = 0; k < threads && !task; ++k) {
        Range &r = ranges_[(self + k) % threads];
        if (r.next < r.end) {
          i = r.next++;
          task = task_;
          n = n_;
        }
      }
    }
    if (!task) return;
    (*task)(i);
    if (finished_.fetch_add(1, std::memory_order_acq_rel) + 1 == n) {
      std::lock_guard lock(mutex_); // so a main thread about to sleep cannot miss the wake-up
      done_.notify_all();
    }
  }
}

void ThreadPool::work(unsigned self) {
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
    drain(self);
  }
}

void ThreadPool::run(std::size_t n, const std::function<void(std::size_t)> &task,
                     const std::size_t *split) {
  if (n == 0) return;
  if (workers_.empty() || n == 1) {
    for (std::size_t i = 0; i < n; ++i) task(i);
    return;
  }
  const unsigned threads = size();
  {
    std::lock_guard lock(mutex_);
    task_ = &task;
    n_ = n;
    for (unsigned t = 0; t < threads; ++t) { // without a split: one range everyone shares
      ranges_[t].next = split ? split[t] : (t == 0 ? 0 : n);
      ranges_[t].end = split ? split[t + 1] : n;
    }
    finished_.store(0, std::memory_order_relaxed);
    generation_.fetch_add(1, std::memory_order_release);
  }
  start_.notify_all();
  drain(0);
  for (int s = 0; s < kSpins && finished_.load(std::memory_order_acquire) != n; ++s) relax();
  std::unique_lock lock(mutex_);
  done_.wait(lock, [&] { return finished_.load(std::memory_order_acquire) == n; });
}

} // namespace ganglion
