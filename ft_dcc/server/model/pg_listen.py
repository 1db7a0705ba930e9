"""A thread that ``LISTEN``s on one PostgreSQL channel and sleeps until something arrives.

The revocation bus (``grants.bus``) and the event relay (``events.fanout``) each keep one in
every server process. It waits on the connection's socket and on a wake-up pipe together, so an
idle server does not wake at all: psycopg's ``notifies(timeout=…)`` wakes every 0.1 s to look for
a stop, which in an idle ``--workers 4`` server was most of its CPU. :meth:`PgListener.close`
wakes it through the pipe.

When the connection drops, ``on_lost()`` is called and the listener connects again after
``reconnect_delay``; ``on_back()`` is called once it listens again (notifications sent
meanwhile never arrived).
"""

from __future__ import annotations

import logging
import os
import select
import threading
from typing import Any, Callable, Optional

from sqlalchemy.engine import Engine

from ft_dcc.server.model.database import error_reason, is_unreachable

log = logging.getLogger(__name__)

#: A silent listener still looks at its stop flag this often (seconds); the pipe wakes it first.
IDLE_CHECK = 300.0


def conninfo(engine: Engine) -> str:
    """The libpq connection string of a PostgreSQL ``engine`` (psycopg's own URL form)."""
    return engine.url.set(drivername="postgresql").render_as_string(hide_password=False)


class PgListener:
    """Calls ``receive(payload)`` in a thread of its own for each notification on ``channel``."""

    def __init__(
        self,
        engine: Engine,
        channel: str,
        receive: Callable[[str], None],
        name: str,
        on_lost: Optional[Callable[[], None]] = None,
        on_back: Optional[Callable[[], None]] = None,
        reconnect_delay: float = 0.5,
    ) -> None:
        import psycopg  # the postgres extra; only loaded on PostgreSQL

        self._psycopg: Any = psycopg
        self._conninfo = conninfo(engine)
        self._channel = channel
        self._receive = receive
        self._on_lost = on_lost
        self._on_back = on_back
        self._reconnect_delay = reconnect_delay
        self._stop = threading.Event()
        self._wake_read, self._wake_write = os.pipe()
        self._closing = threading.Lock()
        self.listening = threading.Event()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    def close(self, timeout: float = 30.0) -> None:
        """Stop listening: wake the thread and wait for it (at most ``timeout`` seconds). Once
        the thread has ended the wake-up pipe is closed, once (a second ``close`` must not
        close whatever file got its descriptor numbers since)."""
        with self._closing:
            if not self._stop.is_set():
                self._stop.set()
                os.write(self._wake_write, b"x")
        if self._thread is not threading.current_thread():
            self._thread.join(timeout)
        with self._closing:
            if self._thread.is_alive() or self._wake_read < 0:
                return
            os.close(self._wake_read)
            os.close(self._wake_write)
            self._wake_read = self._wake_write = -1

    def is_current(self) -> bool:
        """Whether the caller runs on the listening thread (inside ``receive``)."""
        return self._thread is threading.current_thread()

    def _run(self) -> None:
        lost = False
        while not self._stop.is_set():
            try:
                with self._psycopg.connect(self._conninfo, autocommit=True) as connection:
                    connection.execute(f"LISTEN {self._channel}")
                    self.listening.set()
                    if lost and self._on_back is not None:
                        self._on_back()
                    self._serve(connection)
            except Exception as error:
                self.listening.clear()
                if self._stop.is_set():
                    return
                if not lost and is_unreachable(error):  # an outage: one line, no traceback
                    log.warning("lost the database connection listening on %s (%s); "
                                "reconnecting", self._channel, error_reason(error))  # fmt: skip
                elif not lost:
                    log.exception("lost the database connection listening on %s; reconnecting",
                                  self._channel)  # fmt: skip
                lost = True
                if self._on_lost is not None:
                    self._on_lost()
                self._stop.wait(self._reconnect_delay)

    def _serve(self, connection: Any) -> None:
        """Hand on what arrives until :meth:`close`; raises when the connection drops."""
        while not self._stop.is_set():
            for note in connection.notifies(timeout=0):  # what arrived: nothing more is waited for
                self._receive(note.payload)
            ready, _, _ = select.select([connection.fileno(), self._wake_read], [], [], IDLE_CHECK)
            if self._wake_read in ready:
                return
