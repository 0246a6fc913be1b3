// Mean-field theory beside simulation (docs/science.md, "Balanced state", "Semi-balanced
// state"): from a validated experiment, the mean-field connectivity W and external drive X of its
// populations, the balanced prediction r = -W^-1 X, the semi-balanced state (the linear
// complementarity problem r >= 0, W r + X <= 0, r (W r + X) = 0), and, for rate-unit networks,
// the fixed points of tau dr/dt = -r + f(W r + X) with their stability.
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

#include <Eigen/Dense>

#include "experiment/experiment.hpp"

namespace ganglion::theory {

// The graph has something the mean field cannot express, or no prediction exists (a singular W,
// no external drive); the message says what and where.
struct TheoryError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// The mean field of an experiment. Populations that receive input are the mean-field populations
// (spike sources and constant drives make up X). Units: rates in Hz; W_ab is the mean input to a
// neuron of a (in its input unit, e.g. mV/ms) per Hz of population b's rate: J_ab (the area of one
// synaptic event in that unit) x mean in-degree K_ab x 1e-3; X_a the mean input from sources and
// constant currents (I_e, I_app) in the same unit. For weights scaled 1/sqrt(N), sqrt_n is that N's
// square root. w and x are the O(1) matrices of docs/science.md: W = w_scale w, X = w_scale x,
// with w_scale = sqrt_n / 1000 for spiking populations (the w_ab = j_ab p_ab q_b there is the input
// per kHz, i.e. per spike per ms, over sqrt(N); in mV for mV/ms inputs) and w_scale = sqrt_n for
// rate units (rates and inputs both in Hz, w dimensionless).
struct MeanField {
  std::vector<std::string> names;  // mean-field populations, in the experiment's order
  std::vector<int> population;     // their indices in Experiment::populations
  std::vector<std::string> units;  // input unit of each
  Eigen::MatrixXd W;
  Eigen::VectorXd X;
  double sqrt_n = 1;               // the common 1/sqrt(N) factor found in the weights (1: none)
  bool rate_units = false;         // every mean-field population is a rate unit
  Eigen::MatrixXd w;               // W / w_scale
  Eigen::VectorXd x;               // X / w_scale
  double w_scale = 1;              // sqrt_n / 1000 (spiking) or sqrt_n (rate units)
  std::string w_unit;              // unit of W: "mV/ms per Hz" (rate units: "1")
  std::string x_unit;              // unit of X: the input unit ("mV/ms", "Hz", ...)
  std::string w_small_unit;        // unit of w: "mV" (mV/ms per kHz) for spiking; "1" for rates
  std::vector<std::string> notes;  // approximations made (e.g. a drawn weight taken at its mean)
};

// Throws TheoryError naming the place (JSON pointer) and why, for what the mean field cannot
// express (e.g. a conductance synapse, a plasticity rule: W then changes as it runs, noted not
// refused, or a population with mixed neuron models).
MeanField mean_field(const Experiment &exp);

// -W^-1 X. Throws TheoryError for a singular (or near-singular: condition number > 1e12) W.
struct Balanced {
  Eigen::VectorXd r;    // Hz
  bool admissible = false; // every entry > 0
};
Balanced balanced(const MeanField &mf);

// The solutions of the LCP r >= 0, W r + X <= 0, r_a (W r + X)_a = 0: all of them, exactly, by
// enumerating active sets for up to `max_exact` populations; above that, one solution by a
// projected iterative method, or none with a note when it does not converge.
struct SemiBalanced {
  std::vector<Eigen::VectorXd> solutions; // may be empty, or several: never pick one silently
  bool exact = true;                      // false: from the iterative method
  std::string note;                       // how it was found, or why none was
};
// `names` (optional, one per population) name the populations in `note`.
SemiBalanced semi_balanced(const Eigen::MatrixXd &W, const Eigen::VectorXd &X, int max_exact = 20,
                           const std::vector<std::string> &names = {});

// For rate units: fixed points of tau dr/dt = -r + f(W r + X) (f and its parameters per
// population, from the experiment), each with the eigenvalues of its Jacobian and whether it is
// stable (all real parts < 0).
struct FixedPoint {
  Eigen::VectorXd r;
  Eigen::VectorXcd eigenvalues; // of the Jacobian (1/ms)
  bool stable = false;
};
// Throws TheoryError when the network is not made of rate units. `note` (optional) receives how
// the fixed points were found (exact active-set enumeration, or Newton from a grid of starts).
std::vector<FixedPoint> rate_fixed_points(const Experiment &exp, const MeanField &mf,
                                          std::string *note = nullptr);

// The whole report `ganglion theory` prints and `ganglion run` puts beside the simulated rates.
struct Report {
  MeanField mf;
  Balanced balanced;
  SemiBalanced semi;
  std::vector<FixedPoint> fixed_points; // rate units only
  std::string fixed_point_note;         // how the fixed points were found
  // A TheoryError's message when no prediction exists. When mean_field() failed nothing else is
  // filled; when only balanced() failed (singular W, no drive), mf and semi (and fixed points)
  // still are.
  std::string error;
  std::string source;                   // the experiment file, for the heading
};
Report analyze(const Experiment &exp);
// The same, never throwing: why no prediction exists is the report's error. What a run puts
// beside its rates.
Report predict(const Experiment &exp);
std::string format(const Report &r);

} // namespace ganglion::theory
