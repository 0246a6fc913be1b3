// The CPU engine; see simulation.hpp for the order of one step.
#include "engine/simulation.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <mutex>
#include <sstream>

#include "connect/connectivity.hpp"
#include "engine/aligned.hpp"
#include "engine/thread_pool.hpp"
#include "ganglion/philox.h"
#include "output/hdf5_writer.hpp"
#include "plugins/registry.hpp"

namespace ganglion {
namespace {

// Stream of the initial-value draws; neuron dynamics use stream 1 with global ids as counters.
constexpr uint64_t kInitStream = 2;
constexpr uint64_t kDynamicsStream = 1;

using Clock = std::chrono::steady_clock;
double seconds_since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

// Per-element values of one field from its spec: constants, or draws keyed by global id.
void fill_values(AlignedVector<double> &out, uint64_t n, const ValueSpec &v, uint64_t seed,
                 uint64_t first_gid, uint32_t salt) {
  out.assign(padded(n), 0.0);
  for (uint64_t i = 0; i < n; ++i) {
    if (v.kind == ValueSpec::Kind::Constant) {
      out[i] = v.a;
      continue;
    }
    const uint64_t gid = first_gid + i;
    const gg_u32x4 r = gg_random4(seed, kInitStream, uint32_t(gid), uint32_t(gid >> 32), salt, 0);
    const double u1 = gg_uniform(r.v[0], r.v[1]), u2 = gg_uniform(r.v[2], r.v[3]);
    if (v.kind == ValueSpec::Kind::Uniform) {
      out[i] = v.a + (v.b - v.a) * u1;
    } else { // Box-Muller
      out[i] = v.a + v.b * std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * M_PI * u2);
    }
  }
}

// With no output file recorders run the same, into a sink that accepts and drops everything. It
// numbers channels per recorder instance from 0, as the writer's sink does.
struct NullSink {
  int32_t channels = 0;
  static int32_t declare(void *ctx, const char *, int32_t, uint32_t, const char *) {
    return static_cast<NullSink *>(ctx)->channels++;
  }
  static int32_t write_fixed(void *, const char *, int32_t, const void *, uint64_t, uint32_t,
                             const char *) {
    return 0;
  }
  static int32_t append(void *ctx, int32_t channel, const void *, uint64_t) {
    return channel >= 0 && channel < static_cast<NullSink *>(ctx)->channels ? 0 : -1;
  }
  gg_sink view() { return gg_sink{this, &declare, &write_fixed, &append}; }
};

struct Fields {
  std::vector<AlignedVector<double>> data;
  std::vector<double *> ptrs;
  void make(const gg_descriptor *d, uint64_t n, const std::vector<ValueSpec> &values,
            uint64_t seed, uint64_t first_gid, uint32_t salt_base) {
    data.resize(d->n_fields);
    ptrs.resize(d->n_fields);
    for (uint32_t k = 0; k < d->n_fields; ++k) {
      ValueSpec v = k < values.size() ? values[k] : ValueSpec{};
      if (k >= values.size()) v.a = d->fields[k].default_value;
      fill_values(data[k], n, v, seed, first_gid, salt_base + k);
      ptrs[k] = data[k].data();
    }
  }
};

} // namespace

uint64_t RunReport::synapses() const {
  uint64_t s = 0;
  for (const auto &p : projections) s += p.synapses;
  return s;
}

struct Simulation::Impl {
  struct Population {
    const PopulationSpec *spec = nullptr;
    const gg_descriptor *desc = nullptr;
    Fields fields;
    AlignedVector<double> input;
    // Spike history: slot s % depth holds the spikes of step s, for as many steps as the longest
    // outgoing delay needs.
    std::vector<std::vector<uint32_t>> history;
    std::vector<uint64_t> history_count;
    uint64_t capacity = 0;
    uint64_t spikes_total = 0;
    std::vector<std::size_t> incoming;   // projection indices, file order (a fixed sum order)
    std::vector<uint32_t> checked;       // fields with GG_BOUND_CHECKED
    gg_view view{};
  };
  struct Projection {
    const ProjectionSpec *spec = nullptr;
    const gg_descriptor *desc = nullptr;
    Csr csr;
    Fields fields;
    gg_view view{};
  };
  struct Recorder {
    const RecorderSpec *spec = nullptr;
    const gg_descriptor *desc = nullptr;
    Fields fields;
    std::vector<const double *> pop_fields;
    std::vector<const char *> variable_names;
    std::unique_ptr<NullSink> null_sink = std::make_unique<NullSink>();
    gg_view view{};
  };

  const Experiment &exp;
  Hdf5Writer *writer;
  std::vector<Population> pops;
  std::vector<Projection> projs;
  std::vector<Recorder> recs;
  std::unique_ptr<ThreadPool> pool;
  double setup_s = 0;

