"""The few TCL expressions production Write nodes put in ``file`` (Foundry file name conventions
and the Write reference): ``[value node.knob]`` (``root.name`` is the script path),
``[file dirname X]``, ``[file tail X]``, ``[file rootname X]``, ``[file extension X]``. Anything
else raises NotImplementedError: the fake does not model it (it is not an error of the adapter).
"""

from __future__ import annotations

import posixpath
from typing import Any


def evaluate(text: str, node: Any) -> str:
    """``text`` with every ``[...]`` replaced by its value (innermost first)."""
    while "[" in text:
        end = text.index("]")
        start = text.rindex("[", 0, end)
        text = text[:start] + _command(text[start + 1 : end].split(), node) + text[end + 1 :]
    return text


def _command(words: list, node: Any) -> str:
    from . import _graph

    if len(words) == 2 and words[0] == "value":
        owner_name, _, knob = words[1].rpartition(".")
        owner = _graph.find(owner_name) if owner_name else node
        if owner is None:
            raise RuntimeError(f"[value {words[1]}]: no node called {owner_name}")
        return str(owner[knob].value())
    if len(words) == 3 and words[0] == "file":
        operation, path = words[1], words[2]
        if operation == "dirname":
            return posixpath.dirname(path)
        if operation == "tail":
            return posixpath.basename(path)
        if operation == "rootname":
            return posixpath.splitext(path)[0]
        if operation == "extension":
            return posixpath.splitext(path)[1]
    raise NotImplementedError(f"the fake nuke does not evaluate the TCL [{' '.join(words)}]")
