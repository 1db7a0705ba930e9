"""Upload ids without a component row yet: reserved for whoever first asked to upload to them.

The ftrack client asks ``get_upload_metadata`` for a component id *before* it creates that
Component (``create_component``: upload, then create). Until the row exists, the id is owned by
the first User who asked to upload to it: only they (or an administrator) get an upload URL for
it, remove its file, or create the Component row with that id. Once the row exists, its owners
decide (:func:`ft_dcc.server.rules.ownership.file_refusal`).

The reservation is a row of the server's creator record (``ft_dcc_creator``) under its own
family :data:`FAMILY`, so every worker sees it (the table exists from start-up) and no API
operation can change it.
"""

from __future__ import annotations

from typing import Optional

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError

from ft_dcc.server.model.side_tables import creator_table

#: the creator-record family of upload reservations (no entity family has this name)
FAMILY = "ft_dcc.upload"


def reserved_by(connection: Connection, metadata: sa.MetaData, component_id: object
                ) -> Optional[str]:  # fmt: skip
    """The User who reserved ``component_id`` for an upload, or ``None``."""
    if not component_id:
        return None
    table = creator_table(metadata)
    found = connection.execute(
        sa.select(table.c.user_id).where(
            table.c.family == FAMILY, table.c.entity_id == str(component_id)
        )
    ).scalar()
    return str(found) if found else None


def reserve(engine: Engine, metadata: sa.MetaData, component_id: str, user_id: str) -> str:
    """Reserve ``component_id`` for ``user_id`` unless someone holds it; the holder."""
    with engine.connect() as connection:
        holder = reserved_by(connection, metadata, component_id)
    if holder is not None:
        return holder
    table = creator_table(metadata)
    try:
        with engine.begin() as connection:
            connection.execute(
                sa.insert(table).values(family=FAMILY, entity_id=component_id, user_id=user_id)
            )
    except IntegrityError:  # another request (maybe another worker) reserved it first
        pass
    with engine.connect() as connection:
        return reserved_by(connection, metadata, component_id) or user_id


def taken(component_id: str, doing: str) -> str:
    """The refusal for a reserved upload id."""
    return (
        f"You may not {doing} Component {component_id}: another User is uploading to that id "
        "(it has no component row yet). Only they or an administrator may; send a new id of "
        "your own."
    )
