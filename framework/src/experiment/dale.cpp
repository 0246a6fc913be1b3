// Dale's law: the outgoing projections of a population (with "dale" on, and the simulation's too)
// have mean weights of one sign; a zero weight goes with either. Signs are compared within one
// synapse model: a conductance weight is a magnitude (the sign of its effect comes from E_syn),
// so it says nothing against a current weight of the other sign.
#include "experiment/loader_internal.hpp"
#include "experiment/units.hpp"

namespace ganglion::loading {

namespace {

std::string weight_unit_of(const ProjectionSpec &p) {
  const gg_descriptor *d = p.synapse->desc;
  const char *unit = p.peak_convention ? d->peak_weight_unit : d->weight_unit;
  return std::string(unit ? unit : "1");
}

} // namespace

void Loader::check_dale() const {
  for (size_t k = 0; k < ex_.populations.size(); ++k) {
    const PopulationSpec &pop = ex_.populations[k];
    if (!pop.dale) continue;
    for (const auto &a : ex_.projections)
      for (const auto &b : ex_.projections) {
        if (a.pre != int(k) || b.pre != int(k) || a.synapse != b.synapse) continue;
        if (!(a.stream < b.stream && a.weight * b.weight < 0)) continue;
        fail(pop.pointer, "Dale's law: population " + pop.name +
                              "'s outgoing weights must share one sign, but " + a.pointer + " (" +
                              a.name + ") has " + format_value(a.weight, weight_unit_of(a)) +
                              " and " + b.pointer + " (" + b.name + ") has " +
                              format_value(b.weight, weight_unit_of(b)) +
                              "; fix the sign, or set \"dale\": "
                              "false on population " +
                              pop.name + " to allow it");
      }
  }
}

} // namespace ganglion::loading
