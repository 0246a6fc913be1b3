// See thread_pool.hpp.
#include "engine/thread_pool.hpp"

#include <stdexcept>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

namespace ganglion {
namespace {

// About 20-50 microseconds of waiting before a thread sleeps.
constexpr int kSpins = 20000;

// Threads whose range ends the caller keeps on its stack (more: one allocation per batch).
constexpr unsigned kMaxOnStack = 64;

inline void relax() {
#if defined(__x86_64__) || defined(__i386__)
  _mm_pause();
#else
  std::this_thread::yield();
#endif
}

} // namespace

ThreadPool::ThreadPool(unsigned threads)
    : threads_(threads ? threads : 1), ranges_(std::make_unique<Range[]>(threads_)) {
  // size() is threads_ from here on, so a worker that starts while later ones are still being
  // made sees the whole pool.
  for (unsigned i = 1; i < threads_; ++i) workers_.emplace_back([this, i] { work(i); });
}

ThreadPool::~ThreadPool() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  start_.notify_all();
  for (auto &w : workers_) w.join();
}

// Takes tasks of batch `gen`, its own range first, then the others', until none is left; adds
// how many it ran to finished_ once, at the end, and wakes the caller if that made the batch
// complete.
void ThreadPool::drain(unsigned self, unsigned long gen,
                       const std::function<void(std::size_t)> &task, std::size_t n,
                       const std::size_t *ends) {
  const unsigned threads = size();
  const uint64_t tag = uint64_t(uint32_t(gen)) << 32, low = 0xffffffffu;
  std::size_t done = 0;
  for (unsigned k = 0; k < threads; ++k) {
    const unsigned t = (self + k) % threads;
    std::atomic<uint64_t> &next = ranges_[t].next;
    uint64_t cur = next.load(std::memory_order_relaxed);
    while ((cur & ~low) == tag && (cur & low) < ends[t]) {
      if (!next.compare_exchange_weak(cur, cur + 1, std::memory_order_relaxed)) continue;
      task(std::size_t(cur & low));
      ++done;
      cur = next.load(std::memory_order_relaxed);
    }
  }
  if (done && finished_.fetch_add(done, std::memory_order_acq_rel) + done == n) {
    std::lock_guard lock(mutex_); // so a caller about to sleep cannot miss the wake-up
    done_.notify_all();
  }
}

void ThreadPool::work(unsigned self) {
  unsigned long seen = 0;
  std::vector<std::size_t> ends(size());
  for (;;) {
    for (int s = 0; s < kSpins && generation_.load(std::memory_order_acquire) == seen &&
                    !stop_.load(std::memory_order_relaxed);
         ++s)
      relax();
    const std::function<void(std::size_t)> *task = nullptr;
    std::size_t n = 0;
    {
      std::unique_lock lock(mutex_);
      start_.wait(lock, [&] { return stop_ || generation_ != seen; });
      if (stop_) return;
      seen = generation_;
      task = task_;
      n = n_;
      for (unsigned t = 0; t < ends.size(); ++t) ends[t] = ranges_[t].end;
    }
    drain(self, seen, *task, n, ends.data());
  }
}

void ThreadPool::run(std::size_t n, const std::function<void(std::size_t)> &task,
                     const std::size_t *split) {
  if (n == 0) return;
  if (workers_.empty() || n == 1) {
    for (std::size_t i = 0; i < n; ++i) task(i);
    return;
  }
  if (n > 0xffffffffu) throw std::length_error("thread pool: more than 2^32 - 1 tasks in a batch");
  const unsigned threads = size();
  unsigned long gen = 0;
  std::size_t ends[kMaxOnStack];
  std::vector<std::size_t> more; // past kMaxOnStack threads
  std::size_t *end = threads <= kMaxOnStack ? ends : (more.resize(threads), more.data());
  {
    std::lock_guard lock(mutex_);
    task_ = &task;
    n_ = n;
    gen = generation_.load(std::memory_order_relaxed) + 1;
    const uint64_t tag = uint64_t(uint32_t(gen)) << 32;
    for (unsigned t = 0; t < threads; ++t) { // without a split: one range everyone shares
      const std::size_t first = split ? split[t] : (t == 0 ? 0 : n);
      end[t] = ranges_[t].end = split ? split[t + 1] : n;
      ranges_[t].next.store(tag | first, std::memory_order_relaxed);
    }
    finished_.store(0, std::memory_order_relaxed);
    generation_.store(gen, std::memory_order_release);
  }
  start_.notify_all();
  drain(0, gen, task, n, end);
  for (int s = 0; s < kSpins && finished_.load(std::memory_order_acquire) != n; ++s) relax();
  std::unique_lock lock(mutex_);
  done_.wait(lock, [&] { return finished_.load(std::memory_order_acquire) == n; });
}

} // namespace ganglion
