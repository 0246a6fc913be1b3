"""`ganglion run` under mpirun: the same results on any number of ranks, and failures that stop
every rank with one message and a readable file. Run by ctest where the build has MPI (tests/
CMakeLists.txt), with --oversubscribe: this machine may have fewer cores than ranks."""

import json
import os
import signal
import subprocess
import time

import h5py
import pytest

from same_over_ranks import differences

SOURCE = os.environ["GANGLION_SOURCE_DIR"]
CLI = os.environ["GANGLION_CLI"]
MPIRUN = os.environ["GANGLION_MPIEXEC"]
FIXTURES = os.environ["GANGLION_TEST_PLUGIN_DIR"]
ENV = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1")

ISTDP = 'projections.2.plasticity.active=[["0.5 s", "1.5 s"]]'
# Every config in configs/ but the full-scale microcircuit (77,169 neurons, 0.3 billion
# synapses: bench/MPI.md has it), shortened so that the file takes seconds, not minutes.
CONFIGS = {
    "balanced_eif.json": ["simulation.duration=300ms"],
    "balanced_scaling.json": ["simulation.duration=200ms"],
    "feedforward.json": ["simulation.duration=300ms"],
    "fi_curves.json": ["simulation.duration=300ms"],
    "hh_spike.json": [],
    "istdp_balanced.json": ["simulation.duration=1500ms", ISTDP],
    "istdp_balanced_target.json": ["simulation.duration=1500ms", ISTDP],
    "microcircuit_small.json": ["simulation.duration=200ms"],
    "rate_model.json": [],
    "recurrent_ei.json": ["simulation.duration=300ms"],
    "semi_balanced.json": ["simulation.duration=300ms"],
    "semi_balanced_active.json": ["simulation.duration=300ms"],
    "synapse_response.json": [],
}


def run(config, out, ranks, sets=(), threads=1, timeout=600, exchange="overlapped"):
    cmd = [CLI, "run", config, "-o", str(out), "-t", str(threads)]
    for s in sets:
        cmd += ["--set", s]
    if ranks > 1:
        cmd = [MPIRUN, "--oversubscribe", "-np", str(ranks)] + cmd
    env = dict(ENV, GANGLION_EXCHANGE=exchange)
    return subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=timeout)


def same_on(config, sets, tmp_path, ranks, threads=1, exchange="overlapped"):
    one = tmp_path / "one.h5"
    r = run(config, one, 1, sets)
    assert r.returncode == 0, r.stderr
    for k in ranks:
        many = tmp_path / f"ranks{k}.h5"
        r = run(config, many, k, sets, threads, exchange=exchange)
        assert r.returncode == 0, r.stderr
        assert differences(str(one), str(many)) == [], f"{k} ranks"
    return one


def test_configs_cover_the_folder():
    listed = sorted(f for f in os.listdir(os.path.join(SOURCE, "configs")) if f.endswith(".json"))
    assert sorted(list(CONFIGS) + ["microcircuit.json"]) == listed


@pytest.mark.parametrize("name", sorted(CONFIGS))
def test_every_config_gives_the_same_bits_on_2_3_and_4_ranks(name, tmp_path):
    one = same_on(os.path.join(SOURCE, "configs", name), CONFIGS[name], tmp_path, [2, 3, 4])
    with h5py.File(one) as f:
        assert f.attrs["status"] == "complete"


def test_every_rule_recorder_and_synapse_give_the_same_bits_on_ranks_and_threads(tmp_path):
    # tests/mpi/every_rule.json: every connectivity rule, drawn weights and delays, STDP on drawn
    # delays with its weights recorded, state and inputs recorders over neurons of every rank.
    config = os.path.join(SOURCE, "tests", "mpi", "every_rule.json")
    one = same_on(config, [], tmp_path, [2, 3, 4])
    many = tmp_path / "threads.h5"
    r = run(config, many, 2, threads=2)
    assert r.returncode == 0, r.stderr
    assert differences(str(one), str(many)) == []
    with h5py.File(one) as f:
        mean = f["weights/A->A/mean"][()]
        assert mean[-1] != mean[0]  # the rule acted
        assert f["spikes/A/node_ids"].shape[0] > 500


SPIKES = 'recorders=[{"type": "spikes", "populations": ["E", "I"]}]'
DELAYS_1MS = [f"projections.{q}.delay=1 ms" for q in range(6)]
ISTDP_ON = 'projections.3.plasticity.active=[["0 ms", "400 ms"]]'


