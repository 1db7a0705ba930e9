"""The rate limits' counters and the open-connection counts shared by every server process on
one PostgreSQL database (``--workers N``); on SQLite one process keeps them in memory.

- :class:`SharedFailureCounts` (table ``ft_dcc_auth_failure``): failures per key in fixed
  windows, one upserted row per key (``attempts.FailureCounts``'s interface).
- :class:`SharedOpenCounts` (table ``ft_dcc_open_count``): how many connections of a kind each
  holder has open, one row per (holder, server process), so a process's rows go when it closes;
  a server's start clears them all (those of a process that died).
"""

from __future__ import annotations

import hashlib
import random
import time
from typing import Optional

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from ft_dcc.server.model.side_tables import SideTable, pg_insert

FAILURE_TABLE = "ft_dcc_auth_failure"
OPEN_TABLE = "ft_dcc_open_count"
#: one add in this many also deletes the ended windows
TRIM_EVERY = 200


class SharedFailureCounts(SideTable):
    """Failures per key in fixed windows of ``window`` seconds, in the database."""

    NAME = FAILURE_TABLE

    KEY = {"key": sa.String(64)}  # _digest of the key
    FIELDS = {"started": sa.Float, "count": sa.Integer}

    def __init__(self, engine: Engine, metadata: sa.MetaData, window: float) -> None:
        super().__init__(engine, metadata)
        self.window = window

    def count(self, key: str) -> int:
        row = self._row(key)
        return int(row[1]) if row is not None else 0

    def left(self, key: str) -> float:
        """Seconds until ``key``'s window ends (0 when it has none)."""
        row = self._row(key)
        return 0.0 if row is None else max(0.0, float(row[0]) + self.window - time.time())

    def add(self, key: str) -> int:
        """One more failure of ``key``; the window's count."""
        table, now = self.table, time.time()
        ended = table.c.started <= now - self.window
        statement = (
            pg_insert(table)
            .values(key=_digest(key), started=now, count=1)
            .on_conflict_do_update(
                index_elements=[table.c.key],
                set_={
                    "count": sa.case((ended, 1), else_=table.c.count + 1),
                    "started": sa.case((ended, now), else_=table.c.started),
                },
            )
            .returning(table.c.count)
        )
        with self.engine.begin() as connection:
            count = int(connection.execute(statement).scalar_one())
            if random.randrange(TRIM_EVERY) == 0:
                connection.execute(sa.delete(table).where(ended))
        return count

    def _row(self, key: str) -> Optional[sa.Row]:
        table = self.table
        with self.engine.connect() as connection:
            return connection.execute(
                sa.select(table.c.started, table.c.count).where(
                    table.c.key == _digest(key), table.c.started > time.time() - self.window
                )
            ).first()


class SharedOpenCounts(SideTable):
    """Open connections of one kind per holder, summed over the server processes."""

    NAME = OPEN_TABLE

    #: ``holder`` is the _digest of the holder
    KEY = {"kind": sa.String(32), "holder": sa.String(64), "process": sa.String(64)}
    FIELDS = {"count": sa.Integer}

    def total(self, kind: str, holder: str) -> int:
        """How many ``holder`` has open in every process."""
        table = self.table
        with self.engine.connect() as connection:
            found = connection.execute(
                sa.select(sa.func.coalesce(sa.func.sum(table.c.count), 0)).where(
                    table.c.kind == kind, table.c.holder == _digest(holder)
                )
            ).scalar()
        return int(found or 0)

    def enter(self, kind: str, holder: str, process: str, most: int) -> bool:
        """Count one more for ``holder`` in ``process``; ``False`` (not counted) when that
        would make more than ``most`` over every process."""
        table = self.table
        statement = (
            pg_insert(table)
            .values(kind=kind, holder=_digest(holder), process=process, count=1)
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
        mine = (table.c.kind == kind, table.c.holder == _digest(holder), table.c.process == process)
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


def _digest(text: str) -> str:
    """What the tables keep of a key or holder: any text (NUL bytes, any length) fits, and no
    user name or link target is stored."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
