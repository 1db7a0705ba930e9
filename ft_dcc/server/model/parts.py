"""What other rooms see of the store's data model: the schema model, its tables and the engine.

The store (``ft_dcc.server.store.store.Store``) provides these; rules, built-in data and the
review room are written against this protocol, so none of them imports the store.
"""

from __future__ import annotations

from typing import Dict, Protocol

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from ft_dcc.server.model.schema import SchemaModel


class ModelTables(Protocol):
    """The schema model and the tables by family (enough for SQL inside a given connection)."""

    model: SchemaModel
    tables: Dict[str, sa.Table]


class StoreParts(ModelTables, Protocol):
    """The schema model, the tables by family, the SQLAlchemy metadata and the engine."""

    metadata: sa.MetaData
    engine: Engine
