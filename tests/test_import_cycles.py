"""No import cycle in ``ft_dcc/`` and ``hosts/``, ``TYPE_CHECKING`` and function-level
imports counted: a loop hidden behind a type-only import is still two modules that cannot be
read, tested or moved one without the other. The graph is read by ``tests/tools/import_cycles.py``
(run it to see every cycle and the imports that close it)."""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent / "tools"))

import import_cycles


@pytest.fixture(scope="module")
def graph():
    return import_cycles.import_graph()


def test_no_import_cycle_anywhere(graph):
    found = import_cycles.cycles(graph)
    assert not found, "import cycles:\n" + "\n".join(
        import_cycles.describe(c, graph) for c in found
    )


def _write(folder: Path, files):
    for name, text in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))


def test_the_checker_sees_type_checking_function_and_relative_imports(tmp_path):
    _write(
        tmp_path / "pkg",
        {
            "__init__.py": "",
            "a.py": """
                from typing import TYPE_CHECKING
                if TYPE_CHECKING:
                    from pkg.b import Thing
            """,
            "b.py": """
                def late():
                    from . import c
            """,
            "c.py": "from .a import something\n",
            "d.py": "import pkg.a\n",
        },
    )
    graph = import_cycles.import_graph({"pkg": tmp_path / "pkg"})
    assert import_cycles.cycles(graph) == [["pkg.a", "pkg.b", "pkg.c"]]


def test_the_checker_finds_no_cycle_in_a_one_way_tree(tmp_path):
    _write(
        tmp_path / "pkg",
        {"__init__.py": "from pkg import a\n", "a.py": "import pkg.b\n", "b.py": "import os\n"},
    )
    graph = import_cycles.import_graph({"pkg": tmp_path / "pkg"})
    assert graph["pkg"] == {"pkg.a"} and graph["pkg.a"] == {"pkg.b"}
    assert import_cycles.cycles(graph) == []
