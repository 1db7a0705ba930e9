"""How many long-lived connections one holder may keep open: event hub
sockets per API user, review ``/live`` streams per viewer. Idle sockets and held streams each
cost a task, buffers and a share of every broadcast; a few hundred from one user slowed
everyone else's requests (p50 from 7 to 226 ms).

- ``FT_DCC_MAX_SOCKETS_PER_USER`` (default 50): event hub sockets of one API user. One more is
  refused at the handshake with **429** (and, when sockets raced past that check, closed at
  connect with code 1008), naming the limit.
- ``FT_DCC_MAX_STREAMS_PER_VIEWER`` (default 10): ``/live`` streams of one viewer (an invitee's
  link, a personal link's maker, else the source address of a room link). One more is refused
  with **429**, naming the limit.

On PostgreSQL the event hub's sockets are counted over every server process
(:class:`SharedOpenCounts`, table ``ft_dcc_open_count``: one row per holder and server
process, so a process's rows go when it closes; a server's start clears them all); ``/live``
streams are counted per server process (with
``--workers N``, at most N times the limit).
"""

from __future__ import annotations

import threading
import weakref
from typing import Callable, Dict, Generic, List, MutableSet, Optional, TypeVar

import sqlalchemy as sa

from ft_dcc.server.common.env_number import positive_number
from ft_dcc.server.common.errors import ServerError
from ft_dcc.server.limits.limiter import digest
from ft_dcc.server.model.side_tables import SideTable, pg_insert

SOCKETS_ENV = "FT_DCC_MAX_SOCKETS_PER_USER"
STREAMS_ENV = "FT_DCC_MAX_STREAMS_PER_VIEWER"
DEFAULT_SOCKETS = 50
DEFAULT_STREAMS = 10

T = TypeVar("T")


class TooManyOpen(ServerError):
    """One holder has the most connections of a kind open: 429."""

    exception = "RateLimitError"
    status = 429


def most_sockets() -> int:
    """Event hub sockets one API user may keep open (``FT_DCC_MAX_SOCKETS_PER_USER``)."""
    return positive_number(SOCKETS_ENV, DEFAULT_SOCKETS)


def most_streams() -> int:
    """``/live`` streams one viewer may keep open (``FT_DCC_MAX_STREAMS_PER_VIEWER``)."""
    return positive_number(STREAMS_ENV, DEFAULT_STREAMS)


def too_many_sockets(most: int) -> str:
    return (
        f"This API user already has {most} event hub sockets open on this server, the most "
        f"allowed ({SOCKETS_ENV}); close sessions you no longer use, then connect again."
    )


def too_many_streams(most: int) -> TooManyOpen:
    return TooManyOpen(
        f"You already follow this server's review sessions live in {most} windows, the most "
        f"allowed ({STREAMS_ENV}); close some review pages, then reload this one."
    )


class KeyedSets(Generic[T]):
    """Sets of things by key, safe across threads; a key whose set empties is dropped. The sets
    are made by ``new_set`` (``weakref.WeakSet``: a thing dropped without being discarded stops
    counting when it is collected)."""

    def __init__(self, new_set: Callable[[], MutableSet[T]] = set) -> None:
        self._new_set = new_set
        self._sets: Dict[str, MutableSet[T]] = {}
        self._lock = threading.Lock()

    def add(self, key: str, thing: T, most: Optional[int] = None) -> bool:
        """Add ``thing`` to ``key``'s set; False (not added) when that set holds ``most``."""
        with self._lock:
            things = self._sets.setdefault(key, self._new_set())
            if most is not None and len(things) >= most:
                return False
            things.add(thing)
            return True

    def discard(self, key: str, thing: T) -> None:
        with self._lock:
            things = self._sets.get(key)
            if things is not None:
                things.discard(thing)
                if not things:
                    del self._sets[key]

    def members(self, key: str) -> List[T]:
        with self._lock:
            return list(self._sets.get(key, ()))

    def count(self, key: str) -> int:
        with self._lock:
            return len(self._sets.get(key, ()))

    def every(self) -> List[T]:
        """The things of every key."""
        with self._lock:
            return [thing for things in self._sets.values() for thing in things]

    def __bool__(self) -> bool:
        return bool(self._sets)


class OpenCount:
    """The open things of each holder, at most ``most`` each, held weakly: one dropped without
    being closed (a stream whose client left before it started) stops counting when it is
    collected."""

    def __init__(self, most: int) -> None:
        self.most = most
        self._open: KeyedSets[object] = KeyedSets(weakref.WeakSet)

    def enter(self, holder: str, thing: object) -> bool:
        """Count ``thing`` as open for ``holder``; False (not counted) when it has the most."""
        return self._open.add(holder, thing, self.most)

    def leave(self, holder: str, thing: object) -> None:
        self._open.discard(holder, thing)

    def count(self, holder: str) -> int:
        return self._open.count(holder)


class SharedOpenCounts(SideTable):
    """Open connections of one kind per holder, summed over the server processes."""

    NAME = "ft_dcc_open_count"

    #: ``holder`` is the ``limiter.digest`` of the holder
    KEY = {"kind": sa.String(32), "holder": sa.String(64), "process": sa.String(64)}
    FIELDS = {"count": sa.Integer}

    def total(self, kind: str, holder: str) -> int:
        """How many ``holder`` has open in every process."""
        table = self.table
        with self.engine.connect() as connection:
            found = connection.execute(
                sa.select(sa.func.coalesce(sa.func.sum(table.c.count), 0)).where(
                    table.c.kind == kind, table.c.holder == digest(holder)
                )
            ).scalar()
        return int(found or 0)

    def enter(self, kind: str, holder: str, process: str, most: int) -> bool:
        """Count one more for ``holder`` in ``process``; ``False`` (not counted) when that
        would make more than ``most`` over every process."""
        table = self.table
        statement = (
            pg_insert(table)
            .values(kind=kind, holder=digest(holder), process=process, count=1)
            .on_conflict_do_update(
                index_elements=[table.c.kind, table.c.holder, table.c.process],
                set_={"count": table.c.count + 1},
            )
        )
        with self.engine.begin() as connection:
            connection.execute(statement)
        if self.total(kind, holder) <= most:
            return True
        self.leave(kind, holder, process)
        return False

    def leave(self, kind: str, holder: str, process: str) -> None:
        table = self.table
        mine = (table.c.kind == kind, table.c.holder == digest(holder), table.c.process == process)
        with self.engine.begin() as connection:
            connection.execute(sa.update(table).where(*mine).values(count=table.c.count - 1))
            connection.execute(sa.delete(table).where(*mine, table.c.count <= 0))

    def forget_process(self, process: str) -> None:
        """Every count of ``process`` (it is closing)."""
        with self.engine.begin() as connection:
            connection.execute(sa.delete(self.table).where(self.table.c.process == process))

    def forget_all(self) -> None:
        """Every count (a server starting: a process that died left its counts behind)."""
        with self.engine.begin() as connection:
            connection.execute(sa.delete(self.table))
