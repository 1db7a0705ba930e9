"""The fake Nuke session: one global state, reset per test, with a log of every ``nuke`` call."""

from __future__ import annotations

import queue
import threading
import time
from typing import Any, Callable, Dict, List, Optional, Tuple

import attr

THREAD_HINT = (
    "Nuke is not thread-safe: call nuke only from the main thread, or through "
    "nuke.executeInMainThread / nuke.executeInMainThreadWithResult"
)


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
        self.cancel_render_after: Optional[int] = None  # the app's render bar: Cancel after N
        self.frames_written: List[str] = []
        self.main_queue: queue.Queue[Any] = queue.Queue()
        self.root = _graph.Root()
        self.modified = False

    # -- used by the fake itself ----------------------------------------------------------------
    def touched(self) -> None:
        """Any edit of the script marks it modified (as Nuke's title bar shows)."""
        self.modified = True

    def log(self, name: str, args: Tuple[Any, ...], kwargs: Dict[str, Any]) -> None:
        check_thread(name)
        self.calls.append(Call(name, tuple(args), dict(kwargs)))

    def run_main_thread(self, until: Callable[[], bool], timeout: float = 120.0) -> None:
        """Be Nuke's event loop: run what workers queued with ``executeInMainThread*`` until
        ``until()`` is true (TimeoutError after ``timeout`` seconds)."""
        deadline = time.monotonic() + timeout
        while not until():
            if time.monotonic() > deadline:
                raise TimeoutError("the main thread waited too long")
            try:
                job = self.main_queue.get(timeout=0.005)
            except queue.Empty:
                continue
            job()

    def called(self, name: str) -> List[Call]:
        """The logged calls of ``nuke.<name>``."""
        return [call for call in self.calls if call.name == name]

    def live_nodes(self) -> List[Any]:
        return [node for node in self.nodes if node._alive]


state = FakeNuke.__new__(FakeNuke)  # initialised by reset() once _graph is importable


def check_thread(what: str) -> None:
    """[assumed] A nuke call from a worker thread fails here (in Nuke it may crash or corrupt
    the script; Foundry's threading guide says to go through executeInMainThread)."""
    if threading.current_thread() is not threading.main_thread():
        raise RuntimeError(f"nuke.{what} called from a worker thread. {THREAD_HINT}")
