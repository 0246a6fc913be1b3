"""Figures of a run (matplotlib): spike raster, population rates, voltage and input traces (the
excitatory, inhibitory and total input: the cancellation), weights over time, rate and ISI-CV
histograms, predicted against simulated rates; and a sweep's rates against its parameter.

Each function takes Results (a run's, or `ganglion.open(FILE)`) and returns a Figure, or None
where the run recorded nothing it could draw. `figures(results, folder)` draws every one that
applies into PNG files; `python3 -m ganglion.plot FILE|SWEEP_FOLDER [-o DIR]` (and `ganglion plot`)
does that from the command line."""

import argparse
import csv
import os
import re
import sys

import numpy as np

from .results import open as open_results

__all__ = ["raster", "rates", "traces", "inputs", "weights", "histograms", "theory", "sweep",
           "figures", "transient"]

RASTER_NEURONS = 200  # at most this many neurons a population in a raster


def _pyplot():
    import matplotlib
    if not os.environ.get("DISPLAY") and "MPLBACKEND" not in os.environ:
        matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    return plt


def transient(results):
    """The start skipped as transient, as `ganglion analyze` skips it: min(100 ms, 10 %)."""
    return min(100.0, 0.1 * results.duration)


def _spiking(results):
    return [p for p in results.spike_populations() if len(results.spikes(p).times) > 0]


def raster(results, populations=None, neurons=RASTER_NEURONS, start=0.0, stop=None):
    """Spike raster, populations stacked; a large population drawn by `neurons` of its neurons
    spread evenly over its ids (the title says so)."""
    populations = populations or _spiking(results)
    if not populations:
        return None
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(9, 5))
    stop = results.duration if stop is None else stop
    row, ticks, sampled = 0, [], False
    for k, pop in enumerate(populations):
        times, ids = results.spikes(pop)
        size = results.size(pop)
        shown = np.unique(np.linspace(0, size - 1, min(size, neurons)).astype(np.uint64))
        sampled |= len(shown) < size
        keep = np.isin(ids, shown) & (times >= start) & (times <= stop)
        ax.scatter(times[keep], row + np.searchsorted(shown, ids[keep]), s=1.5, marker="|",
                   color=f"C{k}", label=pop)
        ticks.append((row + len(shown) / 2, pop))
        row += len(shown)
    ax.set_yticks([t for t, _ in ticks], [p for _, p in ticks])
    ax.set_xlim(start, stop)
    ax.set_xlabel("time (ms)")
    ax.set_title("spikes" + (f" ({neurons} neurons a population at most)" if sampled else ""))
    fig.tight_layout()
    return fig


def _binned_rate(results, pop, bin_ms):
    times = results.spikes(pop).times
    edges = np.arange(0.0, results.duration + bin_ms, bin_ms)
    counts, _ = np.histogram(times, edges)
    return edges[1:], counts / (results.size(pop) * bin_ms * 1e-3)


def rates(results, bin_ms=10.0):
    """Population rates over time: the rates recorder's where it ran, else the recorded spikes
    counted in bins of `bin_ms`."""
    recorded = results._group("/rates/")
    pops = recorded or _spiking(results)
    if not pops:
        return None
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(9, 3.5))
    for k, pop in enumerate(pops):
        if recorded:
            t, r = results.rates(pop)
            t = np.arange(1, len(r) + 1) * (results.duration / len(r)) if t is None else t
        else:
            t, r = _binned_rate(results, pop, bin_ms)
        ax.step(t, r, where="post", color=f"C{k}", label=pop)
    ax.set_xlabel("time (ms)")
    ax.set_ylabel("rate (Hz)")
    ax.set_title("population rates")
    ax.legend(loc="upper right")
    fig.tight_layout()
    return fig


def traces(results, population=None, variable=None, neurons=5):
    """State traces of up to `neurons` of the recorded neurons (the first state recorded, unless
    population and variable are given)."""
    recorded = [(p, v) for p in results._group("/report/")
                for v in results._group(f"/report/{p}/")]
    if population is not None:
        recorded = [(p, v) for p, v in recorded if p == population and v == (variable or v)]
    if not recorded:
        return None
    population, variable = recorded[0]
    trace = results.state(population, variable)
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(9, 3.5))
    for k in range(min(neurons, trace.values.shape[1])):
        ax.plot(trace.time, trace.values[:, k], lw=0.8, label=f"neuron {trace.ids[k]}")
    ax.set_xlabel("time (ms)")
    ax.set_ylabel(f"{variable} ({trace.unit})" if trace.unit else variable)
    ax.set_title(f"{population}: {variable}")
    ax.legend(loc="upper right", fontsize="small")
    fig.tight_layout()
    return fig


