// Connectivity rules; see connectivity.hpp.
#include "connect/connectivity.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>

#include "connect/bernoulli_row.hpp"
#include "connect/picks.hpp"
#include "connect/synapse_values.hpp"
#include "engine/prefault.hpp"
#include "engine/thread_pool.hpp"
#include "ganglion/elementary.h"
#include "random/batch_draws.hpp"
#include "random/discrete.hpp"
#include "random/draws.hpp"

namespace ganglion {
namespace {

// Rows (or columns, for fixed_indegree) cut into chunks, the unit of work on the pool: about 8
// chunks per thread, so that threads finish together, of 1024 to 2^18 synapses (at most 1 MiB of
// targets, so the buffers of a wave stay small beside the projection). Where a chunk starts
// changes no result, only which thread computes what.
struct Chunks {
  uint64_t n = 0, per_chunk = 1, count = 0;
  Chunks(uint64_t items, double synapses_per_item, unsigned threads) : n(items) {
    const double synapses = double(items) * synapses_per_item;
    const double target = std::clamp(synapses / (8.0 * threads), 1024.0, double(1 << 18));
    per_chunk = std::max<uint64_t>(1, uint64_t(target / std::max(1.0, synapses_per_item)));
    count = (n + per_chunk - 1) / per_chunk;
  }
  uint64_t begin(uint64_t c) const { return c * per_chunk; }
  uint64_t end(uint64_t c) const { return std::min(n, (c + 1) * per_chunk); }
};

unsigned threads_of(const ThreadPool *pool) {
  return pool ? pool->size() : 1;
}

// The CSR of rows made by row(i, targets), which appends row i's targets in ascending order.
// Chunks of rows are made in waves on the pool, each into its own buffer, then copied in row order
// to the end of post_index, in parallel too. post_index is reserved once for `capacity` synapses,
// so it never grows by copying (nor is held twice), and its untouched pages cost no memory; beyond
// `capacity` it still grows (a rule whose count is random passes a bound it exceeds with
// probability below 1e-9).
//
// narrow: the targets go to post_index16 (every target below 65536).
template <class Row>
Csr by_rows(uint64_t n_pre, double per_row, uint64_t capacity, bool narrow, ThreadPool *pool,
            Row &&row) {
  Csr c;
  c.row_ptr.assign(n_pre + 1, 0);
  if (narrow)
    c.post_index16.reserve(capacity);
  else
    c.post_index.reserve(capacity);
  const Chunks chunks(n_pre, per_row, threads_of(pool));
  const uint64_t per_wave = std::min<uint64_t>(chunks.count, 4 * threads_of(pool));
  std::vector<std::vector<uint32_t>> buffers(per_wave);
  std::vector<uint64_t> at(per_wave); // where each buffer goes in post_index
  for (uint64_t first = 0; first < chunks.count; first += per_wave) {
    const uint64_t wave = std::min<uint64_t>(per_wave, chunks.count - first);
    run_all(pool, wave, [&](std::size_t b) {
      std::vector<uint32_t> &targets = buffers[b];
      targets.clear();
      for (uint64_t i = chunks.begin(first + b); i < chunks.end(first + b); ++i) {
        const std::size_t before = targets.size();
        row(i, targets);
        c.row_ptr[i + 1] = targets.size() - before; // a length until the prefix sum below
      }
    });
    uint64_t end = c.size();
    for (uint64_t b = 0; b < wave; ++b) {
      at[b] = end;
      end += buffers[b].size();
    }
    const auto place = [&](auto &post_index) {
      post_index.resize(end);
      run_all(pool, wave, [&](std::size_t b) {
        auto *to = post_index.data() + at[b];
        prefault(to, to + buffers[b].size());
        std::copy(buffers[b].begin(), buffers[b].end(), to);
      });
    };
    if (narrow)
      place(c.post_index16);
    else
      place(c.post_index);
  }
  std::partial_sum(c.row_ptr.begin(), c.row_ptr.end(), c.row_ptr.begin());
  return c;
}

// CSR from (pre, post) pairs, by a counting sort that keeps the pairs' order within each row;
// post_of(s) is the post of pair s.
template <class Pres, class PostOf>
Csr from_pairs(uint64_t n_pre, const Pres &pre, PostOf &&post_of) {
  Csr c;
  c.row_ptr.assign(n_pre + 1, 0);
  for (uint32_t i : pre)
    ++c.row_ptr[i + 1];
  std::partial_sum(c.row_ptr.begin(), c.row_ptr.end(), c.row_ptr.begin());
  c.post_index.resize(pre.size());
  std::vector<uint64_t> fill(c.row_ptr.begin(), c.row_ptr.end() - 1);
  for (std::size_t s = 0; s < pre.size(); ++s)
    c.post_index[fill[pre[s]]++] = post_of(s);
  return c;
}

void refuse(const ProjectionSpec &proj, const std::string &what) {
  throw std::runtime_error(proj.pointer + "/connect: " + what);
}

// fixed_probability's rows: each pair with probability p (0 < p < 1), by geometric gaps between
// successive targets, so the work is in proportion to the synapses made; the uniforms and gaps in
// batches (vectorised), walked as BernoulliRow (bernoulli_row.hpp, the device's) walks them. Row
// i's gaps are the uniforms of Draws(seed, stream, its gid) in order, turned into gaps in batches
// about as long as the rest of the row is expected to need (the draws left over at a row's end are
// dropped).
class BernoulliRows {
public:
  BernoulliRows(uint64_t seed, uint64_t stream, double p, uint64_t n_post, uint64_t first_gid,
                bool skip_autapse)
      : key_(seed, stream), p_(p), inv_log_q_(1.0 / gg_log1p(-p)), n_post_(n_post),
        first_gid_(first_gid), skip_autapse_(skip_autapse) {}