@pytest.mark.parametrize("config,sets", [
    ("bench/balanced_eif_peer.json", [SPIKES]),  # exchanged every step
    ("bench/balanced_eif_peer.json", [SPIKES] + DELAYS_1MS),  # every 5 steps, overlapped
    ("bench/vogels_istdp.json", [SPIKES, ISTDP_ON]),  # istdp on I->E, learning by target range
], ids=["every_step", "overlapped", "istdp"])
def test_owner_mode_within_each_rank_gives_the_same_bits(tmp_path, config, sets):
    # 2 threads a rank: from step 128 on, each thread delivers onto its own neurons with their
    # next step; rank 0's recorders still run after each exchange.
    path = os.path.join(SOURCE, config)
    sets = sets + ["simulation.duration=400ms"]
    one = tmp_path / "one.h5"
    assert run(path, one, 1, sets).returncode == 0
    for k in (2, 3):
        many = tmp_path / f"ranks{k}.h5"
        r = run(path, many, k, sets, threads=2)
        assert r.returncode == 0, r.stderr
        assert "each thread delivered the spikes onto its own neurons" in r.stdout
        assert differences(str(one), str(many)) == [], f"{k} ranks"


def test_delays_of_10_steps_and_more_exchange_every_5_overlapped_with_the_same_bits(tmp_path):
    # tests/mpi/long_delays.json: fixed delays of 1 ms and more, drawn ones of 1 to 3 ms (their
    # queue takes an interval's spikes once its exchange is in), spikes, rates and static weights
    # recorded. Each 5 steps' exchange travels while the next 5 run.
    config = os.path.join(SOURCE, "tests", "mpi", "long_delays.json")
    same_on(config, [], tmp_path, [2, 3, 4])
    r = run(config, tmp_path / "x.h5", 2)
    assert "spike exchange every 5 steps, overlapped with the next: " in r.stdout
    # a state recorder reads each step's state in that step: every step, nothing to overlap
    r = run(config, tmp_path / "y.h5", 2, ['recorders=[{"type": "state", "populations": ["E"], '
                                           '"variables": ["V"], "neurons": [0, 2399]}]'])
    assert "spike exchange every 1 step: " in r.stdout


def test_blocking_exchanges_every_10_steps_give_the_same_bits(tmp_path):
    config = os.path.join(SOURCE, "tests", "mpi", "long_delays.json")
    same_on(config, [], tmp_path, [2, 3], exchange="blocking")
    r = run(config, tmp_path / "x.h5", 2, exchange="blocking")
    assert "spike exchange every 10 steps: " in r.stdout
    # one rank's environment asking for it is enough: the ranks step alike
    cmd = [MPIRUN, "--oversubscribe", "-np", "1", CLI, "run", config, "-o", str(tmp_path / "m.h5"),
           "-t", "1", ":", "-np", "1", "-x", "GANGLION_EXCHANGE=blocking", CLI, "run", config,
           "-o", str(tmp_path / "m.h5"), "-t", "1"]
    r = subprocess.run(cmd, capture_output=True, text=True, env=ENV, timeout=120)
    assert r.returncode == 0, r.stderr
    assert "spike exchange every 10 steps: " in r.stdout
    assert differences(str(tmp_path / "one.h5"), str(tmp_path / "m.h5")) == []


def test_an_unknown_exchange_is_refused_before_anything_runs(tmp_path):
    out = tmp_path / "x.h5"
    r = run(os.path.join(SOURCE, "tests", "mpi", "long_delays.json"), out, 2, exchange="eager")
    assert r.returncode == 1
    assert r.stderr.count('ganglion: the environment variable GANGLION_EXCHANGE is "eager": set '
                          'it to "overlapped" (the default) or "blocking", or unset it') == 1
    assert not out.exists() and not (tmp_path / "x.h5.part").exists()


def test_the_summary_counts_the_whole_network(tmp_path):
    config = os.path.join(SOURCE, "configs", "balanced_eif.json")
    sets = ["simulation.duration=50ms"]
    one, two = run(config, tmp_path / "1.h5", 1, sets), run(config, tmp_path / "2.h5", 2, sets)
    assert one.returncode == 0 and two.returncode == 0
    synapses = [line for line in one.stdout.splitlines() if line.startswith("  synapses: ")]
    assert synapses and synapses == [l for l in two.stdout.splitlines()
                                     if l.startswith("  synapses: ")]
    assert "on 2 MPI ranks of 1 thread each" in two.stdout
    # 12,000 neurons in slices of 1024: whole slices to each rank, in order
    per_rank = [l for l in two.stdout.splitlines() if l.startswith("  neurons per rank: ")]
    counts = [int(n) for n in per_rank[0].split(": ")[1].split(", ")]
    assert sum(counts) == 12000 and len(counts) == 2 and counts[0] % 1024 == 0
    assert two.stdout.count("ganglion: ") == one.stdout.count("ganglion: ")  # rank 0 alone
    with h5py.File(tmp_path / "1.h5") as f1, h5py.File(tmp_path / "2.h5") as f2:
        assert (f1.attrs["ranks"], f2.attrs["ranks"]) == (1, 2)
        assert f2.attrs["threads"] == 1


