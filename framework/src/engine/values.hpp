// Per-element values from a ValueSpec: constants, per-element lists, sequences, and draws
// (uniform, normal, log-normal) keyed by global id, so a neuron's value never depends on threads
// or on how a population is split. Draws outside the allowed range are drawn again.
#pragma once

#include <cstdint>
#include <vector>

#include "engine/aligned.hpp"
#include "experiment/experiment.hpp"
#include "random/draws.hpp"

namespace ganglion {

// The value for element `index`; draws (not constants or lists) outside [lo, hi] are drawn again,
// up to 1000 times, after which the range's nearest end is taken.
double draw_value(const ValueSpec &v, uint64_t index, Draws &draws, double lo, double hi);

// One field's storage: n padded doubles, or for a sequence field all sequences back to back with
// n + 1 offsets.
struct FieldData {
  AlignedVector<double> values;
  std::vector<uint64_t> offsets; // sequence fields only
};

FieldData make_field(const gg_field &f, const ValueSpec &v, uint64_t n, uint64_t seed,
                     uint64_t first_gid, uint32_t salt);

// The field I_app's values are made as (PopulationSpec::i_app), and their draws' salt.
const gg_field &i_app_field();
constexpr uint32_t kIAppSalt = 999;

// Sets a field to a scheduled value (a constant or a per-element list).
void assign_field(FieldData &field, const ValueSpec &v, uint64_t n);

} // namespace ganglion
