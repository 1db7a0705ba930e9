"""The query planner's statistics: gathered where a database got its rows without them.

Both backends plan a name lookup or a dailies read from statistics of the tables (SQLite's
``sqlite_stat1``, PostgreSQL's ``pg_statistic``). A database filled in one go — by
``ft-dcc server migrate``, a restore, or a server's first start on a copied file — has none, and
PostgreSQL then plans the dailies query as a sequential scan of every session object. So the
migration gathers them when it has copied, and a store that opens a database holding a studio's
rows without statistics gathers them once; afterwards PostgreSQL's autovacuum keeps them current,
and SQLite's ``PRAGMA optimize`` is run when a store closes.
"""

from __future__ import annotations

import logging

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

log = logging.getLogger(__name__)

#: Rows of contexts above which a database without statistics gets them when a store opens it
#: (a new studio's database plans well enough without; gathering costs ~1 ms per table).
ROWS_WORTH_GATHERING = 1000
_CONTEXTS = "ft_context"


def gather(connection: Connection) -> None:
    """Gather the planner's statistics of every table (``ANALYZE``, both backends)."""
    connection.exec_driver_sql("ANALYZE")
    log.info("gathered the query planner's statistics")


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


def gather_if_missing(engine: Engine) -> bool:
    """Gather the statistics when the database holds a studio's rows and has none; whether
    it did."""
    with engine.connect() as connection, connection.begin():
        if _CONTEXTS not in sa.inspect(connection).get_table_names():
            return False
        if has_statistics(connection):
            return False
        rows = connection.exec_driver_sql(
            f"SELECT count(*) FROM (SELECT 1 FROM {_CONTEXTS} LIMIT {ROWS_WORTH_GATHERING}) AS c"
        ).scalar_one()
        if rows < ROWS_WORTH_GATHERING:
            return False
        gather(connection)
        return True


def optimize_on_close(engine: Engine) -> None:
    """SQLite's ``PRAGMA optimize`` (it re-gathers what the connection's queries would gain
    from); nothing on PostgreSQL, whose autovacuum does it."""
    if engine.dialect.name != "sqlite":
        return
    with engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA optimize")
