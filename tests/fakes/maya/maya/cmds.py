"""Fake ``maya.cmds``: each modelled command validates its flags against the Maya 2025 schema
(``cmds_schema.json``) and then behaves as ``maya._fake.FakeMaya`` says. A command outside the
snapshot is an ``AttributeError`` (add it to ``generate_schema.COMMANDS`` to model it)."""

from __future__ import annotations

from typing import Any, Callable

from . import _fake, _schema


def _command(name: str) -> Callable[..., Any]:
    def command(*args: Any, **flags: Any) -> Any:
        return _fake.state.call(name, args, flags)

    command.__name__ = command.__qualname__ = name
    return command


def __getattr__(name: str) -> Any:
    if name in _schema.command_names():
        return _command(name)
    raise AttributeError(f"module 'maya.cmds' has no attribute '{name}'")
