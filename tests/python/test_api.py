"""The Python package: experiments from files and dicts, `set` as `--set`, validation errors with
their pointer, runs in-process whose arrays equal the file's and the command's, the GIL released,
progress, interruption, divergence, plugin descriptions and the theory."""

import json
import os
import signal
import sys
import threading
import time
import types

import numpy as np
import pytest

import ganglion
from conftest import CLI, cli, config

SHORT = "300 ms"


def recurrent(duration=SHORT):
    return ganglion.Experiment(config("recurrent_ei.json")).set("simulation.duration", duration)


def test_the_same_spikes_as_the_command(tmp):
    out = str(tmp / "cli.h5")
    code, _, err = cli("run", config("recurrent_ei.json"), "--set",
                       f"simulation.duration={SHORT}", "-o", out)
    assert code == 0, err
    from_cli = ganglion.open(out)
    ran = recurrent().run()
    for pop in ("E", "I"):
        a, b = ran.spikes(pop), from_cli.spikes(pop)
        assert len(a.times) > 100
        assert np.array_equal(a.times, b.times) and np.array_equal(a.ids, b.ids)
    assert np.array_equal(ran["/rates/E/rate"], from_cli["/rates/E/rate"])


def test_arrays_equal_the_file_and_own_no_copy(tmp):
    out = tmp / "run.h5"
    ran = ganglion.Experiment(config("balanced_eif.json")).set(
        "simulation.duration", SHORT).run(output=out)
    assert ran.path == str(out) and os.path.exists(out) and not os.path.exists(f"{out}.part")
    read = ganglion.open(out)
    assert set(ran.datasets) == set(read.datasets)
    for path, values in ran.datasets.items():
        assert values.dtype == read[path].dtype and values.shape == read[path].shape, path
        assert np.array_equal(values, read[path]), path
        assert values.base is not None  # a view of the engine's memory, not a copy
    assert ran.units == read.units
    assert ran.status == read.status == "complete"
    for key in ("experiment", "seed", "backends", "plugins", "ganglion_version", "rng"):
        assert ran.attributes[key] == read.attributes[key], key
    assert ran.theory.keys() == read.theory.keys()
    for key, value in ran.theory.items():
        assert np.array_equal(value, read.theory[key]) if isinstance(value, np.ndarray) \
            else value == read.theory[key], key
    trace = ran.state("E", "V")
    assert trace.values.shape == (len(trace.time), len(trace.ids))
    assert trace.time[1] - trace.time[0] == pytest.approx(1.0)  # "every": 1 ms


def test_a_dict_and_set_give_what_the_file_and_set_give():
    with open(config("recurrent_ei.json")) as f:
        as_dict = json.load(f)
    as_dict["simulation"]["duration"] = SHORT
    a = ganglion.Experiment(as_dict).set("simulation.seed", 7).run()
    b = recurrent().set("simulation.seed", "7").run()
    assert np.array_equal(a.spikes("E").times, b.spikes("E").times)
    assert not np.array_equal(a.spikes("E").times, recurrent().run().spikes("E").times)


def test_config_errors_carry_the_commands_message_and_the_pointer():
    exp = recurrent().set("populations.E.size", -3)
    with pytest.raises(ganglion.ConfigError) as e:
        exp.validate()
    code, _, err = cli("validate", config("recurrent_ei.json"), "--set", "populations.E.size=-3")
    assert code == 1 and err == f"ganglion: {e.value}\n"
    assert e.value.pointer == "/populations/E/size"
    assert e.value.origin == config("recurrent_ei.json")

    with pytest.raises(ganglion.ConfigError) as e:
        recurrent().set("populations.Q.size", 3)
    assert str(e.value) == ("--set populations.Q.size=3: 'populations' has no key 'Q' (its keys: "
                            "E, I, X); to add a whole object, set it as JSON, e.g. --set "
                            "populations.Q='{...}'")
    assert e.value.pointer == "/populations/Q/size"

    with pytest.raises(ganglion.ConfigError) as e:
        ganglion.Experiment({"populations": {"E": {"model": "eif", "size": 10,
                                                   "params": {"tau_n": 3}}}}).validate()
    assert e.value.pointer == "/populations/E/params/tau_n"
    assert "'eif' has no parameter 'tau_n' (did you mean 'tau_m'?)" in str(e.value)

    with pytest.raises(ganglion.ConfigError) as e:
        ganglion.Experiment("/nonexistent/x.json")
    assert str(e.value) == ("/nonexistent/x.json: cannot read the experiment file (No such file "
                            "or directory)")
    assert e.value.pointer is None


