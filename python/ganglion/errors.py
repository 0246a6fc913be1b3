"""ganglion's errors. Each carries ganglion's whole message (where, what, and the fix); a
ConfigError also the JSON pointer of the place in the experiment it names."""

import re

__all__ = ["GanglionError", "ConfigError", "PluginError", "OutputError", "RunError",
           "Diverged", "TheoryError"]

# "ORIGIN: /populations/E/size: expected ..." -> "/populations/E/size"
_POINTER = re.compile(r"(?:^|: )(/[^:\s]*)(?=: )")


def _pointer_of(message, origin=None):
    """The JSON pointer a message names after its origin (the file, which may itself start with
    a "/"), or None."""
    if origin and message.startswith(origin + ": "):
        rest = message[len(origin) + 2:]
        return rest.split(": ", 1)[0] if rest.startswith("/") and ": " in rest else None
    found = _POINTER.search(message)
    return found.group(1) if found else None


class GanglionError(Exception):
    """Any of ganglion's errors."""


class ConfigError(GanglionError, ValueError):
    """A mistake in an experiment or in a change to it (`set`), found before anything runs.

    `pointer` is the JSON pointer of the place ("/populations/E/size"), or None where the
    message names none (a file that cannot be read); `origin` the file, or "<dict>"."""

    def __init__(self, message, origin=None, pointer=None):
        super().__init__(message)
        self.origin = origin
        self.pointer = pointer if pointer is not None else _pointer_of(message, origin)


class PluginError(GanglionError, ValueError):
    """A plugin that cannot be found or used."""


class OutputError(GanglionError, OSError):
    """The output file cannot be written where asked, or a write to it failed."""


class RunError(GanglionError, RuntimeError):
    """A plugin refused its values as the network was built, or failed while it ran."""


class Diverged(RunError):
    """The run diverged (a value out of its range, a NaN): `results` holds what was recorded up to
    then, `results.status` says where and when."""

    def __init__(self, message, results=None):
        super().__init__(message)
        self.results = results


class TheoryError(GanglionError, ValueError):
    """No mean-field prediction exists (a singular W, no drive), or the graph has something the
    mean field cannot express."""
