"""The store's upgrade step: what a database needs before a server uses it, in this order.

1. Its tables and storage stamp (``model.database.prepare_schema``): a database a newer ft_dcc
   wrote is refused, the missing tables are made (a new database: all of them, the asset
   table's triggers of the record of holders with it), the stamp raised.
2. Its catalogue (``model.catalogue``: every table's columns, its indexes and triggers, in two
   statements). A database an older version made that lacks something is brought up to date
   in ONE write transaction under the schema's lock (SQLite ``BEGIN IMMEDIATE``; PostgreSQL the
   write lock and the schema's: other processes may be starting at once), its catalogue read
   again there: the missing columns; what a column just added needs -- the record of holders'
   triggers and its flags filled in from the assets held, also when only its triggers were
   missing (``model.holders.upgrade``); the missing indexes (then the planner's statistics
   gathered again, the new indexes counted).
3. Whatever the database: the unique indexes the catalogue lacks (``rules.integrity``), the
   creator record of rows older than it (``store.creators``, once), the planner's statistics of
   a filled database without any (``model.statistics``).

Each step reads before it writes, so a start on a current database takes no lock and runs no
DDL (20 statements on SQLite, 13 on PostgreSQL), and an upgrade cut short finishes at the next
start."""

from __future__ import annotations

import contextlib
from typing import Iterator

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from ft_dcc.server.model import catalogue, holders, statistics
from ft_dcc.server.model.database import SCHEMA_LOCK_KEY, is_postgres, prepare_schema
from ft_dcc.server.model.storage import (
    TABLE_PREFIX,
    add_missing_columns,
    add_missing_indexes,
    write_transaction,
)
from ft_dcc.server.rules.integrity import ensure_unique_indexes
from ft_dcc.server.store import creators
from ft_dcc.server.store.shared_tables import SchemaTables

#: the ``table.column`` name of the record of holders' flag, as the columns step names it
HOLDERS_COLUMN = f"{holders.CONTEXTS}.{holders.COLUMN}"


def upgrade(engine: Engine, metadata: sa.MetaData, schema: SchemaTables) -> None:
    """Bring the database ``engine`` opens up to ``metadata``'s layout (``schema``: the entity
    tables it holds; see the module's doc)."""
    older = prepare_schema(engine, metadata)  # the tables an older version made
    found = _read(engine)
    if older and _lacks_anything(metadata, found, engine.dialect.name):
        _upgrade_older(engine, metadata)
    ensure_unique_indexes(engine, schema.unique_indexes, present=found.indexes)
    creators.migrate(engine, schema.model, schema.tables, metadata)
    statistics.gather_if_missing(engine)


def _read(engine: Engine) -> catalogue.Catalogue:
    with engine.connect() as connection, connection.begin():
        return catalogue.read(connection)


def _upgrade_older(engine: Engine, metadata: sa.MetaData) -> None:
    """Step 2 for an older database that lacks something: its columns, the record of holders,
    its indexes."""
    with _schema_transaction(engine) as connection:
        found = catalogue.read(connection)  # again: another process may have done it
        added = add_missing_columns(connection, metadata, found)
        holders.upgrade(connection, found, column_added=HOLDERS_COLUMN in added)
        indexes = add_missing_indexes(connection, metadata, found)
    if indexes:
        statistics.gather_again(engine)  # the new indexes counted too


def _lacks_anything(metadata: sa.MetaData, found: catalogue.Catalogue, dialect: str) -> bool:
    return bool(
        catalogue.missing_columns(metadata, found, TABLE_PREFIX)
        or holders.triggers_missing(found, dialect)
        or catalogue.missing_indexes(metadata, found, dialect)
    )


@contextlib.contextmanager
def _schema_transaction(engine: Engine) -> Iterator[Connection]:
    """A write transaction under the schema's lock (PostgreSQL's advisory lock of it too)."""
    with write_transaction(engine) as connection:
        if is_postgres(engine):
            connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({SCHEMA_LOCK_KEY})")
        yield connection
