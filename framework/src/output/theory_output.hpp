// The /theory group of a run's output file: the mean-field prediction (theory/theory.hpp) of the
// experiment that ran, so that a file holds what its rates are to be compared with.
#pragma once

#include "output/hdf5_writer.hpp"
#include "theory/theory.hpp"

namespace ganglion {

// /theory: W (n x n), X, balanced (-W^-1 X), semi_balanced (one row per solution of the LCP),
// fixed_points and fixed_point_stable (rate units), and as attributes of /theory: names (JSON
// list, the order of every vector), units, sqrt_n, balanced_admissible, semi_balanced_exact,
// semi_balanced_note, notes; and error when no prediction exists (then only what could be worked
// out: nothing, or W, X and the LCP of a singular W). Throws OutputError as the writer does.
void write_theory(Hdf5Writer &w, const theory::Report &t);

} // namespace ganglion
