"""Runs experiments on 1 rank and under mpirun on several, and checks that every dataset of the
output files is the same, bit for bit (spikes, state reports, rates, inputs, weights).

usage: same_over_ranks.py GANGLION MPIRUN OUTDIR RANKS CONFIG[:SETTINGS] ...
  RANKS: comma-separated rank counts to compare with one rank (e.g. 2,3)
  SETTINGS: --set overrides joined by ';' (e.g. simulation.duration=200ms)
Exits 1 naming each dataset that differs, or a run that failed.
"""
import os
import subprocess
import sys

import h5py
import numpy as np


def run(cmd, env):
    r = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=900)
    if r.returncode != 0:
        raise RuntimeError(" ".join(cmd) + f" exited {r.returncode}:\n{r.stdout}\n{r.stderr}")
    return r


def datasets(path):
    found = {}
    with h5py.File(path, "r") as f:
        f.visititems(lambda name, obj: found.__setitem__(name, obj[()])
                     if isinstance(obj, h5py.Dataset) else None)
    return found


def differences(a, b):
    da, db = datasets(a), datasets(b)
    out = [f"{n}: only in one file" for n in sorted(set(da) ^ set(db))]
    for n in sorted(set(da) & set(db)):
        x, y = np.asarray(da[n]), np.asarray(db[n])
        if x.shape != y.shape or x.dtype != y.dtype or x.tobytes() != y.tobytes():
            out.append(f"{n}: differs ({x.shape} against {y.shape})")
    return out


def main():
    ganglion, mpirun, outdir, rank_list = sys.argv[1:5]
    configs = sys.argv[5:]
    env = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1",
               OMPI_MCA_rmaps_base_oversubscribe="1")
    os.makedirs(outdir, exist_ok=True)
    failed = False
    for item in configs:
        config, _, settings = item.partition(":")
        sets = []
        for s in filter(None, settings.split(";")):
            sets += ["--set", s]
        name = os.path.splitext(os.path.basename(config))[0]
        one = os.path.join(outdir, f"{name}_1.h5")
        run([ganglion, "run", config, "-o", one, "-t", "1"] + sets, env)
        for k in rank_list.split(","):
            many = os.path.join(outdir, f"{name}_{k}.h5")
            run([mpirun, "--oversubscribe", "-np", k, ganglion, "run", config, "-o", many,
                 "-t", "1"] + sets, env)
            diff = differences(one, many)
            with h5py.File(one, "r") as f:
                spikes = sum(len(f["spikes"][p]["node_ids"]) for p in f.get("spikes", {}))
            status = "same" if not diff else "DIFFERENT"
            print(f"{name}: 1 rank against {k}: {status} ({spikes} spikes)")
            for d in diff:
                print("   ", d)
            failed = failed or bool(diff)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
