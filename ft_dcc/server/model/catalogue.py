"""What a database holds, as its own catalogue says: every table's columns, the names of its
indexes and triggers, read in two statements whatever the number of tables.

A store's upgrade step (``store.upgrade``) reads it at every start to find what an older
database lacks, and takes the schema's write lock only when something does. SQLAlchemy's
inspector asks SQLite table by table (a ``PRAGMA`` per table, and per index) and parses every
column's type: a hundred statements at each start of a current database, for nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, FrozenSet, List, Set, Tuple

import sqlalchemy as sa
from sqlalchemy.engine import Connection

_SQLITE_COLUMNS = ("SELECT m.name, p.name FROM sqlite_master AS m "
                   "JOIN pragma_table_info(m.name) AS p WHERE m.type = 'table'")  # fmt: skip
_SQLITE_NAMES = "SELECT type, name FROM sqlite_master WHERE type IN ('index', 'trigger')"
#: the tables, indexes and triggers of the schema the connection works in (``current_schema``)
_PG_HERE = "relnamespace = current_schema()::text::regnamespace"
_PG_COLUMNS = (
    "SELECT c.relname, a.attname FROM pg_catalog.pg_attribute AS a "
    "JOIN pg_catalog.pg_class AS c ON c.oid = a.attrelid "
    f"WHERE c.{_PG_HERE} AND c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped"
)
_PG_NAMES = (
    f"SELECT 'index', relname FROM pg_catalog.pg_class WHERE {_PG_HERE} AND relkind IN ('i', 'I') "
    "UNION ALL SELECT 'trigger', t.tgname FROM pg_catalog.pg_trigger AS t "
    f"JOIN pg_catalog.pg_class AS c ON c.oid = t.tgrelid WHERE c.{_PG_HERE} AND NOT t.tgisinternal"
)


@dataclass(frozen=True)
class Catalogue:
    """``columns``: table name -> its column names; ``indexes`` and ``triggers``: names."""

    columns: Dict[str, FrozenSet[str]]
    indexes: FrozenSet[str]
    triggers: FrozenSet[str]


def read(connection: Connection) -> Catalogue:
    """The catalogue of the database ``connection`` is open on (see the module's doc)."""
    postgres = connection.dialect.name == "postgresql"
    columns: Dict[str, Set[str]] = {}
    for table, column in connection.exec_driver_sql(_PG_COLUMNS if postgres else _SQLITE_COLUMNS):
        columns.setdefault(str(table), set()).add(str(column))
    names: Dict[str, Set[str]] = {"index": set(), "trigger": set()}
    for kind, name in connection.exec_driver_sql(_PG_NAMES if postgres else _SQLITE_NAMES):
        names[str(kind)].add(str(name))
    return Catalogue(
        columns={table: frozenset(each) for table, each in columns.items()},
        indexes=frozenset(names["index"]),
        triggers=frozenset(names["trigger"]),
    )


def missing_columns(metadata: sa.MetaData, found: Catalogue,
                    prefix: str) -> List[Tuple[sa.Table, sa.Column]]:  # fmt: skip
    """The columns of ``metadata``'s tables named ``prefix…`` that the database's tables of
    those names lack (a key column is never added: a table without it was made anew)."""
    missing: List[Tuple[sa.Table, sa.Column]] = []
    for table in metadata.sorted_tables:
        present = found.columns.get(table.name)
        if present is None or not table.name.startswith(prefix):
            continue
        missing.extend((table, column) for column in table.columns
                       if column.name not in present and not column.primary_key)  # fmt: skip
    return missing


def missing_indexes(metadata: sa.MetaData, found: Catalogue, dialect: str) -> List[sa.Index]:
    """The indexes of ``metadata``'s tables made on ``dialect`` that the database lacks, each
    table's in name order."""
    missing: List[sa.Index] = []
    for table in metadata.sorted_tables:
        for index in sorted(table.indexes, key=lambda each: str(each.name)):
            only = index._ddl_if.dialect if index._ddl_if is not None else None
            if only in (None, dialect) and index.name not in found.indexes:
                missing.append(index)
    return missing
