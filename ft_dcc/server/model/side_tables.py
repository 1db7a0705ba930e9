"""The server's own tables beside the ftrack entities (API keys, invitations, hub tickets, …)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Engine


def define_table(metadata: sa.MetaData, name: str, *columns: sa.Column) -> sa.Table:
    """Table ``name`` of ``metadata``, defined with ``columns`` unless it already is."""
    table = metadata.tables.get(name)
    return table if table is not None else sa.Table(name, metadata, *columns)


def side_table(engine: Engine, metadata: sa.MetaData, name: str, *columns: sa.Column) -> sa.Table:
    """Table ``name`` defined as :func:`define_table` does, and created in the database if
    missing."""
    table = define_table(metadata, name, *columns)
    metadata.create_all(engine, tables=[table])
    return table
