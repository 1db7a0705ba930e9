"""The server's creator record: who created each owned row (``ft_dcc_creator``).

Written by the batch on every create of a type in the ownership model
(:mod:`ft_dcc.server.rules.ownership_model`), from the caller's identity only; nothing a caller
sends in ``entity_data`` reaches it, and no API operation can change it (it is not an entity).

Migration: a database written before the record existed gets one once (marked in the storage
info table): for each type with a ``legacy_owner`` column (``AssetVersion.user_id``,
``ReviewSession.created_by_id``, ``Note.user_id``) the creator of an existing row is read from
that column at migration time. Rows of other types get no creator; they are owned through their
parent (a Component through its AssetVersion…), or by administrators only (an Asset).
"""

from __future__ import annotations

import logging
from typing import Dict, Mapping, Optional, Sequence

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from ft_dcc.server.model.database import INFO_TABLE, SCHEMA_LOCK_KEY, is_postgres
from ft_dcc.server.model.schema import EntityType, SchemaModel
from ft_dcc.server.model.side_tables import creator_table
from ft_dcc.server.model.storage import DISCRIMINATOR
from ft_dcc.server.rules.ownership_model import MODEL, ownership_of

log = logging.getLogger(__name__)

MIGRATED_KEY = "creator_records"


def is_recorded(etype: EntityType) -> bool:
    """Whether creates of ``etype`` are recorded (a single-key type of the ownership model)."""
    spec = ownership_of(etype.name, etype.family)
    return len(etype.primary_key) == 1 and spec is not None and spec.recorded


def record(
    connection: Connection, metadata: sa.MetaData, etype: EntityType, ident: object,
    user_id: Optional[str],
) -> None:  # fmt: skip
    """Record ``user_id`` (None: the server itself) as the creator of a new row."""
    if not is_recorded(etype):
        return
    table = creator_table(metadata)
    connection.execute(sa.delete(table).where(table.c.family == etype.family,
                                              table.c.entity_id == str(ident)))  # fmt: skip
    connection.execute(
        sa.insert(table).values(family=etype.family, entity_id=str(ident), user_id=user_id)
    )


def record_many(
    connection: Connection, metadata: sa.MetaData, etype: EntityType, idents: Sequence[object],
    user_id: Optional[str],
) -> None:  # fmt: skip
    """:func:`record` for many new rows of ``etype``: a statement per 500 ids, and one insert."""
    if not is_recorded(etype) or not idents:
        return
    table = creator_table(metadata)
    texts = [str(ident) for ident in idents]
    for start in range(0, len(texts), 500):
        some = texts[start : start + 500]
        connection.execute(sa.delete(table).where(table.c.family == etype.family,
                                                  table.c.entity_id.in_(some)))  # fmt: skip
    rows = [{"family": etype.family, "entity_id": text, "user_id": user_id} for text in texts]
    connection.execute(sa.insert(table), rows)


def forget(connection: Connection, metadata: sa.MetaData, etype: EntityType, ident: object) -> None:
    """A deleted row's record goes with it (an id created again is recorded anew)."""
    if is_recorded(etype):
        table = creator_table(metadata)
        connection.execute(sa.delete(table).where(table.c.family == etype.family,
                                                  table.c.entity_id == str(ident)))  # fmt: skip


def creators_among(
    connection: Connection, metadata: sa.MetaData, etype: EntityType, idents: Sequence[str]
) -> Dict[str, Optional[str]]:
    """The recorded creators of rows of ``etype`` (``ft_dcc.server.rules.ownership.creator_of``
    of many): id -> user id, a statement per 500 ids (none for a type not recorded)."""
    table = creator_table(metadata)
    found: Dict[str, Optional[str]] = {}
    for start in range(0, len(idents), 500):
        some = list(idents[start : start + 500])
        rows = connection.execute(sa.select(table.c.entity_id, table.c.user_id).where(
            table.c.family == etype.family, table.c.entity_id.in_(some)))  # fmt: skip
        found.update((str(row[0]), row[1]) for row in rows)
    return found


def forget_many(
    connection: Connection, metadata: sa.MetaData, etype: EntityType, idents: Sequence[str]
) -> None:
    """:func:`forget` for many deleted rows of ``etype``: a statement per 500 ids."""
    if not is_recorded(etype):
        return
    table = creator_table(metadata)
    for start in range(0, len(idents), 500):
        some = list(idents[start : start + 500])
        connection.execute(sa.delete(table).where(table.c.family == etype.family,
                                                  table.c.entity_id.in_(some)))  # fmt: skip


def migrate(engine: Engine, model: SchemaModel, tables: Mapping[str, sa.Table],
            metadata: sa.MetaData) -> None:  # fmt: skip
    """Give rows written before the creator record one, once (see the module's words)."""
    info = metadata.tables[INFO_TABLE]
    record_table = creator_table(metadata)
    with engine.connect() as connection, connection.begin():
        if _migrated(connection, info):
            return  # every start but the first: read, no lock
    with engine.connect() as connection, connection.begin():
        if is_postgres(engine):
            connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({SCHEMA_LOCK_KEY})")
        if _migrated(connection, info):  # another process did it meanwhile
            return
        total = 0
        for spec in MODEL:
            etype = model.types.get(spec.type_name)
            if etype is None or spec.legacy_owner is None:
                continue
            table = tables[etype.family]
            recorded = sa.select(record_table.c.entity_id).where(
                record_table.c.family == etype.family
            )
            rows = connection.execute(
                sa.select(table.c.id, table.c[spec.legacy_owner]).where(
                    table.c[DISCRIMINATOR].in_(etype.descendants), table.c.id.not_in(recorded)
                )
            ).fetchall()
            for ident, owner in rows:
                connection.execute(sa.insert(record_table).values(
                    family=etype.family, entity_id=str(ident), user_id=owner))  # fmt: skip
            total += len(rows)
        connection.execute(sa.insert(info).values(key=MIGRATED_KEY, value="1"))
    if total:
        log.info("creator record: %d existing row(s) took their creator from user_id or "
                 "created_by_id", total)  # fmt: skip


def _migrated(connection: Connection, info: sa.Table) -> bool:
    done = connection.execute(sa.select(info.c.value).where(info.c.key == MIGRATED_KEY))
    return done.first() is not None
