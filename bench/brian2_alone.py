"""Runs a Brian2 C++ standalone script with its compiled binary alone in memory.

usage: python3 brian2_alone.py SCRIPT [ARGS...]

Brian2's standalone device keeps every array the script set (connectivity given as index arrays,
weights, delays) in the Python process, writes them to the project's static_arrays folder, and
then runs the binary, which loads its own copy. For a network of 3e8 synapses the two copies do not
fit in 24 GB together. This runs SCRIPT unchanged (as __main__, with ARGS as its arguments), but
just before the binary starts it drops Python's copies of arrays that are already on disk, collects
them and hands the freed memory back to the system, so that the binary runs with Python holding
little. Results are read from the binary's output files afterwards, as usual, so the script's own
measurements and output are unchanged. Prints one line on stderr with Python's RSS before and after.
"""
import ctypes
import gc
import runpy
import sys

from brian2.devices.cpp_standalone.device import CPPStandaloneDevice


def rss_mb():
    with open('/proc/self/status') as f:
        for line in f:
            if line.startswith('VmRSS:'):
                return int(line.split()[1]) / 1024
    return float('nan')


_run = CPPStandaloneDevice.run


def run_alone(self, directory, with_output, run_args):
    before = rss_mb()
    # build() has written the static arrays to disk and compiled: the binary reads them there.
    self.static_arrays.clear()
    # Cached values the script set explicitly; None means "read from the results", as after a run.
    for var, value in list(self.array_cache.items()):
        if value is not None and getattr(value, 'nbytes', 0) >= 1 << 20:
            self.array_cache[var] = None
    gc.collect()
    try:
        ctypes.CDLL('libc.so.6').malloc_trim(0)
    except OSError:
        pass
    sys.stderr.write(f'brian2_alone: Python RSS {before:.0f} MB before the binary, {rss_mb():.0f} MB as it starts\n')
    return _run(self, directory, with_output, run_args)


CPPStandaloneDevice.run = run_alone

if len(sys.argv) < 2:
    sys.exit(__doc__)
sys.argv = sys.argv[1:]
runpy.run_path(sys.argv[0], run_name='__main__')
