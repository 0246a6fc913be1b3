// The mean field of a validated experiment (docs/science.md, "Networks"): for each projection b ->
// a the mean input to a neuron of a per Hz of b's rate, W_ab = (area of one event) x (mean
// in-degree K_ab) x 1e-3, and the external drive X_a from spike sources and constant currents.
//
// The area of one event is in the post neuron's input unit times ms:
//   exp_current 'integral': J (mV = (mV/ms) ms: the current J/tau e^{-t/tau} integrates to J);
//   exp_current 'peak' (NEST): J is the jump of I (mV/ms), so the area is J tau;
//   delta: a jump of V by J mV. For a neuron whose input is in mV/ms and enters as dV/dt = ... + I
//     (lif, eif: C folded in), a current of area A moves V by A mV, so the jump J is the same as a
//     current area of J mV: the two synapses have the same mean effect. For hh (input in uA/cm^2,
//     C dV/dt = ... + I) a jump of J mV equals a current area of C J (uA/cm^2) ms.
//   rate_linear: the weight w (dimensionless) carries W r with rates in Hz and inputs in Hz: no
//     1e-3, and W_ab = w K_ab.
// exp_conductance is refused: its input g (E_syn - V) depends on V, and this mean field is for
// current-based inputs.
#include <algorithm>
#include <cmath>
#include <string>

#include "registry/registry.hpp"
#include "theory/detail.hpp"
#include "theory/theory.hpp"

