"""The path of one publish, measured from the code: the calls of the project's own code on the
stack at one moment, followed across the threads that carried the work there.

A *call* is one Python frame whose code is the project's (a module of ``ft_dcc``,
``ft_dcc_hosts`` or the installed Blender add-on ``ft_dcc_blender``, or a file under the
repository's ``ft_dcc/`` or ``hosts/``: pyblish runs each plugin file as a module of its own).
Library frames (pyblish, Starlette, SQLAlchemy, the standard library) are walked through and
not counted. When the moment comes in a thread that another thread handed the work to, the
stack of the hand-off is put in front: a ``threading.Thread.start`` (a host's worker thread) or
a call of a function given to a hand-off the caller names (``run_in_threadpool`` on the server).

:class:`StackRecorder` is installed with ``sys.setprofile`` and ``threading.setprofile`` in
the process to measure (a Blender publish, a server) and saves what it saw as JSON.
"""

from __future__ import annotations

import inspect
import json
import sys
import threading
from pathlib import Path
from types import CodeType, FrameType
from typing import Any, Callable, Dict, List, Optional

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("ft_dcc", "ft_dcc_hosts", "ft_dcc_blender")
FOLDERS = (str(ROOT / "ft_dcc") + "/", str(ROOT / "hosts") + "/")
THREAD_START = threading.Thread.start.__code__


def is_project(frame: FrameType) -> bool:
    """Whether ``frame`` runs the project's own code."""
    module = str(frame.f_globals.get("__name__") or "")
    if module.split(".")[0] in PACKAGES:
        return True
    # pyblish executes each plugin file's source as a module named after the file (its code's
    # file name is "<string>"): its ``__file__`` says where it lives
    return str(frame.f_globals.get("__file__") or "").startswith(FOLDERS)


def call_name(frame: FrameType) -> str:
    """``module.qualname`` of a frame (a pyblish plugin's module is named after its file)."""
    module = str(frame.f_globals.get("__name__") or "")
    return f"{module}.{frame.f_code.co_qualname}"


def project_stack(frame: Optional[FrameType]) -> List[str]:
    """The project's calls on the stack below ``frame`` (included), outermost first. In an
    event loop's thread, only the running task's: the walk stops below its outermost
    coroutine (what runs the loop, e.g. the server's start, is no call of the request's)."""
    found: List[str] = []
    in_task = False
    while frame is not None:
        coroutine = bool(frame.f_code.co_flags & inspect.CO_COROUTINE)
        if in_task and not coroutine:
            break
        in_task = in_task or coroutine
        if is_project(frame):
            found.append(call_name(frame))
        frame = frame.f_back
    return found[::-1]


class StackRecorder:
    """Records the project's calls on the stack when ``moment(frame, event, arg)`` says so (a
    profile event), with the stacks of the hand-offs that led to the current thread in front.

    ``hand_off``: a function's code whose calls hand a callable (its argument ``handed``) to
    another thread to run; the stack at that call is put in front of the callable's stack."""

    def __init__(
        self,
        moment: Callable[[FrameType, str, Any], bool],
        hand_off: Optional[CodeType] = None,
        handed: str = "func",
    ) -> None:
        self.moment = moment
        self.hand_off = hand_off
        self.handed = handed
        self.started: Dict[int, List[str]] = {}  # id(Thread) -> the starter's stack
        self.handed_to: Dict[CodeType, List[str]] = {}  # callable's code -> the caller's stack
        self.seen: List[List[str]] = []

    def install(self) -> None:
        threading.setprofile(self.profile)
        sys.setprofile(self.profile)

    def uninstall(self) -> None:
        threading.setprofile(None)  # type: ignore[arg-type]
        sys.setprofile(None)

    def profile(self, frame: FrameType, event: str, arg: Any) -> None:
        if event != "call":
            return
        code = frame.f_code
        if code is THREAD_START:
            self.started[id(frame.f_locals.get("self"))] = self._before(frame.f_back)
        elif code is self.hand_off:
            handed = frame.f_locals.get(self.handed)
            handed_code = getattr(handed, "__code__", None)
            if handed_code is not None:
                self.handed_to[handed_code] = self._before(frame.f_back)
        self._maybe(frame, event, arg)

    def _maybe(self, frame: FrameType, event: str, arg: Any) -> None:
        if self.moment(frame, event, arg):
            self.seen.append(self.stack_at(frame))

    def _before(self, frame: Optional[FrameType]) -> List[str]:
        """The stack that led to ``frame`` in this thread, with its own hand-offs in front."""
        return self._led_here(frame) + project_stack(frame)

    def _led_here(self, frame: Optional[FrameType]) -> List[str]:
        while frame is not None:
            if frame.f_code in self.handed_to:
                return self.handed_to[frame.f_code]
            frame = frame.f_back
        return self.started.get(id(threading.current_thread()), [])

    def stack_at(self, frame: FrameType) -> List[str]:
        """The project's calls that led to ``frame``, across the hand-offs before it."""
        return self._before(frame)

    def save(self, path: Path) -> None:
        path.write_text(json.dumps(self.seen), encoding="utf-8")


def count(calls: List[str]) -> int:
    """The measure: how many of the project's calls the path holds."""
    return len(calls)