def nan_config(tmp_path, which):
    config = {
        "ganglion": 1, "plugins": [os.path.join(FIXTURES, "nan_neuron.so")],
        "simulation": {"dt": "0.1 ms", "duration": "10 ms", "threads": 1},
        "populations": {"P": {"model": "gg_test_nan", "size": 3000,
                              "params": {"at": 25, "which": which}}},
        "projections": [],
        "recorders": [{"type": "state", "populations": ["P"], "variables": ["V"],
                       "neurons": [0, 2500]}],
    }
    path = tmp_path / "nan.json"
    path.write_text(json.dumps(config))
    return str(path)


def test_a_divergence_on_one_rank_stops_every_rank_where_one_process_stops(tmp_path):
    # Neuron 2500 is the second rank's: its NaN stops both ranks at its step, the message said
    # once, and the file holds what one process's holds, that NaN included.
    config = nan_config(tmp_path, 2500)
    one, two = run(config, tmp_path / "1.h5", 1), run(config, tmp_path / "2.h5", 2)
    message = ("population 'P' (gg_test_nan) diverged at t = 2.6 ms: neuron 2500 has V = nan mV, "
               "outside [-1000, 1000] mV")
    assert one.returncode == 3 and two.returncode == 3
    assert one.stderr.count(message) == 1 and two.stderr.count(message) == 1
    assert differences(str(tmp_path / "1.h5"), str(tmp_path / "2.h5")) == []
    with h5py.File(tmp_path / "2.h5") as f:
        assert f.attrs["status"].startswith("diverged: " + message)
        assert f["report/P/V/data"].shape == (26, 2)


@pytest.mark.parametrize("exchange,every", [("overlapped", "32 steps, overlapped with the next"),
                                            ("blocking", "64 steps")])
def test_a_divergence_inside_an_interval_stops_where_one_process_stops(tmp_path, exchange, every):
    # Spikes recorded alone and no synapses: the ranks exchange every 64 steps (blocking) or every
    # 32, each exchange taken in after the next 32 steps (overlapped); the NaN of step 25 on the
    # second rank is told in the exchange of steps 0-63 (0-31), taken in at step 63 either way,
    # and every rank ends the run at step 25.
    config = json.loads(open(nan_config(tmp_path, 2500)).read())
    config["recorders"] = [{"type": "spikes", "populations": ["P"]}]
    path = tmp_path / "nan_spikes.json"
    path.write_text(json.dumps(config))
    one = run(str(path), tmp_path / "1.h5", 1)
    two = run(str(path), tmp_path / "2.h5", 2, exchange=exchange)
    assert one.returncode == 3 and two.returncode == 3
    assert f"spike exchange every {every}: " in two.stdout
    assert "diverged at t = 2.6 ms: neuron 2500" in two.stderr
    assert differences(str(tmp_path / "1.h5"), str(tmp_path / "2.h5")) == []
    with h5py.File(tmp_path / "1.h5") as f1, h5py.File(tmp_path / "2.h5") as f2:
        for name in ("status", "recorded_ms"):
            assert f1.attrs[name] == f2.attrs[name]
    assert "simulated 2.6 ms" in two.stdout


def test_an_error_on_rank_0_alone_fails_every_rank_before_anything_runs(tmp_path):
    # The weights recorder's synapses are checked where it runs, on rank 0, against the whole
    # projection: the other ranks learn of it when the build is agreed on.
    config = os.path.join(SOURCE, "configs", "istdp_balanced.json")
    sets = ['recorders.2.synapses=[1000000000]', "simulation.duration=10ms",
            'projections.2.plasticity.active=[["0 ms", "10 ms"]]']
    out = tmp_path / "w.h5"
    r = run(config, out, 2, sets)
    assert r.returncode == 1
    assert r.stderr.count("/recorders/2/synapses: synapse 1000000000 does not exist") == 1
    assert not out.exists() and not (tmp_path / "w.h5.part").exists()