  Impl(const Experiment &e, Hdf5Writer *w) : exp(e), writer(w) {}

  gg_view base_view(uint64_t n, uint64_t first_gid) const {
    gg_view v{};
    v.struct_size = sizeof(gg_view);
    v.backend = GG_BACKEND_CPU;
    v.n = n;
    v.first_gid = first_gid;
    v.dt = exp.simulation.dt;
    v.seed = exp.simulation.seed;
    v.rng_stream = kDynamicsStream;
    return v;
  }

  void build() {
    const auto t0 = Clock::now();
    const auto &sim = exp.simulation;
    unsigned threads = sim.threads ? sim.threads : std::max(1u, std::thread::hardware_concurrency());
    pool = std::make_unique<ThreadPool>(threads);

    pops.resize(exp.populations.size());
    for (std::size_t p = 0; p < pops.size(); ++p) {
      auto &pop = pops[p];
      pop.spec = &exp.populations[p];
      pop.desc = pop.spec->plugin->desc;
      const uint64_t n = pop.spec->size;
      pop.fields.make(pop.desc, n, pop.spec->values, sim.seed, pop.spec->first_gid, 0);
      pop.input.assign(padded(n), 0.0);
      // Sources may emit several spikes per neuron in a step (a Poisson count).
      pop.capacity = (pop.desc->flags & GG_DESC_SOURCE) ? 8 * n + 1024 : n;
      for (uint32_t k = 0; k < pop.desc->n_fields; ++k)
        if (pop.desc->fields[k].flags & GG_BOUND_CHECKED) pop.checked.push_back(k);
    }
    std::vector<uint64_t> depth(pops.size(), 1);
    projs.resize(exp.projections.size());
    for (std::size_t q = 0; q < projs.size(); ++q) {
      auto &proj = projs[q];
      proj.spec = &exp.projections[q];
      proj.desc = proj.spec->synapse->desc;
      const auto &pre = exp.populations[proj.spec->pre];
      const auto &post = exp.populations[proj.spec->post];
      proj.csr = build_connectivity(*proj.spec, pre, post, sim.seed);
      proj.fields.make(proj.desc, post.size, proj.spec->values, sim.seed, post.first_gid,
                       1000 + 100 * uint32_t(q));
      pops[proj.spec->post].incoming.push_back(q);
      depth[proj.spec->pre] = std::max(depth[proj.spec->pre], proj.spec->delay_steps);
    }
    for (std::size_t p = 0; p < pops.size(); ++p) {
      auto &pop = pops[p];
      pop.history.assign(depth[p], std::vector<uint32_t>(pop.capacity));
      pop.history_count.assign(depth[p], 0);
      pop.view = base_view(pop.spec->size, pop.spec->first_gid);
      pop.view.fields = pop.fields.ptrs.data();
      pop.view.n_fields = uint32_t(pop.fields.ptrs.size());
      pop.view.input = pop.input.data();
      pop.view.spike_capacity = pop.capacity;
    }
    for (auto &proj : projs) {
      auto &post = pops[proj.spec->post];
      proj.view = base_view(post.spec->size, post.spec->first_gid);
      proj.view.fields = proj.fields.ptrs.data();
      proj.view.n_fields = uint32_t(proj.fields.ptrs.size());
      proj.view.post_input = post.input.data();
      post_v_of(post, proj.view);
      proj.view.row_ptr = proj.csr.row_ptr.data();
      proj.view.post_index = proj.csr.post_index.data();
      proj.view.weight = proj.csr.weight.data();
    }
    recs.resize(exp.recorders.size());
    for (std::size_t r = 0; r < recs.size(); ++r) {
      auto &rec = recs[r];
      rec.spec = &exp.recorders[r];
      rec.desc = rec.spec->plugin->desc;
      auto &pop = pops[rec.spec->population];
      rec.fields.make(rec.desc, pop.spec->size, rec.spec->values, sim.seed, pop.spec->first_gid,
                      100000 + 100 * uint32_t(r));
      for (double *f : pop.fields.ptrs) rec.pop_fields.push_back(f);
      for (const auto &name : rec.spec->variable_names) rec.variable_names.push_back(name.c_str());
      rec.view = base_view(pop.spec->size, pop.spec->first_gid);
      rec.view.fields = rec.fields.ptrs.data();
      rec.view.n_fields = uint32_t(rec.fields.ptrs.size());
      rec.view.pop_fields = rec.pop_fields.data();
      rec.view.select = rec.spec->neurons.empty() ? nullptr : rec.spec->neurons.data();
      rec.view.n_select = rec.spec->neurons.size();
      rec.view.variables = rec.spec->variables.data();
      rec.view.n_variables = uint32_t(rec.spec->variables.size());
      rec.view.variable_names = rec.variable_names.data();
      rec.view.population = pop.spec->name.c_str();
      rec.view.every = rec.spec->every;
      rec.view.sink = writer ? writer->sink(uint32_t(r)) : rec.null_sink->view();
    }
    // Plugins derive what they precompute and recorders declare their datasets: a failure here is
    // still before anything ran.
    for (auto &pop : pops)
      call(pop.desc->cpu->init, pop.view, "population '" + pop.spec->name + "'", "init");
    for (auto &proj : projs)
      call(proj.desc->cpu->init, proj.view, "projection '" + proj.spec->name + "'", "init");
    for (auto &rec : recs) {
      call(rec.desc->cpu->init, rec.view, "recorder " + rec.spec->pointer, "init");
      if (writer) writer->check();
    }
    setup_s = seconds_since(t0);
  }

