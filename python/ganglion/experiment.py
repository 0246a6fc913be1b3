"""Experiments: the JSON graph as a dict, changed with `--set`'s dotted paths, checked and run by
the engine in this process."""

import contextlib
import copy
import json
import os
from collections.abc import Mapping

from . import _ganglion
from .errors import ConfigError, Diverged, RunError
from .progress import progress_reporter
from .results import Results

__all__ = ["Experiment"]


@contextlib.contextmanager
def _placed(origin, pointer=None):
    """A ConfigError raised inside, with its place: the experiment's origin and the pointer."""
    try:
        yield
    except ConfigError as e:
        raise ConfigError(str(e), origin, pointer) from None


class Experiment:
    """An experiment, from a JSON file or a dict of the same form.

    `config` is the experiment as a dict; change it directly or with `set`. Nothing is checked
    until `validate`, `run` or `theory`, which check it as `ganglion validate` does and raise
    ConfigError (with `pointer`, the place) for a mistake.

    A relative "plugins" path is taken relative to the file's folder, or for a dict to
    `base_dir` (default: the working directory)."""

    def __init__(self, source, *, base_dir=None):
        if isinstance(source, (str, os.PathLike)):
            self.origin = os.fspath(source)
            try:
                with open(self.origin, "rb") as f:
                    text = f.read().decode("utf-8", errors="replace")
            except OSError:
                with _placed(self.origin):
                    _ganglion.load_file(self.origin)  # raises ganglion's message for the file
                raise
            self.base_dir = os.path.dirname(self.origin) if base_dir is None else base_dir
            try:
                self.config = json.loads(text)
            except ValueError:
                with _placed(self.origin):
                    _ganglion.load(text, self.origin, self.base_dir)  # ganglion's: line, column
                raise
        elif isinstance(source, Mapping):
            self.origin = "<dict>"
            self.base_dir = "" if base_dir is None else os.fspath(base_dir)
            self.config = copy.deepcopy(dict(source))
        else:
            raise TypeError("Experiment takes a JSON file's path or a dict, not "
                            f"{type(source).__name__}")

    def __repr__(self):
        pops = ", ".join(f"{name} ({p.get('size', '?')})"
                         for name, p in self.config.get("populations", {}).items())
        return f"Experiment({self.origin!r}: {pops})"

    def set(self, path, value):
        """Changes one value as `ganglion run --set path=value` does: a dotted path (array
        elements by index), the last part may be a new key. A string value is read as JSON
        where it parses ("16000") and kept as a string otherwise ("15 ms"); anything else is
        taken as it is. Returns the experiment, so that changes chain."""
        text = value if isinstance(value, str) else json.dumps(value)
        with _placed(self.origin, "/" + path.replace(".", "/")):
            changed = _ganglion.apply_set(json.dumps(self.config), f"{path}={text}")
        self.config = json.loads(changed)
        return self

    def copy(self):
        other = Experiment.__new__(Experiment)
        other.origin, other.base_dir = self.origin, self.base_dir
        other.config = copy.deepcopy(self.config)
        return other

    def _load(self, config=None):
        with _placed(self.origin):
            return _ganglion.load(json.dumps(self.config if config is None else config),
                                  self.origin, self.base_dir)

    def validate(self):
        """Checks every key, value, unit, range and name; returns the resolved experiment (every
        default filled in, every value in its unit) as a dict."""
        return json.loads(self._load().resolved)

    def theory(self):
        """The mean-field prediction, as `ganglion theory` gives it: a dict with names, units, W,
        X, balanced (-W^-1 X), semi_balanced (a row per solution), fixed_points (rate units),
        notes, and error (why there is no prediction; "" where there is one)."""
        return _ganglion.theory(self._load())

    def run(self, *, output=False, threads=None, progress=None):
        """Runs the experiment in this process and returns its Results.

        output: False (the default) keeps the results in memory only; a path writes the HDF5
        file there as `ganglion run -o PATH` would; True writes the file the experiment names
        under "output".
        threads: the threads to run on (0: ganglion chooses); default the experiment's.
        progress: None shows the progress on a terminal or in a notebook, True always, False
        never; or a callable progress(t_ms, duration_ms), called now and then.

        Ctrl-C ends the run at a step boundary (the file finished, status "interrupted") and
        raises KeyboardInterrupt. A run that diverges raises Diverged, whose `results` hold what
        was recorded up to then; a plugin's failure raises RunError."""
        config = copy.deepcopy(self.config)
        if output is False or output is None:
            config["output"] = None
        elif output is not True:
            config["output"] = os.fspath(output)
        elif not config.get("output"):
            raise ConfigError(f"{self.origin}: /output: run(output=True) writes the file the "
                              "experiment names, and it names none: give run a path, or set "
                              "\"output\"", self.origin, "/output")
        if threads is not None:
            config.setdefault("simulation", {})["threads"] = threads
        loaded = self._load(config)
        with progress_reporter(progress) as report:
            raw = _ganglion.run(loaded, report)
        if raw["raised"] is not None:
            raise raw["raised"]
        results = Results.from_run(raw)
        if raw["failed"]:
            raise RunError(results.status[len("failed: "):])
        if results.status.startswith("diverged: "):
            raise Diverged(results.status[len("diverged: "):], results)
        return results
