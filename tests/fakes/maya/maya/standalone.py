"""Fake ``maya.standalone``: what mayapy scripts call first and last. Switches the fake to
batch mode (no UI, like mayapy)."""

from __future__ import annotations

from . import _fake

_initialized = False


def initialize(name: str = "python") -> None:
    global _initialized
    if _initialized:
        raise RuntimeError("maya.standalone is already initialized")
    _fake.state.reset(batch=True)
    _initialized = True


def uninitialize() -> None:
    global _initialized
    _initialized = False
