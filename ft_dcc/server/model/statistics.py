"""The query planner's statistics: gathered where a database got its rows without them.

Both backends plan a name lookup or a dailies read from statistics of the tables (SQLite's
``sqlite_stat1``, PostgreSQL's ``pg_statistic``). A database filled in one go — by
``ft-dcc server migrate``, a restore, or a server's first start on a copied file — has none, and
PostgreSQL then plans the dailies query as a sequential scan of every session object. So the
migration gathers them when it has copied, and a store that opens a database holding a studio's
rows without statistics gathers them once; afterwards PostgreSQL's autovacuum keeps them current.

SQLite keeps none by itself: its ``PRAGMA optimize`` (run when a store closes) only refreshes
statistics a connection's queries already used, so a studio that grows from an empty database
under one server had none at all, and a task by shot name was read through the type's index, all
of the studio's tasks (8 ms at a year's 1x, 0.2 ms with statistics). So a SQLite store gathers
them again as it grows (:class:`Growth`): each time the rows written since the last gathering
reach the rows the database held then -- a handful of times over a studio's life (0.3 s at a
year's 10x, 200,000 rows, holding the write lock: writers wait that long, once per doubling).
"""

from __future__ import annotations

import logging
import threading
from typing import Callable, ContextManager

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.pool import StaticPool

log = logging.getLogger(__name__)

#: Rows of contexts above which a database without statistics gets them when a store opens it
#: (a new studio's database plans well enough without; gathering costs ~1 ms per table).
ROWS_WORTH_GATHERING = 1000
_CONTEXTS = "ft_context"
#: rows a new studio writes before its statistics are first gathered as it grows (a small one
#: plans well without: with them, SQLite reads a table of a few hundred rows whole)
FIRST_GROWTH = 10 * ROWS_WORTH_GATHERING
#: the tables a studio fills: one of them holding :data:`ROWS_WORTH_GATHERING` rows is worth it
_FILLED = (_CONTEXTS, "ft_asset_version", "ft_review_session_object", "ft_note")


def gather(connection: Connection) -> None:
    """Gather the planner's statistics of every table (``ANALYZE``, both backends). Whole, not
    sampled: SQLite's ``PRAGMA analysis_limit`` reads the first rows of each index, and on a
    year's data counted 1,001 contexts to a name where there are 8 (0.3 s for 200,000 rows)."""
    connection.exec_driver_sql("ANALYZE")
    if connection.dialect.name == "sqlite":
        _count_empty_partial_indexes(connection)
    log.info("gathered the query planner's statistics")


def settle_after_load(engine: Engine) -> None:
    """After a bulk load (``ft-dcc server migrate``) on PostgreSQL: ``VACUUM (ANALYZE)`` of
    the whole database, outside a transaction. Besides the statistics it marks the freshly
    written pages all-visible, so an index that answers a read's keys (a page at an offset, the
    desk home's counts) is read without the table's rows: right after a load every key read
    its row too (at a year's 100x, 10,100 table pages for one page at offset 10,000) until
    autovacuum came by, and its plans chose reading and sorting the table instead. SQLite has
    nothing of the kind (its ``ANALYZE`` is :func:`gather`)."""
    if engine.dialect.name != "postgresql":
        return
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.exec_driver_sql("VACUUM (ANALYZE)")
    log.info("vacuumed the database after its load")


def _count_empty_partial_indexes(connection: Connection) -> None:
    """Give SQLite's planner a count of each partial index that holds no row: ``ANALYZE``
    writes none for it, and the planner then guessed it held the table's share -- the replies
    to a page's 900 notes, when no note of the studio is a reply yet, were looked for by reading
    every note (150 ms at 100,000 notes) instead of in the empty index of the replies. Counted
    as holding one row (they are written in ``ANALYZE``'s transaction: every connection reads
    them with its statistics)."""
    empty = connection.exec_driver_sql(
        "SELECT m.tbl_name, m.name FROM sqlite_master AS m WHERE m.type = 'index' "
        "AND m.sql LIKE '% WHERE %' AND m.name NOT IN (SELECT idx FROM sqlite_stat1 "
        "WHERE idx IS NOT NULL)"
    ).fetchall()
    for table, index in empty:
        connection.exec_driver_sql(
            "INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES (?, ?, '1 1')", (table, index)
        )
    if empty:
        connection.exec_driver_sql("ANALYZE sqlite_master")  # this connection reads them too


