"""Figures: each drawn from a real run and not empty (its artists hold the run's data, its PNG
is not blank), the per-neuron measures against closed forms, `ganglion plot` on a file and on a
sweep, `ganglion run --plot`, and their refusals."""

import os

import matplotlib
matplotlib.use("Agg")
import matplotlib.image
import numpy as np
import pytest

import ganglion
import ganglion.plot as gp
from conftest import cli, config


@pytest.fixture(scope="module")
def runs():
    short = {"simulation.duration": "400 ms"}
    istdp = {"simulation.duration": "400 ms", "populations.E.size": 800, "populations.I.size": 200,
             "projections.2.plasticity.active": [["100 ms", "400 ms"]]}
    return {"balanced": ganglion.run(config("balanced_eif.json"), sets=short),
            "recurrent": ganglion.run(config("recurrent_ei.json"), sets=short),
            "istdp": ganglion.run(config("istdp_balanced.json"), sets=istdp)}


def drawn(fig):
    """The number of data points the figure's axes hold (lines, collections, patches)."""
    points = 0
    for ax in fig.axes:
        points += sum(len(line.get_xdata()) for line in ax.lines)
        points += sum(len(c.get_offsets()) for c in ax.collections)
        points += len(ax.patches)
    return points


def test_every_figure_draws_the_runs_data(runs, tmp):
    expected = {"balanced": {"raster", "rates", "traces", "histograms", "theory"},
                "recurrent": {"raster", "rates", "inputs", "histograms", "theory"},
                "istdp": {"raster", "rates", "weights", "histograms", "theory"}}
    for name, results in runs.items():
        written = gp.figures(results, tmp / name)
        assert {os.path.basename(p)[:-4] for p in written} == expected[name], name
        for path in written:
            pixels = matplotlib.image.imread(path)
            assert pixels.shape[0] > 100 and pixels.std() > 0.01, path  # not blank
        for figure in expected[name]:
            fig = getattr(gp, figure)(results)
            assert drawn(fig) > 0, (name, figure)


def test_the_raster_shows_every_spike_of_the_neurons_it_shows(runs):
    results = runs["balanced"]
    fig = gp.raster(results, neurons=50)
    shown = 0
    for pop in ("E", "I"):
        ids = results.spikes(pop).ids
        chosen = np.unique(np.linspace(0, results.size(pop) - 1, 50).astype(np.uint64))
        shown += np.isin(ids, chosen).sum()
    assert sum(len(c.get_offsets()) for c in fig.axes[0].collections) == shown
    assert "50 neurons a population at most" in fig.axes[0].get_title()


def test_the_input_figure_sums_excitation_and_inhibition(runs):
    results = runs["recurrent"]
    fig = gp.inputs(results)
    ax = fig.axes[0]  # E
    excitatory, inhibitory, total = (line.get_ydata() for line in ax.lines[:3])
    assert np.allclose(total, excitatory + inhibitory)
    rec = results.inputs("E")
    assert np.allclose(excitatory + inhibitory, sum(rec.values.values()))
    assert excitatory.mean() > 0 > inhibitory.mean()


def test_per_neuron_rates_and_cvs_against_closed_forms():
    # Neuron 0 fires every 10 ms (CV 0), neuron 1 at exponential intervals of mean 5 ms (CV 1),
    # neuron 2 twice (too few intervals for a CV).
    rng = np.random.default_rng(1)
    regular = np.arange(10.0, 1000.0, 10.0)
    poisson = np.cumsum(rng.exponential(5.0, 400))
    poisson = poisson[poisson < 1000]
    times = np.concatenate([regular, poisson, [500.0, 600.0]])
    ids = np.concatenate([np.zeros(len(regular)), np.ones(len(poisson)), [2, 2]])
    order = np.argsort(times, kind="stable")
    experiment = {"simulation": {"duration": "1000 ms"}, "populations": {"P": {"size": 4}}}
    results = ganglion.Results({"/spikes/P/timestamps": times[order],
                                "/spikes/P/node_ids": ids[order].astype(np.uint64)}, {},
                               {"experiment": experiment}, {})
    rate, cv = gp.per_neuron(results, "P", 0.0)
    assert rate[0] == pytest.approx(len(regular)) and rate[3] == 0
    assert rate[1] == pytest.approx(len(poisson))
    assert cv[0] == pytest.approx(0, abs=1e-12)
    assert cv[1] == pytest.approx(1, abs=0.15)  # 200 intervals: the CV's sd is about 0.07
    assert np.isnan(cv[2]) and np.isnan(cv[3])


def test_the_command_draws_a_file_a_sweep_and_a_run(tmp):
    out = str(tmp / "run.h5")
    code, stdout, err = cli("run", config("recurrent_ei.json"), "--set",
                            "simulation.duration=200 ms", "-o", out, "--plot")
    assert code == 0, err
    folder = tmp / "run_figures"
    assert stdout.endswith("".join(f"{folder / n}.png\n" for n in
                                   ("raster", "rates", "inputs", "histograms", "theory")))
    code, stdout, _ = cli("plot", out, "-o", str(tmp / "again"))
    assert code == 0 and sorted(os.listdir(tmp / "again")) == sorted(os.listdir(folder))

    sweep = str(tmp / "sweep")
    code, _, err = cli("sweep", config("recurrent_ei.json"), "--set", "simulation.duration=200 ms",
                       "--vary", "populations.X.params.rate=5 Hz,10 Hz", "-o", sweep, "-j", "2")
    assert code == 0, err
    code, stdout, err = cli("plot", sweep)
    assert code == 0, err
    assert stdout == f"{sweep}_figures/sweep.png\n"
    fig = gp.sweep(sweep)
    xs = fig.axes[0].lines[0].get_xdata()
    assert list(xs) == [5.0, 10.0]


def test_the_command_refuses_what_it_cannot_draw(tmp):
    code, _, err = cli("plot", str(tmp / "missing.h5"))
    assert code == 1
    assert err == (f"ganglion: {tmp / 'missing.h5'}: no such file or folder; give a run's HDF5 "
                   "file, or a sweep's folder or its sweep.csv\n")
    code, _, err = cli("run", config("hh_spike.json"), "--set", "output=null", "--plot")
    assert code == 1
    assert err == (f"ganglion: {config('hh_spike.json')}: --plot draws the figures from the run's "
                   "file, and this run writes none: give it one with -o FILE or \"output\"\n")
