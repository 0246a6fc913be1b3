"""A run's results: every recorded dataset as a NumPy array under the path the output file gives
it ("/spikes/E/timestamps"), the file's root attributes, the mean-field theory, and readers for
each recorder's data. The same from a run in this process (`Experiment.run`, arrays over the
engine's own memory) and from a file written earlier (`ganglion.open`)."""

import json
from typing import NamedTuple

import numpy as np

__all__ = ["Results", "open", "Spikes", "Series", "Trace", "Inputs", "Weights"]


class Spikes(NamedTuple):
    times: np.ndarray  # ms, ascending
    ids: np.ndarray    # index in the population, as the file's node_ids


class Series(NamedTuple):
    time: np.ndarray   # ms
    values: np.ndarray


class Trace(NamedTuple):
    time: np.ndarray    # ms, one per sample
    ids: np.ndarray     # the neurons sampled (index in the population)
    values: np.ndarray  # (samples, neurons), in `unit`
    unit: str


class Inputs(NamedTuple):
    time: np.ndarray  # ms
    values: dict      # incoming projection name -> mean input over the population per sample
    unit: str


class Weights(NamedTuple):
    time: np.ndarray       # ms
    mean: np.ndarray
    std: np.ndarray
    histogram: np.ndarray  # (samples, bins)
    edges: np.ndarray      # bins + 1
    synapses: np.ndarray   # (samples, chosen synapses), or None
    pre: np.ndarray        # the chosen synapses' presynaptic and postsynaptic indices, or None
    post: np.ndarray


def _milliseconds(value):
    """A resolved time ("1000 ms", as the resolved experiment writes it) in ms."""
    if not isinstance(value, str):
        return float(value)
    number, unit = value.split()
    return float(number) * {"ms": 1.0, "s": 1000.0}[unit]


# Root attributes whose value is JSON text.
_JSON_ATTRIBUTES = ("experiment", "backends", "plugins", "device")


class Results:
    """What a run recorded. `datasets` maps each path to its array, `units` to its unit;
    `attributes` are the file's root attributes (experiment, seed, status, backends, ...);
    `theory` the mean-field prediction (the file's /theory); `report` what the run measured (only
    for a run in this process)."""

    def __init__(self, datasets, units, attributes, theory, report=None, path=None):
        self.datasets = datasets
        self.units = {k: v for k, v in units.items() if v}  # as the file: no attribute for none
        self.attributes = {k: json.loads(v) if k in _JSON_ATTRIBUTES and isinstance(v, str) else v
                           for k, v in attributes.items()}
        self.theory = theory
        self.report = report
        self.path = path

    @classmethod
    def from_run(cls, raw):
        return cls(raw["datasets"], raw["units"], raw["attributes"], raw["theory"],
                   json.loads(raw["report"]), raw["attributes"].get("file"))

    def __repr__(self):
        where = f" from {self.path}" if self.path else ""
        return f"<ganglion.Results{where}: {self.status}, {len(self.datasets)} datasets>"

    def __getitem__(self, path):
        return self.datasets[path if path.startswith("/") else "/" + path]

    def __contains__(self, path):
        return (path if path.startswith("/") else "/" + path) in self.datasets

    @property
    def status(self):
        return self.attributes.get("status", "")

    @property
    def experiment(self):
        """The resolved experiment (every default filled in) as a dict."""
        return self.attributes["experiment"]

    @property
    def duration(self):
        """The simulated time asked for, in ms."""
        return _milliseconds(self.experiment["simulation"]["duration"])

    def size(self, population):
        return self.experiment["populations"][population]["size"]

    def _need(self, path, what):
        if path not in self.datasets:
            have = sorted({p.split("/")[2] for p in self.datasets
                           if p.startswith(path.rsplit("/", 2)[0] + "/")})
            raise KeyError(f"{what}: no {path} in these results (recorded: "
                           f"{', '.join(have) or 'none'}); add a recorder for it")
        return self.datasets[path]

    def _group(self, prefix):
        return sorted({p[len(prefix):].split("/")[0] for p in self.datasets
                       if p.startswith(prefix)})

    # Each recorder's data.

    def spike_populations(self):
        return self._group("/spikes/")

    def spikes(self, population):
        """The spikes of a population as the spikes recorder wrote them: times (ms) and ids."""
        base = f"/spikes/{population}"
        return Spikes(self._need(base + "/timestamps", f"spikes of {population!r}"),
                      self[base + "/node_ids"])

    def rate(self, population, start=0.0, stop=None):
        """The mean rate (Hz) of a population's recorded spikes over [start, stop) ms."""
        stop = self.duration if stop is None else stop
        times = self.spikes(population).times
        count = np.count_nonzero((times >= start) & (times < stop))
        return count / (self.size(population) * (stop - start) * 1e-3)

    def rates(self, population):
        """The rates recorder's population rate (Hz) per bin."""
        base = f"/rates/{population}"
        return Series(self[base + "/time"] if base + "/time" in self else None,
                      self._need(base + "/rate", f"rates of {population!r}"))

    def state(self, population, variable):
        """The state recorder's samples of a variable: time, the neurons, values (samples x
        neurons)."""
        base = f"/report/{population}/{variable}"
        data = self._need(base + "/data", f"state {variable!r} of {population!r}")
        start, _, step = self[base + "/mapping/time"]
        values = data.reshape(len(data), -1)
        return Trace(start + step * np.arange(len(values)), self[base + "/mapping/node_ids"],
                     values, self.units.get(base + "/data", ""))

    def inputs(self, population):
        """The inputs recorder's mean input per incoming projection."""
        base = f"/inputs/{population}/"
        time = self._need(base + "time", f"inputs of {population!r}")
        names = [n for n in self._group(base) if n != "time"]
        unit = self.units.get(base + names[0], "") if names else ""
        return Inputs(time, {n: self[base + n] for n in names}, unit)

    def weights(self, projection):
        """The weights recorder's statistics of a projection's weights over time."""
        base = f"/weights/{projection}"
        time = self._need(base + "/time", f"weights of {projection!r}")
        get = lambda name: self.datasets.get(base + name)
        return Weights(time, get("/mean"), get("/std"), get("/histogram"),
                       get("/histogram_edges"), get("/synapses/data"), get("/synapses/pre"),
                       get("/synapses/post"))


