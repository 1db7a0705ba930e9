"""Test controls of the fake ``nuke`` (not part of Nuke's API; the adapter never uses them)."""

from __future__ import annotations

import sys
from typing import Any

from ._state import Call, FakeNuke, state

__all__ = ["Call", "FakeNuke", "reset", "state", "viewed"]


def reset(gui: bool = False) -> FakeNuke:
    """A fresh untitled session: ``gui=False`` is ``nuke -t``, ``gui=True`` the interactive app."""
    state.reset(gui=gui)
    sys.modules["nuke"].GUI = gui
    return state


def viewed(frame: int) -> Any:
    """What the active Viewer shows at ``frame``: ``(width, height, [(r, g, b, a), ...])``, top
    row first, floats 0..1 (the fake's image model: Read, Reformat, Premult, Merge2 over)."""
    from . import _render

    window = sys.modules["nuke"].activeViewer()
    if window is None:
        raise RuntimeError("no Viewer is open")
    index = window.activeInput()
    if index is None:
        raise RuntimeError("the Viewer shows nothing")
    return _render.rgba_of(window.node().input(index), frame)
