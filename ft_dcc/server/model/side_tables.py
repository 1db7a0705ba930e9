"""The server's own tables beside the ftrack entities (API keys, invitations, hub tickets, …)."""

from __future__ import annotations

import weakref
from typing import TYPE_CHECKING, ClassVar, Iterable, List, Mapping, Set, Tuple, Type, Union

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.schema import CreateIndex, CreateTable

if TYPE_CHECKING:
    from sqlalchemy.dialects.postgresql import Insert


def define_table(metadata: sa.MetaData, name: str, *columns: sa.Column) -> sa.Table:
    """Table ``name`` of ``metadata``, defined with ``columns`` unless it already is."""
    table = metadata.tables.get(name)
    return table if table is not None else sa.Table(name, metadata, *columns)


def side_table(engine: Engine, metadata: sa.MetaData, name: str, *columns: sa.Column) -> sa.Table:
    """Table ``name`` defined as :func:`define_table` does, and created in the database if
    missing (:func:`ensure_table`)."""
    table = define_table(metadata, name, *columns)
    ensure_table(engine, table)
    return table


#: the tables each engine's database is known to hold: read once (one catalogue query, not a
#: look-up per side table), then added to as :func:`ensure_table` creates them
_KNOWN_TABLES: weakref.WeakKeyDictionary[Engine, Set[str]] = weakref.WeakKeyDictionary()


def known_tables(engine: Engine) -> Set[str]:
    """The table names ``engine``'s database holds, as first read (and created since)."""
    known = _KNOWN_TABLES.get(engine)
    if known is None:
        known = _KNOWN_TABLES[engine] = set(sa.inspect(engine).get_table_names())
    return known


def ensure_table(engine: Engine, table: sa.Table) -> None:
    """Create ``table`` and its indexes in ``engine``'s database unless it holds it: a table
    it was not known to hold is created ``IF NOT EXISTS`` (another process may have made it
    since), in one transaction."""
    known = known_tables(engine)
    if table.name in known:
        return
    with engine.begin() as connection:
        connection.execute(CreateTable(table, if_not_exists=True))
        for index in sorted(table.indexes, key=lambda i: str(i.name)):
            connection.execute(CreateIndex(index, if_not_exists=True))
    known.add(table.name)


#: the execution option a side table's engine carries: its transactions begin READ COMMITTED on
#: PostgreSQL (``database.make_postgres_engine``), not in the read batches' snapshots
SIDE_TABLE_OPTION = "ft_side_table"

#: a column's type as ``sa.Column`` takes it: a type (``sa.Text``) or one made (``sa.String(64)``)
ColumnType = Union[sa.types.TypeEngine, Type[sa.types.TypeEngine]]


def declared_columns(
    key: Mapping[str, ColumnType], fields: Mapping[str, ColumnType], indexed: Iterable[str] = ()
) -> List[sa.Column]:
    """New columns (a column belongs to one table) of a side table declared as data: the primary
    key's ``key``, then ``fields``, none of them nullable, an index on each of ``indexed``."""
    index = set(indexed)
    return [sa.Column(name, kind, primary_key=True) for name, kind in key.items()] + [
        sa.Column(name, kind, nullable=False, index=name in index) for name, kind in fields.items()
    ]


def pg_insert(table: sa.Table) -> Insert:
    """PostgreSQL's ``INSERT … ON CONFLICT`` into ``table``, its dialect loaded on first use: a
    SQLite server never needs it (the dialect's package loads the asyncpg one too)."""
    from sqlalchemy.dialects.postgresql import insert

    return insert(table)


class SideTable:
    """The holder of one side table, defined and created in the database when it is made: a
    subclass names the table (``NAME``) and declares its columns as data, name -> type: the
    primary key's (``KEY``), the others' (``FIELDS``, never null) and which are indexed
    (``INDEXED``)."""

    NAME: ClassVar[str] = ""
    KEY: ClassVar[Mapping[str, ColumnType]] = {}
    FIELDS: ClassVar[Mapping[str, ColumnType]] = {}
    INDEXED: ClassVar[Tuple[str, ...]] = ()

    def __init__(self, engine: Engine, metadata: sa.MetaData) -> None:
        #: READ COMMITTED on PostgreSQL (``SIDE_TABLE_OPTION``): a side table's writes are keyed
        #: upserts and deletes that several processes make to one row at once (a link's counter,
        #: a hub id), which a REPEATABLE READ snapshot refuses ("could not serialize access")
        self.engine = engine.execution_options(**{SIDE_TABLE_OPTION: True})
        self.table = side_table(
            engine, metadata, self.NAME, *declared_columns(self.KEY, self.FIELDS, self.INDEXED)
        )


#: who created each row, as the server recorded it (never from the caller's data)
CREATOR_TABLE = "ft_dcc_creator"


def creator_table(metadata: sa.MetaData) -> sa.Table:
    """The creator record: one row per created entity (family and id) naming the User whose
    batch created it (null for the server's own writes), see ``store.creators``."""
    found = metadata.tables.get(CREATOR_TABLE)  # asked per create: its columns made once
    if found is not None:
        return found
    return define_table(
        metadata,
        CREATOR_TABLE,
        sa.Column("family", sa.String(64), primary_key=True),
        sa.Column("entity_id", sa.String(255), primary_key=True),
        sa.Column("user_id", sa.String(255), nullable=True),
    )


#: the ids of deleted rows, never accepted for a new row (``store.tombstones``)
TOMBSTONE_TABLE = "ft_dcc_tombstone"


def tombstone_table(metadata: sa.MetaData) -> sa.Table:
    """One row per deleted entity with a single text id: the id (whatever its type: ids are
    never shared between types), its family, who had created it (null: the server, or not
    recorded) and when it was deleted."""
    found = metadata.tables.get(TOMBSTONE_TABLE)  # asked per create: its columns made once
    if found is not None:
        return found
    return define_table(
        metadata,
        TOMBSTONE_TABLE,
        sa.Column("entity_id", sa.Text, primary_key=True),
        sa.Column("family", sa.String(64), nullable=False),
        sa.Column("user_id", sa.Text, nullable=True),
        sa.Column("deleted_at", sa.DateTime(), nullable=False),
    )
