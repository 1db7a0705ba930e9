"""SQL storage generated from the entity schemas (SQLAlchemy Core).

One table per type family (a root type and its subtypes, e.g. ``Context`` holds Project, Task,
Shot…), named ``ft_<root>``, with one column per stored scalar attribute and a discriminator
column ``_entity_type`` holding the concrete type. SQLite runs in WAL mode; PostgreSQL
(``postgresql://…``) holds the same tables (see :mod:`ft_dcc.server.model.database`).
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import re
from pathlib import Path
from typing import Dict, Iterator, List, Tuple

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    Float,
    Index,
    Integer,
    MetaData,
    Table,
    Text,
    create_engine,
    event,
)
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.pool import StaticPool

from ft_dcc.server.model import holders
from ft_dcc.server.model.catalogue import Catalogue, missing_columns, missing_indexes
from ft_dcc.server.model.database import make_postgres_engine, parse_database_url
from ft_dcc.server.model.name_order import postgres_name_index
from ft_dcc.server.model.pg_index import postgresql_index
from ft_dcc.server.model.schema import SchemaModel
from ft_dcc.server.model.writers import write_turn

log = logging.getLogger(__name__)

DISCRIMINATOR = "_entity_type"
TABLE_PREFIX = "ft_"

_COLUMN_TYPES = {
    "string": Text,
    "boolean": Boolean,
    "integer": Integer,
    "number": Float,
    "datetime": DateTime,
    "variable": Text,  # JSON text
    "object": Text,  # JSON text
}


def table_name(family: str) -> str:
    """``AssetVersion`` -> ``ft_asset_version``."""
    return TABLE_PREFIX + re.sub(r"(?<!^)(?=[A-Z])", "_", family).lower()


def index_name(table: str, column: str) -> str:
    """``ix_<table>_<column>``, shortened with a hash to fit PostgreSQL's 63 characters."""
    name = f"ix_{table}_{column}"
    if len(name) <= 60:
        return name
    digest = hashlib.md5(name.encode("utf-8")).hexdigest()[:8]
    return f"{name[:51]}_{digest}"


#: Columns the queries find rows by besides ids: a name test (``parent.name is "sh010"``)
#: compiles to ``parent_id IN (SELECT id … WHERE name = ?)``, answered by an index on ``name``
#: (on PostgreSQL a hash index: names are compared for equality, and may be longer than a
#: B-tree row can hold).
LOOKUP_COLUMNS = frozenset({"name"})
#: Indexes of several columns, by family: the desk lists a project's review sessions newest
#: first, and its open ones (no end date) newest first, a page at a time; these indexes give
#: those rows in that order, so a page reads its rows, not every session of the project.
ORDERED_INDEXES: Dict[str, Tuple[Tuple[str, ...], ...]] = {
    "ReviewSession": (
        ("project_id", "created_at", "id"),
        ("project_id", "end_date", "created_at", "id"),
        ("end_date", "created_at", "id"),  # the studio's open sessions (the review room's list)
    ),
}


#: Indexes of several columns made on SQLite only: the desk's "latest of each shot" walks a
#: project's contexts in name order, and its version search tests a part of their names in the
#: index, before reading a row. PostgreSQL's index of the same (a B-tree row there must stay
#: under 2.7 KB, which a long name may not) holds a prefix of the name: ``model.name_order``.
SQLITE_ORDERED_INDEXES: Dict[str, Tuple[Tuple[str, ...], ...]] = {
    "Context": (("project_id", "name"),),
}


#: Columns almost every row leaves null, looked up by value (``in_reply_to_id in (…)``: the
#: replies to a page's notes). SQLite's statistics count the nulls as one value shared by every
#: row, so after ``ANALYZE`` the planner takes the column's index for useless and reads the whole
#: table; an index of the rows that hold a value (partial: ``IS NOT NULL``, which any comparison
#: of the column implies) is counted for what it holds.
SPARSE_COLUMNS: Dict[str, Tuple[str, ...]] = {"Note": ("in_reply_to_id",)}


def build_tables(model: SchemaModel, metadata: MetaData) -> Dict[str, Table]:
    """Create the Table objects for every family; returns family name -> Table."""
    tables: Dict[str, Table] = {}
    families = sorted({t.family for t in model.types.values()})
    for family in families:
        root = model.types[family]
        columns = model.columns_of_family(family)
        table_columns = [Column(DISCRIMINATOR, Text, nullable=False, index=True)]
        for name, value_type in sorted(columns.items()):
            table_columns.append(
                Column(name, _COLUMN_TYPES[value_type](), primary_key=name in root.primary_key)
            )
        if family == "Context":  # which contexts hold assets (model.holders)
            table_columns.append(holders.column())
        table = Table(table_name(family), metadata, *table_columns)
        if family == "Context":
            holders.index(table)
        if family == "Asset":  # its triggers keep the contexts' flag (model.holders)
            holders.make_with(table)
        for name in columns:
            if name.endswith("_id") and name not in root.primary_key:
                Index(index_name(table.name, name), table.c[name])
            elif name in LOOKUP_COLUMNS:  # hashed on PostgreSQL: a B-tree row holds < 2.7 KB
                postgresql_index(index_name(table.name, name), table.c[name],
                                 postgresql={"using": "hash"})  # fmt: skip
        if len(root.descendants) > 1 and tuple(root.primary_key) == ("id",):
            # a type of a shared table read in id order (``from Project``, a query's default
            # order): its own rows in that order, not every context of the studio read by id
            # (SQLite's planner did that; PostgreSQL's reads the type's rows and sorts them)
            Index(index_name(table.name, f"{DISCRIMINATOR}_id"), table.c[DISCRIMINATOR],
                  table.c.id).ddl_if(dialect="sqlite")  # fmt: skip
        for names in ORDERED_INDEXES.get(family, ()):
            Index(index_name(table.name, "_".join(names)), *(table.c[name] for name in names))
        for names in SQLITE_ORDERED_INDEXES.get(family, ()):
            Index(index_name(table.name, "_".join(names)),
                  *(table.c[name] for name in names)).ddl_if(dialect="sqlite")  # fmt: skip
            postgres_name_index(index_name(table.name, "_".join(names) + "_key"), table)
        for name in SPARSE_COLUMNS.get(family, ()):
            column = table.c[name]
            postgresql_index(index_name(table.name, f"{name}_set"), column,
                             sqlite_where=column.isnot(None),
                             postgresql={"where": column.isnot(None)})  # fmt: skip
        tables[family] = table
    return tables


