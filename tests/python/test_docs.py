"""The documents stay true: every shell command and Python block of the README and docs/ runs as
written (in a folder that looks like the repository, with the build beside it), the plugins'
reference in docs/format.md is what the plugins declare, and every key the loader accepts is
documented there."""

import os
import re
import subprocess

import pytest

from conftest import SOURCE, install  # (install: for the /opt/ganglion the documents name)
from ganglion import reference

# Each document's blocks run from the repository's root; the plugin guide's, which build a plugin
# in a folder of their own against an installed ganglion, have a test of their own (below).
DOCUMENTS = ["README.md"] + sorted(
    "docs/" + f for f in os.listdir(os.path.join(SOURCE, "docs"))
    if f.endswith(".md") and f != "plugin-guide.md")

# What CI's own script runs (.ci/run: the README's test command): not run a second time here.
CI_RUNS = ("bash tools/install-deps.sh", "cmake -S ", "cmake --build ", "ctest ")


def read(relative):
    with open(os.path.join(SOURCE, relative)) as f:
        return f.read()


def test_the_plugin_reference_is_what_the_plugins_declare():
    documented, declared = reference.generated_part(read("docs/format.md")), reference.markdown()
    if os.environ.get("GANGLION_WITH_CUDA") != "1":  # (a build without CUDA has no companions)
        documented = documented.replace("- backends: cpu, cuda\n", "- backends: cpu\n")
    assert documented == declared, (
        "docs/format.md: regenerate the plugins' part with python3 -m ganglion.reference")


def test_every_key_the_loader_reads_is_documented():
    folder = os.path.join(SOURCE, "framework", "src", "experiment")
    keys = set()
    for name in os.listdir(folder):
        if name.endswith(".cpp"):
            for group in re.findall(r"check_keys\([^;{]*\{([^}]*)\}\s*\)", read(os.path.join(
                    "framework", "src", "experiment", name)), re.S):
                keys.update(re.findall(r'"([^"]+)"', group))
    assert len(keys) > 30
    documented = set(re.findall(r"`([^`]+)`", read("docs/format.md")))
    assert sorted(keys - documented) == []


def code_blocks(text, language):
    return re.findall(r"^```" + language + r"\n(.*?)^```", text, re.S | re.M)


def commands(block):
    """A shell block's commands: its lines (joined where a line ends in a backslash), split at
    ' && ', without the ones CI runs itself."""
    lines = re.sub(r"\\\n\s*", " ", block).splitlines()
    parts = [p.strip() for line in lines for p in line.split(" && ") if p.strip()]
    return [p for p in parts if not p.startswith("#") and not p.startswith(CI_RUNS)]


@pytest.fixture
def repository(tmp_path):
    """A folder with the source tree's files (linked), the build as build/ and an empty out/."""
    for entry in os.listdir(SOURCE):
        if entry not in ("build", "out") and not entry.startswith("."):
            os.symlink(os.path.join(SOURCE, entry), tmp_path / entry)
    os.symlink(os.environ["GANGLION_BINARY_DIR"], tmp_path / "build")
    (tmp_path / "out").mkdir()
    return tmp_path


@pytest.mark.parametrize("document", DOCUMENTS)
def test_the_documents_commands_and_code_run_as_written(document, repository):
    text = read(document)
    # (mpirun as root, as CI runs, and on as many ranks as asked whatever the cores)
    env = {**os.environ, "MPLBACKEND": "Agg", "OMPI_ALLOW_RUN_AS_ROOT": "1",
           "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM": "1", "OMPI_MCA_rmaps_base_oversubscribe": "1"}
    env.pop("PYTHONPATH", None)  # as a reader's shell has it: the commands say what they need
    for block in code_blocks(text, "sh"):
        run = commands(block)
        if os.environ.get("GANGLION_WITH_MPI") != "1":  # (a build without MPI cannot run them)
            run = [c for c in run if not c.startswith("mpirun ")]
        if not run:
            continue
        r = subprocess.run(["bash", "-ec", " && ".join(run)], cwd=repository, env=env,
                           capture_output=True, text=True, timeout=600)
        assert r.returncode == 0, f"{document}: {run}\n{r.stderr}"
    python = code_blocks(text, "python")
    if python:
        env["PYTHONPATH"] = os.path.join(os.environ["GANGLION_BINARY_DIR"], "python")
        r = subprocess.run(["/usr/bin/python3", "-c", "\n".join(python)], cwd=repository, env=env,
                           capture_output=True, text=True, timeout=600)
        assert r.returncode == 0, f"{document}'s Python blocks:\n{r.stderr}"


def test_the_plugin_guide_runs_as_written(repository, tmp_path):
    """docs/plugin-guide.md: its first block (the install) in the repository, the rest in one
    shell in an empty folder, as a reader types them; the neurons fire as the text derives (72
    spikes each in the second) and the bad value is refused with the plugin's message."""
    import h5py
    import numpy as np

    blocks = [b.replace("/opt/ganglion", str(tmp_path / "opt-ganglion"))
              for b in code_blocks(read("docs/plugin-guide.md"), "sh")]
    assert blocks[0].startswith("cmake --install build")
    r = subprocess.run(["bash", "-ec", blocks[0]], cwd=repository, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    work = tmp_path / "work"
    work.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("GANGLION_PLUGIN_PATH", "PYTHONPATH")}
    r = subprocess.run(["bash", "-ec", "\n".join(blocks[1:])], cwd=work, env=env,
                       capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr
    assert "V_reset must be below V_th: lower V_reset or raise V_th" in r.stderr
    assert r.stdout.rstrip().endswith("refused")
    with h5py.File(work / "leaky" / "leaky.h5", "r") as f:
        ids = f["spikes/L/node_ids"][()]
    assert np.array_equal(np.bincount(ids.astype(np.int64), minlength=10), np.full(10, 72))


def test_the_plugin_templates_walk_through_runs_as_written(tmp_path):
    """sdk/template/README.md from an empty folder to a run: ganglion installed (to a temporary
    prefix standing for the /opt/ganglion the text names), the template copied, and each of its
    shell blocks run in turn, then those of the author's guide (sdk/GUIDE.md) in the same
    folder; the run fires at the rate the text derives (44 spikes a neuron in the second)."""
    import shutil

    import h5py
    import numpy as np

    prefix = install(tmp_path)
    project = tmp_path / "qif"
    shutil.copytree(os.path.join(SOURCE, "sdk", "template"), project)
    env = {k: v for k, v in os.environ.items() if k not in ("GANGLION_PLUGIN_PATH", "PYTHONPATH")}
    env["PATH"] = f"{prefix / 'bin'}:{env['PATH']}"
    blocks = code_blocks(read("sdk/template/README.md"), "sh")
    assert len(blocks) >= 3
    blocks += code_blocks(read("sdk/GUIDE.md"), "sh")
    for block in blocks:
        script = block.replace("/opt/ganglion", str(prefix))
        r = subprocess.run(["bash", "-ec", script], cwd=project, env=env, capture_output=True,
                           text=True, timeout=600)
        assert r.returncode == 0, f"{block}\n{r.stderr}"
    with h5py.File(project / "qif.h5", "r") as f:
        ids = f["spikes/Q/node_ids"][()]
    assert np.array_equal(np.bincount(ids.astype(np.int64), minlength=20), np.full(20, 44))