  // The postsynaptic V a synapse may read (conductances) or write (delta synapses).
  static void post_v_of(Population &post, gg_view &v) {
    for (uint32_t k = 0; k < post.desc->n_fields; ++k)
      if (std::string(post.desc->fields[k].name) == "V") v.post_v = post.fields.ptrs[k];
  }

  std::string hook_error(const char *what, const std::string &who, const char *msg) const {
    return who + ": " + what + " failed: " + msg;
  }

  void call(gg_status (*hook)(const gg_view *, gg_error *), const gg_view &v, const std::string &who,
            const char *what) {
    if (!hook) return;
    char buf[1024] = "";
    gg_error err{buf, sizeof buf};
    const gg_status s = hook(&v, &err);
    if (s == GG_OK) return;
    if (s == GG_DIVERGED) throw Divergence(who + " diverged at t = " + format_ms(v.t) + ": " + buf);
    throw RunError(hook_error(what, who, buf));
  }

  static std::string format_ms(double t) {
    char b[64];
    std::snprintf(b, sizeof b, "%.10g ms", t);
    return b;
  }

  struct Divergence : std::runtime_error {
    using std::runtime_error::runtime_error;
  };

  // A bound-checked state value out of range (or NaN) stops the run with the place and a fix.
  void check_bounds(const Population &pop, double t_end) const {
    const uint64_t n = pop.spec->size;
    for (uint32_t k : pop.checked) {
      const gg_field &f = pop.desc->fields[k];
      const double *x = pop.fields.ptrs[k];
      bool bad = false;
      for (uint64_t i = 0; i < n; ++i) bad |= !(x[i] >= f.min && x[i] <= f.max);
      if (!bad) continue;
      for (uint64_t i = 0; i < n; ++i)
        if (!(x[i] >= f.min && x[i] <= f.max)) {
          char b[512];
          std::snprintf(b, sizeof b,
                        "population '%s' (%s) diverged at t = %.10g ms: neuron %llu has %s = %g %s, "
                        "outside [%g, %g] %s; reduce dt, the weights or the drive (%s)",
                        pop.spec->name.c_str(), pop.desc->name, t_end,
                        static_cast<unsigned long long>(i), f.name, x[i], f.unit, f.min, f.max,
                        f.unit, pop.spec->pointer.c_str());
          throw Divergence(b);
        }
    }
  }

  void step_population(Population &pop, uint64_t step) {
    const uint64_t n = pop.spec->size;
    std::fill(pop.input.begin(), pop.input.begin() + n, 0.0);
    const double t = double(step) * exp.simulation.dt;
    for (std::size_t q : pop.incoming) {
      auto &proj = projs[q];
      proj.view.step = step;
      proj.view.t = t;
      call(proj.desc->cpu->current, proj.view, "projection '" + proj.spec->name + "'", "current");
    }
    const uint64_t slot = step % pop.history.size();
    uint64_t count = 0;
    pop.view.spikes = pop.history[slot].data();
    pop.view.n_spikes = &count;
    pop.view.step = step;
    pop.view.t = t;
    call(pop.desc->cpu->step, pop.view,
         "population '" + pop.spec->name + "' (" + pop.desc->name + ")", "step");
    if (count > pop.capacity)
      throw RunError("population '" + pop.spec->name + "' emitted " + std::to_string(count) +
                     " spikes in the step at t = " + format_ms(t) + ", more than its buffer of " +
                     std::to_string(pop.capacity) + "; lower the source's rate or dt");
    pop.history_count[slot] = count;
    pop.spikes_total += count;
    check_bounds(pop, t + exp.simulation.dt);
  }

