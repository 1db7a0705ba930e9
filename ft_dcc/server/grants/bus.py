"""The revocation bus: "this grant's ground was taken away", told to every server process.

The code that changes the truth (a User deactivated or deleted, an API key rotated, an invitee
removed, a review session made private or closed, a link revoked, a project closed or deleted)
calls
``bus.revoke(kind, subject)`` **after its transaction commits**. Every subscriber, in every
server process, is called with a :class:`Revocation` and re-checks the grants it holds open
against the database (it must not block for long: it runs on the bus's thread, or on the
revoking thread for this process's own revocations).

- :class:`LocalBus` (SQLite: one server process): dispatch in the revoking thread; a command run
  beside it (``ft-dcc user password``) writes a row the server's watcher reads within a second.
- :class:`PgBus` (PostgreSQL, ``--workers N`` or several servers on one database): dispatch here
  at once, and ``NOTIFY`` on :data:`CHANNEL`; a listener thread per process ``LISTEN``s and
  dispatches what the others sent, then confirms; ``revoke`` returns once every listening
  process confirmed (or after :data:`ACK_TIMEOUT`). When its connection drops, it reconnects
  and dispatches :data:`EVERYTHING` (notifications may have been missed: drop every cached grant).

:attr:`RevocationBus.generation` counts the revocations dispatched in this process: a cache may
answer only while the generation is the one it was filled at (never by a time to live).
"""

from __future__ import annotations

import logging
import os
import sqlite3
import threading
import time
import uuid
from dataclasses import dataclass
from typing import Callable, Dict, List, Optional, Tuple

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from ft_dcc.server.model.database import is_unreachable, one_statement
from ft_dcc.server.model.pg_listen import PgListener
from ft_dcc.server.model.side_tables import ensure_table
from ft_dcc.server.model.storage import write_transaction

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
#: A Project closed (its ``status`` changed) or deleted (subject: the project id): what rests on
#: its review sessions is checked again.
PROJECT = "project"
#: Notifications may have been missed (a lost listener connection): every cached grant is
#: suspect (subject: empty). Only the bus itself sends it.
EVERYTHING = "everything"

KINDS = frozenset({USER, INVITEE, SESSION, LINK, PROJECT})
CHANNEL = "ft_dcc_revocations"
#: How long the listener waits before reconnecting after losing its connection (seconds).
RECONNECT_DELAY = 0.5
#: How long ``PgBus.revoke`` waits for the other processes to confirm (seconds): reached only
#: when one is stuck (a process that died has no listener any more, and is not waited for).
ACK_TIMEOUT = 5.0
#: A revocation's ``NOTIFY`` (``:payload``) and how many processes listen for revocations on
#: this database (their listener's last query), in one statement: one round trip.
_ANNOUNCE = sa.text(
    "SELECT (SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
    f"AND query = 'LISTEN {CHANNEL}'), pg_notify('{CHANNEL}', :payload)"
)

Subscriber = Callable[["Revocation"], None]


@dataclass(frozen=True)
class Revocation:
    """One revocation as a subscriber sees it; ``seq`` is this process's generation after it."""

    kind: str
    subject: str
    seq: int
    #: made by this process (``revoke``), not heard from another (a command's log row or
    #: ``NOTIFY``, another worker): work on the shared database was done where it was made
    here: bool = True

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

    def _dispatch(self, kind: str, subject: str, here: bool = True) -> None:
        with self._lock:
            self._generation += 1
            revocation = Revocation(kind, subject, self._generation, here)
            subscribers = list(self._subscribers)
        for callback in subscribers:
            try:
                callback(revocation)
            except Exception as error:
                if is_unreachable(error):  # an outage: logged once, where it is met
                    log.debug("a revocation subscriber could not reach the database (%s)", kind)
                else:
                    log.exception("a revocation subscriber failed (%s)", kind)

    def close(self) -> None:
        """Stop the backend's threads (nothing to stop in this process-local bus)."""


def _check(kind: str, subject: object) -> None:
    if kind not in KINDS:
        raise ValueError(f"unknown revocation kind {kind!r}: use one of {sorted(KINDS)}")
    if not isinstance(subject, str) or not subject or " " in subject:
        raise ValueError(f"a revocation's subject must be a non-empty id, not {subject!r}")


