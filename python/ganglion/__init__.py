"""ganglion: a simulator for recurrent networks of spiking and rate neurons, from Python.

    import ganglion
    exp = ganglion.Experiment("configs/balanced_eif.json")
    exp.set("populations.E.size", 2000)
    results = exp.run()
    times, ids = results.spikes("E")

The engine runs in this process (the GIL released while it runs); results are NumPy arrays.
See docs/python.md."""

import json as _json

from . import _ganglion
from .errors import (ConfigError, Diverged, GanglionError, OutputError, PluginError, RunError,
                     TheoryError)
from .experiment import Experiment
from .results import Inputs, Results, Series, Spikes, Trace, Weights, open

__all__ = ["Experiment", "Results", "open", "run", "describe", "plugins", "balanced",
           "semi_balanced", "ConfigError", "PluginError", "OutputError", "RunError", "Diverged",
           "TheoryError", "GanglionError", "Spikes", "Series", "Trace", "Inputs", "Weights"]


def run(source, *, sets=None, **options):
    """Runs an experiment (a file's path or a dict) with `sets` ({dotted path: value}) applied;
    the options are Experiment.run's."""
    exp = Experiment(source)
    for path, value in (sets or {}).items():
        exp.set(path, value)
    return exp.run(**options)


def describe(plugin):
    """A plugin's description as `ganglion describe --json` gives it: name, kind, version,
    backends, properties, doc and fields (name, role, unit, default, range, doc)."""
    return _json.loads(_ganglion.describe(plugin))


def plugins():
    """Every plugin found (built in, GANGLION_PLUGIN_PATH), each described as by describe()."""
    return _json.loads(_ganglion.plugins())


def balanced(W, X):
    """The balanced state r = -W^-1 X and whether it is admissible (every rate > 0). Raises
    TheoryError for a singular W or no drive."""
    return _ganglion.balanced(W, X)


def semi_balanced(W, X, names=()):
    """Every solution of the linear complementarity problem r >= 0, W r + X <= 0,
    r (W r + X) = 0 (a row each), whether they were found exactly, and how."""
    return _ganglion.semi_balanced(W, X, list(names))
