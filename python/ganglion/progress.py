"""The progress of a run: simulated time, wall time and the real-time factor, as `ganglion run`
shows them, on a terminal (one line rewritten on stderr) or in a notebook (one line updated in
place)."""

import contextlib
import sys
import time

__all__ = ["progress_reporter"]


def _in_notebook():
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    return shell is not None and type(shell).__name__ == "ZMQInteractiveShell"


class _Line:
    def __init__(self, notebook):
        self.started = time.monotonic()
        self.notebook = notebook
        self.handle = None
        self.shown = False

    def text(self, t, duration):
        wall = time.monotonic() - self.started
        factor = f"{wall / (t * 1e-3):.3g} x real time" if t > 0 else ""
        return (f"t = {t:.1f} / {duration:.1f} ms ({100 * t / duration:3.0f}%)   "
                f"wall {wall:.1f} s   {factor}")

    def __call__(self, t, duration):
        self.shown = True
        if self.notebook:
            from IPython.display import display
            if self.handle is None:
                self.handle = display(self.text(t, duration), display_id=True)
            else:
                self.handle.update(self.text(t, duration))
        else:
            sys.stderr.write("\r  " + self.text(t, duration) + "   ")
            sys.stderr.flush()

    def close(self):
        if self.shown and not self.notebook:
            sys.stderr.write("\n")


@contextlib.contextmanager
def progress_reporter(progress):
    """What `Experiment.run` hands the engine: None (nothing to show) or a callable."""
    if callable(progress):
        yield progress
        return
    notebook = _in_notebook()
    show = progress if progress is not None else (notebook or sys.stderr.isatty())
    if not show:
        yield None
        return
    line = _Line(notebook)
    try:
        yield line
    finally:
        line.close()
