"""The record of which contexts hold assets, kept by the database itself, on both backends.

The desk's "latest of each shot" walks a project's contexts in name order and stops at its
page's limit (``desk.version_search``). An asset may belong to any context, so that walk visited
every context of the project -- its tasks too (``anim``, ``comp``, ``light``… sort before the
shots' ``sh…``): 3,000 of them in a year's project, each read for nothing. So each context row
says whether it holds assets (:data:`COLUMN`, true, or null for never), and an index of the
project's holders by name (partial: only those rows) gives the walk those contexts alone.

The flag is set by triggers of the asset table (an asset made under a context, or moved to it),
so whatever writes an asset keeps it right: a batch through ``/api``, a bulk load straight into
the tables, ``ft-dcc server migrate``, a PostgreSQL restore (its dump holds the triggers). It is
never unset: a context that once held an asset is only visited by the walk, it adds no rows to
the answer. A database made before the record existed gets the column, the triggers and the
flags (from the assets it holds) when a store opens it (:func:`upgrade`), in one transaction,
so an interrupted upgrade is done again at the next start. The column is not an attribute of any
entity: a client neither reads nor sets it.
"""

from __future__ import annotations

import logging
from typing import List

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from ft_dcc.server.model.database import SCHEMA_LOCK_KEY, is_postgres
from ft_dcc.server.model.name_order import name_key

log = logging.getLogger(__name__)

#: the context row's flag: true when an asset was ever made under or moved to the context
COLUMN = "_holds_assets"
CONTEXTS = "ft_context"
ASSETS = "ft_asset"
#: the name of the triggers (and of PostgreSQL's trigger function)
TRIGGER = "ft_dcc_asset_holder"
#: the index of a project's holders by name (SQLite: the whole name; PostgreSQL: its key)
INDEX = "ix_ft_context_holders_project_id_name"

_SET = (f"UPDATE {CONTEXTS} SET {COLUMN} = {{true}} "
        f"WHERE id = NEW.context_id AND {COLUMN} IS NOT {{true}}")  # fmt: skip
_SQLITE_TRIGGERS = [
    f"CREATE TRIGGER IF NOT EXISTS {TRIGGER}_{when} AFTER {event} ON {ASSETS} "
    f"FOR EACH ROW WHEN NEW.context_id IS NOT NULL BEGIN {_SET.format(true=1)}; END"
    for when, event in (("made", "INSERT"), ("moved", "UPDATE OF context_id"))
]
_PG_FUNCTION = (
    f"CREATE OR REPLACE FUNCTION {TRIGGER}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    f"IF NEW.context_id IS NOT NULL THEN {_SET.format(true='TRUE')}; END IF; RETURN NULL; END $$"
)
_PG_TRIGGER = (f"CREATE TRIGGER {TRIGGER} AFTER INSERT OR UPDATE OF context_id ON {ASSETS} "
               f"FOR EACH ROW EXECUTE FUNCTION {TRIGGER}()")  # fmt: skip


def column() -> sa.Column:
    """The flag's column of the context table (see the module's doc)."""
    return sa.Column(COLUMN, sa.Boolean, nullable=True)


def holds(contexts: sa.FromClause) -> sa.ColumnElement[bool]:
    """``contexts`` (the table or an alias) that hold assets, as the index's condition says it
    (a literal true: a bound value would not let SQLite prove the index answers)."""
    return contexts.c[COLUMN] == sa.true()


def index(contexts: sa.Table) -> List[sa.Index]:
    """The indexes of a project's holders in name order, one per backend (``name_order``).
    SQLite's holds the flag as a column too: its planner took the index of every context by
    project and name, as cheap by its count, unless this one answers one more equality."""
    where = holds(contexts)
    return [
        sa.Index(INDEX, contexts.c.project_id, contexts.c[COLUMN], contexts.c.name,
                 sqlite_where=where).ddl_if(dialect="sqlite"),
        sa.Index(INDEX + "_key", contexts.c.project_id, name_key(contexts.c.name),
                 postgresql_where=where).ddl_if(dialect="postgresql"),
    ]  # fmt: skip


def upgrade(engine: Engine) -> None:
    """Give a database made before the record its column and triggers, and fill the flags in
    from the assets it holds, in one write transaction (PostgreSQL: under the schema's lock,
    as other processes starting at once may do the same); nothing when they are there."""
    connection = engine.connect().execution_options(ft_write=True)  # SQLite: BEGIN IMMEDIATE
    with connection, connection.begin():
        if is_postgres(engine):
            connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({SCHEMA_LOCK_KEY})")
        added = _add_column(connection) + _add_triggers(connection)
        if added:
            backfill(connection)
            log.info("recorded the contexts that hold assets (added %s)", ", ".join(added))


def _add_column(connection: Connection) -> List[str]:
    present = {c["name"] for c in sa.inspect(connection).get_columns(CONTEXTS)}
    if COLUMN in present:
        return []
    kind = sa.Boolean().compile(dialect=connection.dialect)
    connection.exec_driver_sql(f"ALTER TABLE {CONTEXTS} ADD COLUMN {COLUMN} {kind}")
    return [f"{CONTEXTS}.{COLUMN}"]


def _add_triggers(connection: Connection) -> List[str]:
    if connection.dialect.name == "postgresql":
        found = connection.exec_driver_sql(
            "SELECT 1 FROM pg_trigger WHERE tgname = %(name)s AND NOT tgisinternal",
            {"name": TRIGGER}).first()  # fmt: skip
        if found is not None:
            return []
        connection.exec_driver_sql(_PG_FUNCTION)
        connection.exec_driver_sql(_PG_TRIGGER)
        return [TRIGGER]
    found = connection.exec_driver_sql(
        "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name LIKE ?",
        (f"{TRIGGER}_%",)).scalar_one()  # fmt: skip
    if found == len(_SQLITE_TRIGGERS):
        return []
    for statement in _SQLITE_TRIGGERS:
        connection.exec_driver_sql(statement)
    return [TRIGGER]


def backfill(connection: Connection) -> int:
    """Flag every context an asset belongs to (after a migration or an upgrade); how many
    contexts were flagged."""
    true = "TRUE" if connection.dialect.name == "postgresql" else "1"
    done = connection.exec_driver_sql(
        f"UPDATE {CONTEXTS} SET {COLUMN} = {true} WHERE {COLUMN} IS NOT {true} "
        f"AND id IN (SELECT context_id FROM {ASSETS})")  # fmt: skip
    return int(done.rowcount or 0)
