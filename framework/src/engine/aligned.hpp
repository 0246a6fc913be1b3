// Cache-line aligned, padded arrays for the structure-of-arrays state: every field array starts on
// a 64-byte boundary and its length is a multiple of 8 doubles, so loops over it vectorise without
// peeling and two threads never share a line between two arrays.
#pragma once

#include <cstddef>
#include <new>
#include <utility>
#include <vector>

namespace ganglion {

template <class T> struct AlignedAllocator {
  using value_type = T;
  static constexpr std::align_val_t alignment{64};
  AlignedAllocator() = default;
  template <class U> AlignedAllocator(const AlignedAllocator<U> &) {}
  T *allocate(std::size_t n) { return static_cast<T *>(::operator new(n * sizeof(T), alignment)); }
  void deallocate(T *p, std::size_t) { ::operator delete(p, alignment); }
  template <class U> bool operator==(const AlignedAllocator<U> &) const { return true; }
};

template <class T> using AlignedVector = std::vector<T, AlignedAllocator<T>>;

// The same, except that resize() leaves new elements uninitialised instead of zeroing them: for
// large arrays written in full right after, by several threads, so that each thread first
// touches (and the kernel zeroes) the pages it writes, rather than one thread zeroing them all.
template <class T> struct UninitAllocator : AlignedAllocator<T> {
  template <class U> struct rebind {
    using other = UninitAllocator<U>;
  };
  UninitAllocator() = default;
  template <class U> UninitAllocator(const UninitAllocator<U> &) {}
  template <class U> void construct(U *p) { ::new (static_cast<void *>(p)) U; }
  template <class U, class... Args> void construct(U *p, Args &&...args) {
    ::new (static_cast<void *>(p)) U(std::forward<Args>(args)...);
  }
};

template <class T> using UninitVector = std::vector<T, UninitAllocator<T>>;

// n rounded up to whole 64-byte lines of doubles.
inline std::size_t padded(std::size_t n) { return (n + 7) / 8 * 8; }

} // namespace ganglion
