// See thread_pool.hpp.
#include "engine/thread_pool.hpp"

namespace ganglion {

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
    {
      std::lock_guard lock(mutex_);
      if (next_ >= n_) return;
      i = next_++;
    }
    (*task_)(i);
    std::lock_guard lock(mutex_);
    if (++finished_ == n_) done_.notify_all();
  }
}

void ThreadPool::work() {
  unsigned long seen = 0;
  for (;;) {
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
    finished_ = 0;
    ++generation_;
  }
  start_.notify_all();
  drain();
  std::unique_lock lock(mutex_);
  done_.wait(lock, [&] { return finished_ == n_; });
  n_ = 0; // late workers find nothing to take
}

} // namespace ganglion
