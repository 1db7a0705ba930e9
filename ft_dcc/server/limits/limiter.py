"""Rate limits on failed authentication: one limiter that **reserves before it judges**.

Every check of a credential (a password, an API key, a review link's token, a one-time sign-in
link, a signed URL, a link's passphrase) first takes one place in the counts of its **source**
(the address the server proved: ``audit.source.peer_address``) and of its **target** (the name,
link or session guessed at), atomically: when either is full the attempt is refused (429,
:class:`TooManyAttempts`) without being judged, and nothing is counted. A right credential
gives its places back (:meth:`Reservation.passed`); a wrong one keeps them. So however many
guesses arrive at once, at most the limit is judged per window: a place is taken before the
credential is looked at, not counted after.

Counts are kept in fixed windows of ``FT_DCC_AUTH_WINDOW`` seconds (60): in this process
(:class:`MemoryCounts`, under a lock: SQLite serves from one process) or, on PostgreSQL, in
table ``ft_dcc_limit`` shared by every server process (:class:`DatabaseCounts`: one upsert
takes both places and row locks make it atomic; only SHA-256 digests of keys are stored).

Two limiters per server: :func:`request_limiter` (API keys, review links, signed URLs,
passphrases: ``FT_DCC_AUTH_FAILURES_PER_SOURCE`` 300 and ``FT_DCC_AUTH_FAILURES_PER_TARGET``
100) and :func:`password_limiter` (passwords and one-time sign-in links: 300 per source and
``FT_DCC_SIGNIN_FAILURES_PER_USER`` 10 per name or link). No name or address is exempt: one
that signed in before is limited like any other (behind a proxy, everyone shares an address).

A credential that only this server can make (a review link's token, a signed URL: an HMAC
under its secret, which no number of guesses finds) is checked first, and only a forged one
takes a place (refused 429 once its counts are full): the signed ones a page sends with each
request cost the limiter nothing.

Code that checks a credential in a request calls :func:`reserve` (the request's limiter and
source are set by the HTTP middleware through :func:`attempt_from`; outside a request it holds
nothing). Only the kind and the source address are logged, once, when a lock starts.
"""

from __future__ import annotations

import contextlib
import contextvars
import hashlib
import logging
import random
import threading
import time
from dataclasses import dataclass
from typing import Callable, Dict, Iterator, List, Optional, Protocol, Sequence, Tuple, Union

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from ft_dcc.server.common.env_number import positive_number
from ft_dcc.server.common.errors import ServerError
from ft_dcc.server.model.side_tables import SideTable, pg_insert

log = logging.getLogger(__name__)

WINDOW_ENV = "FT_DCC_AUTH_WINDOW"
PER_SOURCE_ENV = "FT_DCC_AUTH_FAILURES_PER_SOURCE"
PER_TARGET_ENV = "FT_DCC_AUTH_FAILURES_PER_TARGET"
PER_USER_ENV = "FT_DCC_SIGNIN_FAILURES_PER_USER"
DEFAULT_WINDOW = 60.0
DEFAULT_PER_SOURCE = 300
DEFAULT_PER_TARGET = 100
DEFAULT_PER_USER = 10
#: counters kept in memory at most (ended windows go first; beyond, the oldest)
MOST_COUNTERS = 100_000
#: one reservation in this many also deletes the database's ended windows
TRIM_EVERY = 200

#: the kinds of credential (a target's count is per kind)
KEY = "api key"
LINK = "review link"
SIGNATURE = "signed url"
PASSPHRASE = "passphrase"
PASSWORD = "password"
SIGNIN_LINK = "signin link"

#: (key, most): one place wanted in ``key``'s count, which holds at most ``most``
Wanted = Sequence[Tuple[str, int]]
#: (key, its window's start, its count with this place): a place taken
Held = List[Tuple[str, float, int]]


class TooManyAttempts(ServerError):
    """Too many failed attempts from this source or on this target: 429."""

    exception = "RateLimitError"
    status = 429

    def __init__(self, message: str, retry_after: int = 1) -> None:
        super().__init__(message)
        #: seconds until the lock ends (``Retry-After``)
        self.retry_after = retry_after


@dataclass
class Full:
    """A reservation refused: a count was full for ``left`` more seconds."""

    left: float


class Counts(Protocol):
    """Places taken per key in fixed windows."""

    def reserve(self, wanted: Wanted) -> Union[Held, Full]:
        """One place in each key's count, all or none (:class:`Full` when one is full)."""

    def release(self, held: Held) -> None:
        """Give back places taken (those of a window that ended are gone already)."""


@dataclass
class _Window:
    started: float
    count: int


