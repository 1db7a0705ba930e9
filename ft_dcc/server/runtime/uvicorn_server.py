"""uvicorn's server, asleep while nobody asks anything.

uvicorn's ``Server.main_loop`` wakes every 0.1 s to call ``on_tick`` (the Date header once a
second, ``limit_max_requests``, ``should_exit``): ten wake-ups a second in every idle process,
most of an idle four-worker server's CPU. :class:`IdleServer` dates its replies when they are
made instead (:class:`DatedState`: the default headers, with the Date of the second they are
read in, are what every HTTP reply and WebSocket handshake starts from), so its loop waits only
for ``handle_exit`` (SIGINT/SIGTERM: uvicorn installs it with ``signal.signal``, so it runs in
the main thread between two bytecodes, possibly inside the event loop's own code; it only sets
flags and writes to the loop's self-pipe through ``call_soon_threadsafe``, which is what
asyncio's own SIGINT handler does): an idle process's loop does not wake at all. With a request
limit or ``callback_notify`` set it calls ``on_tick`` once a second, just after the second turns.

Everything else is uvicorn's: ``on_tick`` (``callback_notify``, the request limit, checked once a
second instead of ten times), shutdown and ``timeout_graceful_shutdown``, a second
SIGINT forcing the exit, the supervisor's health pings (answered by their own thread). With
``--workers N`` uvicorn's supervisor builds each worker's server: :func:`idle_workers` has it
build an :class:`IdleServer`.

uvicorn *spawns* its workers: each is a fresh interpreter that imports SQLAlchemy, Starlette and
the whole server again before building its app (about half a CPU-second each, at every start and
every restart of a worker). The supervisor has imported all that already, so
:class:`WorkerProcess` *forks* it instead, when that is safe: the supervisor runs no other
thread at that moment (a fork copies only the forking thread, with any lock another one held),
and the app it built for the start work is closed, its database engine disposed (no pooled
connection for a child to share). The one connection it keeps, the data lock's
(:mod:`ft_dcc.server.runtime.data_lock`), is never used by a worker: the child leaves through
``os._exit``, without closing what the supervisor's frames hold (and without the module
teardown that would write to every shared page). A forked worker gets back the
signal handlers the process had before uvicorn's supervisor took them (a spawned one has a fresh
interpreter's), and ``random`` is reseeded in every forked child by Python itself. A worker that
dies is forked anew from the supervisor: it runs the code the server started with (a spawned
one would import what is installed now), so an upgrade is a restart, as the docs say.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import multiprocessing
import signal
import socket
import sys
import threading
import time
from email.utils import formatdate
from types import FrameType
from typing import Any, Callable, Dict, Iterator, List, Optional, Tuple

import uvicorn
from uvicorn._subprocess import subprocess_started
from uvicorn.server import ServerState
from uvicorn.supervisors import multiprocess

#: past the turn of the second, so that a tick there sees the new one
_AFTER_THE_SECOND = 0.01


def until_next_second(now: float) -> float:
    """Seconds from ``now`` (``time.time()``) to just after the next whole second."""
    return 1.0 - now % 1.0 + _AFTER_THE_SECOND


Headers = List[Tuple[bytes, bytes]]


class DatedState(ServerState):
    """uvicorn's server state whose default headers are those ``on_tick`` writes (the Date, if
    the config has one, and the config's own), dated the second they are read in."""

    def __init__(self, config: uvicorn.Config) -> None:
        self._config = config
        self._second: Optional[int] = None
        self._headers: Headers = []
        super().__init__()

    @property  # over uvicorn's plain attribute
    def default_headers(self) -> Headers:
        second = int(time.time())
        if second != self._second:
            date = formatdate(second, usegmt=True).encode()
            dated = [(b"date", date)] if self._config.date_header else []
            self._second, self._headers = second, dated + self._config.encoded_headers
        return self._headers

    @default_headers.setter
    def default_headers(self, headers: Headers) -> None:
        """``on_tick``'s (and ``__init__``'s): the same headers, read when they are needed."""