def inputs(results):
    """Per population with an inputs recorder: the mean excitatory input (the projections whose
    mean is positive), inhibitory input (negative) and their sum, which balance cancels."""
    pops = results._group("/inputs/")
    if not pops:
        return None
    plt = _pyplot()
    fig, axes = plt.subplots(len(pops), 1, figsize=(9, 3 * len(pops)), squeeze=False)
    for ax, pop in zip(axes[:, 0], pops):
        rec = results.inputs(pop)
        series = list(rec.values.values())
        zero = np.zeros_like(rec.time)
        excitatory = sum((s for s in series if s.mean() > 0), zero)
        inhibitory = sum((s for s in series if s.mean() <= 0), zero)
        ax.plot(rec.time, excitatory, color="C3", lw=0.8, label="excitatory")
        ax.plot(rec.time, inhibitory, color="C0", lw=0.8, label="inhibitory")
        ax.plot(rec.time, excitatory + inhibitory, color="k", lw=1, label="total")
        ax.axhline(0, color="grey", lw=0.5)
        ax.set_ylabel(f"input to {pop} ({rec.unit})")
        ax.legend(loc="upper right", fontsize="small")
    axes[-1, 0].set_xlabel("time (ms)")
    axes[0, 0].set_title("mean input: excitation, inhibition and what is left")
    fig.tight_layout()
    return fig


def weights(results):
    """Per recorded projection: the weights' mean and standard deviation over time, and their
    histogram at the first and the last sample."""
    projs = results._group("/weights/")
    if not projs:
        return None
    plt = _pyplot()
    fig, axes = plt.subplots(len(projs), 2, figsize=(10, 3.2 * len(projs)), squeeze=False)
    for (left, right), proj in zip(axes, projs):
        w = results.weights(proj)
        left.plot(w.time, w.mean, color="C0", label="mean")
        left.fill_between(w.time, w.mean - w.std, w.mean + w.std, color="C0", alpha=0.25,
                          label="± std")
        left.set_xlabel("time (ms)")
        left.set_ylabel(f"weight of {proj}")
        left.legend(loc="best", fontsize="small")
        hist = w.histogram.reshape(len(w.time), -1)
        centres = (w.edges[:-1] + w.edges[1:]) / 2
        for k, label in ((0, "first"), (len(hist) - 1, "last")):
            right.step(centres, hist[k], where="mid", label=f"{label} ({w.time[k]:g} ms)")
        right.set_xlabel("weight")
        right.set_ylabel("synapses")
        right.legend(loc="best", fontsize="small")
    axes[0, 0].set_title("weights over time")
    axes[0, 1].set_title("weight distribution")
    fig.tight_layout()
    return fig


def per_neuron(results, pop, start):
    """Each neuron's rate (Hz) over (start, duration] and the CV of its interspike intervals
    (NaN where it spiked fewer than three times)."""
    times, ids = results.spikes(pop)
    keep = times > start
    times, ids = times[keep], ids[keep].astype(np.int64)
    size = results.size(pop)
    rate = np.bincount(ids, minlength=size) / ((results.duration - start) * 1e-3)
    cv = np.full(size, np.nan)
    order = np.lexsort((times, ids))
    times, ids = times[order], ids[order]
    cut = np.flatnonzero(np.diff(ids)) + 1
    for t, i in zip(np.split(times, cut), np.split(ids, cut)):
        if len(t) >= 3:
            isi = np.diff(t)
            cv[i[0]] = isi.std() / isi.mean()
    return rate, cv


def histograms(results):
    """Per spiking population: the histogram of its neurons' rates and of their ISI CVs, after
    the transient."""
    pops = _spiking(results)
    if not pops:
        return None
    start = transient(results)
    plt = _pyplot()
    fig, axes = plt.subplots(1, 2, figsize=(10, 3.5))
    for k, pop in enumerate(pops):
        rate, cv = per_neuron(results, pop, start)
        axes[0].hist(rate, bins=40, histtype="step", color=f"C{k}", label=pop)
        if np.isfinite(cv).any():
            axes[1].hist(cv[np.isfinite(cv)], bins=40, histtype="step", color=f"C{k}", label=pop)
    axes[0].set_xlabel("rate (Hz)")
    axes[1].set_xlabel("ISI CV")
    for ax in axes:
        ax.set_ylabel("neurons")
        if ax.get_legend_handles_labels()[0]:
            ax.legend(loc="upper right", fontsize="small")
    fig.suptitle(f"after the first {start:g} ms")
    fig.tight_layout()
    return fig


def theory(results):
    """The mean-field prediction (balanced, else the semi-balanced solutions) beside each
    population's simulated rate after the transient."""
    t = results.theory
    names = [n for n in t.get("names", []) if n in results.spike_populations()]
    if not names or ("balanced" not in t and len(t.get("semi_balanced", [])) == 0):
        return None
    start = transient(results)
    simulated = [results.rate(n, start) for n in names]
    index = [t["names"].index(n) for n in names]
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6, 3.5))
    x = np.arange(len(names))
    ax.bar(x - 0.2, simulated, 0.4, color="grey", label="simulated")
    if "balanced" in t:
        ax.bar(x + 0.2, t["balanced"][index], 0.4, color="C1", label="balanced -W⁻¹X")
    else:
        for k, s in enumerate(t["semi_balanced"]):
            ax.bar(x + 0.2, s[index], 0.4 / len(t["semi_balanced"]), color=f"C{k + 1}",
                   label=f"semi-balanced {k + 1}")
    ax.set_xticks(x, names)
    ax.set_ylabel("rate (Hz)")
    ax.set_title("predicted and simulated rates")
    ax.legend(loc="best", fontsize="small")
    fig.tight_layout()
    return fig


