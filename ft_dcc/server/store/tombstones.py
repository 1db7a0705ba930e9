"""No right from an id alone: the id of a deleted row is never accepted for a new row.

Ids are readable (a query, an event, a link names them), and much hangs off an id outside its
row: a review session's audit trail, the grants and links minted for it, its settings, a
component's stored file. Were a deleted id free again, whoever created a row with it would be
taken for the heir of all that. So every delete of a row with a single text id (cascaded rows
too) leaves a tombstone (``ft_dcc_tombstone``: the id, its family, its recorded creator, when),
and a create naming a buried id is refused (409 ``IntegrityError``, saying to send a new id;
``error_code`` ``deleted_id`` names the type and id:
:class:`~ft_dcc.server.common.errors.DeletedId`).

What hung off the row dies or stays with its owner: its settings (``EntitySetting``) and
metadata are deleted with it, the grants resting on it are revoked when the delete commits
(``grants.changes``), and its audit trail stays, readable by administrators only (no one can
create the session again to claim it).

Ids that clients derive from names for rows off which nothing hangs (:data:`REUSABLE`: an
asset, an asset type, a component's location) are not buried, so publishing again after such a
delete works. A review session's and an invitee's ids are buried although publishes derive them
(a dated session's name, an invitee's address): their audit trail and links hang off them. A
publish refused with ``deleted_id`` takes the next generation of the derived id, so the name is
published into again (a new row, with none of the old one's trail or links).

Concurrency: write batches are serialised (SQLite ``BEGIN IMMEDIATE``; PostgreSQL's write
advisory lock taken at ``BEGIN``, then READ COMMITTED), so a create that begins after a delete
committed sees its tombstone, whichever worker ran either. Ids deleted before this table
existed are not known (nothing recorded them).
"""

from __future__ import annotations

import datetime as dt
from typing import Optional, Sequence, Set, Tuple

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ft_dcc.server.common.errors import DeletedId
from ft_dcc.server.model.schema import EntityType
from ft_dcc.server.model.side_tables import tombstone_table
from ft_dcc.server.rules.registry import Key

#: families whose ids clients derive from names (``ft_dcc.review.sessions.derived_id``: racing
#: publishes send the same id, so the server keeps one) and off which nothing outside the row
#: hangs: an Asset's versions, notes, metadata, settings and creator record go with it; an
#: AssetType is an administrator's; a ComponentLocation lives and dies with its component (whose
#: id is buried). A publish after such a delete makes the row again under the same id.
REUSABLE = frozenset({"Asset", "AssetType", "ComponentLocation"})
#: ids asked in one ``IN (…)`` list
IDS_PER_STATEMENT = 500


def has_text_id(etype: EntityType) -> bool:
    """Whether ``etype``'s key is a single text id (``id``)."""
    if len(etype.primary_key) != 1:
        return False
    attr = etype.attributes.get(etype.primary_key[0])
    return attr is not None and attr.value_type == "string"


def is_buried_type(etype: EntityType) -> bool:
    """Whether deletes of ``etype`` leave tombstones: a single text key (``id``), except the
    :data:`REUSABLE` families; not rows keyed by what they join (a setting, a link row), nor
    the integer ids of events."""
    return etype.family not in REUSABLE and has_text_id(etype)


def bury(
    connection: Connection, metadata: sa.MetaData, etype: EntityType, ident: object,
    user_id: Optional[str],
) -> None:  # fmt: skip
    """Record that the row ``ident`` of ``etype`` is deleted (its creator: ``user_id``)."""
    if not is_buried_type(etype) or is_buried(connection, metadata, ident):
        return
    table = tombstone_table(metadata)
    now = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None, microsecond=0)
    connection.execute(sa.insert(table).values(
        entity_id=str(ident), family=etype.family, user_id=user_id, deleted_at=now))  # fmt: skip


def bury_many(
    connection: Connection, metadata: sa.MetaData, etype: EntityType,
    rows: Sequence[Tuple[str, Optional[str]]],
) -> None:  # fmt: skip
    """:func:`bury` for many deleted rows of ``etype`` (``(id, creator)`` each): which are
    buried already, a statement per :data:`IDS_PER_STATEMENT`, then one insert."""
    if not is_buried_type(etype) or not rows:
        return
    buried = buried_among(connection, metadata, etype, [ident for ident, _user in rows])
    now = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None, microsecond=0)
    new = [{"entity_id": str(ident), "family": etype.family, "user_id": user, "deleted_at": now}
           for ident, user in dict(rows).items() if ident not in buried]  # fmt: skip
    if new:
        connection.execute(sa.insert(tombstone_table(metadata)), new)


def is_buried(connection: Connection, metadata: sa.MetaData, ident: object) -> bool:
    """Whether ``ident`` is the id of a deleted row."""
    table = tombstone_table(metadata)
    found = connection.execute(sa.select(table.c.entity_id).where(table.c.entity_id == str(ident)))
    return found.first() is not None


def buried_among(
    connection: Connection, metadata: sa.MetaData, etype: EntityType, idents: Sequence[object]
) -> Set[object]:
    """Which of ``idents`` (new rows of ``etype``) are ids of deleted rows: a statement per
    :data:`IDS_PER_STATEMENT` (none for a type whose deletes leave no tombstone)."""
    if not is_buried_type(etype):
        return set()
    table = tombstone_table(metadata)
    texts = {str(ident): ident for ident in idents}
    asked = list(texts)
    found: Set[object] = set()
    for start in range(0, len(asked), IDS_PER_STATEMENT):
        some = asked[start : start + IDS_PER_STATEMENT]
        rows = connection.execute(sa.select(table.c.entity_id).where(table.c.entity_id.in_(some)))
        found.update(texts[row[0]] for row in rows)
    return found


def refuse_buried(
    connection: Connection, metadata: sa.MetaData, etype: EntityType, key: Key
) -> None:
    """Refuse a create of ``etype`` whose id is that of a deleted row."""
    if is_buried_type(etype) and is_buried(connection, metadata, key[0]):
        raise DeletedId(etype.name, str(key[0]))
