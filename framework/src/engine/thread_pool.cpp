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
  stop_.store(true);
  {
    std::lock_guard lock(mutex_); // a worker between its check and its wait holds the mutex
  }
  start_.notify_all();
  for (auto &w : workers_) w.join();
}

// Takes tasks of batch `gen`, its own range first, then the others', until none is left; adds
// how many it ran to finished_ once, at the end, and wakes the caller if that made the batch
// complete while the caller sleeps.
void ThreadPool::drain(unsigned self, unsigned long gen,
                       const std::function<void(std::size_t)> &task, std::size_t n) {
  const unsigned threads = size();
  const uint64_t tag = uint64_t(uint32_t(gen)) << 32, low = 0xffffffffu;
  std::size_t done = 0;
  for (unsigned k = 0; k < threads; ++k) {
    const unsigned t = (self + k) % threads;
    std::atomic<uint64_t> &next = ranges_[t].next;
    uint64_t cur = next.load(std::memory_order_relaxed);
    // `end` is read after `next` on every try: run() writes a new batch's `next` before its `end`
    // (release), so an `end` of a later batch than this one makes the claim's compare-and-swap
    // see that batch's `next` and fail.
    while ((cur & ~low) == tag && (cur & low) < ranges_[t].end.load(std::memory_order_acquire)) {
      if (!next.compare_exchange_weak(cur, cur + 1, std::memory_order_relaxed)) continue;
      task(std::size_t(cur & low));
      ++done;
      cur = next.load(std::memory_order_relaxed);
    }
  }
  if (done && finished_.fetch_add(done) + done == n && caller_sleeps_.load()) {
    std::lock_guard lock(mutex_); // the caller is in its wait, or has not begun it
    done_.notify_all();
  }
}

void ThreadPool::work(unsigned self) {
  unsigned long seen = 0;
  for (;;) {
    unsigned long gen = generation_.load(std::memory_order_acquire);
    for (int s = 0; s < kSpins && gen == seen && !stop_.load(std::memory_order_relaxed); ++s) {
      relax();
      gen = generation_.load(std::memory_order_acquire);
    }
    if (gen == seen && !stop_.load()) {
      std::unique_lock lock(mutex_);
      sleepers_.fetch_add(1);
      start_.wait(lock, [&] { return stop_.load() || generation_.load() != seen; });
      sleepers_.fetch_sub(1, std::memory_order_relaxed);
      gen = generation_.load(std::memory_order_acquire);
    }
    if (stop_.load()) return;
    seen = gen;
    // task_ and n_ are this batch's, or a later one's if this thread comes so late that the batch
    // is over: then every claim fails (the tag) and neither is used.
    drain(self, gen, *task_.load(std::memory_order_relaxed), n_.load(std::memory_order_relaxed));
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
  const unsigned long gen = generation_.load(std::memory_order_relaxed) + 1; // the caller's alone
  const uint64_t tag = uint64_t(uint32_t(gen)) << 32;
  task_.store(&task, std::memory_order_relaxed);
  n_.store(n, std::memory_order_relaxed);
  for (unsigned t = 0; t < threads; ++t) { // without a split: one range everyone shares
    const std::size_t first = split ? split[t] : (t == 0 ? 0 : n);
    ranges_[t].next.store(tag | first, std::memory_order_relaxed);
    ranges_[t].end.store(split ? split[t + 1] : n, std::memory_order_release); // after `next`
  }
  finished_.store(0, std::memory_order_relaxed);
  generation_.store(gen); // publishes all of the above
  if (sleepers_.load()) {
    std::lock_guard lock(mutex_);
    start_.notify_all();
  }
  drain(0, gen, task, n);
  for (int s = 0; s < kSpins; ++s) {
    if (finished_.load(std::memory_order_acquire) == n) return;
    relax();
  }
  std::unique_lock lock(mutex_);
  caller_sleeps_.store(true);
  done_.wait(lock, [&] { return finished_.load() == n; });
  caller_sleeps_.store(false, std::memory_order_relaxed);
}

} // namespace ganglion