def _number(text):
    found = re.match(r"\s*([-+0-9.eE]+)", text or "")
    try:
        return float(found.group(1)) if found else np.nan
    except ValueError:
        return np.nan


def sweep(table):
    """A sweep's rates (sweep.csv, or its folder) against its first varied value, a line per
    population and combination of the other varied values, averaged over seeds (error bars: the
    standard deviation), the theory's prediction dashed."""
    path = os.path.join(table, "sweep.csv") if os.path.isdir(table) else table
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    header, rows = rows[0], rows[1:]
    seed = header.index("seed")
    varied = header[1:seed]
    pops = [h[: -len(" rate (Hz)")] for h in header if h.endswith(" rate (Hz)")]
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(7, 4))
    groups = sorted({tuple(r[2:seed]) for r in rows})
    for k, pop in enumerate(pops):
        rate, predicted = header.index(f"{pop} rate (Hz)"), header.index(f"{pop} predicted (Hz)")
        for g, rest in enumerate(groups):
            mine = [r for r in rows if tuple(r[2:seed]) == rest]
            xs = sorted({_number(r[1]) for r in mine})
            values = [[_number(r[rate]) for r in mine if _number(r[1]) == x] for x in xs]
            if not any(np.isfinite(v).any() for v in values):
                continue  # a source: the table has no rate for it
            mean = [np.nanmean(v) if np.isfinite(v).any() else np.nan for v in values]
            std = [np.nanstd(v) if np.isfinite(v).any() else np.nan for v in values]
            pred = [_number(next(r[predicted] for r in mine if _number(r[1]) == x)) for x in xs]
            label = pop + (" (" + ", ".join(rest) + ")" if rest else "")
            style = dict(color=f"C{k}", alpha=1.0 - 0.6 * g / max(1, len(groups)))
            ax.errorbar(xs, mean, yerr=std, marker="o", capsize=3, label=label, **style)
            if np.isfinite(pred).any():
                ax.plot(xs, pred, ls="--", **style)
    unit = re.sub(r"^\s*[-+0-9.eE]+\s*", "", rows[0][1]) if rows and varied else ""
    ax.set_xlabel((varied[0] + (f" ({unit})" if unit else "")) if varied else "member")
    ax.set_ylabel("rate (Hz)")
    ax.set_title("sweep: simulated rates (points) and predictions (dashed)")
    ax.legend(loc="best", fontsize="small")
    fig.tight_layout()
    return fig


FIGURES = (("raster", raster), ("rates", rates), ("traces", traces), ("inputs", inputs),
           ("weights", weights), ("histograms", histograms), ("theory", theory))


def figures(results, folder):
    """Every figure that applies to the run, as folder/NAME.png; the paths written."""
    plt = _pyplot()
    os.makedirs(folder, exist_ok=True)
    written = []
    for name, draw in FIGURES:
        fig = draw(results)
        if fig is None:
            continue
        path = os.path.join(folder, name + ".png")
        fig.savefig(path, dpi=110)
        plt.close(fig)
        written.append(path)
    return written


def main(argv=None):
    parser = argparse.ArgumentParser(prog="ganglion plot",
                                     description="figures of a run's file or of a sweep")
    parser.add_argument("source", help="a run's HDF5 file, or a sweep's folder or sweep.csv")
    parser.add_argument("-o", "--output", help="folder of the figures (default: beside the "
                        "file, FILE without .h5 and with _figures)")
    args = parser.parse_args(argv)
    source = args.source.rstrip("/")
    is_sweep = os.path.isdir(source) or source.endswith(".csv")
    folder = args.output or (os.path.splitext(source)[0] + "_figures")
    if not os.path.exists(source):
        print(f"ganglion: {source}: no such file or folder; give a run's HDF5 file, or a sweep's "
              "folder or its sweep.csv", file=sys.stderr)
        return 1
    try:
        if is_sweep:
            plt = _pyplot()
            os.makedirs(folder, exist_ok=True)
            fig = sweep(source)
            written = [os.path.join(folder, "sweep.png")]
            fig.savefig(written[0], dpi=110)
            plt.close(fig)
        else:
            written = figures(open_results(source), folder)
    except (OSError, KeyError, ValueError) as e:
        print(f"ganglion: {source}: cannot draw its figures: {e}", file=sys.stderr)
        return 1
    if not written:
        print(f"ganglion: {source}: nothing to draw (no recorder recorded spikes, rates, state, "
              "inputs or weights)", file=sys.stderr)
        return 1
    for path in written:
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
