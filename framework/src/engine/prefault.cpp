// See prefault.hpp.
#include "engine/prefault.hpp"

#include <cstdint>

#if defined(__linux__)
#include <sys/mman.h>
#include <unistd.h>
#endif

namespace ganglion {

void prefault(void *begin, void *end) {
#if defined(__linux__)
  constexpr int kPopulateWrite = 23; // MADV_POPULATE_WRITE, missing from older headers
  static const uintptr_t page = uintptr_t(sysconf(_SC_PAGESIZE));
  const uintptr_t first = (reinterpret_cast<uintptr_t>(begin) + page - 1) / page * page;
  const uintptr_t last = reinterpret_cast<uintptr_t>(end) / page * page;
  if (first < last) madvise(reinterpret_cast<void *>(first), last - first, kPopulateWrite);
#else
  (void)begin;
  (void)end;
#endif
}

} // namespace ganglion
