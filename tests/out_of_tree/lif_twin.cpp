// lif_twin: the built-in lif under another name, built out of tree against the installed SDK.
// test_sdk.cpp runs one network with lif and with lif_twin: the spikes must be the same bits, and
// the run summary must say that the projections onto lif_twin were computed in its step (its
// synaptic channels were fused), so an out-of-tree neuron written with the installed
// ganglion/integrate_and_fire.hpp takes the built-ins' fast path.
//
// Its struct is lif's own source (LIF_SOURCE, plugins/neuron/lif/lif.cpp), compiled here against
// the installed headers alone: a copy would have to be kept equal to lif by hand, down to the
// order of its fields (the seed of a field's initial values depends on its index).
#include <ganglion/plugin.hpp>

// lif.cpp ends by exporting its struct Lif as "lif": that export gives way to the one below.
#pragma push_macro("GANGLION_PLUGIN")
#undef GANGLION_PLUGIN
#define GANGLION_PLUGIN(Type)
#include LIF_SOURCE
#pragma pop_macro("GANGLION_PLUGIN")

namespace {

struct LifTwin : Lif {
  static constexpr const char *name = "lif_twin";
};

} // namespace

GANGLION_PLUGIN(LifTwin)
