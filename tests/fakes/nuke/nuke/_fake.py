"""Test controls of the fake ``nuke`` (not part of Nuke's API; the adapter never uses them)."""

from __future__ import annotations

import sys

from ._state import Call, FakeNuke, state

__all__ = ["Call", "FakeNuke", "reset", "state"]


def reset(gui: bool = False) -> FakeNuke:
    """A fresh untitled session: ``gui=False`` is ``nuke -t``, ``gui=True`` the interactive app."""
    state.reset(gui=gui)
    sys.modules["nuke"].GUI = gui
    return state
