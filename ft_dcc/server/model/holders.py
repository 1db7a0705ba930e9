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
flags (from the assets it holds) in the store's upgrade step (``store.upgrade``: the column with
the other missing columns, then :func:`upgrade`), in one transaction, so an interrupted upgrade
is done again at the next start; a new database gets the triggers with its asset table
(:func:`make_with`). The column is not an attribute of any entity: a client neither reads nor
sets it.
"""

from __future__ import annotations

import logging
from typing import FrozenSet, List

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ft_dcc.server.model.catalogue import Catalogue
from ft_dcc.server.model.name_order import name_key
from ft_dcc.server.model.pg_index import postgresql_index

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
        postgresql_index(INDEX + "_key", contexts.c.project_id, name_key(contexts.c.name),
                         postgresql={"where": where}).ddl_if(dialect="postgresql"),
    ]  # fmt: skip


def _statements(dialect: str) -> List[str]:
    """The statements that make the triggers (and PostgreSQL's trigger function) on ``dialect``."""
    return [_PG_FUNCTION, _PG_TRIGGER] if dialect == "postgresql" else _SQLITE_TRIGGERS


def _names(dialect: str) -> FrozenSet[str]:
    if dialect == "postgresql":
        return frozenset({TRIGGER})
    return frozenset(f"{TRIGGER}_{when}" for when in ("made", "moved"))


def make_with(assets: sa.Table) -> None:
    """Have the asset table's ``CREATE`` make the triggers after it: a new database has them
    from its first start, as its tables."""
    for dialect in ("sqlite", "postgresql"):
        for statement in _statements(dialect):
            sa.event.listen(assets, "after_create", sa.DDL(statement).execute_if(dialect=dialect))


def triggers_missing(found: Catalogue, dialect: str) -> bool:
    """Whether the database (``found``: its catalogue) lacks a trigger of the record."""
    return not _names(dialect) <= found.triggers


def upgrade(connection: Connection, found: Catalogue, column_added: bool) -> None:
    """In an older database's upgrade (the schema's write transaction, ``store.upgrade``), after
    its missing columns were added: the triggers when they are missing, and the flags filled in
    from the assets held when the triggers or the column (``column_added``) were not there."""
    dialect = connection.dialect.name
    missing = triggers_missing(found, dialect)
    if missing:
        for statement in _statements(dialect):
            connection.exec_driver_sql(statement)
    if missing or column_added:
        flagged = backfill(connection)
        log.info("recorded the contexts that hold assets (%d flagged)", flagged)


def backfill(connection: Connection) -> int:
    """Flag every context an asset belongs to (after a migration or an upgrade); how many
    contexts were flagged."""
    true = "TRUE" if connection.dialect.name == "postgresql" else "1"
    done = connection.exec_driver_sql(
        f"UPDATE {CONTEXTS} SET {COLUMN} = {true} WHERE {COLUMN} IS NOT {true} "
        f"AND id IN (SELECT context_id FROM {ASSETS})")  # fmt: skip
    return int(done.rowcount or 0)
