"""``ft-dcc host install NAME`` names one oldest host Python: the one its build needs.

The Maya instructions said "any Maya from Python 3.9 on" while the line after them said the
packages "import in host Pythons from 3.10 on": a TD cannot tell which is true. Every Python
version the output names as a lower bound is the one in the built integration's marker.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from support.cli import run_ft_dcc

from ft_dcc.host import bundle

#: "from Python 3.9 on", "from 3.10 on", "Python 3.9 or newer": a lower bound
LOWER_BOUND = re.compile(r"(?:from (?:Python )?|Python )(3\.\d+)(?: on| or newer)")


@pytest.mark.parametrize("host", ["maya", "nuke", "blender"])
def test_install_names_one_oldest_python_the_one_it_built_for(tmp_path: Path, host: str) -> None:
    result = run_ft_dcc(["host", "install", host, "--dest", str(tmp_path)], timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    markers = list(tmp_path.rglob(bundle.MARKER))
    if not markers:  # the Blender add-on is a zip
        import zipfile

        (archive,) = tmp_path.glob("*.zip")
        with zipfile.ZipFile(archive) as zipped:
            (name,) = [n for n in zipped.namelist() if n.endswith(bundle.MARKER)]
            built_for = json.loads(zipped.read(name))["python"]
    else:
        built_for = json.loads(markers[0].read_text(encoding="utf-8"))["python"]
    named = set(LOWER_BOUND.findall(result.stdout))
    assert named == {built_for}, result.stdout