class IdleServer(uvicorn.Server):
    """A uvicorn server whose main loop waits for an exit request (or, with a request limit or
    ``callback_notify``, the next second)."""

    _loop: Optional[asyncio.AbstractEventLoop] = None
    _wake: Optional[asyncio.Event] = None

    def __init__(self, config: uvicorn.Config) -> None:
        super().__init__(config)
        self.server_state = DatedState(config)

    async def main_loop(self) -> None:
        self._wake = asyncio.Event()
        self._loop = asyncio.get_running_loop()
        while not await self.on_tick(0):  # tick 0: the once-a-second part every time
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self._next_tick())

    def _next_tick(self) -> Optional[float]:
        """Seconds to the next ``on_tick``: None (only ``handle_exit``) unless it has more to do
        than the Date header."""
        ticking = self.config.limit_max_requests is not None or self.config.callback_notify
        return until_next_second(time.time()) if ticking else None

    def handle_exit(self, sig: int, frame: Optional[FrameType]) -> None:
        super().handle_exit(sig, frame)
        loop, wake = self._loop, self._wake
        if loop is not None and wake is not None:
            with contextlib.suppress(RuntimeError):  # the loop has closed: nothing to wake
                loop.call_soon_threadsafe(wake.set)


class CleanStopServer(IdleServer):
    """Stops gracefully on SIGINT/SIGTERM and exits 0 (uvicorn would re-raise the signal);
    calls ``on_bound`` once it listens on its port (never when the port could not be bound)."""

    def __init__(self, config: uvicorn.Config, on_bound: Optional[Callable[[], None]] = None):
        super().__init__(config)
        self._on_bound = on_bound

    async def startup(self, sockets: Optional[List[socket.socket]] = None) -> None:
        await super().startup(sockets)
        if self.started and self._on_bound is not None:
            self._on_bound()

    def handle_exit(self, sig: int, frame: Optional[FrameType]) -> None:
        super().handle_exit(sig, frame)
        self._captured_signals.clear()


#: the signal handlers of the supervisor before uvicorn's ``Multiprocess`` replaced them with its
#: own (which queue the signal for its loop): a forked worker starts with these again
_HANDLERS_BEFORE: Dict[int, Any] = {}


def may_fork() -> bool:
    """Whether this process may fork a worker: a POSIX fork, and no thread but this one."""
    return "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1


class WorkerProcess(multiprocess.Process):
    """One worker of uvicorn's supervisor, serving with an :class:`IdleServer` (a spawned worker
    unpickles this class from this module); forked from the supervisor when :func:`may_fork`."""

    def __init__(self, config: uvicorn.Config, sockets: List[socket.socket]) -> None:
        super().__init__(config, sockets)  # builds a spawn process, not started
        if may_fork():
            # the supervisor's objects out of the collector's reach: a worker's collections
            # would write to (copy) every page holding one (its garbage collected first)
            gc.collect()
            gc.freeze()
            try:
                stdin_fileno: Optional[int] = sys.stdin.fileno()
            except (AttributeError, OSError):
                stdin_fileno = None
            kwargs = {"config": config, "target": self.target, "sockets": sockets,
                      "stdin_fileno": stdin_fileno}  # fmt: skip
            forked = multiprocessing.get_context("fork").Process(
                target=subprocess_started, kwargs=kwargs
            )
            self.process = forked  # type: ignore[assignment]  # uvicorn's names SpawnProcess

    def target(self, sockets: Optional[List[socket.socket]] = None) -> None:
        for number, handler in _HANDLERS_BEFORE.items():
            signal.signal(number, handler)
        super().target(sockets)

    @property
    def server(self) -> uvicorn.Server:
        if self._server is None:
            self._server = IdleServer(config=self.config)
        return self._server


@contextlib.contextmanager
def idle_workers() -> Iterator[None]:
    """While inside, uvicorn's supervisor starts :class:`WorkerProcess` es (it builds each
    worker through the name ``uvicorn.supervisors.multiprocess.Process``); enter it before
    building the supervisor (its handlers replace the ones a forked worker gets back)."""
    _HANDLERS_BEFORE.clear()
    for number in multiprocess.SIGNALS:
        handler = signal.getsignal(number)
        if handler is not None:  # None: not set from Python (nothing to give back)
            _HANDLERS_BEFORE[number] = handler
    uvicorns = multiprocess.Process
    multiprocess.Process = WorkerProcess  # type: ignore[misc]
    try:
        yield
    finally:
        multiprocess.Process = uvicorns  # type: ignore[misc]
