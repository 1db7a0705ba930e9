"""``ft-dcc server migrate --from sqlite:///… --to postgresql://…``: move a studio's data.

Copies every table the server keeps (entities, API keys, the encode queue…) from one database to
another in ONE destination transaction, then compares the row counts table by table; on any
difference nothing is kept. The destination must hold no entities yet. Uploaded files stay where
they are: components find them by id in the data dir's file store, so the server keeps its
``--data`` folder and only changes ``--database``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Dict, List, Set

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ft_dcc.exceptions import DatabaseSetupError
from ft_dcc.server.audit import audit_table
from ft_dcc.server.http.auth import KeyRing
from ft_dcc.server.model import holders, statistics
from ft_dcc.server.store.store import Store

log = logging.getLogger(__name__)

CHUNK = 1000
#: Tables of one running server's moment (event relay, hub handshakes): not data to move.
TRANSIENT = {"ft_dcc_event_relay", "ft_dcc_event_ticket", "ft_dcc_info"}
#: A destination with rows here holds a studio's work: the migration refuses to touch it.
STUDIO_TABLES = ("ft_context", "ft_asset_version")


@dataclass
class MigrationReport:
    """Rows copied per table (all verified equal in the destination)."""

    rows: Dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.rows.values())


def migrate(source_url: str, target_url: str) -> MigrationReport:
    """Copy everything from ``source_url`` to the empty database ``target_url``; verify counts."""
    source = Store(source_url)
    target = Store(target_url)
    try:
        for store in (source, target):
            KeyRing(store.engine, store.metadata)  # its table exists on both sides
            audit_table(store)  # the review audit trail moves with the studio's data
        tables = _tables(source, target)
        report = MigrationReport()
        with source.engine.connect() as reader, target.engine.begin() as writer:
            _refuse_non_empty(writer, tables, target)
            for table in tables:
                report.rows[table.name] = _copy(reader, writer, table)
            _reset_sequences(writer, tables)
            holders.backfill(writer)  # assets copied before their contexts: see model.holders
            _verify(writer, tables, report)
            statistics.gather(writer)  # a database filled in one go has none: see statistics
        statistics.settle_after_load(target.engine)  # PostgreSQL: its pages marked all-visible
        return report
    finally:
        source.close()
        target.close()


def _tables(source: Store, target: Store) -> List[sa.Table]:
    names = set(sa.inspect(source.engine).get_table_names())
    _add_side_tables(source, target, names)
    return [
        target.metadata.tables[table.name]
        for table in source.metadata.sorted_tables
        if table.name in names and table.name not in TRANSIENT
        and table.name in target.metadata.tables
    ]  # fmt: skip


def _add_side_tables(source: Store, target: Store, names: Set[str]) -> None:
    """The server's tables a ``Store`` does not define (invitations, invitee claims, review
    presence: made as the server runs) as the source holds them, created in the destination."""
    for name in sorted(names - set(source.metadata.tables) - TRANSIENT):
        table = sa.Table(name, source.metadata, autoload_with=source.engine)
        copy = table.to_metadata(target.metadata)
        for column in copy.columns:  # DATETIME as SQLite names it is TIMESTAMP elsewhere
            column.type = column.type.as_generic()
        copy.create(target.engine, checkfirst=True)


def _refuse_non_empty(writer: Connection, tables: List[sa.Table], target: Store) -> None:
    """Refuse a destination with studio data; clear one that only holds a server's seed."""
    for name in STUDIO_TABLES:
        table = target.metadata.tables[name]
        rows = writer.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()
        if rows:
            raise DatabaseSetupError(
                f"the destination {target.describe()} already holds data ({rows} rows in "
                f"{name}); nothing was copied",
                "migrate into a new, empty database (e.g. createdb -O USER DATABASE)",
            )
    # A server started once on the destination seeded built-in rows (locations, statuses, its
    # API user): the source has its own copies of them, so they go first.
    for table in reversed(tables):
        writer.execute(sa.delete(table))


def _copy(reader: Connection, writer: Connection, table: sa.Table) -> int:
    source_table = sa.Table(table.name, sa.MetaData(), autoload_with=reader)
    columns = [c.name for c in source_table.columns if c.name in table.c]
    copied = 0
    result = reader.execution_options(stream_results=True).execute(
        sa.select(*[source_table.c[name] for name in columns])
    )
    while True:
        chunk = result.fetchmany(CHUNK)
        if not chunk:
            break
        writer.execute(sa.insert(table), [dict(zip(columns, row)) for row in chunk])
        copied += len(chunk)
    log.info("copied %d rows of %s", copied, table.name)
    return copied


def _reset_sequences(writer: Connection, tables: List[sa.Table]) -> None:
    """Serial primary keys continue after the copied rows (PostgreSQL)."""
    if writer.dialect.name != "postgresql":
        return
    for table in tables:
        keys = list(table.primary_key.columns)
        if len(keys) != 1 or not isinstance(keys[0].type, sa.Integer):
            continue
        column = keys[0].name
        writer.execute(
            sa.text(
                "SELECT setval(pg_get_serial_sequence(:table, :column), "
                f'COALESCE((SELECT MAX("{column}") FROM "{table.name}"), 0) + 1, false) '
                "WHERE pg_get_serial_sequence(:table, :column) IS NOT NULL"
            ),
            {"table": table.name, "column": column},
        )


def _verify(writer: Connection, tables: List[sa.Table], report: MigrationReport) -> None:
    for table in tables:
        found = writer.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()
        if found != report.rows[table.name]:
            raise DatabaseSetupError(
                f"{table.name}: copied {report.rows[table.name]} rows but the destination holds "
                f"{found}; nothing was kept",
                "check the destination database and run the migration again",
            )
