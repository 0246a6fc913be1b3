// A network with every kind of draw a batch (`ganglion sweep --batch`) must keep each member's:
// initial values, drawn weights and delays, a Poisson source, a drive (poisson_generator),
// plasticity, a schedule, and the spikes, state and weights recorders. The sweep's CLI test runs
// it on the CPU, the GPU test on the device.
#pragma once

namespace ganglion::test {

inline const char *kBatchNetwork = R"({
  "simulation": {"dt": "0.1 ms", "duration": "100 ms", "seed": 4, "threads": 1},
  "populations": {
    "E": {"model": "lif", "size": 300, "init": {"V": {"uniform": [-70, -52]}},
          "I_app": {"schedule": [["0 ms", 0], ["50 ms", 0.2]]}},
    "I": {"model": "lif", "size": 80},
    "X": {"model": "poisson", "size": 100, "params": {"rate": "20 Hz"}},
    "D": {"model": "poisson_generator", "size": 1, "params": {"rate": "1500 Hz"}}},
  "projections": [
    {"pre": "X", "post": "E", "synapse": "exp_current",
     "connect": {"rule": "fixed_probability", "p": 0.2}, "weight": {"normal": [8, 2]}},
    {"pre": "E", "post": "I", "synapse": "exp_current",
     "connect": {"rule": "fixed_indegree", "indegree": 30}, "weight": 2,
     "delay": {"uniform": ["0.5 ms", "3 ms"]}},
    {"pre": "D", "post": "I", "synapse": "exp_current", "connect": {"rule": "all_to_all"},
     "weight": 1},
    {"pre": "I", "post": "E", "synapse": "exp_current",
     "connect": {"rule": "fixed_probability", "p": 0.3}, "weight": -2,
     "plasticity": {"rule": "istdp", "params": {"eta": 0.01}}}],
  "recorders": [
    {"type": "spikes", "populations": ["E", "I"]},
    {"type": "state", "populations": ["E"], "variables": ["V"], "neurons": [0, 5],
     "every": "1 ms"},
    {"type": "weights", "projections": ["I->E"], "every": "10 ms", "synapses": [0, 7]}],
  "output": "unused.h5"
})";

} // namespace ganglion::test