  void operator()(uint64_t i, std::vector<uint32_t> &targets) const {
    double u[kBatch], gaps[kBatch];
    uint32_t found[kBatch];
    const int64_t n_post = int64_t(n_post_), autapse = skip_autapse_ ? int64_t(i) : -1;
    int64_t j = 0; // the next candidate target
    for (uint64_t drawn = 0; j < n_post;) {
      // As many gaps as the rest of the row is expected to need, plus a little, in whole Philox
      // blocks (two uniforms each).
      const double expected = double(n_post - j) * p_ + 2.0;
      const std::size_t batch =
          std::min<std::size_t>(kBatch, 2 * std::size_t(expected / 2.0 + 1.0));
      batch_uniforms(key_, first_gid_ + i, drawn, batch, u);
      geometric_gaps(u, batch, inv_log_q_, gaps);
      drawn += batch;
      std::size_t n_found = 0;
      for (std::size_t k = 0; k < batch; ++k) {
        const int64_t target = take_gap(j, gaps[k], n_post);
        if (target < 0) break;
        found[n_found] = uint32_t(target);
        n_found += target != autapse;
      }
      targets.insert(targets.end(), found, found + n_found);
    }
  }

private:
  static constexpr std::size_t kBatch = 128;
  PhiloxKey key_;
  double p_, inv_log_q_;
  uint64_t n_post_, first_gid_;
  bool skip_autapse_;
};

// One projection to connect, with what every rule needs. narrow: rules that make rows directly
// store 16-bit targets (the others store 32 bits, narrowed after).
struct Draw {
  Draw(const ProjectionSpec &proj, const PopulationSpec &pre, const PopulationSpec &post,
       uint64_t seed, bool narrow, ThreadPool *pool, TargetRange range, RowBuilder *rows)
      : proj(proj), pre(pre), post(post), seed(seed), narrow(narrow), pool(pool), rows(rows),
        n_pre(pre.size), n_post(post.size),
        skip_autapse(proj.pre == proj.post && !proj.allow_autapses),
        stream(streams::kConnect + proj.stream),
        pairs(n_pre * n_post - (skip_autapse ? std::min(n_pre, n_post) : 0)),
        lo(std::min(range.lo, n_post)), hi(std::min(range.hi, n_post)) {}

