// See picks.hpp.
#include "connect/picks.hpp"

#include <algorithm>
#include <bit>

#include "ganglion/simd.hpp"

namespace ganglion {
namespace {

// What one thread reuses from row to row: uniforms, the radix sort's other buffer, and the
// bitmap of candidates already picked (kept all zero between rows).
struct Scratch {
  std::vector<double> u;
  std::vector<uint32_t> other;
  std::vector<uint64_t> taken;
};

Scratch &scratch() {
  thread_local Scratch s;
  return s;
}

// scale_pick of each of u[0 .. k).
GANGLION_SIMD void scale_picks(const double *__restrict u, std::size_t k, uint64_t c,
                               uint32_t *__restrict out) {
  // c as a double once, outside the loop: converted per element, it kept the loop scalar (the
  // small microcircuit's setup took 0.27 s instead of 0.21).
  const double cd = double(c);
  for (std::size_t i = 0; i < k; ++i)
    out[i] = uint32_t(scale_pick(u[i], cd, c));
}

// k independent picks from [0, c).
void independent(PhiloxKey key, uint64_t id, uint64_t c, uint64_t k, uint32_t *out) {
  std::vector<double> &u = scratch().u;
  u.resize(k);
  batch_uniforms(key, id, 0, k, u.data());
  scale_picks(u.data(), k, c, out);
}

// Distinct picks from [0, c), each uniform over the candidates not yet taken (a candidate drawn
// again is skipped), until `want` are marked in `taken`; the picks are appended to out when
// `keep`. The uniforms come in batches of 64, in order; those left at the end are unused.
void distinct(PhiloxKey key, uint64_t id, uint64_t c, uint64_t want, bool keep,
              std::vector<uint64_t> &taken, std::vector<uint32_t> &out) {
  constexpr std::size_t kBatch = 64;
  double u[kBatch];
  uint32_t x[kBatch];
  uint64_t marked = 0;
  for (uint64_t drawn = 0; marked < want; drawn += kBatch) {
    batch_uniforms(key, id, drawn, kBatch, u);
    scale_picks(u, kBatch, c, x);
    for (std::size_t i = 0; i < kBatch && marked < want; ++i) {
      uint64_t &word = taken[x[i] >> 6];
      const uint64_t bit = 1ull << (x[i] & 63);
      if (word & bit) continue;
      word |= bit;
      ++marked;
      if (keep) out.push_back(x[i]);
    }
  }
}

// Appends, in order, the candidates of [0, c) whose bit in `taken` is `state`, and clears
// `taken`.
void collect(std::vector<uint64_t> &taken, uint64_t c, bool state, std::vector<uint32_t> &out) {
  const uint64_t words = (c + 63) / 64;
  for (uint64_t w = 0; w < words; ++w) {
    uint64_t bits = state ? taken[w] : ~taken[w];
    if (w == words - 1 && c % 64) bits &= (1ull << (c % 64)) - 1; // past c: not candidates
    while (bits) {
      out.push_back(uint32_t(w * 64 + uint64_t(std::countr_zero(bits))));
      bits &= bits - 1;
    }
    taken[w] = 0;
  }
}

} // namespace

void sort_below(uint32_t *v, std::size_t k, uint64_t bound) {
  if (k < 64) {
    std::sort(v, v + k);
    return;
  }
  std::vector<uint32_t> &other = scratch().other;
  other.resize(k);
  uint32_t *from = v, *to = other.data();
  for (unsigned shift = 0; shift < 32 && ((bound - 1) >> shift) != 0; shift += 8) {
    std::size_t at[257] = {};
    for (std::size_t i = 0; i < k; ++i)
      ++at[((from[i] >> shift) & 255u) + 1];
    for (int b = 0; b < 256; ++b)
      at[b + 1] += at[b];
    for (std::size_t i = 0; i < k; ++i)
      to[at[(from[i] >> shift) & 255u]++] = from[i];
    std::swap(from, to);
  }
  if (from != v) std::copy(from, from + k, v);
}

void pick_sorted(PhiloxKey key, uint64_t id, uint64_t n, uint64_t k, uint64_t skip, bool multapses,
                 std::vector<uint32_t> &out, bool sort) {
  if (k == 0) return;
  const uint64_t c = n - (skip < n ? 1 : 0);
  const std::size_t begin = out.size();
  if (multapses) {
    out.resize(begin + k);
    independent(key, id, c, k, out.data() + begin);
    if (sort) sort_below(out.data() + begin, k, c);
  } else {
    std::vector<uint64_t> &taken = scratch().taken;
    if (taken.size() < (c + 63) / 64) taken.resize((c + 63) / 64, 0);
    if (2 * k <= c) { // the picks themselves, sorted
      distinct(key, id, c, k, true, taken, out);
      for (std::size_t i = begin; i < out.size(); ++i)
        taken[out[i] >> 6] = 0;
      if (sort) sort_below(out.data() + begin, k, c);
    } else { // the c - k left out, and the rest in order
      distinct(key, id, c, c - k, false, taken, out);
      collect(taken, c, false, out);
    }
  }
  if (skip < n)
    for (std::size_t i = begin; i < out.size(); ++i)
      out[i] += out[i] >= skip;
}

} // namespace ganglion
