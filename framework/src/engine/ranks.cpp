// Simulation::Impl over several ranks (parallel/ranks.hpp): which neurons each rank steps, the
// step's exchange of spikes (and of what else another rank reads), the recorders' data gathered
// on rank 0, and the agreement on failures that keeps every rank at the same step (the loop,
// run_ranks, is step.cpp's).
//
// Each rank holds every population's state but steps only its own run of slices of each, and
// builds only the synapses onto its own neurons (connect/connectivity.hpp's TargetRange); the
// spike lists of a step, concatenated in rank order, are the population's list in one process
// (ascending ids), so every target takes its arrivals in the same order: the same spikes, bit for
// bit, for any number of ranks.
#include <algorithm>
#include <cmath>
#include <cstring>

#include "engine/hook_call.hpp"
#include "engine/impl.hpp"
#include "experiment/estimate.hpp"
#include "parallel/ranks.hpp"

namespace ganglion {

using engine::Clock;
using engine::Divergence;
using engine::seconds_since;

void engine::Word::put(ranks::Packer &p) const {
  p.put(uint8_t(kind));
  p.put(step);
  p.put(stop);
  p.put(why);
}

engine::Word engine::Word::get(ranks::Reader &r) {
  Word w;
  w.kind = Kind(r.get<uint8_t>());
  w.step = r.get<uint64_t>();
  w.stop = r.get<int32_t>();
  w.why = r.text();
  return w;
}

using engine::Word;

namespace {

// The earliest failure (by step, then rank), and any rank's stop signal.
Word agreed(const std::vector<Word> &words) {
  Word a;
  for (const Word &w : words) {
    if (w.kind != Word::ok && (a.kind == Word::ok || w.step < a.step)) {
      a.kind = w.kind;
      a.step = w.step;
      a.why = w.why;
    }
    if (!a.stop) a.stop = w.stop;
  }
  return a;
}

} // namespace

Word engine::failure_word(const std::exception_ptr &e, uint64_t step) {
  Word w;
  w.step = step;
  try {
    std::rethrow_exception(e);
  } catch (const Divergence &d) {
    w.kind = Word::diverged;
    w.why = d.what();
  } catch (const std::exception &x) {
    w.kind = Word::failed;
    w.why = x.what();
  } catch (...) {
    w.kind = Word::failed;
    w.why = "an unknown error";
  }
  return w;
}

// Each rank's neurons: the slices of every population (kSliceSize neurons each, population after
// population), cut into one consecutive run per rank of about equal estimated cost: a neuron's
// step counts 1 (a source's 0.25: it integrates nothing), each synapse event onto it 0.3, at the
// expected synapses onto it and its inputs' expected rates (a source's rate, else 10 Hz; a rate
// unit's synapses every step). Which neuron lands in which slice is the same for any number of
// ranks, and every rank's share of a population is one range, the ranks' ranges in rank order.
void Simulation::Impl::partition() {
  const std::size_t n_ranks = std::size_t(ranks::size());
  bounds.assign(pops.size(), std::vector<uint64_t>(n_ranks + 1, 0));
  constexpr double kEventCost = 0.3, kSourceCost = 0.25;
  std::vector<double> events(pops.size(), 0.0); // per neuron and step
  const auto &sim = exp.simulation;
  for (const auto &p : exp.projections) {
    const PopulationSpec &pre = exp.populations[p.pre], &post = exp.populations[p.post];
    if (pre.size == 0 || post.size == 0) continue;
    const bool rate = pre.plugin->desc->flags & GG_DESC_RATE;
    const double per_step =
        rate ? 1.0 : spikes_per_second(pre, sim.duration) / double(pre.size) * sim.dt * 1e-3;
    events[std::size_t(p.post)] += ganglion::synapse_count(exp, p) / double(post.size) * per_step;
  }
  std::vector<double> cost;
  std::vector<std::size_t> pop_of;
  for (std::size_t p = 0; p < pops.size(); ++p) {
    const bool source = pops[p].desc->flags & (GG_DESC_SOURCE | GG_DESC_DRIVE);
    for (uint64_t b = 0; b < pops[p].spec->size; b += kSliceSize) {
      const double n = double(std::min(kSliceSize, pops[p].spec->size - b));
      cost.push_back(n * ((source ? kSourceCost : 1.0) + kEventCost * events[p]));
      pop_of.push_back(p);
    }
  }
  std::vector<std::size_t> split;
  split_costs(cost, n_ranks, split);
  std::vector<uint64_t> first_slice(pops.size(), 0); // of each population, in `cost`
  for (std::size_t s = cost.size(); s-- > 0;)
    first_slice[pop_of[s]] = s;
  for (std::size_t p = 0; p < pops.size(); ++p) {
    const uint64_t n = pops[p].spec->size;
    for (std::size_t r = 0; r <= n_ranks; ++r) {
      // rank r's first neuron of p: the first slice of p at or after split[r]
      const std::size_t s = split[r];
      uint64_t at = 0;
      if (s >= cost.size() || pop_of[s] > p)
        at = n;
      else if (pop_of[s] == p)
        at = (s - first_slice[p]) * kSliceSize;
      bounds[p][r] = std::min(at, n);
    }
  }
  const auto me = std::size_t(ranks::rank());
  own_lo.resize(pops.size());
  own_hi.resize(pops.size());
  for (std::size_t p = 0; p < pops.size(); ++p) {
    own_lo[p] = bounds[p][me];
    own_hi[p] = bounds[p][me + 1];
  }
}

// The rank that steps neuron i of population p.
std::size_t Simulation::Impl::owner_of(std::size_t p, uint64_t i) const {
  const auto &b = bounds[p];
  return std::size_t(std::upper_bound(b.begin(), b.end(), i) - b.begin()) - 1;
}

// The steps between exchanges: a spike of step s reaches its targets' synapses in phase 2 of step
// s + d - 1, so the lists of an interval of D steps, exchanged after its last step's phase 1, come
// in time for every projection whose delays are all D steps or more (a drive's spikes are drawn
// where they land). One step where something reads a step's spikes or state in that step: a
// plasticity rule (its presynaptic spikes), a rate unit's projection (its rates), a recorder other
// than of spikes (rank 0 runs the recorders of an interval's steps after its exchange). At most
// kMaxInterval steps.
// Overlapped (unless GANGLION_EXCHANGE says "blocking"), where D is 4 steps or more: intervals of
// D / 2 steps, each one's exchange travelling while the next one runs, and taken in after the
// next one's last phase 1, which is in time (that step is at most D - 1 after the first one's).
// At D = 2 or 3 that would be an exchange every step, for one or two steps of overlap (the
// microcircuit, D = 2, ran 3 % slower so on 2 ranks: bench/MPI.md).
void Simulation::Impl::choose_interval() {
  constexpr uint64_t kMaxInterval = 64;
  uint64_t d = kMaxInterval;
  for (const auto &proj : projs) {
    const Population &pre = pops[proj.spec->pre];
    if (proj.plasticity || pre.rate_field >= 0) d = 1;
    const Csr &c = proj.csr;
    if ((pre.desc->flags & GG_DESC_DRIVE) || c.size() == 0) continue; // (nothing delivered here)
    const uint64_t shortest =
        c.delay.empty() ? c.max_delay : *std::min_element(c.delay.begin(), c.delay.end());
    d = std::min(d, std::max<uint64_t>(1, shortest));
  }
  for (const auto &r : exp.recorders)
    if (!(r.plugin->desc->flags & GG_DESC_SPIKES_ONLY)) d = 1;
  // (each rank's synapses have their own shortest delay: the ranks' shortest)
  d = uint64_t(-ranks::max_all(-double(d)));
  // (blocking where any rank's environment asks for it: the ranks must step alike)
  overlapped = ranks::max_all(overlap_wanted ? 0.0 : 1.0) == 0.0 && d >= 4;
  interval = overlapped ? d / 2 : d;
}

// GANGLION_EXCHANGE: "overlapped" (the default) or "blocking" (each exchange finished before the
// next step runs: to measure what overlapping gains).
bool engine::overlap_exchange() {
  const char *v = std::getenv("GANGLION_EXCHANGE");
  if (!v || std::strcmp(v, "overlapped") == 0) return true;
  if (std::strcmp(v, "blocking") == 0) return false;
  throw RunError(std::string("the environment variable GANGLION_EXCHANGE is \"") + v +
                 "\": set it to \"overlapped\" (the default) or \"blocking\", or unset it");
}

// After the local gather of the last step of an interval [first, last]: sends every rank this
// rank's spikes of those steps (and, where the interval is one step, the rate units' rates and
// the inputs recorder's slice sums, which another rank reads), with its word; finish_exchange()
// takes every rank's. Meanwhile the next interval may run (overlapped: choose_interval).
void Simulation::Impl::start_exchange(uint64_t first, uint64_t last, const Word &mine) {
  ranks::Packer &out = exchange_out; // (its room kept from one exchange to the next)
  out.bytes.clear();
  mine.put(out);
  std::size_t i = 0; // the slices, population after population
  for (std::size_t p = 0; p < pops.size(); ++p) {
    const Population &pop = pops[p];
    for (uint64_t s = first; s <= last; ++s) {
      const uint64_t slot = s % pop.history.size();
      out.put(pop.history_count[slot]);
      out.put(pop.history[slot].data(), pop.history_count[slot]);
    }
    if (pop.rate_field >= 0)
      out.put(pop.fields.ptrs[std::size_t(pop.rate_field)] + own_lo[p], own_hi[p] - own_lo[p]);
    for (; i < slices.size() && slices[i].pop == p; ++i)
      if (pop.record_inputs) out.put(slices[i].input_sums.data(), slices[i].input_sums.size());
  }
  const auto t0 = Clock::now();
  in_flight.start(out.bytes, !overlapped);
  exchange_s += seconds_since(t0);
  flight_first = first;
  flight_last = last;
}

// Moves the exchange in flight on (between the steps of the interval it overlaps).
void Simulation::Impl::poll_exchange() {
  if (!in_flight.pending()) return;
  const auto t0 = Clock::now();
  in_flight.poll();
  exchange_s += seconds_since(t0);
}

// The exchange in flight completed: every rank's lists of its steps, in place (whole_until past
// them), and what else it carried. Returns the ranks' agreed word; told_from is its first step.
Word Simulation::Impl::finish_exchange() {
  std::vector<uint64_t> at;
  const auto t0 = Clock::now();
  const std::vector<char> &all = in_flight.wait(at);
  exchange_s += seconds_since(t0);
  exchange_bytes += all.size();
  std::vector<ranks::Reader> from;
  std::vector<Word> words;
  for (std::size_t r = 0; r + 1 < at.size(); ++r) {
    from.push_back({all.data() + at[r]});
    words.push_back(Word::get(from.back()));
  }
  for (std::size_t p = 0; p < pops.size(); ++p) {
    for (uint64_t s = flight_first; s <= flight_last; ++s)
      unpack_spikes(pops[p], s, from);
    unpack_read_by_others(p, from);
  }
  whole_until = flight_last + 1;
  told_from = flight_first;
  return agreed(words);
}

// Step s's list of population `pop`: every rank's, in rank order, read from each rank's message
// (a population's steps one after the other).
void Simulation::Impl::unpack_spikes(Population &pop, uint64_t s,
                                     std::vector<ranks::Reader> &from) {
  const uint64_t slot = s % pop.history.size();
  auto &list = pop.history[slot];
  pop.spikes_total -= pop.history_count[slot]; // (counted again whole)
  uint64_t count = 0;
  for (auto &r : from) {
    const auto n = r.get<uint64_t>();
    if (count + n > list.size()) list.resize(count + n);
    r.get(list.data() + count, n);
    count += n;
  }
  pop.history_count[slot] = count;
  pop.spikes_total += count;
}

// At the end of the interval [first, last]: the exchange in flight taken in (overlapped) and
// this interval's started; finished now where not overlapped, at the run's last step (`final`),
// or where the ranks stop. Returns the ranks' agreed word; after a failure nothing more starts.
Word Simulation::Impl::exchange_interval(uint64_t first, uint64_t last, const Word &mine,
                                         bool final) {
  Word a;
  if (in_flight.pending()) {
    a = finish_exchange();
    if (a.kind != Word::ok) return a;
  }
  start_exchange(first, last, mine);
  if (overlapped && !final && !a.stop) return a;
  Word b = finish_exchange();
  if (!b.stop) b.stop = a.stop;
  return b;
}

// After population p's lists in an exchange of one step: every rank's part of its rate units'
// rates, and of the inputs recorder's slice sums (each rank's slices in order, so summed in the
// order of one process).
void Simulation::Impl::unpack_read_by_others(std::size_t p, std::vector<ranks::Reader> &from) {
  Population &pop = pops[p];
  if (pop.record_inputs) std::fill(pop.input_means.begin(), pop.input_means.end(), 0.0);
  std::vector<double> sums(pop.record_inputs ? pop.incoming.size() : 0);
  for (std::size_t r = 0; r < from.size(); ++r) {
    const uint64_t lo = bounds[p][r], hi = bounds[p][r + 1];
    if (pop.rate_field >= 0)
      from[r].get(pop.fields.ptrs[std::size_t(pop.rate_field)] + lo, hi - lo);
    if (!pop.record_inputs) continue;
    for (uint64_t b = lo; b < hi; b += kSliceSize) {
      from[r].get(sums.data(), sums.size());
      for (std::size_t k = 0; k < sums.size(); ++k)
        pop.input_means[k] += sums[k];
    }
  }
  if (pop.record_inputs)
    for (double &m : pop.input_means)
      m /= double(pop.spec->size);
}

// The words of every rank without a step's data (the run's end).
Word Simulation::Impl::agree(const Word &mine) {
  ranks::Packer out;
  mine.put(out);
  std::vector<uint64_t> at;
  const std::vector<char> all = ranks::all_gather(out.bytes, at);
  std::vector<Word> words;
  for (std::size_t r = 0; r + 1 < at.size(); ++r) {
    ranks::Reader from{all.data() + at[r]};
    words.push_back(Word::get(from));
  }
  return agreed(words);
}

// What rank 0's recorders read of other ranks' neurons and synapses, to rank 0 before they run at
// `step` (or at the run's end, `finish`): the recorded variables of a state recorder at its
// samples, and a weights recorder's projection at its.
void Simulation::Impl::gather_recorded(uint64_t step, bool finish) {
  ranks::Packer out;
  std::vector<const Recorder *> due;
  for (const auto &rec : recs) {
    if (!finish && (step + 1) % rec.spec->every != 0) continue;
    const bool fields = !rec.spec->variables.empty(), weights = rec.spec->projection >= 0;
    if (!fields && !weights) continue;
    due.push_back(&rec);
    const std::size_t p = std::size_t(rec.spec->population);
    for (uint32_t k : rec.spec->variables)
      out.put(pops[p].fields.ptrs[k] + own_lo[p], own_hi[p] - own_lo[p]);
    if (weights) {
      const Csr &c = projs[std::size_t(rec.spec->projection)].csr;
      out.put(c.weight.data(), c.weight.size());
    }
  }
  if (due.empty()) return;
  std::vector<uint64_t> at;
  const std::vector<char> all = ranks::gather(out.bytes, at);
  if (ranks::rank() != 0) return;
  std::vector<ranks::Reader> from;
  for (std::size_t r = 0; r + 1 < at.size(); ++r)
    from.push_back({all.data() + at[r]});
  for (const Recorder *rec : due) {
    const std::size_t p = std::size_t(rec->spec->population);
    for (uint32_t k : rec->spec->variables)
      for (std::size_t r = 0; r < from.size(); ++r)
        from[r].get(pops[p].fields.ptrs[k] + bounds[p][r], bounds[p][r + 1] - bounds[p][r]);
    if (rec->spec->projection >= 0) merge_weights(std::size_t(rec->spec->projection), from);
  }
}

// Rank 0's whole copy of projection q's synapses (whole_csr) takes every rank's weights: each
// rank's synapses are the whole rows' synapses onto its targets, in the same order, so walking
// the whole rows and taking each synapse's weight from its target's rank, in turn, puts them in
// place.
void Simulation::Impl::merge_weights(std::size_t q, std::vector<ranks::Reader> &from) {
  Csr &whole = whole_csr.at(q);
  const std::size_t post = std::size_t(projs[q].spec->post);
  for (uint64_t k = 0; k < whole.size(); ++k)
    whole.weight[k] = from[owner_of(post, whole.post(k))].get<float>();
}

// Throws the agreed failure `a` where there is one, as the run in one process would have; the
// step it happened in is failed_at.
void Simulation::Impl::throw_failure(const Word &a) {
  failed_at = a.step;
  if (a.kind == Word::diverged) throw Divergence(a.why);
  if (a.kind == Word::failed) {
    steps_done = a.step;
    throw RunError(a.why);
  }
}

// A failure while the network was built, on any rank, fails the build on every rank with the
// first failing rank's message (its own exception where it is that rank).
void Simulation::Impl::agree_on_build(const std::exception_ptr &e) {
  Word mine;
  if (e) mine = engine::failure_word(e, 0);
  const Word a = agree(mine);
  if (a.kind == Word::ok) return;
  if (e && a.why == mine.why) std::rethrow_exception(e);
  throw RunError(a.why);
}

} // namespace ganglion
