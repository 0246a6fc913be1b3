"""What the Python package's tests share: the source tree, the `ganglion` command built beside
the package, and small runs of the reference configs."""

import os
import subprocess

import pytest

SOURCE = os.environ["GANGLION_SOURCE_DIR"]
CLI = os.environ["GANGLION_CLI"]


def config(name):
    return os.path.join(SOURCE, "configs", name)


def install(folder):
    """ganglion installed (`cmake --install`) under folder/opt-ganglion; the prefix."""
    prefix = folder / "opt-ganglion"
    subprocess.run([os.environ["GANGLION_CMAKE"], "--install", os.environ["GANGLION_BINARY_DIR"],
                    "--prefix", str(prefix)], check=True, capture_output=True)
    return prefix


def cli(*args, env=None):
    """The `ganglion` command's exit code, stdout and stderr."""
    r = subprocess.run([CLI, *args], capture_output=True, text=True,
                       env={**os.environ, **(env or {})})
    return r.returncode, r.stdout, r.stderr


@pytest.fixture
def tmp(tmp_path):
    return tmp_path
