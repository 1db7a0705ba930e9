"""Each key of a publish's ``context.data`` and ``instance.data`` is written in one place: the
plugin that finds it. Read from the code, not from a list: every ``context.data[KEY] = …``,
``instance.data[KEY] = …`` and ``….data.update(…)`` of ``ft_dcc/publish`` (``KEY`` a name or a
string; ``data[NAME_KEY]`` is the context's data passed on; an ``update`` with a call takes the
keys of the dict literal that function returns), grouped by container and key.

The publish's running lists (its warnings, what was skipped, the repairs asked for) are kept
through one accessor each (``data.setdefault(KEY, …)``), in one module.

Seen failing first: the task (``TASK_KEY``) was written by its collector, by the connection and
by ValidateTask's planned read; then the connection by its validator too, the publish context
by the API and its collector, the scene by its collector and the Save scene repair, and a
thumbnail by two extractors.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path
from typing import Dict, Iterator, List, Set, Tuple

ROOT = Path(__file__).resolve().parents[2]
PUBLISH = ROOT / "ft_dcc" / "publish"
PLUGINS = "plugins/"
#: (container, key) -> the modules (relative to ft_dcc/publish) that write it
Writers = Dict[Tuple[str, str], Set[str]]


def _key(node: ast.AST) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return ""


def _container(node: ast.AST, key: str) -> str:
    """``context`` or ``instance`` for their ``data``; ``context`` for a ``data`` given one of
    state's keys (the context's data passed on); "" for anything else."""
    if isinstance(node, ast.Attribute) and node.attr == "data" and isinstance(node.value, ast.Name):
        return node.value.id if node.value.id in ("context", "instance") else ""
    return (
        "context"
        if isinstance(node, ast.Name) and node.id == "data" and key.endswith("_KEY")
        else ""
    )


def _modules() -> Iterator[Tuple[str, ast.AST]]:
    for path in sorted(PUBLISH.rglob("*.py")):
        yield path.relative_to(PUBLISH).as_posix(), ast.parse(path.read_text(encoding="utf-8"))


def _returned_keys() -> Dict[str, List[str]]:
    """Each function of ``ft_dcc/publish`` that returns a dict literal -> its keys."""
    found: Dict[str, List[str]] = {}
    for _, tree in _modules():
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef):
                for inner in ast.walk(node):
                    if isinstance(inner, ast.Return) and isinstance(inner.value, ast.Dict):
                        found[node.name] = [_key(k) for k in inner.value.keys if k is not None]
    return found


def _writes(node: ast.AST, returned: Dict[str, List[str]]) -> Iterator[Tuple[str, str, str]]:
    """``(how, container, key)`` of each write ``node`` makes: "set" or "setdefault"."""
    if isinstance(node, (ast.Assign, ast.AugAssign)):
        for target in node.targets if isinstance(node, ast.Assign) else [node.target]:
            if isinstance(target, ast.Subscript):
                key = _key(target.slice)
                if key and _container(target.value, key):
                    yield "set", _container(target.value, key), key
    if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.args):
        return
    how, owner, first = node.func.attr, node.func.value, node.args[0]
    if how == "setdefault" and _container(owner, _key(first)):
        yield "setdefault", _container(owner, _key(first)), _key(first)
    if how == "update" and _container(owner, "_KEY"):
        keys: List[str] = []
        if isinstance(first, ast.Dict):
            keys = [_key(k) for k in first.keys if k is not None]
        elif isinstance(first, ast.Call) and isinstance(first.func, ast.Name):
            keys = returned.get(first.func.id, [])
        assert keys, f"an update whose keys cannot be read: {ast.unparse(node)}"
        yield from (("set", _container(owner, "_KEY"), key) for key in keys)


def _writers() -> Dict[str, Writers]:
    returned = _returned_keys()
    found: Dict[str, Writers] = {"set": defaultdict(set), "setdefault": defaultdict(set)}
    for module, tree in _modules():
        for node in ast.walk(tree):
            for how, container, key in _writes(node, returned):
                found[how][(container, key)].add(module)
    return found


def test_each_key_is_written_by_one_plugin() -> None:
    written = _writers()["set"]
    # the scan finds them: the task, the connection, a contract key of the capture collector's
    assert {("context", "TASK_KEY"), ("context", "CONNECTION_KEY"),
            ("instance", "frameStart"), ("instance", "STATE_KEY")} <= set(written)  # fmt: skip
    several = {key: sorted(places) for key, places in written.items() if len(places) > 1}
    assert not several, f"written in more than one place: {several}"
    outside = {key: sorted(places) for key, places in written.items()
               if not all(place.startswith(PLUGINS) for place in places)}  # fmt: skip
    assert not outside, f"written outside the plugins: {outside}"


def test_each_running_list_is_kept_through_one_accessor() -> None:
    kept = _writers()["setdefault"]
    assert ("context", "WARNINGS_KEY") in kept
    several = {key: sorted(places) for key, places in kept.items() if len(places) > 1}
    assert not several, f"kept in more than one place: {several}"