  const ProjectionSpec &proj;
  const PopulationSpec &pre, &post;
  uint64_t seed;
  bool narrow;
  ThreadPool *pool;
  RowBuilder *rows; // the rows drawn there, where not null (whole ranges, 32-bit targets)
  uint64_t n_pre, n_post;
  bool skip_autapse;
  uint64_t stream; // of the connectivity draws
  uint64_t pairs;  // the pairs that may connect: n_pre n_post, less the autapses skipped
  uint64_t lo, hi; // the targets built (TargetRange)
  bool whole() const { return lo == 0 && hi == n_post; }
  // The room to reserve for `synapses` of the whole projection, of which the range takes about
  // its share (beyond the room, post_index grows).
  uint64_t room(uint64_t synapses) const {
    if (whole()) return synapses;
    const double share = n_post ? double(hi - lo) / double(n_post) : 0.0;
    return uint64_t(double(synapses) * share * 1.05) + 4096;
  }
  // Rows made whole by row(i, targets) (ascending), kept onto [lo, hi) alone: one run of each.
  template <class Row> auto kept(Row &&row) const {
    return [this, row](uint64_t i, std::vector<uint32_t> &t) {
      const std::size_t before = t.size();
      row(i, t);
      if (whole()) return;
      const auto b = t.begin() + long(before);
      const auto first = std::lower_bound(b, t.end(), uint32_t(lo));
      const auto last = std::lower_bound(first, t.end(), uint32_t(hi));
      t.erase(std::copy(first, last, b), t.end());
    };
  }
};

// Every pair, less the autapses skipped.
Csr all_to_all(const Draw &d) {
  if (d.rows) return d.rows->all_to_all(d.n_pre, d.n_post, d.skip_autapse);
  const uint64_t lo = d.lo, hi = d.hi;
  const bool skip_autapse = d.skip_autapse;
  return by_rows(d.n_pre, double(hi - lo), d.room(d.pairs), d.narrow, d.pool,
                 [&](uint64_t i, std::vector<uint32_t> &t) {
                   for (uint64_t j = lo; j < hi; ++j)
                     if (!(skip_autapse && i == j)) t.push_back(uint32_t(j));
                 });
}

// Pre i to post i.
Csr one_to_one(const Draw &d) {
  if (d.rows && d.n_pre == d.n_post) return d.rows->one_to_one(d.n_pre);
  const uint64_t lo = d.lo, hi = d.hi;
  return by_rows(d.n_pre, 1.0, d.room(d.n_pre), d.narrow, d.pool,
                 [=](uint64_t i, std::vector<uint32_t> &t) {
                   if (i >= lo && i < hi) t.push_back(uint32_t(i));
                 });
}

// p >= 1 is all_to_all, p <= 0 no synapse; between, BernoulliRows.
Csr fixed_probability(const Draw &d) {
  const double p = d.proj.p;
  if (p >= 1) return all_to_all(d);
  if (p <= 0)
    return by_rows(d.n_pre, 0.0, 0, d.narrow, d.pool, [](uint64_t, std::vector<uint32_t> &) {});
  if (d.rows)
    return d.rows->bernoulli(d.seed, d.stream, p, d.n_pre, d.n_post, d.pre.first_gid,
                             d.skip_autapse);
  // The count is binomial: reserve its mean and 6 sd.
  const double mean = double(d.pairs) * p;
  const auto bound = uint64_t(mean + 6.0 * std::sqrt(mean * (1.0 - p)) + 16.0);
  return by_rows(
      d.n_pre, double(d.hi - d.lo) * p, d.room(bound), d.narrow, d.pool,
      d.kept(BernoulliRows(d.seed, d.stream, p, d.n_post, d.pre.first_gid, d.skip_autapse)));
}

// Refuses a fixed degree k (`what`, "an in-degree") that `candidates` neurons (`of`, "sources")
// cannot give: none at all, or fewer than k without multapses.
void check_degree(const ProjectionSpec &proj, uint64_t k, uint64_t candidates, const char *what,
                  const char *of, const char *key) {
  if (k > 0 && (candidates == 0 || (!proj.allow_multapses && k > candidates)))
    refuse(proj, std::string(what) + " of " + std::to_string(k) + " cannot be drawn from " +
                     std::to_string(candidates) + " " + of + "; lower '" + key +
                     "' or allow multapses");
}

// Each pre's k targets picked from Draws(seed, stream, its gid), in ascending order.
Csr fixed_outdegree(const Draw &d) {
  const ProjectionSpec &proj = d.proj;
  const uint64_t n_post = d.n_post, first_gid = d.pre.first_gid;
  const bool skip_autapse = d.skip_autapse, multapses = proj.allow_multapses;
  const uint64_t k = proj.outdegree;
  check_degree(proj, k, n_post - (skip_autapse ? 1 : 0), "an out-degree", "targets", "outdegree");
  if (d.rows)
    return d.rows->counted(d.seed, d.stream, std::vector<uint64_t>(d.n_pre, k), n_post, first_gid,
                           skip_autapse, multapses);
  const PhiloxKey key(d.seed, d.stream);
  return by_rows(d.n_pre, double(k), d.room(d.n_pre * k), d.narrow, d.pool,
                 d.kept([&](uint64_t i, std::vector<uint32_t> &t) {
                   pick_sorted(key, first_gid + i, n_post, k, skip_autapse ? i : kNoSkip, multapses,
                               t);
                 }));
}

// Drawn per postsynaptic neuron (its in-degree is what is fixed), in parallel over chunks of them
// (those of the range alone), then sorted into rows; post lo + j's sources are
// pres[j k .. j k + k).
Csr fixed_indegree(const Draw &d) {
  const ProjectionSpec &proj = d.proj;
  const uint64_t n_pre = d.n_pre, n_own = d.hi - d.lo, lo = d.lo, first_gid = d.post.first_gid + lo;
  const bool skip_autapse = d.skip_autapse, multapses = proj.allow_multapses;
  const uint64_t k = proj.indegree;
  check_degree(proj, k, n_pre - (skip_autapse ? 1 : 0), "an in-degree", "sources", "indegree");
  if (d.rows)
    return d.rows->indegree(d.seed, d.stream, n_pre, d.n_post, k, first_gid, skip_autapse,
                            multapses);
  const PhiloxKey key(d.seed, d.stream);
  UninitVector<uint32_t> pres(n_own * k); // every element written below
  const Chunks chunks(n_own, double(k), threads_of(d.pool));
  run_all(d.pool, chunks.count, [&](std::size_t c) {
    std::vector<uint32_t> picked;
    for (uint64_t j = chunks.begin(c); j < chunks.end(c); ++j) {
      picked.clear();
      // (unsorted: from_pairs puts a column's pairs into their rows in any order, all onto j)
      pick_sorted(key, first_gid + j, n_pre, k, skip_autapse ? lo + j : kNoSkip, multapses, picked,
                  false);
      std::copy(picked.begin(), picked.end(), pres.begin() + long(j * k));
    }
  });
  return from_pairs(n_pre, pres, [k, lo](std::size_t s) { return uint32_t(lo + s / k); });
}

// How many of the projection's `total` synapses each row gets: multinomial over the rows (each
// row holds the same number of candidates), drawn as a sequence of binomials, row i's count
// Binomial(synapses left, 1 / rows left) from Draws(seed, stream, its gid, salt 1); without
// multapses the sequence is hypergeometric (a row takes distinct pairs from those left).
std::vector<uint64_t> row_counts(const Draw &d, uint64_t candidates) {
  std::vector<uint64_t> counts(d.n_pre, 0);
  uint64_t left = d.proj.total;
  for (uint64_t i = 0; i < d.n_pre && left > 0; ++i) {
    Draws draws(d.seed, d.stream, d.pre.first_gid + i, 1);
    const uint64_t rows_left = d.n_pre - i;
    counts[i] = d.proj.allow_multapses
                    ? binomial(draws, left, 1.0 / double(rows_left))
                    : hypergeometric(draws, candidates, (rows_left - 1) * candidates, left);
    left -= counts[i];
  }
  return counts;
}

// Each row's count (row_counts), then its targets picked as fixed_outdegree picks them: rows are
// independent given their counts, so they are drawn in parallel, and no pair is held twice.
Csr fixed_total_number(const Draw &d) {
  const ProjectionSpec &proj = d.proj;
  const uint64_t n_post = d.n_post, pairs = d.pairs, first_gid = d.pre.first_gid;
  const bool skip_autapse = d.skip_autapse, multapses = proj.allow_multapses;
  if (!multapses && proj.total > pairs)
    refuse(proj, std::to_string(proj.total) + " synapses cannot be drawn without multapses from " +
                     std::to_string(pairs) + " possible pairs; lower 'total' or allow multapses");
  if (proj.total > 0 && pairs == 0) refuse(proj, "there is no pair of neurons to connect");
  const std::vector<uint64_t> counts = row_counts(d, n_post - (skip_autapse ? 1 : 0));
  if (d.rows)
    return d.rows->counted(d.seed, d.stream, counts, n_post, first_gid, skip_autapse, multapses);
  const PhiloxKey key(d.seed, d.stream);
  const double per_row = d.n_pre ? double(proj.total) / double(d.n_pre) : 0.0;
  return by_rows(d.n_pre, per_row, d.room(proj.total), d.narrow, d.pool,
                 d.kept([&](uint64_t i, std::vector<uint32_t> &t) {
                   pick_sorted(key, first_gid + i, n_post, counts[i], skip_autapse ? i : kNoSkip,
                               multapses, t);
                 }));
}

// The projection's synapses by its rule, as CSR (weights and delays come after).
Csr synapses(const ProjectionSpec &proj, const PopulationSpec &pre, const PopulationSpec &post,
             uint64_t seed, bool narrow, ThreadPool *pool, TargetRange range, RowBuilder *rows) {
  const Draw d(proj, pre, post, seed, narrow, pool, range, rows);
  switch (proj.rule) {
  case ConnectRule::AllToAll: return all_to_all(d);
  case ConnectRule::OneToOne: return one_to_one(d);
  case ConnectRule::FixedProbability: return fixed_probability(d);
  case ConnectRule::FixedOutdegree: return fixed_outdegree(d);
  case ConnectRule::FixedIndegree: return fixed_indegree(d);
  case ConnectRule::FixedTotalNumber: return fixed_total_number(d);
  }
  throw std::logic_error("unknown connectivity rule");
}

// 32-bit targets to 16 (a rule that made them wide).
void narrow_targets(Csr &c, ThreadPool *pool) {
  const uint64_t n = c.size();
  const Chunks chunks(n, 1.0, threads_of(pool));
  c.post_index16.resize(n);
  run_all(pool, chunks.count, [&](std::size_t k) {
    uint16_t *to = c.post_index16.data() + chunks.begin(k);
    prefault(to, c.post_index16.data() + chunks.end(k));
    std::copy(c.post_index.begin() + long(chunks.begin(k)),
              c.post_index.begin() + long(chunks.end(k)), to);
  });
  c.post_index = {};
}

// The CSR with 16-bit targets where the layout asks for them (the rules that do not make rows
// make 32-bit ones).
Csr narrowed(Csr c, CsrLayout layout, ThreadPool *pool) {
  if (layout.narrow_targets && !c.post_index.empty()) narrow_targets(c, pool);
  return c;
}

// The index of where each delay's run of a row ends (Csr::delay_ends16 or delay_ends), filled
// per chunk of rows on the pool.
void delay_index(Csr &c, const Chunks &rows, ThreadPool *pool) {
  uint64_t longest = 0;
  for (uint64_t i = 0; i < rows.n; ++i)
    longest = std::max(longest, c.row_ptr[i + 1] - c.row_ptr[i]);
  const uint64_t n = rows.n * (c.max_delay - 1);
  if (longest < 65536)
    c.delay_ends16.resize(n);
  else
    c.delay_ends.resize(n);
  run_all(pool, rows.count, [&](std::size_t r) { index_delays(c, rows.begin(r), rows.end(r)); });
}

} // namespace

Csr build_connectivity(const ProjectionSpec &proj, const PopulationSpec &pre,
                       const PopulationSpec &post, uint64_t seed, double dt, ThreadPool *pool,
                       CsrLayout layout, TargetRange range, const RowPlaces &places,
                       RowBuilder *elsewhere) {
  if (post.size > UINT32_MAX || pre.size > UINT32_MAX)
    throw std::runtime_error(proj.pointer + ": populations above 2^32 neurons are not supported");
  if (layout.narrow_targets && post.size > 65536)
    throw std::logic_error("16-bit targets for a population of more than 65536 neurons");
  if (elsewhere && (layout.narrow_targets || !range.whole(post.size)))
    throw std::logic_error("rows drawn elsewhere for a part of the targets or 16-bit ones");
  Csr c = synapses(proj, pre, post, seed, layout.narrow_targets, pool, range, elsewhere);
  const uint64_t n_pre = pre.size, first_gid = pre.first_gid;
  const SynapseDraws draws(proj, seed, first_gid, dt);
  if (c.held.count) { // (kept where they were drawn: their values drawn there too)
    elsewhere->complete(c, draws);
    return c;
  }
  // A part of the targets: where each row's synapses start in the whole row (their draws' place).
  // (Every rank counts, whatever its share: `places` is collective.)
  std::vector<uint64_t> place;
  if (!range.whole(post.size) && !places)
    throw std::logic_error("a part of a projection's targets without their places");
  if (places) {
    place.resize(n_pre);
    for (uint64_t i = 0; i < n_pre; ++i)
      place[i] = c.row_ptr[i + 1] - c.row_ptr[i];
    places(place);
  }
  const Chunks rows(n_pre, n_pre ? double(c.size()) / double(n_pre) : 0.0, threads_of(pool));

  // Weights and delays, per chunk of rows in place. Drawn delays: whole steps, at least one,
  // rows sorted by delay so that one delay is one run.
  const bool one_weight = !draws.drawn_weights && layout.one_weight;
  if (one_weight)
    c.weight.assign(c.size() ? 1 : 0, float(proj.weight));
  else
    c.weight.resize(c.size());
  if (draws.drawn_delays) c.delay.resize(c.size());
  c.max_delay = proj.delay_steps;
  if (one_weight && !draws.drawn_delays) return narrowed(std::move(c), layout, pool);
  std::vector<uint64_t> max_delay(rows.count, 1);
  run_all(pool, rows.count, [&](std::size_t r) {
    const uint64_t b = c.row_ptr[rows.begin(r)], e = c.row_ptr[rows.end(r)];
    if (!one_weight) prefault(c.weight.data() + b, c.weight.data() + e);
    if (draws.drawn_delays) prefault(c.delay.data() + b, c.delay.data() + e);
    if (draws.drawn_weights || draws.drawn_delays)
      max_delay[r] =
          draw_rows(c, rows.begin(r), rows.end(r), draws, place.empty() ? nullptr : place.data());
    else
      std::fill(c.weight.begin() + long(b), c.weight.begin() + long(e), float(proj.weight));
  });
  if (draws.drawn_delays) {
    c.max_delay = std::accumulate(max_delay.begin(), max_delay.end(), uint64_t(1),
                                  [](uint64_t a, uint64_t b) { return std::max(a, b); });
    delay_index(c, rows, pool);
  }
  return narrowed(std::move(c), layout, pool);
}

Csr join_members(std::vector<Csr> members, uint64_t n_post, CsrLayout layout, ThreadPool *pool) {
  Csr c;
  std::vector<uint64_t> row_at{0}, at{0}; // each member's first row and synapse
  bool delays = false;
  for (const Csr &m : members) {
    row_at.push_back(row_at.back() + m.row_ptr.size() - 1);
    at.push_back(at.back() + m.size());
    c.max_delay = std::max(c.max_delay, m.max_delay);
    delays = delays || !m.delay.empty();
  }
  const uint64_t rows = row_at.back(), synapses = at.back();
  c.row_ptr.resize(rows + 1);
  c.row_ptr[rows] = synapses;
  c.post_index.resize(synapses);
  c.weight.resize(synapses);
  if (delays) c.delay.resize(synapses);
  run_all(pool, members.size(), [&](std::size_t m) {
    Csr &part = members[m];
    for (uint64_t i = 0; i + 1 < part.row_ptr.size(); ++i)
      c.row_ptr[row_at[m] + i] = at[m] + part.row_ptr[i];
    const auto shift = uint32_t(m * n_post);
    for (uint64_t k = 0; k < part.size(); ++k)
      c.post_index[at[m] + k] = part.post_index[k] + shift;
    std::copy(part.weight.begin(), part.weight.end(), c.weight.begin() + long(at[m]));
    if (delays) std::copy(part.delay.begin(), part.delay.end(), c.delay.begin() + long(at[m]));
    part = Csr{}; // (its memory back before the next)
  });
  // One weight for all where the layout stores it once (the members' weights all one value).
  if (layout.one_weight && synapses &&
      std::all_of(c.weight.begin(), c.weight.end(), [&](float w) { return w == c.weight[0]; })) {
    c.weight.resize(1);
    c.weight.shrink_to_fit();
  }
  if (delays)
    delay_index(c, Chunks(rows, rows ? double(synapses) / double(rows) : 0.0, threads_of(pool)),
                pool);
  return narrowed(std::move(c), layout, pool);
}

Csr joined_held(const std::vector<Csr> &members) {
  Csr c;
  for (const Csr &m : members) {
    c.max_delay = std::max(c.max_delay, m.max_delay);
    c.held.delays = c.held.delays || m.held.delays;
    c.held.members.push_back(m.size());
  }
  return c;
}

} // namespace ganglion
