"""The fake Nuke session: one global state, reset per test, with a log of every ``nuke`` call."""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Tuple

import attr


@attr.s(auto_attribs=True)
class Call:
    """One call of a public ``nuke`` function: name, positional and keyword arguments."""

    name: str
    args: Tuple[Any, ...]
    kwargs: Dict[str, Any]


class FakeNuke:
    """Everything a Nuke session holds: the node graph, the script, callbacks, menus, dialogs."""

    def __init__(self) -> None:
        self.reset()

    def reset(self, gui: bool = False) -> None:
        """A fresh untitled script; ``gui=False`` is ``nuke -t``, ``gui=True`` the app."""
        from . import _graph

        self.gui = gui
        self.calls: List[Call] = []
        self.nodes: List[Any] = []
        self.formats: List[Any] = []
        self.script_path = ""
        self.saved_scripts: Dict[str, str] = {}
        self.modified = False
        self.context: List[Any] = []  # thisNode() stack
        self.current_frame = 1
        self.executing: Optional[Any] = None
        self.callbacks: Dict[str, Dict[str, List[Tuple[Any, ...]]]] = {}
        self.menus: Dict[str, Any] = {}
        self.messages: List[str] = []
        self.ask_answers: List[bool] = []
        self.progress_tasks: List[Any] = []
        self.cancel_after_progress: Optional[int] = None  # isCancelled() True after N updates
        self.frames_written: List[str] = []
        self.root = _graph.Root()
        self.modified = False

    # -- used by the fake itself ----------------------------------------------------------------
    def touched(self) -> None:
        """Any edit of the script marks it modified (as Nuke's title bar shows)."""
        self.modified = True

    def log(self, name: str, args: Tuple[Any, ...], kwargs: Dict[str, Any]) -> None:
        self.calls.append(Call(name, tuple(args), dict(kwargs)))

    def called(self, name: str) -> List[Call]:
        """The logged calls of ``nuke.<name>``."""
        return [call for call in self.calls if call.name == name]

    def live_nodes(self) -> List[Any]:
        return [node for node in self.nodes if node._alive]


state = FakeNuke.__new__(FakeNuke)  # initialised by reset() once _graph is importable