def has_statistics(connection: Connection) -> bool:
    """Whether the planner has statistics of the contexts' table."""
    if connection.dialect.name == "postgresql":
        return bool(
            connection.exec_driver_sql(
                "SELECT 1 FROM pg_stats WHERE schemaname = current_schema() "
                f"AND tablename = '{_CONTEXTS}' LIMIT 1"
            ).first()
        )
    stat_table = connection.exec_driver_sql(  # SQLAlchemy's inspector hides sqlite_* tables
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'sqlite_stat1'"
    ).first()
    if stat_table is None:
        return False
    return bool(
        connection.exec_driver_sql(
            f"SELECT 1 FROM sqlite_stat1 WHERE tbl = '{_CONTEXTS}' LIMIT 1"
        ).first()
    )


def _read_anew(engine: Engine) -> None:
    """Let every connection of ``engine`` plan with the statistics just gathered: a SQLite
    connection reads them once, when it opens (another connection's ``ANALYZE`` does not reach
    it), so the pooled ones are let go and the next are opened anew (one in use is closed when
    it is given back). Not an in-memory database's one connection: it is the database."""
    if engine.dialect.name == "sqlite" and not isinstance(engine.pool, StaticPool):
        engine.dispose()


def gather_if_missing(engine: Engine) -> bool:
    """Gather the statistics when the database holds a studio's rows and has none; whether
    it did."""
    with engine.connect() as connection, connection.begin():
        if _CONTEXTS not in sa.inspect(connection).get_table_names():
            return False
        if has_statistics(connection):
            return False
        if not _filled(connection):
            return False
        gather(connection)
    _read_anew(engine)
    return True


def gather_again(engine: Engine) -> None:
    """Gather them again where the database has them: an index added to it (a newer version's)
    has none, and SQLite's planner takes an index it knows nothing of for a good one (a task by
    shot name read through the new index of the contexts' types, every task in id order)."""
    with engine.connect() as connection, connection.begin():
        if not has_statistics(connection):
            return
        gather(connection)
    _read_anew(engine)


def _filled(connection: Connection) -> bool:
    """Whether one of the tables a studio fills holds :data:`ROWS_WORTH_GATHERING` rows."""
    names = set(sa.inspect(connection).get_table_names())
    for table in _FILLED:
        if table not in names:
            continue
        rows = connection.exec_driver_sql(
            f"SELECT count(*) FROM (SELECT 1 FROM {table} LIMIT {ROWS_WORTH_GATHERING}) AS c"
        ).scalar_one()
        if rows >= ROWS_WORTH_GATHERING:
            return True
    return False


def _known_rows(engine: Engine) -> int:
    """The rows of the biggest table as SQLite's statistics last counted them (0: none)."""
    with engine.connect() as connection:
        if not has_statistics(connection):
            return 0
        found = connection.exec_driver_sql(
            "SELECT max(CAST(stat AS INTEGER)) FROM sqlite_stat1"
        ).scalar()
    return int(found or 0)


class Growth:
    """SQLite's statistics gathered again as the database grows: :meth:`wrote` is told the rows
    each committed batch wrote, and once those since the last gathering reach what the database
    held then (at least :data:`FIRST_GROWTH`) they are gathered in a write transaction of their
    own. Nothing on PostgreSQL, whose autovacuum analyses tables as they change."""

    def __init__(self, engine: Engine, write: Callable[[], ContextManager[Connection]]) -> None:
        self._engine = engine
        self._write = write
        self._lock = threading.Lock()
        self._written = 0
        self.enabled = engine.dialect.name == "sqlite"
        #: the rows written (since the store opened) at which they are gathered next
        self.next_at = max(FIRST_GROWTH, _known_rows(engine)) if self.enabled else 0
        #: how many times this store gathered them (for the tests)
        self.gathered = 0

    def wrote(self, rows: int) -> None:
        if not self.enabled or rows <= 0:
            return
        with self._lock:
            self._written += rows
            if self._written < self.next_at:
                return
            self.next_at = self._written + max(ROWS_WORTH_GATHERING, self.next_at)
        try:
            with self._write() as connection:
                gather(connection)
        except SQLAlchemyError as error:  # the batch is written: its answer stands
            log.warning("could not gather the planner's statistics: %s", error)
            return
        _read_anew(self._engine)
        self.gathered += 1


def optimize_on_close(engine: Engine) -> None:
    """SQLite's ``PRAGMA optimize`` (it re-gathers what the connection's queries would gain
    from); nothing on PostgreSQL, whose autovacuum does it."""
    if engine.dialect.name != "sqlite":
        return
    with engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA optimize")
