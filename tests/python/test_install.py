"""`cmake --install` puts the package where Debian's python3 finds it under the prefix, the
installed package runs an experiment with the installed engine and plugins, and the installed
command draws figures with the installed package."""

import os
import subprocess
import sys

from conftest import config, install


def test_the_installed_package_runs(tmp):
    prefix = install(tmp)
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    site = prefix / "lib" / version / "dist-packages"
    assert (site / "ganglion" / "__init__.py").exists()
    program = ("import ganglion, sys; "
               f"r = ganglion.run({config('recurrent_ei.json')!r}, "
               "sets={'simulation.duration': '100 ms'}); "
               "print(ganglion.__file__); print(len(r.spikes('E').times)); "
               "print(ganglion.describe('eif')['file'])")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "GANGLION_PLUGIN_PATH")}
    env["PYTHONPATH"] = str(site)
    r = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, env=env,
                       cwd=tmp)
    assert r.returncode == 0, r.stderr
    where, spikes, plugin = r.stdout.split("\n")[:3]
    assert where.startswith(str(site))
    assert int(spikes) > 0
    assert plugin.startswith(str(prefix / "lib" / "ganglion" / "plugins"))

    ganglion = str(prefix / "bin" / "ganglion")
    out = str(tmp / "run.h5")
    r = subprocess.run([ganglion, "run", config("hh_spike.json"), "-o", out, "--plot"],
                       capture_output=True, text=True, env=env, cwd=tmp)
    assert r.returncode == 0, r.stderr
    traces = tmp / "run_figures" / "traces.png"  # hh_spike records V: a trace
    assert traces.exists() and f"{traces}\n" in r.stdout, r.stdout
