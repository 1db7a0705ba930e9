"""Each key a publish's plugins share is written in one place (``ft_dcc.publish.state``): the
plugin that finds it. Read from the code: every ``context.data[KEY] = …`` and
``instance.data[KEY] = …`` of ``ft_dcc/publish`` (``KEY`` a name or a string), grouped by key.

Seen failing first: the task (``TASK_KEY``) was written by its collector, by the connection and
by ValidateTask's planned read.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path
from typing import Dict, Set

ROOT = Path(__file__).resolve().parents[2]
PUBLISH = ROOT / "ft_dcc" / "publish"
#: key -> the modules that write it, each with why it is one decision
SHARED: Dict[str, Set[str]] = {
    # the publish's state: made by the API's publish, or by the collector when a publish is
    # started from pyblish's own UI (one or the other, never both)
    "STATE_KEY": {"api.py", "plugins/collect_request.py", "plugins/collect_reviewables.py"},
    # the scene as collected, and as the Save scene repair the artist asked for left it
    "SCENE_KEY": {"plugins/collect_scene.py", "state.py"},
    # a reviewable's thumbnail: the movie's extractor or the still's (one per family)
    "thumbnail": {"plugins/extract_thumbnail.py", "plugins/extract_still_thumbnail.py"},
}


def _key(node: ast.AST) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return ""


def _shared_data(node: ast.AST, key: str) -> bool:
    """``context.data``, ``instance.data``, or a ``data`` given one of state's keys (the
    context's data passed on)."""
    if isinstance(node, ast.Attribute) and node.attr == "data":
        return isinstance(node.value, ast.Name) and node.value.id in ("context", "instance")
    return isinstance(node, ast.Name) and node.id == "data" and key.endswith("_KEY")


def _writers() -> Dict[str, Set[str]]:
    found: Dict[str, Set[str]] = defaultdict(set)
    for path in PUBLISH.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            targets = node.targets if isinstance(node, ast.Assign) else []
            for target in targets:
                key = _key(target.slice) if isinstance(target, ast.Subscript) else ""
                if key and _shared_data(target.value, key):  # type: ignore[attr-defined]
                    found[key].add(path.relative_to(PUBLISH).as_posix())
    return found


def test_each_shared_key_is_written_in_one_place() -> None:
    writers = _writers()
    assert "TASK_KEY" in writers and "CONNECTION_KEY" in writers  # the scan finds them
    several = {key: sorted(places) for key, places in writers.items()
               if len(places) > 1 and places != SHARED.get(key)}  # fmt: skip
    assert not several, f"written in more than one place: {several}"
