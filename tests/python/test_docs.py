"""The documents stay true: the plugins' reference in docs/format.md is what the plugins declare,
and every key the loader accepts is documented there."""

import os
import re

from conftest import SOURCE
from ganglion import reference


def read(relative):
    with open(os.path.join(SOURCE, relative)) as f:
        return f.read()


def test_the_plugin_reference_is_what_the_plugins_declare():
    assert reference.generated_part(read("docs/format.md")) == reference.markdown(), (
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
