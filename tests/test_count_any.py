"""The ``Any`` counter (``tests/tools/count_any.py``) sees an ``Any`` however it is
spelled — directly, inside a generic, in a string annotation, or behind an alias such as
``Node = Any`` — and counts apart only the names a host declares in its ``untyped.py``."""

from __future__ import annotations

import ast
import sys
import textwrap
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent / "tools"))

import count_any


def _functions(source: str):
    tree = ast.parse(textwrap.dedent(source))
    return {f.name: f for f in count_any._public_functions(tree)}


def test_any_is_seen_in_every_spelling_and_behind_an_alias():
    found = _functions(
        """
        def plain(x: Any) -> None: ...
        def nested(x: Dict[str, List[Any]]) -> None: ...
        def quoted(x: "Optional[Any]") -> None: ...
        def kwargs(**options: typing.Any) -> None: ...
        def returned() -> Node: ...
        def typed(x: int, y: "Session") -> str: ...
        def _private(x: Any) -> None: ...
        """
    )
    anys = {"Node"}
    assert {n for n, f in found.items() if count_any.any_names(f, anys)} == {
        "plain",
        "nested",
        "quoted",
        "kwargs",
        "returned",
    }
    assert "_private" not in found


def test_module_level_aliases_of_any_are_found(tmp_path):
    path = tmp_path / "untyped.py"
    path.write_text(
        "from typing import Any\nNode = Any\nScene: TypeAlias = typing.Any\nx = 1\n"
        "Json = Dict[str, Any]\nRows = List[Dict[str, int]]\n"
    )
    assert count_any._aliases_of_any(path) == ("Node", "Scene", "Json")


def test_only_a_hosts_untyped_names_count_as_host_api(tmp_path):
    module = tmp_path / "capture.py"
    module.write_text(
        "def render(node: Node) -> None: ...\n"
        "def frames(node: Node, options: Any) -> None: ...\n"
        "def queue(op: Operation) -> None: ...\n"
        "def fps(scene: int) -> float: ...\n"
    )
    total, with_any, host_only = count_any.count([module], ({"Node", "Operation"}, {"Node"}))
    assert total == 4
    assert [line.split()[-1] for line in with_any] == ["frames", "queue"]
    assert [line.split()[-1] for line in host_only] == ["render"]


def test_the_tree_declares_host_api_names_only_in_a_hosts_untyped_module():
    every, host = count_any.aliases()
    declared_elsewhere = {
        name
        for folder in ("ft_dcc", "hosts")
        for p in (count_any.ROOT / folder).rglob("*.py")
        if p.name != count_any.HOST_UNTYPED
        for name in count_any._aliases_of_any(p)
    }
    assert host <= every
    assert not (declared_elsewhere & host), "a host-API name is also an alias elsewhere"


def test_an_alias_is_followed_through_a_relative_import_under_its_new_name(tmp_path):
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "types.py").write_text("Row = Dict[str, Any]\nclass Change: ...\n")
    (package / "use.py").write_text(
        "from .types import Row as R, Change\n"
        "def f(x: R) -> None: ...\n"
        "def g(c: Change) -> None: ...\n"
    )
    assert count_any.visible_aliases(package / "use.py") == {"R"}