def test_a_bad_output_path_is_refused_before_anything_is_written(tmp):
    with pytest.raises(ganglion.OutputError) as e:
        recurrent().run(output=tmp / "missing" / "run.h5")
    assert "does not exist" in str(e.value)
    assert os.listdir(tmp) == []


def test_the_gil_is_released_while_the_engine_runs():
    """Another Python thread counts on while the engine runs on one thread (this machine has a
    second core for it): at least 30 % of the count it reaches alone in the engine's run time."""
    ticks, done = [0], threading.Event()

    def count():
        while not done.is_set():
            ticks[0] += 1

    counter = threading.Thread(target=count)
    counter.start()
    try:
        before, started = ticks[0], time.monotonic()
        time.sleep(0.2)
        alone = (ticks[0] - before) / (time.monotonic() - started)
        before = ticks[0]
        ran = recurrent("3 s").run(threads=1)
        during = ticks[0] - before
    finally:
        done.set()
        counter.join()
    assert during >= 0.3 * alone * ran.report["run_s"], during / (alone * ran.report["run_s"])


def test_progress_is_reported_in_simulated_time():
    seen = []
    recurrent("1 s").run(progress=lambda t, duration: seen.append((t, duration)))
    assert seen, "progress was never called"
    times = [t for t, _ in seen]
    assert times == sorted(times) and 0 <= times[0] and times[-1] <= 1000
    assert all(d == 1000 for _, d in seen)


def test_progress_in_a_notebook_is_one_display_updated_in_place(monkeypatch):
    """In a notebook (an IPython kernel's shell) the default progress displays one line and
    updates it; IPython is stood in for, as it is not a dependency."""
    shown = []

    class Handle:
        def update(self, text):
            shown.append(("update", text))

    def display(text, display_id):
        assert display_id is True
        shown.append(("display", text))
        return Handle()

    ipython = types.ModuleType("IPython")
    ipython.get_ipython = lambda: type("ZMQInteractiveShell", (), {})()
    ipython.display = types.ModuleType("IPython.display")
    ipython.display.display = display
    monkeypatch.setitem(sys.modules, "IPython", ipython)
    monkeypatch.setitem(sys.modules, "IPython.display", ipython.display)
    recurrent("5 s").run(threads=1)
    assert len(shown) >= 2, shown
    assert shown[0][0] == "display" and {kind for kind, _ in shown[1:]} == {"update"}
    assert all(text.startswith("t = ") and "/ 5000.0 ms" in text for _, text in shown)


def test_an_interrupt_stops_the_run_at_a_step_and_finishes_the_file(tmp):
    def interrupt(t, duration):
        raise KeyboardInterrupt

    out = tmp / "stopped.h5"
    with pytest.raises(KeyboardInterrupt):
        recurrent("5 s").run(output=out, progress=interrupt)
    read = ganglion.open(out)
    assert read.status.startswith("interrupted at t = ") and read.status.endswith(
        " by KeyboardInterrupt")
    stopped_at = float(read.status.split("t = ")[1].split(" ms")[0])
    assert 0 < stopped_at < 5000
    assert read.spikes("E").times.max() <= stopped_at + 1e-9  # (the status rounds t)