class MemoryCounts:
    """:class:`Counts` of one process (thread-safe, bounded)."""

    def __init__(self, window: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.window, self.clock = window, clock
        self._windows: Dict[str, _Window] = {}
        self._lock = threading.Lock()

    def reserve(self, wanted: Wanted) -> Union[Held, Full]:
        with self._lock:
            now = self.clock()
            found = [self._current(key, now) for key, _most in wanted]
            full = [w.started + self.window - now for (_key, most), w in zip(wanted, found)
                    if w is not None and w.count >= most]  # fmt: skip
            if full:
                return Full(max(full))
            held: Held = []
            for (key, _most), window in zip(wanted, found):
                if window is None:
                    self._trim(now)
                    window = self._windows[key] = _Window(now, 0)
                window.count += 1
                held.append((key, window.started, window.count))
            return held

    def release(self, held: Held) -> None:
        with self._lock:
            for key, started, _count in held:
                window = self._windows.get(key)
                if window is not None and window.started == started and window.count > 0:
                    window.count -= 1

    def _current(self, key: str, now: float) -> Optional[_Window]:
        found = self._windows.get(key)
        if found is not None and now - found.started >= self.window:
            del self._windows[key]
            return None
        return found

    def _trim(self, now: float) -> None:
        if len(self._windows) < MOST_COUNTERS:
            return
        self._windows = {k: w for k, w in self._windows.items() if now - w.started < self.window}
        if len(self._windows) >= MOST_COUNTERS:
            newest = sorted(self._windows.items(), key=lambda item: item[1].started)
            self._windows = dict(newest[len(newest) // 2 :])


class DatabaseCounts(SideTable):
    """:class:`Counts` shared by every server process on one PostgreSQL database."""

    NAME = "ft_dcc_limit"
    KEY = {"key": sa.String(64)}  # digest() of the key
    FIELDS = {"started": sa.Float, "count": sa.Integer}

    def __init__(self, engine: Engine, metadata: sa.MetaData, window: float) -> None:
        super().__init__(engine, metadata)
        self.window = window

    def _upsert(self, keys: Sequence[str], now: float) -> sa.sql.Executable:
        table = self.table
        ended = table.c.started <= now - self.window
        return (
            pg_insert(table)
            .values([{"key": key, "started": now, "count": 1} for key in keys])
            .on_conflict_do_update(
                index_elements=[table.c.key],
                set_={
                    "count": sa.case((ended, 1), else_=table.c.count + 1),
                    "started": sa.case((ended, now), else_=table.c.started),
                },
            )
            .returning(table.c.key, table.c.started, table.c.count)
        )

    def reserve(self, wanted: Wanted) -> Union[Held, Full]:
        most = {digest(key): limit for key, limit in wanted}
        keys = sorted(most)  # rows locked in one order by everyone: no deadlock
        now, table = time.time(), self.table
        with self.engine.begin() as connection:
            rows = connection.execute(self._upsert(keys, now)).all()
            full = [float(row[1]) + self.window - now for row in rows
                    if int(row[2]) > most[str(row[0])]]  # fmt: skip
            if full:  # give every place back in the same transaction (its rows are locked)
                connection.execute(sa.update(table).where(table.c.key.in_(keys))
                                   .values(count=table.c.count - 1))  # fmt: skip
        if full:
            return Full(max(full))
        if random.randrange(TRIM_EVERY) == 0:
            self._trim(now)
        by_key = {str(row[0]): row for row in rows}
        return [(key, float(by_key[digest(key)][1]), int(by_key[digest(key)][2]))
                for key, _limit in wanted]  # fmt: skip

    def release(self, held: Held) -> None:
        table = self.table
        statement = (
            sa.update(table)
            .where(
                table.c.key == sa.bindparam("k"),
                table.c.started == sa.bindparam("s"),
                table.c.count > 0,
            )
            .values(count=table.c.count - 1)
        )
        # in the upsert's lock order (its keys sorted), or two requests could each hold a row
        # the other waits for
        places = [{"k": k, "s": s} for k, s in sorted((digest(key), s) for key, s, _n in held)]
        with self.engine.begin() as connection:
            connection.execute(statement, places)

    def _trim(self, now: float) -> None:
        """Delete the ended windows, in a transaction of their own, skipping the rows another
        request holds (deleting them beside a reservation's own rows could wait on a request
        that waits on those)."""
        table = self.table
        ended = (sa.select(table.c.key).where(table.c.started <= now - self.window)
                 .with_for_update(skip_locked=True))  # fmt: skip
        with self.engine.begin() as connection:
            connection.execute(sa.delete(table).where(table.c.key.in_(ended)))

    def add(self, key: str) -> int:
        """One more in ``key``'s count, unlimited; the window's count (the audit cap's tally)."""
        with self.engine.begin() as connection:
            return int(connection.execute(self._upsert([digest(key)], time.time())).one()[2])


def digest(text: str) -> str:
    """What a table keeps of a key: any text (NUL bytes, any length) fits, and no user name or
    link is stored."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


class Reservation:
    """The places one attempt took: :meth:`passed` gives them back (a right credential is no
    guess); a wrong one keeps them (nothing to call)."""

    def __init__(self, counts: Optional[Counts] = None, held: Optional[Held] = None) -> None:
        self._counts, self._held = counts, held or []

    def passed(self) -> None:
        if self._counts is not None and self._held:
            held, self._held = self._held, []
            self._counts.release(held)

    def settle(self, right: bool) -> None:
        """:meth:`passed` when ``right``; else the places stay taken."""
        if right:
            self.passed()


class Limiter:
    """Who may still try: at most ``per_source`` failures from a source and ``per_target`` on
    a target of a kind per window (module docstring)."""

    def __init__(self, per_source: int, per_target: int, counts: Counts, name: str = "") -> None:
        self.per_source, self.per_target, self.counts, self.name = (
            per_source, per_target, counts, name)  # fmt: skip

    def reserve(self, kind: str, source: str, target: str) -> Reservation:
        """One place for an attempt of ``kind`` from ``source`` on ``target``, else
        :class:`TooManyAttempts` (nothing judged, nothing counted)."""
        wanted = [(f"{self.name}\0s\0{source}", self.per_source),
                  (f"{self.name}\0t\0{kind}\0{target}", self.per_target)]  # fmt: skip
        taken = self.counts.reserve(wanted)
        if isinstance(taken, Full):
            raise _refusal(taken.left)
        if taken[0][2] == self.per_source:
            log.warning("too many failed %s attempts from %s: refused for a while", kind, source)
        if taken[1][2] == self.per_target:
            log.warning("too many failed %s attempts on one target: refused for a while", kind)
        return Reservation(self.counts, taken)


def _counts(engine: Optional[Engine], metadata: Optional[sa.MetaData], window: float) -> Counts:
    if engine is not None and metadata is not None and engine.dialect.name == "postgresql":
        return DatabaseCounts(engine, metadata, window)
    return MemoryCounts(window)


def _window() -> float:
    return positive_number(WINDOW_ENV, DEFAULT_WINDOW)


def _per_source() -> int:
    return int(positive_number(PER_SOURCE_ENV, float(DEFAULT_PER_SOURCE)))


def request_limiter(engine: Optional[Engine] = None,
                    metadata: Optional[sa.MetaData] = None) -> Limiter:  # fmt: skip
    """The limiter of API keys, review links, signed URLs and passphrases (``FT_DCC_AUTH_*``);
    on a PostgreSQL ``engine`` shared by every server process."""
    per_target = int(positive_number(PER_TARGET_ENV, float(DEFAULT_PER_TARGET)))
    return Limiter(_per_source(), per_target, _counts(engine, metadata, _window()), "auth")


def password_limiter(engine: Engine, metadata: sa.MetaData) -> Limiter:
    """The limiter of passwords and one-time sign-in links (a name or link gets
    ``FT_DCC_SIGNIN_FAILURES_PER_USER`` failures a window)."""
    per_user = int(positive_number(PER_USER_ENV, float(DEFAULT_PER_USER)))
    return Limiter(_per_source(), per_user, _counts(engine, metadata, _window()), "signin")


def _refusal(seconds: float) -> TooManyAttempts:
    wait = max(1, int(seconds + 0.999))
    return TooManyAttempts(
        f"Too many failed sign-in attempts; try again in {wait} s. Check the credentials "
        "(FTRACK_API_USER / FTRACK_API_KEY, or ask for a new link) before retrying.",
        retry_after=wait,
    )


_attempt: contextvars.ContextVar[Optional[Tuple[Limiter, str]]] = contextvars.ContextVar(
    "ft_dcc_auth_attempt", default=None
)


def reserve(kind: str, target: Optional[str]) -> Reservation:
    """A place for checking a credential of ``kind`` for ``target`` in this request, else
    :class:`TooManyAttempts`. Outside a request (the server's own checks) it holds nothing."""
    current = _attempt.get()
    if current is None:
        return Reservation()
    return current[0].reserve(kind, current[1], str(target or ""))


@contextlib.contextmanager
def attempt_from(limiter: Limiter, source: str) -> Iterator[None]:
    """Within the block, credentials are checked for a request from ``source``."""
    token = _attempt.set((limiter, source))
    try:
        yield
    finally:
        _attempt.reset(token)