def test_ranks_that_load_different_experiments_are_refused_before_anything_runs(tmp_path):
    # Each machine reads its own copy of the files: here rank 1 is given another duration (MPI's
    # MPMD form: one command line per rank). Each rank's output and threads are its own affair.
    config = os.path.join(SOURCE, "configs", "balanced_eif.json")
    out = tmp_path / "x.h5"
    rank = lambda d, o, t: [CLI, "run", config, "-o", str(o), "-t", t, "--set",
                            f"simulation.duration={d}"]
    cmd = ([MPIRUN, "--oversubscribe", "-np", "1"] + rank("100 ms", out, "1") + [":", "-np", "1"]
           + rank("200 ms", out, "1"))
    r = subprocess.run(cmd, capture_output=True, text=True, env=ENV, timeout=120)
    assert r.returncode == 1
    assert r.stderr.count(
        f"ganglion: {config}: rank 1 of 2 loaded another experiment than rank 0: at "
        '/simulation/duration it has "200 ms", rank 0 "100 ms". Every rank must read the same '
        "config, --set values and plugins: give every machine the same files (a shared folder, "
        "or copies)") == 1, r.stderr
    assert not out.exists() and not (tmp_path / "x.h5.part").exists()
    cmd = ([MPIRUN, "--oversubscribe", "-np", "1"] + rank("100 ms", out, "1") + [":", "-np", "1"]
           + rank("100 ms", tmp_path / "y.h5", "2"))
    r = subprocess.run(cmd, capture_output=True, text=True, env=ENV, timeout=120)
    assert r.returncode == 0, r.stderr
    assert out.exists() and not (tmp_path / "y.h5").exists()


def test_bad_input_is_said_once(tmp_path):
    r = run(os.path.join(SOURCE, "configs", "balanced_eif.json"), tmp_path / "x.h5", 3,
            ["populations.E.model=lif2"])
    assert r.returncode == 1
    assert r.stderr.count("unknown neuron model 'lif2'") == 1, r.stderr
    assert not (tmp_path / "x.h5").exists()


def test_a_crash_on_the_ranks_leaves_rank_0s_file_finished(tmp_path):
    config = {
        "ganglion": 1, "plugins": [os.path.join(FIXTURES, "segv_neuron.so")],
        "simulation": {"dt": "0.1 ms", "duration": "10 ms", "threads": 1},
        "populations": {"P": {"model": "gg_test_segv", "size": 3000, "params": {"at": 25}}},
        "projections": [], "recorders": [{"type": "spikes", "populations": ["P"]}],
    }
    path = tmp_path / "segv.json"
    path.write_text(json.dumps(config))
    r = run(str(path), tmp_path / "s.h5", 2)
    assert r.returncode == 3
    assert "crashed (SIGSEGV) in hook 'step' of population 'P' at step 25" in r.stderr
    with h5py.File(tmp_path / "s.h5") as f:
        assert f.attrs["status"].startswith("failed: ")


@pytest.mark.parametrize("config", [os.path.join(SOURCE, "configs", "balanced_eif.json"),
                                    os.path.join(SOURCE, "tests", "mpi", "long_delays.json")])
def test_a_signal_stops_every_rank_at_one_step_with_the_file_finished(tmp_path, config):
    # balanced_eif exchanges every step; long_delays every 5 steps, overlapped (the interval in
    # flight is taken in before the ranks stop)
    out = tmp_path / "sig.h5"
    cmd = [MPIRUN, "--oversubscribe", "-np", "2", CLI, "run", config, "-o", str(out), "-t", "1",
           "--set", "simulation.duration=600s"]
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=ENV)
    for _ in range(300):  # until rank 0 has opened the file (after every rank loaded: agreed)
        time.sleep(0.1)
        if (tmp_path / "sig.h5.part").exists():
            break
    time.sleep(3)  # (the network built, on a busy machine too)
    p.send_signal(signal.SIGINT)  # mpirun passes it to the ranks as SIGTERM
    _, err = p.communicate(timeout=120)
    assert p.returncode != 0
    assert err.count("ganglion: interrupted at t = ") == 1, err
    with h5py.File(out) as f:
        status = f.attrs["status"]
        assert status.startswith("interrupted at t = ") and status.endswith(" ms by SIGTERM")
        t = float(status.split(" = ")[1].split(" ms")[0])
        stamps = f["spikes/E/timestamps"][()]
        assert 0 < t < 600000 and stamps.max() <= t + 1e-6  # (t as the status prints it)
        if config.endswith("long_delays.json"):  # after an interval of 5 steps of 0.1 ms
            assert round(t / 0.1) % 5 == 0