def test_an_error_in_progress_stops_the_run_and_is_raised(tmp):
    def broken(t, duration):
        raise ValueError("the progress bar broke")

    out = tmp / "broken.h5"
    with pytest.raises(ValueError, match="the progress bar broke"):
        recurrent("5 s").run(output=out, progress=broken)
    status = ganglion.open(out).status
    assert status.startswith("interrupted at t = ") and status.endswith(" by ValueError")


def test_ctrl_c_ends_the_run_at_a_step_boundary():
    """SIGINT while the engine runs (GIL released): Python's handler is polled between steps,
    the run stops there and KeyboardInterrupt is raised."""
    timer = threading.Timer(0.2, lambda: os.kill(os.getpid(), signal.SIGINT))
    started = time.monotonic()
    timer.start()
    with pytest.raises(KeyboardInterrupt):
        recurrent("60 s").run(threads=1)  # a minute of network: tens of seconds of work
    timer.join()
    assert time.monotonic() - started < 5


def test_output_true_needs_an_output_in_the_experiment():
    with pytest.raises(ganglion.ConfigError) as e:
        recurrent().set("output", None).run(output=True)
    assert e.value.pointer == "/output"
    assert "names none: give run a path, or set \"output\"" in str(e.value)


def test_a_diverging_run_raises_diverged_with_what_was_recorded():
    exp = ganglion.Experiment({
        "simulation": {"dt": "0.1 ms", "duration": "50 ms", "seed": 3},
        "populations": {"F": {"model": "lif", "size": 4, "params": {"I_e": "20 mV/ms"}},
                        "E": {"model": "lif", "size": 3, "params": {"I_e": "-100 mV/ms"}}},
        "recorders": [{"type": "spikes", "populations": ["F"]}]})
    with pytest.raises(ganglion.Diverged) as e:
        exp.run()
    assert str(e.value).startswith("population 'E' (lif) diverged at t = ")
    assert e.value.results.status == "diverged: " + str(e.value)
    assert len(e.value.results.spikes("F").times) > 0


def test_describe_and_plugins_are_the_commands_data():
    code, out, _ = cli("describe", "eif", "--json")
    assert code == 0 and ganglion.describe("eif") == json.loads(out)
    eif = ganglion.describe("eif")
    assert eif["kind"] == "neuron" and "cpu" in eif["backends"]
    tau_m = next(f for f in eif["fields"] if f["name"] == "tau_m")
    assert tau_m["unit"] == "ms" and tau_m["default"] == 15 and tau_m["max"] == "inf"
    names = {p["name"] for p in ganglion.plugins()}
    assert {"lif", "eif", "hh", "rate", "poisson", "spike_times", "exp_current", "delta",
            "exp_conductance", "rate_linear", "spikes", "state", "rates", "inputs", "weights",
            "istdp", "stdp"} <= names
    with pytest.raises(ganglion.PluginError) as e:
        ganglion.describe("eiff")
    assert str(e.value).startswith("no plugin named 'eiff' (did you mean 'eif'?)")


def test_the_theory_is_callable_and_matches_the_closed_forms():
    t = ganglion.Experiment(config("balanced_eif.json")).theory()
    assert t["error"] == "" and t["names"] == ["E", "I"]
    W, X = t["W"], t["X"]
    assert np.allclose(t["balanced"], -np.linalg.solve(W, X), rtol=1e-12)
    r, admissible = ganglion.balanced(W, X)
    assert admissible and np.array_equal(r, t["balanced"])

    semi = ganglion.Experiment(config("semi_balanced.json")).theory()
    solutions, exact, _ = ganglion.semi_balanced(semi["W"], semi["X"], semi["names"])
    assert exact and len(solutions) >= 1
    for s in solutions:  # the LCP: r >= 0, W r + X <= 0, r (W r + X) = 0
        u = semi["W"] @ s + semi["X"]
        assert (s >= 0).all() and (u <= 1e-9).all() and np.abs(s * u).max() <= 1e-9
    with pytest.raises(ganglion.TheoryError) as e:
        ganglion.balanced(np.ones((2, 2)), np.ones(2))
    assert str(e.value).startswith("W is singular")
