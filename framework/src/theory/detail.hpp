// Helpers shared by the theory files (not part of the theory API): means of ValueSpecs and of
// scheduled parameters, descriptor look-ups, number formatting, and the rate units' transfer
// functions.
#pragma once

#include <cstdint>
#include <string>

#include <vector>

#include <Eigen/Dense>

#include "ganglion/rate_transfer.hpp"

#include "experiment/experiment.hpp"
#include "registry/registry.hpp"

namespace ganglion::theory::detail {

// The mean of the values a ValueSpec gives its elements (Constant: a; Uniform: (a+b)/2; Normal,
// LogNormal: a, their mean; List: the average). `drawn` is set when the elements differ.
double spec_mean(const ValueSpec &v, bool *drawn = nullptr);

// The time mean over the run [0, n_steps) of a value that starts as `initial` and changes at
// `changes` (each change's value taken at its element mean). `scheduled` is set when it changes.
double time_mean(const ValueSpec &initial, const std::vector<Change> &changes, uint64_t n_steps,
                 bool *drawn = nullptr, bool *scheduled = nullptr);

// The time mean of a population's parameter `field` (its element mean, through its schedule).
double param_mean(const PopulationSpec &p, int field, uint64_t n_steps, bool *drawn = nullptr,
                  bool *scheduled = nullptr);

std::string num(double x, int precision = 6); // %.{precision}g

// A rate unit's transfer function (the rate plugin's, ganglion/rate_transfer.hpp) with its time
// constant.
struct RateFn : RateTransfer {
  double tau = 10;
  const char *name() const;
};

// Appends r to `out` unless it is within `rel` (relative to the larger magnitude of the two, at
// least `floor`) of a vector already there: the distinct solutions of a search.
void add_distinct(std::vector<Eigen::VectorXd> &out, const Eigen::VectorXd &r, double rel,
                  double floor);

} // namespace ganglion::theory::detail