namespace ganglion::theory {

using detail::num;

namespace {

[[noreturn]] void refuse(const std::string &pointer, const std::string &why) {
  throw TheoryError(pointer + ": " + why);
}

bool has_flag(const LoadedPlugin *p, uint32_t flag) {
  return p && p->desc && (p->desc->flags & flag) != 0;
}

// Mean in-degree of a neuron of `post` from `pre` under the projection's rule.
double mean_indegree(const ProjectionSpec &pr, const PopulationSpec &pre,
                     const PopulationSpec &post) {
  const double nb = double(pre.size), na = double(post.size);
  const bool self_excluded = pr.pre == pr.post && !pr.allow_autapses;
  switch (pr.rule) {
  case ConnectRule::FixedProbability: return pr.p * (self_excluded ? nb - 1 : nb);
  case ConnectRule::FixedIndegree: return double(pr.indegree);
  case ConnectRule::FixedOutdegree: return double(pr.outdegree) * nb / na;
  case ConnectRule::FixedTotalNumber: return double(pr.total) / na;
  case ConnectRule::AllToAll: return self_excluded ? nb - 1 : nb;
  case ConnectRule::OneToOne: return 1;
  }
  return 0;
}

// The mean of a projection's weights as drawn: a normal is redrawn where it takes the other sign,
// so its mean is that of a normal truncated at 0 (m + s phi(m/s) / Phi(m/s) for m > 0).
double weight_mean(const ProjectionSpec &pr, std::vector<std::string> &notes) {
  const ValueSpec &d = pr.weight_dist;
  if (d.kind == ValueSpec::Kind::Constant) return pr.weight;
  std::string what = d.kind == ValueSpec::Kind::Uniform     ? "uniform"
                     : d.kind == ValueSpec::Kind::Normal    ? "normal"
                     : d.kind == ValueSpec::Kind::LogNormal ? "lognormal"
                                                            : "per-synapse";
  double m = pr.weight;
  if (d.kind == ValueSpec::Kind::Normal && d.b > 0 && d.a != 0) {
    const double z = std::abs(d.a) / d.b;
    const double phi = std::exp(-z * z / 2) / std::sqrt(2 * M_PI);
    const double Phi = 0.5 * std::erfc(-z / std::sqrt(2.0));
    const double shift = d.b * phi / Phi;
    m = d.a + (d.a > 0 ? shift : -shift);
    if (std::abs(m - d.a) > 1e-9 * std::abs(d.a)) {
      notes.push_back(pr.pointer + " (" + pr.name + "): weights drawn from a normal (mean " +
                      num(d.a) + ", sd " + num(d.b) +
                      ") and redrawn where the sign flips: the mean of the truncated normal, " +
                      num(m) + ", is used");
      return m;
    }
  }
  notes.push_back(pr.pointer + " (" + pr.name + "): weights drawn (" + what + "): their mean " +
                  num(m) + " is used");
  return m;
}

// Mean rate (Hz) of a spike source population over the run.
double source_rate(const PopulationSpec &src, const Experiment &exp, const std::string &use,
                   std::vector<std::string> &notes) {
  const gg_descriptor *d = src.plugin->desc;
  const std::string model = d->name;
  const uint64_t n_steps = exp.simulation.n_steps;
  const int rate_field = field_index(d, "rate");
  const int times_field = field_index(d, "times");
  // A drive (poisson_generator) gives each synapse a train of its rate: a source of that rate.
  const bool poisson = model == "poisson" || (d->flags & GG_DESC_DRIVE);
  if (rate_field >= 0 && (poisson || d->fields[rate_field].unit == std::string("Hz"))) {
    bool drawn = false, scheduled = false;
    const double r = detail::param_mean(src, rate_field, n_steps, &drawn, &scheduled);
    if (!poisson)
      notes.push_back(src.pointer + ": source model '" + model +
                      "' taken as firing at its 'rate' field, " + num(r) + " Hz");
    if (drawn)
      notes.push_back(src.pointer + ": rates differ between neurons: their mean " + num(r) +
                      " Hz is used");
    if (scheduled)
      notes.push_back(src.pointer + ": the rate follows a schedule: its time mean over the run, " +
                      num(r) +
                      " Hz, is used (X then describes the run's average, not any one moment)");
    return r;
  }
  if (times_field >= 0 && d->fields[times_field].type == GG_TYPE_SEQUENCE) {
    const ValueSpec &v = src.values[size_t(times_field)];
    const double duration = exp.simulation.duration;
    const double until = duration * (1 + 1e-9);
    double count = 0, trains = 0;
    if (v.kind == ValueSpec::Kind::Sequences && !v.sequences.empty()) {
      for (const auto &s : v.sequences) {
        for (double t : s)
          if (t <= until) count += 1;
        trains += 1;
      }
    }
    const double r = trains > 0 && duration > 0 ? count / trains / duration * 1e3 : 0;
    notes.push_back(src.pointer + ": spike_times source taken at its mean rate over the run, " +
                    num(r) + " Hz (spikes in [0, " + num(duration) + " ms] per neuron / duration)");
    return r;
  }
  refuse(src.pointer,
         "source model '" + model + "' (" + use +
             ") has neither a 'rate' field nor spike 'times': the mean field cannot tell its rate");
}

// The mean-field populations: those that receive input and are not spike sources, in the
// experiment's order. Fills mf.names, mf.population and mf.units; returns each experiment
// population's index among them (-1: not one of them).
std::vector<int> choose_populations(const Experiment &exp, MeanField &mf) {
  const auto &pops = exp.populations;
  std::vector<int> index(pops.size(), -1);
  for (size_t k = 0; k < pops.size(); ++k) {
    const auto &p = pops[k];
    if (p.receives_input && !has_flag(p.plugin, GG_DESC_SOURCE)) {
      index[k] = int(mf.names.size());
      mf.names.push_back(p.name);
      mf.population.push_back(int(k));
      const char *u = p.plugin && p.plugin->desc ? p.plugin->desc->input_unit : nullptr;
      mf.units.push_back(u ? u : "mV/ms");
    }
  }
  if (mf.names.empty())
    refuse("/populations",
           "no population receives input from a projection, so there is no mean-field population "
           "(sources and constant drives only): add a projection onto a neuron population");
  return index;
}

// Rate units or spiking neurons, not both, and one input unit for all: W and X add inputs of
// every population in one unit. Sets mf.rate_units.
void check_one_kind(const Experiment &exp, MeanField &mf) {
  const auto &pops = exp.populations;
  int first_rate = -1, first_spiking = -1;
  for (int k : mf.population) {
    if (has_flag(pops[size_t(k)].plugin, GG_DESC_RATE)) {
      if (first_rate < 0) first_rate = k;
    } else if (first_spiking < 0) {
      first_spiking = k;
    }
  }
  if (first_rate >= 0 && first_spiking >= 0) {
    const int later = std::max(first_rate, first_spiking);
    refuse(pops[size_t(later)].pointer,
           "the mean field mixes rate units ('" + pops[size_t(first_rate)].name +
               "', input in Hz) and spiking populations ('" + pops[size_t(first_spiking)].name +
               "'): a spiking population's rate is not a function of its mean input alone, and the "
               "two kinds of input have different units; the mean field here is for one kind");
  }
  mf.rate_units = first_rate >= 0;
  for (size_t a = 1; a < mf.units.size(); ++a)
    if (mf.units[a] != mf.units[0])
      refuse(pops[size_t(mf.population[a])].pointer,
             "its input unit (" + mf.units[a] + ") differs from '" + mf.names[0] + "''s (" +
                 mf.units[0] + "): the mean field needs one input unit for every population");
}

// The mean input of one event of mean weight J, and the factor from a presynaptic rate in Hz to
// inputs (1e-3: an area in unit x ms times a rate per second; 1 for rate units).
struct EventArea {
  double area = 0;
  double per_hz = 1e-3;
};

// A delta jump of J mV onto `post`: a current area of J for dV/dt = ... + I (input in mV/ms),
// of C J where the input enters as C dV/dt = ... + I (e.g. hh).
double delta_area(const ProjectionSpec &pr, const PopulationSpec &post,
                  const std::string &post_unit, double J, uint64_t n_steps,
                  std::vector<std::string> &notes) {
  if (post_unit == "mV/ms") return J;
  const int c = field_index(post.plugin->desc, "C");
  if (c >= 0) {
    const double C = detail::param_mean(post, c, n_steps);
    notes.push_back(pr.pointer + " (" + pr.name + "): a delta jump of J mV onto '" + post.name +
                    "' (input in " + post_unit +
                    ") is taken as a current area of C J, C = " + num(C) + " (C dV/dt = ... + I)");
    return J * C;
  }
  notes.push_back(pr.pointer + " (" + pr.name + "): a delta jump of J mV onto '" + post.name +
                  "' is taken as a current area of J in its input unit (" + post_unit +
                  " ms), as for dV/dt = ... + I");
  return J;
}

// The event area of synapse model `syn` (the file's first comment gives each model's).
EventArea event_area(const std::string &syn, const ProjectionSpec &pr, const PopulationSpec &post,
                     const std::string &post_unit, double J, uint64_t n_steps,
                     std::vector<std::string> &notes) {
  EventArea e;
  if (syn == "exp_current") {
    if (pr.peak_convention) {
      const int t = field_index(pr.synapse->desc, "tau");
      bool drawn = false;
      const double tau = t >= 0 ? detail::spec_mean(pr.values[size_t(t)], &drawn) : 0;
      if (drawn)
        notes.push_back(pr.pointer + " (" + pr.name +
                        "): tau is drawn per neuron; the event area J tau uses its mean, " +
                        num(tau) + " ms");
      e.area = J * tau; // the jump J (input unit) of an exponential of time constant tau
    } else {
      e.area = J;
    }
  } else if (syn == "delta") {
    e.area = delta_area(pr, post, post_unit, J, n_steps, notes);
  } else if (syn == "rate_linear") {
    e.area = J;
    e.per_hz = 1; // rates in Hz, inputs in Hz
  } else {
    refuse(pr.pointer, "synapse model '" + syn +
                           "' is unknown to the mean field (it knows exp_current, delta and "
                           "rate_linear): the mean input of one event cannot be derived");
  }
  return e;
}

// The weights' scale factors of the projections into the mean field, and the kind of scale the
// experiment names for them ("1/sqrt(K)", ...; "mixed" when they differ), to find a common
// 1/sqrt(N).
struct WeightScales {
  std::vector<double> factors;
  std::string kind;
};

// Records projection `pr`'s scale factor and, when it is not 1, the scale the resolved
// experiment names for it.
void note_scale(const Experiment &exp, const ProjectionSpec &pr, WeightScales &scales) {
  scales.factors.push_back(pr.weight_scale);
  if (pr.weight_scale == 1 || !exp.resolved.is_object() || !exp.resolved.contains("projections"))
    return;
  const auto &rp = exp.resolved["projections"];
  size_t k = size_t(&pr - exp.projections.data());
  if (rp.is_array() && k < rp.size() && rp[k].contains("weight") && rp[k]["weight"].is_object() &&
      rp[k]["weight"].contains("scale") && rp[k]["weight"]["scale"].is_string()) {
    const std::string s = rp[k]["weight"]["scale"];
    if (scales.kind.empty())
      scales.kind = s;
    else if (scales.kind != s)
      scales.kind = "mixed";
  }
}

// Adds projection `pr` to W (from a mean-field population) or to X (from a spike source at its
// mean rate), refusing what the mean field cannot express.
void add_projection(const Experiment &exp, const ProjectionSpec &pr, const std::vector<int> &index,
                    MeanField &mf, WeightScales &scales) {
  const int a = index[size_t(pr.post)];
  if (a < 0) return; // into a population outside the mean field (none: every target receives input)
  const auto &pre = exp.populations[size_t(pr.pre)];
  const auto &post = exp.populations[size_t(pr.post)];
  const bool pre_source = has_flag(pre.plugin, GG_DESC_SOURCE);
  const int b = index[size_t(pr.pre)];
  if (!pre_source && b < 0)
    refuse(pr.pointer, "its presynaptic population '" + pre.name +
                           "' receives no input and is not a spike source, so its rate is not set "
                           "by the mean field (a spiking population follows its own response to "
                           "constant drive): make it a source (poisson) or give it input");
  const std::string syn = pr.synapse && pr.synapse->desc ? pr.synapse->desc->name : "?";
  if (syn == "exp_conductance")
    refuse(pr.pointer, "conductance synapses (exp_conductance, " + pr.name +
                           "): the mean input depends on V; the mean field here is for "
                           "current-based inputs (exp_current, delta, rate_linear)");
  const double K = mean_indegree(pr, pre, post);
  const double J = weight_mean(pr, mf.notes);
  const EventArea e =
      event_area(syn, pr, post, mf.units[size_t(a)], J, exp.simulation.n_steps, mf.notes);
  if (!pr.plasticity.empty()) {
    const auto &pl = pr.plasticity.front();
    mf.notes.push_back(pr.pointer + " (" + pr.name + "): W at the initial weights; plasticity (" +
                       std::string(pl.plugin && pl.plugin->desc ? pl.plugin->desc->name : "?") +
                       ") changes it during the run");
  }
  note_scale(exp, pr, scales);
  if (pre_source) {
    const double r = source_rate(pre, exp, pr.name, mf.notes);
    mf.X(a) += e.area * K * r * e.per_hz;
  } else {
    mf.W(a, b) += e.area * K * e.per_hz;
  }
}

// Constant drives into X: I_e (spiking models), X (rate units), I_app (any neuron with an input),
// each at its mean over the neurons and the run.
void add_constant_drives(const Experiment &exp, MeanField &mf) {
  const uint64_t n_steps = exp.simulation.n_steps;
  for (int a = 0; a < int(mf.names.size()); ++a) {
    const auto &p = exp.populations[size_t(mf.population[size_t(a)])];
    const std::string &unit = mf.units[size_t(a)];
    const char *drive = mf.rate_units ? "X" : "I_e";
    const int f = field_index(p.plugin->desc, drive);
    if (f >= 0) {
      bool drawn = false, scheduled = false;
      const double v = detail::param_mean(p, f, n_steps, &drawn, &scheduled);
      mf.X(a) += v;
      if (v != 0 && drawn)
        mf.notes.push_back(p.pointer + ": " + drive + " differs between neurons: its mean " +
                           num(v) + " " + unit + " is used");
      if (scheduled)
        mf.notes.push_back(p.pointer + ": " + drive +
                           " follows a schedule: its time mean over the run, " + num(v) + " " +
                           unit + ", is used");
    }
    bool drawn = false, scheduled = false;
    const double iapp = detail::time_mean(p.i_app, p.i_app_changes, n_steps, &drawn, &scheduled);
    mf.X(a) += iapp;
    if (iapp != 0 && drawn)
      mf.notes.push_back(p.pointer + ": I_app differs between neurons: its mean " + num(iapp) +
                         " " + unit + " is used");
    if (scheduled)
      mf.notes.push_back(p.pointer + ": I_app follows a schedule: its time mean over the run, " +
                         num(iapp) + " " + unit + ", is used (not its value at t = 0, " +
                         num(detail::spec_mean(p.i_app)) + ")");
  }
}

// The common 1/sqrt(N) factor of the weights, if there is one, into mf.sqrt_n.
void find_sqrt_n(const WeightScales &scales, MeanField &mf) {
  const auto &s = scales.factors;
  bool common = !s.empty();
  for (double f : s)
    if (std::abs(f - s.front()) > 1e-12 * std::abs(s.front())) common = false;
  if (common && s.front() != 1 && s.front() > 0) {
    mf.sqrt_n = 1 / s.front();
    if (scales.kind == "1/sqrt(K)")
      mf.notes.push_back("every weight is scaled 1/sqrt(K) with the same K = " +
                         num(mf.sqrt_n * mf.sqrt_n) + ": 'sqrt(N)' below is that sqrt(K)");
  } else if (!common) {
    mf.notes.push_back("the projections' weights carry different scale factors: W is not written "
                       "as sqrt(N) w (sqrt(N) = 1 below)");
  }
}

// The O(1) w and x of docs/science.md (W = w_scale w, X = w_scale x) and the units of each.
void set_scaled(MeanField &mf) {
  mf.w_scale = mf.rate_units ? mf.sqrt_n : mf.sqrt_n * 1e-3;
  mf.w_unit = mf.rate_units ? std::string("1") : mf.units[0] + " per Hz";
  mf.w_small_unit = mf.rate_units ? std::string("1") : mf.units[0] + " per kHz";
  mf.x_unit = mf.units[0];
  mf.w = mf.W / mf.w_scale;
  mf.x = mf.X / mf.w_scale;
}

} // namespace

MeanField mean_field(const Experiment &exp) {
  MeanField mf;
  const std::vector<int> index = choose_populations(exp, mf);
  check_one_kind(exp, mf);
  const int n = int(mf.names.size());
  mf.W = Eigen::MatrixXd::Zero(n, n);
  mf.X = Eigen::VectorXd::Zero(n);
  WeightScales scales;
  for (const auto &pr : exp.projections)
    add_projection(exp, pr, index, mf, scales);
  add_constant_drives(exp, mf);
  find_sqrt_n(scales, mf);
  set_scaled(mf);
  return mf;
}

} // namespace ganglion::theory