def build_link_tables(model: SchemaModel, metadata: MetaData) -> Dict[str, Table]:
    """The hidden many-to-many link tables (``ft_link_<name>``, the pair as primary key) that
    the schema's relations use; returns name -> Table (see ``schema.LinkTable``)."""
    tables: Dict[str, Table] = {}
    for name, (first, second) in sorted(model.hidden_link_tables().items()):
        table = Table(
            f"{TABLE_PREFIX}link_{name}",
            metadata,
            Column(first, Text, primary_key=True),
            Column(second, Text, primary_key=True),
        )
        Index(index_name(table.name, second), table.c[second])
        tables[name] = table
    return tables


def add_missing_columns(connection: Connection, metadata: MetaData, found: Catalogue) -> List[str]:
    """Add the columns that newer schema data introduced to the tables an older version created
    (``found``: what the database holds); the ``table.column`` names added (nullable, no data
    migration needed)."""
    preparer = connection.dialect.identifier_preparer
    added: List[str] = []
    for table, column in missing_columns(metadata, found, TABLE_PREFIX):
        kind = column.type.compile(dialect=connection.dialect)
        connection.exec_driver_sql(f"ALTER TABLE {preparer.quote(table.name)} "
                                   f"ADD COLUMN {preparer.quote(column.name)} {kind}")  # fmt: skip
        added.append(f"{table.name}.{column.name}")
    if added:
        log.info("added %d new storage column(s): %s", len(added), ", ".join(added))
    return added


def add_missing_indexes(connection: Connection, metadata: MetaData, found: Catalogue) -> List[str]:
    """Create the indexes of ``metadata``'s tables that a database made by an older version lacks
    (``found``: what it holds); the names of those created."""
    added: List[str] = []
    for index in missing_indexes(metadata, found, connection.dialect.name):
        index.create(connection)
        added.append(str(index.name))
    if added:
        log.info("added %d storage index(es): %s", len(added), ", ".join(added))
    return added


#: SQLite's page cache per connection, in KiB (``PRAGMA cache_size`` takes a negative count as
#: KiB; its default is 2 MiB): a desk read of a year's database (a page of "latest of each shot":
#: 500 assets, their versions and contexts, spread over a 1.3 GB file at 100x) touches more
#: pages than 2 MiB hold, and read them again from the file each time -- the same steps of the
#: virtual machine as at 1x, 1.4 times the CPU; with 32 MiB, 1.1 times. A connection's cache
#: grows only as it reads, up to this.
SQLITE_CACHE_KIB = 32 * 1024


def _enable_sqlite_pragmas(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:  # pragma: no cover - driver callback
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=OFF")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute(f"PRAGMA cache_size=-{SQLITE_CACHE_KIB}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection) -> None:  # pragma: no cover - driver callback
        # Writers take the write lock up front so that read-modify-write (version numbers)
        # is serialised; readers use a deferred transaction and never block writers (WAL).
        if connection.get_execution_options().get("ft_write"):
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            connection.exec_driver_sql("BEGIN")


@contextlib.contextmanager
def write_transaction(engine: Engine) -> Iterator[Connection]:
    """A connection of ``engine`` in a write transaction, for any write that reads first or
    writes more than once: SQLite takes the write lock up front (``BEGIN IMMEDIATE``) and so waits
    for other writers, where a deferred reader turned writer fails at once with "database is
    locked"; PostgreSQL takes the shared write lock, where a ``REPEATABLE READ`` snapshot would
    fail on a row another process changed meanwhile."""
    with write_turn(engine):  # this process's writers in order (model.writers)
        connection = engine.connect().execution_options(ft_write=True)
        with connection, connection.begin():
            yield connection


def make_engine(database_url: str) -> Engine:
    """An engine for ``database_url``; SQLite files get WAL and serialised writers, PostgreSQL
    a shared write lock (see :mod:`ft_dcc.server.model.database`)."""
    url = parse_database_url(database_url)
    if url.get_backend_name() == "sqlite":
        options: dict = {"connect_args": {"timeout": 30, "check_same_thread": False}}
        if url.database and url.database != ":memory:":
            Path(url.database).parent.mkdir(parents=True, exist_ok=True)
        else:
            options["poolclass"] = StaticPool  # one shared in-memory database
        engine = create_engine(url, **options)
        _enable_sqlite_pragmas(engine)
        return engine
    return make_postgres_engine(url)