class LocalBus(RevocationBus):
    """One server process (SQLite): revocations are dispatched in the revoking thread. Given a
    SQLite database file's ``engine``, a watcher thread also dispatches what a command run
    beside the server wrote to :data:`LOG_TABLE` (:func:`announce`), within
    :data:`LOG_POLL` seconds. It reads the log only when something was committed since its
    last look (:class:`_Commits`): an idle server's watcher runs no query."""

    def __init__(self, engine: Optional[Engine] = None) -> None:
        super().__init__()
        self._stop = threading.Event()
        self._thread: Optional[threading.Thread] = None
        if engine is not None and _file_database(engine):
            self._log = _log_table(engine)
            self._seen = _last_seq(engine, self._log)
            self._engine = engine
            self._thread = threading.Thread(target=self._watch, name="ft_dcc revocation log",
                                            daemon=True)  # fmt: skip
            self._thread.start()

    def _watch(self) -> None:
        commits, unread = _Commits(str(self._engine.url.database)), False
        try:
            while not self._stop.wait(LOG_POLL):
                unread = commits.since_last_look() or unread
                if unread:
                    unread = not self._read_log()
        finally:
            commits.close()

    def _read_log(self) -> bool:
        """Dispatch the log's rows written since the last read; whether it could be read."""
        try:
            rows = _rows_after(self._engine, self._log, self._seen)
        except Exception as error:  # the database away, or going: try again
            log.debug("could not read the revocation log: %s", error)
            return False
        for seq, kind, subject in rows:
            self._seen = max(self._seen, int(seq))
            if kind in KINDS and subject:
                self._dispatch(str(kind), str(subject), here=False)
        return True

    def close(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(5)


#: where a command beside a SQLite server writes its revocations (:func:`announce`), and how
#: often a server reads it (seconds), and how long a row is kept (seconds)
LOG_TABLE = "ft_dcc_revocation_log"
LOG_POLL = 0.25
LOG_KEEP = 3600.0


class _Commits:
    """Whether anything was committed to a SQLite database file since the last look, by any
    connection of any process (``PRAGMA data_version`` on a connection of its own: two
    microseconds, where reading the log through the engine took a fraction of a millisecond
    and an idle server's watcher did so four times a second). The first look, a look that
    cannot tell (the file away, or replaced: opened again) and an error say yes."""

    def __init__(self, path: str) -> None:
        self._path = path
        self._connection: Optional[sqlite3.Connection] = None
        self._file: Optional[Tuple[int, int]] = None
        self._version: Optional[int] = None

    def since_last_look(self) -> bool:
        try:
            version = self._read()
        except (OSError, sqlite3.Error) as error:
            log.debug("could not tell whether %s changed: %s", self._path, error)
            self.close()
            return True
        changed, self._version = version != self._version, version
        return changed

    def _read(self) -> int:
        found = os.stat(self._path)
        if self._connection is None or self._file != (found.st_dev, found.st_ino):
            self.close()  # first, or the file was replaced: a new connection sees the new one
            self._connection = sqlite3.connect(self._path, timeout=1.0)
            self._file = (found.st_dev, found.st_ino)
        ((version,),) = self._connection.execute("PRAGMA data_version").fetchall()
        return int(version)

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
        self._connection, self._version = None, None


def _file_database(engine: Engine) -> bool:
    database = engine.url.database
    return engine.dialect.name == "sqlite" and bool(database) and database != ":memory:"


def _log_table(engine: Engine) -> sa.Table:
    table = sa.Table(
        LOG_TABLE,
        sa.MetaData(),
        sa.Column("seq", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("subject", sa.String(255), nullable=False),
        sa.Column("at", sa.Float, nullable=False),
    )
    ensure_table(engine, table)
    return table


def _last_seq(engine: Engine, table: sa.Table) -> int:
    with engine.connect() as connection:
        return int(connection.execute(sa.select(sa.func.max(table.c.seq))).scalar() or 0)


def _rows_after(engine: Engine, table: sa.Table, seen: int) -> List[Tuple[int, str, str]]:
    query = sa.select(table.c.seq, table.c.kind, table.c.subject).where(table.c.seq > seen)
    with engine.connect() as connection:
        return [(int(r[0]), str(r[1]), str(r[2])) for r in connection.execute(query)]


class _Acks:
    """Counts the confirmations of one revocation."""

    def __init__(self) -> None:
        self._count = 0
        self._condition = threading.Condition()

    def add(self) -> None:
        with self._condition:
            self._count += 1
            self._condition.notify_all()

    def wait(self, expected: int, timeout: float) -> bool:
        with self._condition:
            return self._condition.wait_for(lambda: self._count >= expected, timeout)


class PgBus(RevocationBus):
    """Revocations across every process on one PostgreSQL database (``LISTEN``/``NOTIFY``)."""

    spans_processes = True

    def __init__(self, engine: Engine, listen_timeout: float = 15.0) -> None:
        super().__init__()
        self.engine = engine
        self.origin = uuid.uuid4().hex
        self._waiting: Dict[str, _Acks] = {}
        self._listener = PgListener(
            engine, CHANNEL, self._receive, name="revocations",
            on_lost=self._lost, on_back=self._lost, reconnect_delay=RECONNECT_DELAY,
        )  # fmt: skip
        if not self._listener.listening.wait(listen_timeout):
            log.warning("the revocation bus is not listening yet; caches stay off until it is")

    def revoke(self, kind: str, subject: str) -> None:
        """Dispatch here, ``NOTIFY`` the other processes and wait (at most :data:`ACK_TIMEOUT`)
        until each listening one has dispatched it too: when this returns, no process answers
        from a grant resting on (``kind``, ``subject``)."""
        _check(kind, subject)
        self._dispatch(kind, str(subject))  # here at once, the others through the database
        token = uuid.uuid4().hex[:16]
        waiter = _Acks()
        with self._lock:
            self._waiting[token] = waiter
        try:
            payload = f"R {self.origin} {token} {kind} {subject}"
            with one_statement(self.engine) as connection:
                others = int(connection.execute(_ANNOUNCE, {"payload": payload}).scalar() or 0) - 1
            if self._listener.is_current():
                return  # revoked by a subscriber: the confirmations come through this thread
            if not waiter.wait(others, ACK_TIMEOUT):
                log.warning(
                    "a revocation (%s) was not confirmed by every server process within %.1f s",
                    kind, ACK_TIMEOUT,
                )  # fmt: skip
        except Exception:  # the write is committed: say so loudly rather than fail it
            log.exception("could not tell the other server processes of a revocation (%s)", kind)
        finally:
            with self._lock:
                self._waiting.pop(token, None)

    @property
    def listening(self) -> bool:
        """Whether notifications from the other processes arrive now."""
        return self._listener.listening.is_set()

    def _lost(self) -> None:
        """Notifications may have been missed (the listening connection dropped): caches must
        not answer while deaf, nor from what was granted before."""
        self._dispatch(EVERYTHING, "")

    def _receive(self, payload: str) -> None:
        tag, origin, token, *rest = [*payload.split(" ", 4), "", "", ""][:5]
        if tag == "A" and origin == self.origin:
            with self._lock:
                waiter = self._waiting.get(token)
            if waiter is not None:
                waiter.add()
            return
        if tag != "R" or origin == self.origin:
            return  # an answer to another process, or dispatched here when it was revoked
        kind, subject = rest
        if kind in KINDS and subject:
            self._dispatch(kind, subject, here=False)
        try:  # confirm once every subscriber here has re-checked
            with one_statement(self.engine) as connection:
                connection.execute(sa.select(sa.func.pg_notify(CHANNEL, f"A {origin} {token}")))
        except Exception:
            log.exception("could not confirm a revocation to the process that made it")

    def close(self) -> None:
        self._listener.close()


def announce(engine: Engine, kind: str, subject: str) -> None:
    """Tell the server processes on ``engine``'s database of a revocation made by a process
    without a bus (a command such as ``ft-dcc user add`` or ``ft-dcc user password``): a
    ``NOTIFY`` on PostgreSQL, a row of :data:`LOG_TABLE` a SQLite server reads."""
    _check(kind, subject)
    if _file_database(engine):
        table = _log_table(engine)
        now = time.time()
        with write_transaction(engine) as connection:
            connection.execute(sa.delete(table).where(table.c.at < now - LOG_KEEP))
            connection.execute(sa.insert(table).values(kind=kind, subject=subject, at=now))
        return
    if engine.dialect.name != "postgresql":
        return
    with one_statement(engine) as connection:
        connection.execute(
            sa.select(sa.func.pg_notify(CHANNEL, f"R command none {kind} {subject}"))
        )


def make_bus(engine: Engine) -> RevocationBus:
    """The bus for the database of ``engine``: :class:`PgBus` on PostgreSQL, else local."""
    if engine.dialect.name == "postgresql":
        return PgBus(engine)
    return LocalBus(engine)


def bus_of(holder: object) -> Optional[RevocationBus]:
    """The bus a server part carries as ``revocations`` (``None`` when it has none)."""
    bus = getattr(holder, "revocations", None)
    return bus if isinstance(bus, RevocationBus) else None