def _theory_of(group):
    """The file's /theory as the dict a run's results hold."""
    if group is None:
        return {"names": [], "units": [], "error": "no /theory in the file"}
    a = group.attrs
    text = lambda v: v.decode() if isinstance(v, bytes) else str(v)
    t = {"names": json.loads(text(a["names"])) if "names" in a else [],
         "units": json.loads(text(a["units"])) if "units" in a else [],
         "error": text(a["error"]) if "error" in a else ""}
    if not t["names"]:
        return t
    for name in ("W", "X", "balanced", "semi_balanced", "fixed_points"):
        if name in group:
            t[name] = group[name][()]
    if "semi_balanced" in t:
        t["semi_balanced"] = t["semi_balanced"].reshape(-1, len(t["names"]))
    if "fixed_point_stable" in group:
        t["fixed_point_stable"] = [bool(s) for s in group["fixed_point_stable"][()]]
    t["sqrt_n"] = float(a["sqrt_n"])
    t["balanced_admissible"] = bool(a["balanced_admissible"])
    t["semi_balanced_exact"] = bool(a["semi_balanced_exact"])
    t["semi_balanced_note"] = text(a["semi_balanced_note"])
    t["notes"] = json.loads(text(a["notes"]))
    return t


def open(path):
    """The results of a run from its HDF5 file (h5py), in the form a run in this process gives."""
    import h5py

    datasets, units = {}, {}
    with h5py.File(path, "r") as f:
        def visit(name, obj):
            if isinstance(obj, h5py.Dataset) and not name.startswith("theory/"):
                datasets["/" + name] = obj[()]
                if "units" in obj.attrs:
                    u = obj.attrs["units"]
                    units["/" + name] = u.decode() if isinstance(u, bytes) else str(u)
        f.visititems(visit)
        attributes = {k: (v.decode() if isinstance(v, bytes) else
                          v.item() if isinstance(v, np.generic) else v)
                      for k, v in f.attrs.items()}
        theory = _theory_of(f.get("theory"))
    return Results(datasets, units, attributes, theory, None, str(path))
