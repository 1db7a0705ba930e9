"""One publish off a host's main thread, while every call into the host stays on it.

DCCs are not thread-safe: a worker thread runs the pipeline (encode and upload never freeze the
UI), and each host supplies the hand-off that runs a call on its main thread and returns the
result (``MainThread``): Nuke's ``nuke.executeInMainThreadWithResult``, or a
:class:`MainThreadCalls` mailbox that the host's own timer drains (Blender's modal operator).
On the main thread itself (a batch run) calls run directly, so the same job serves both.
"""

from __future__ import annotations

import copy
import inspect
import os
import queue
import threading
from typing import TYPE_CHECKING, Any, Callable, List, Optional, Protocol, Tuple, TypeVar

import attr

from ft_dcc.host.task_choices import remember_published
from ft_dcc.progress import Progress, null_progress
from ft_dcc.publish.api import run_publish
from ft_dcc.publish.common.report import PublishReport
from ft_dcc.publish.host_port import Host
from ft_dcc.publish.request.request import PublishRequest, PublishRuntime
from ft_dcc.session.interface import IntegrateSession
from ft_dcc.settings.resolve import Resolved

if TYPE_CHECKING:  # pragma: no cover - Unpack and ParamSpec are typing's from Python 3.11/3.10
    from typing_extensions import ParamSpec

    P = ParamSpec("P")
    R = TypeVar("R")


class MainThread(Protocol):
    """``on_main(function, *args, **kwargs)``: run ``function`` on the host's main thread and
    return its result (or raise its exception) to the calling thread."""

    def __call__(self, function: Callable[P, R], /, *args: P.args, **kwargs: P.kwargs) -> R: ...


def call_directly(function: Callable[P, R], /, *args: P.args, **kwargs: P.kwargs) -> R:
    """The hand-off of a host without threads (or of code already on the main thread)."""
    return function(*args, **kwargs)


#: a call waiting in a :class:`MainThreadCalls` mailbox: the call, its "done" event, and the
#: list its exception goes into
_Waiting = Tuple[Callable[[], None], threading.Event, List[BaseException]]


class MainThreadCalls:
    """A mailbox of calls for the main thread: :meth:`call` from any thread, :meth:`drain` from
    the main thread's timer. A :class:`MainThread` hand-off."""

    def __init__(self) -> None:
        self._main = threading.get_ident()
        self._queue: queue.Queue[_Waiting] = queue.Queue()

    def __call__(self, function: Callable[P, R], /, *args: P.args, **kwargs: P.kwargs) -> R:
        return self.call(function, *args, **kwargs)

    def call(self, function: Callable[P, R], /, *args: P.args, **kwargs: P.kwargs) -> R:
        if threading.get_ident() == self._main:
            return function(*args, **kwargs)
        done = threading.Event()
        values: List[R] = []
        errors: List[BaseException] = []

        def run() -> None:
            values.append(function(*args, **kwargs))

        self._queue.put((run, done, errors))
        done.wait()
        if errors:
            raise errors[0]
        return values[0]

    def drain(self) -> int:
        """Run the waiting calls (main thread only); return how many ran."""
        count = 0
        while True:
            try:
                run, done, errors = self._queue.get_nowait()
            except queue.Empty:
                return count
            try:
                run()
            except BaseException as exc:
                errors.append(exc)
            finally:
                done.set()
                count += 1


def port_methods(port: type = Host) -> Tuple[str, ...]:
    """The public methods of the host port (``Host``), by name: what :class:`MainThreadHost`
    hands to the main thread, every one, whichever the port declares now or later."""
    return tuple(
        name
        for name in sorted(dir(port))
        if not name.startswith("_") and inspect.isfunction(inspect.getattr_static(port, name))
    )


def port_attributes(port: type = Host) -> Tuple[str, ...]:
    """The public plain attributes of the port (``name``, ``uses_cameras``, ...): a
    :class:`MainThreadHost` copies them from the host it wraps."""
    return tuple(
        name
        for name in sorted(dir(port))
        if not name.startswith("_") and not callable(inspect.getattr_static(port, name))
    )


def _handed_off(name: str) -> Callable[..., Any]:
    """The port method ``name`` of the wrapped host, called through the main-thread hand-off."""

    def hand_off(self: MainThreadHost, *args: Any, **kwargs: Any) -> Any:
        return self._on_main(getattr(self._host, name), *args, **kwargs)

    hand_off.__name__ = hand_off.__qualname__ = name
    hand_off.__doc__ = inspect.getdoc(getattr(Host, name))
    return hand_off


if TYPE_CHECKING:  # mypy: the methods below are made from the port, not written out
    _Port = Any
else:
    _Port = Host


