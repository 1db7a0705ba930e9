"""The revocation bus: "this grant's ground was taken away", told to every server process.

The code that changes the truth (a User deactivated or deleted, an API key rotated, an invitee
removed, a review session made private or closed, a link revoked) calls
``bus.revoke(kind, subject)`` **after its transaction commits**. Every subscriber, in every
server process, is called with a :class:`Revocation` and re-checks the grants it holds open
against the database (it must not block for long: it runs on the bus's thread, or on the
revoking thread for this process's own revocations).

- :class:`LocalBus` (SQLite: one server process): dispatch in the revoking thread.
- :class:`PgBus` (PostgreSQL, ``--workers N`` or several servers on one database): dispatch here
  at once, and ``NOTIFY`` on :data:`CHANNEL`; a listener thread per process ``LISTEN``s and
  dispatches what the others sent. When its connection drops, it reconnects and dispatches
  :data:`EVERYTHING` (notifications may have been missed: drop every cached grant).

:attr:`RevocationBus.generation` counts the revocations dispatched in this process: a cache may
answer only while the generation is the one it was filled at (never by a time to live).
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from dataclasses import dataclass
from typing import Any, Callable, List, Optional

import sqlalchemy as sa
from sqlalchemy.engine import Engine

log = logging.getLogger(__name__)

#: A User deactivated or deleted, or their API key rotated or removed (subject: the user id).
USER = "user"
#: A ReviewSessionInvitee removed (subject: the invitee id).
INVITEE = "invitee"
#: A ReviewSession made private, closed, deleted, or its passphrase, window or download policy
#: changed (subject: the review session id).
SESSION = "session"
#: A link revoked (subject: the link's id or nonce).
LINK = "link"
#: Notifications may have been missed (a lost listener connection): every cached grant is
#: suspect (subject: empty). Only the bus itself sends it.
EVERYTHING = "everything"

KINDS = frozenset({USER, INVITEE, SESSION, LINK})
CHANNEL = "ft_dcc_revocations"
#: How long the listener waits before reconnecting after losing its connection (seconds).
RECONNECT_DELAY = 0.5

Subscriber = Callable[["Revocation"], None]


@dataclass(frozen=True)
class Revocation:
    """One revocation as a subscriber sees it; ``seq`` is this process's generation after it."""

    kind: str
    subject: str
    seq: int

    def covers(self, kind: str, subject: object) -> bool:
        """Whether a grant resting on (``kind``, ``subject``) must be re-checked."""
        return self.kind == EVERYTHING or (self.kind == kind and self.subject == str(subject))


class RevocationBus:
    """Subscribers and the generation counter; :meth:`revoke` is the backend's."""

    #: Whether a revocation made in any process reaches this one (``False``: only this one's).
    spans_processes = False

    def __init__(self) -> None:
        self._subscribers: List[Subscriber] = []
        self._lock = threading.Lock()
        self._generation = 0

    @property
    def generation(self) -> int:
        """How many revocations this process has dispatched (see the module docstring)."""
        return self._generation

    def subscribe(self, callback: Subscriber) -> Callable[[], None]:
        """Call ``callback`` with every revocation; returns the function that unsubscribes."""
        with self._lock:
            self._subscribers.append(callback)

        def unsubscribe() -> None:
            with self._lock:
                if callback in self._subscribers:
                    self._subscribers.remove(callback)

        return unsubscribe

    def revoke(self, kind: str, subject: str) -> None:
        """Tell every process that grants resting on (``kind``, ``subject``) are gone."""
        _check(kind, subject)
        self._dispatch(kind, str(subject))

    def _dispatch(self, kind: str, subject: str) -> None:
        with self._lock:
            self._generation += 1
            revocation = Revocation(kind, subject, self._generation)
            subscribers = list(self._subscribers)
        for callback in subscribers:
            try:
                callback(revocation)
            except Exception:
                log.exception("a revocation subscriber failed (%s)", kind)

    def close(self) -> None:
        """Stop the backend's threads (nothing to stop in this process-local bus)."""


def _check(kind: str, subject: object) -> None:
    if kind not in KINDS:
        raise ValueError(f"unknown revocation kind {kind!r}: use one of {sorted(KINDS)}")
    if not isinstance(subject, str) or not subject or " " in subject:
        raise ValueError(f"a revocation's subject must be a non-empty id, not {subject!r}")


class LocalBus(RevocationBus):
    """One server process (SQLite): revocations are dispatched in the revoking thread."""


def _conninfo(engine: Engine) -> str:
    """The libpq connection string of a PostgreSQL ``engine``."""
    return engine.url.set(drivername="postgresql").render_as_string(hide_password=False)


class PgBus(RevocationBus):
    """Revocations across every process on one PostgreSQL database (``LISTEN``/``NOTIFY``)."""

    spans_processes = True

    def __init__(self, engine: Engine, listen_timeout: float = 15.0) -> None:
        import psycopg  # the postgres extra; only loaded on PostgreSQL

        super().__init__()
        self._psycopg: Any = psycopg
        self.engine = engine
        self.origin = uuid.uuid4().hex
        self._conninfo = _conninfo(engine)
        self._stop = threading.Event()
        self._listening = threading.Event()
        self._listener = threading.Thread(target=self._listen, name="revocations", daemon=True)
        self._listener.start()
        if not self._listening.wait(listen_timeout):
            log.warning("the revocation bus is not listening yet; caches stay off until it is")

    def revoke(self, kind: str, subject: str) -> None:
        _check(kind, subject)
        self._dispatch(kind, str(subject))  # here at once, the others through the database
        payload = f"{self.origin} {kind} {subject}"
        try:
            with self.engine.begin() as connection:
                connection.execute(sa.select(sa.func.pg_notify(CHANNEL, payload)))
        except Exception:  # the write is committed: say so loudly rather than fail it
            log.exception("could not tell the other server processes of a revocation (%s)", kind)

    @property
    def listening(self) -> bool:
        """Whether notifications from the other processes arrive now."""
        return self._listening.is_set()

    def _listen(self) -> None:
        lost = False
        while not self._stop.is_set():
            try:
                with self._psycopg.connect(self._conninfo, autocommit=True) as connection:
                    connection.execute(f"LISTEN {CHANNEL}")
                    self._listening.set()
                    if lost:  # what was sent meanwhile never reached us
                        self._dispatch(EVERYTHING, "")
                    while not self._stop.is_set():
                        for note in connection.notifies(timeout=0.25):
                            self._receive(note.payload)
            except Exception:
                self._listening.clear()
                if self._stop.is_set():
                    return
                if not lost:
                    log.exception("the revocation bus lost its database connection; reconnecting")
                lost = True
                self._dispatch(EVERYTHING, "")  # caches must not answer while deaf
                time.sleep(RECONNECT_DELAY)

    def _receive(self, payload: str) -> None:
        origin, _, rest = payload.partition(" ")
        if origin == self.origin:
            return  # dispatched here when it was revoked
        kind, _, subject = rest.partition(" ")
        if kind in KINDS and subject:
            self._dispatch(kind, subject)

    def close(self) -> None:
        self._stop.set()
        self._listener.join(5)


def make_bus(engine: Engine) -> RevocationBus:
    """The bus for the database of ``engine``: :class:`PgBus` on PostgreSQL, else local."""
    if engine.dialect.name == "postgresql":
        return PgBus(engine)
    return LocalBus()


def bus_of(holder: object) -> Optional[RevocationBus]:
    """The bus a server part carries as ``revocations`` (``None`` when it has none)."""
    bus = getattr(holder, "revocations", None)
    return bus if isinstance(bus, RevocationBus) else None
