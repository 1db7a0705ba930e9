"""The entity schemas and their tables, defined once per process and shared by every store.

Defining the SQLAlchemy ``Table`` objects of the schema (about 90 families and link tables, with
their columns and indexes) was 70 % of a store's opening, and a process opens stores again and
again (each worker of a server, a command, a test); reading the schemas (190 KB of JSON) and
hashing them was most of the rest. The definitions depend only on the schemas, package data:
SQLAlchemy's ``Table`` is backend-neutral (SQLite and PostgreSQL compile it each in their own
dialect, with their own statement caches) and holds no connection, so one set serves every store
of the process. Each store keeps a ``MetaData`` of its own (its side tables, the caches keyed by
it) that holds these shared tables beside its own.

Nothing changes a shared table after :func:`schema_tables` returns it: the unique indexes that
a database with duplicates may lack are made detached (:data:`SchemaTables.unique_indexes`, see
``rules.integrity``), not attached to their tables.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from typing import List, Mapping, Tuple

import sqlalchemy as sa

from ft_dcc.protocol import schema_hash
from ft_dcc.protocol.json_value import JsonObject
from ft_dcc.protocol.schemas import load_schemas
from ft_dcc.server.model.schema import SchemaModel
from ft_dcc.server.model.storage import build_link_tables, build_tables
from ft_dcc.server.rules.integrity import unique_indexes
from ft_dcc.server.store import shared_ddl

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SchemaTables:
    """The schemas (``query_schemas``'s answer, never changed), their ``digest`` (the hash the
    client computes), model and tables: ``tables`` (family -> Table), ``link_tables`` (hidden
    many-to-many link tables: name -> Table), held by ``metadata``; ``unique_indexes`` made on
    their tables but not attached to them."""

    schemas: List[JsonObject]
    digest: str
    model: SchemaModel
    metadata: sa.MetaData
    tables: Mapping[str, sa.Table]
    link_tables: Mapping[str, sa.Table]
    unique_indexes: Tuple[sa.Index, ...]

    def add_to(self, metadata: sa.MetaData) -> None:
        """Have ``metadata`` (a store's own) hold the shared tables, as if defined in it."""
        for table in self.metadata.tables.values():
            metadata._add_table(table.name, table.schema, table)


_BUILT: List[SchemaTables] = []
_LOCK = threading.Lock()


def schema_tables() -> SchemaTables:
    """The schemas, their model and tables, built on first use."""
    with _LOCK:
        if not _BUILT:
            _BUILT.append(_build())
            log.debug("defined the tables of schema %s", _BUILT[0].digest)
        return _BUILT[0]


def _build() -> SchemaTables:
    schemas = load_schemas()
    model = SchemaModel(schemas)
    metadata = sa.MetaData()
    tables = build_tables(model, metadata)
    link_tables = build_link_tables(model, metadata)
    unique = unique_indexes(model, tables)
    shared_ddl.share(metadata.tables.values(), unique)  # their DDL compiled once per dialect
    return SchemaTables(schemas, schema_hash(schemas), model, metadata, tables, link_tables,
                        unique)  # fmt: skip