class MainThreadHost(_Port):
    """The one hand-off of a host to its main thread, used by every host's publish: every
    public method of the port (:func:`port_methods`) runs the wrapped host's own method through
    ``on_main``, whichever thread calls it. The methods are made from the port when this module
    loads, so a method added to ``Host`` is handed off too (and a host's override of it is
    reached); a subclass (Blender's stepped capture) overrides what it does differently."""

    def __init__(self, host: Host, on_main: MainThread) -> None:
        self._host = host
        self._on_main = on_main
        for name in port_attributes():
            setattr(self, name, getattr(host, name))

    @property
    def wrapped(self) -> Host:
        """The host whose calls this hands off."""
        return self._host

    def for_source(self, source: str) -> Host:
        return MainThreadHost(self._on_main(self._host.for_source, source), self._on_main)

    def __copy__(self) -> MainThreadHost:
        """A copy over a copy of the host (a copy is asked what would change the host)."""
        twin = type(self).__new__(type(self))
        twin.__dict__.update(self.__dict__)
        twin._host = copy.copy(self._host)
        return twin


for _name in port_methods():
    if _name not in vars(MainThreadHost):
        setattr(MainThreadHost, _name, _handed_off(_name))
MainThreadHost.__abstractmethods__ = frozenset()


def on_main_thread_of(host: Host, on_main: MainThread) -> Host:
    """``host`` behind the main-thread hand-off ``on_main`` (itself when it is behind one)."""
    return host if isinstance(host, MainThreadHost) else MainThreadHost(host, on_main)


#: ``publish(host, request, runtime)``: the pipeline (default
#: :func:`ft_dcc.publish.api.run_publish`)
Publisher = Callable[[Host, PublishRequest, PublishRuntime], PublishReport]


class PublishJob:
    """One publish of ``request`` from ``host``: :meth:`run` it inline, or :meth:`start` a
    worker thread and poll :meth:`done` (or :meth:`wait`). ``report`` is set when it
    finished, ``error`` when the pipeline itself crashed (a publish problem is in the report,
    not an exception).

    ``on_main`` is the host's hand-off (default: call directly); ``on_done(job)`` runs at the end
    on the thread that ran the publish; ``session``: an ftrack session to reuse.
    ``studio_settings``: the pipeline settles the request with the studio settings of this
    host, task and scene where it starts (a UI publish; see
    :mod:`ft_dcc.publish.request.settled_publish`), kept in ``settings`` for the report.
    """

    def __init__(
        self,
        host: Host,
        request: PublishRequest,
        on_main: MainThread = call_directly,
        progress: Progress = null_progress,
        on_done: Optional[Callable[[PublishJob], None]] = None,
        session: Optional[IntegrateSession] = None,
        session_factory: Optional[Callable[[], IntegrateSession]] = None,
        publish: Publisher = run_publish,
        studio_settings: bool = False,
    ) -> None:
        self.on_main = on_main
        #: every host call of the publish goes through the one hand-off (direct on the main
        #: thread; a host's own runner from a worker)
        self.host: Host = on_main_thread_of(host, on_main)
        self.request = request
        self.progress = progress
        self.report: Optional[PublishReport] = None
        self.studio_settings = studio_settings
        #: the studio settings the publish used (with ``studio_settings``, once it ran)
        self.settings: Optional[Resolved] = None
        self.error: Optional[BaseException] = None
        self._on_done = on_done
        self._publish = publish
        self._runtime = PublishRuntime(session=session, session_factory=session_factory)
        self._finished = threading.Event()
        self.thread: Optional[threading.Thread] = None

    def run(self) -> None:
        try:
            runtime = attr.evolve(self._runtime, progress=self.progress)
            if self.studio_settings:  # settled where the pipeline starts, once
                runtime = attr.evolve(runtime, studio_settings=True, on_settings=self._settled)
            self.report = self._publish(self.host, self.request, runtime)
            remember_published(self.report, self.server_url)  # first in the task picker
        except Exception as exc:  # a bug or a crash: the host shows it to the artist
            self.error = exc
        finally:
            self._end()

    def _settled(self, resolved: Resolved) -> None:
        """Keep the studio settings the publish used, for the report."""
        self.settings = resolved

    def _end(self) -> None:
        try:
            if self._on_done is not None:
                self._on_done(self)
        finally:
            self._finished.set()

    @property
    def server_url(self) -> Optional[str]:
        """The server this job publishes to: its session's, else ``$FTRACK_SERVER``."""
        session = self._runtime.session
        return getattr(session, "server_url", None) or os.environ.get("FTRACK_SERVER")

    def start(self, name: str = "ft_dcc publish") -> PublishJob:
        self.thread = threading.Thread(target=self.run, name=name, daemon=True)
        self.thread.start()
        return self

    def done(self) -> bool:
        return self._finished.is_set()

    def wait(self, timeout: Optional[float] = None) -> bool:
        return self._finished.wait(timeout)