  void step_projection(Projection &proj, uint64_t step) {
    const auto &pre = pops[proj.spec->pre];
    // Spikes emitted at step s reach the postsynaptic neuron at step s + d; they enter the
    // synaptic state at the end of step s + d - 1, i.e. now for s = step + 1 - d.
    const uint64_t d = proj.spec->delay_steps;
    proj.view.step = step;
    proj.view.t = double(step) * exp.simulation.dt;
    if (step + 1 >= d) {
      const uint64_t slot = (step + 1 - d) % pre.history.size();
      proj.view.arrivals = pre.history[slot].data();
      proj.view.n_arrivals = pre.history_count[slot];
    } else {
      proj.view.arrivals = nullptr;
      proj.view.n_arrivals = 0;
    }
    call(proj.desc->cpu->step, proj.view, "projection '" + proj.spec->name + "'", "step");
  }

  // Runs task(i) on the pool; rethrows the error of the lowest failing index, so which error is
  // reported never depends on the thread timing.
  template <class F> void parallel(std::size_t n, F &&task) {
    std::vector<std::exception_ptr> errors(n);
    pool->run(n, [&](std::size_t i) {
      try {
        task(i);
      } catch (...) {
        errors[i] = std::current_exception();
      }
    });
    for (auto &e : errors)
      if (e) std::rethrow_exception(e);
  }

  void call_recorders(uint64_t step, bool finish) {
    for (auto &rec : recs) {
      const auto &pop = pops[rec.spec->population];
      const uint64_t slot = step % pop.history.size();
      rec.view.step = step;
      rec.view.t = double(step) * exp.simulation.dt;
      rec.view.pop_spikes = pop.history[slot].data();
      rec.view.pop_n_spikes = pop.history_count[slot];
      const std::string who = "recorder " + rec.spec->pointer + " (" + rec.desc->name + ")";
      call(finish ? rec.desc->cpu->finish : rec.desc->cpu->step, rec.view, who,
           finish ? "finish" : "step");
      if (writer) writer->check();
    }
  }

  RunReport run(const std::function<void(double)> &progress) {
    RunReport rep;
    rep.setup_s = setup_s;
    rep.threads = pool->size();

    const auto t0 = Clock::now();
    auto last_progress = t0;
    const uint64_t n_steps = exp.simulation.n_steps;
    uint64_t step = 0;
    try {
      for (; step < n_steps; ++step) {
        parallel(pops.size(), [&](std::size_t p) { step_population(pops[p], step); });
        parallel(projs.size(), [&](std::size_t q) { step_projection(projs[q], step); });
        call_recorders(step, false);
        if (progress && (step & 63) == 0 && seconds_since(last_progress) > 0.2) {
          last_progress = Clock::now();
          progress(double(step + 1) * exp.simulation.dt);
        }
      }
    } catch (const Divergence &d) {
      rep.diverged = true;
      rep.divergence = d.what();
      // The diverging step ran: record it too (its out-of-range value helps the diagnosis), so the
      // file holds every step the report counts. A recorder failing now must not hide the cause.
      try {
        call_recorders(step, false);
      } catch (const std::exception &) {
      }
      ++step;
    }
    rep.steps_done = std::min(step, n_steps);
    rep.simulated_ms = double(rep.steps_done) * exp.simulation.dt;
    if (rep.steps_done > 0) call_recorders(rep.steps_done - 1, true);
    rep.run_s = seconds_since(t0);
    if (progress) progress(rep.simulated_ms);

    for (const auto &pop : pops) {
      PopulationReport r;
      r.name = pop.spec->name;
      r.model = pop.desc->name;
      r.size = pop.spec->size;
      r.spikes = pop.spikes_total;
      r.rate_hz = rep.simulated_ms > 0 ? double(r.spikes) / double(r.size) / (rep.simulated_ms * 1e-3) : 0;
      rep.populations.push_back(r);
    }
    for (const auto &proj : projs) rep.projections.push_back({proj.spec->name, proj.csr.size()});
    return rep;
  }
};

Simulation::Simulation(const Experiment &exp, Hdf5Writer *writer)
    : impl_(std::make_unique<Impl>(exp, writer)) {
  impl_->build();
}

Simulation::~Simulation() = default;

RunReport Simulation::run(const std::function<void(double)> &progress) { return impl_->run(progress); }

const double *Simulation::field(const std::string &pop, const std::string &field) const {
  for (const auto &p : impl_->pops) {
    if (p.spec->name != pop) continue;
    for (uint32_t k = 0; k < p.desc->n_fields; ++k)
      if (field == p.desc->fields[k].name) return p.fields.ptrs[k];
  }
  throw std::out_of_range("no field '" + field + "' in population '" + pop + "'");
}

uint64_t Simulation::synapse_count(std::size_t projection) const {
  return impl_->projs.at(projection).csr.size();
}

} // namespace ganglion
