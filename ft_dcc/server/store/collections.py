"""Collection assignments of an ``/api`` batch: one-to-many keys and many-to-many links."""

from __future__ import annotations

import uuid
from typing import Dict, List, Mapping, Optional, Protocol, Sequence, cast

from sqlalchemy import ColumnElement, and_, delete, insert, select, update

from ft_dcc.server.common.errors import ApiOperationError
from ft_dcc.server.model.schema import Attribute, EntityType, LinkTable
from ft_dcc.server.model.storage import DISCRIMINATOR
from ft_dcc.server.query.compiler import Compiler
from ft_dcc.server.query.values import StoredRow
from ft_dcc.server.rules.registry import (
    BatchView,
    Key,
    RuleRegistry,
    Touched,
    WriteStep,
    concrete_type,
    key_of,
)

#: an entity reference as sent in a collection value: ``{"__entity_type__": …, "id": …}``
Reference = Mapping[str, object]


def _fail(message: str, exception: str = "ValidationError") -> ApiOperationError:
    return ApiOperationError(message, exception)


def _type_name(item: Reference, default: str) -> str:
    """The type a reference names (``default`` when it names none)."""
    name = item.get("__entity_type__")
    return str(name) if name else default


class CollectionBatch(BatchView, Protocol):
    """What collection writes need of the batch beyond what rules see."""

    compiler: Compiler
    rules: RuleRegistry

    def entity_key(self, etype: EntityType, key: object) -> Key: ...

    def key_condition(self, etype: EntityType, key: Key) -> ColumnElement[bool]: ...

    def delete_row(self, etype: EntityType, key: Key, row: StoredRow, depth: int) -> None: ...


class CollectionWriter:
    """Apply a collection value (a list of entity references) inside one batch.

    One-to-many collections set each listed child's key to the owner (others stay attached,
    as the client may send only new members); many-to-many link collections are replaced.
    """

    def __init__(self, batch: CollectionBatch) -> None:
        self.batch = batch
        self.model = batch.model
        self.tables = batch.tables
        self.compiler = batch.compiler
        self.connection = batch.connection

    def set_collection(
        self, etype: EntityType, key: Key, attr: Attribute, value: Sequence[object]
    ) -> None:
        owner_id = key[0]
        target = self.model.get(attr.target or "")
        if target is None:
            raise _fail(f"'{attr.name}' of {etype.name} cannot be set through the API")
        items: List[Reference] = []
        for item in value:
            if not isinstance(item, dict):
                raise _fail(f"'{attr.name}' of {etype.name} must be a list of entity references")
            items.append(item)
        if attr.kind == "mapped":
            self._check_mapped(etype, attr, target, items)
            return
        if attr.link is not None:
            self.set_link_collection(etype, owner_id, attr, target, items)
            return
        remote = attr.remote_key
        child_table = self.tables[target.family]
        if not remote or remote not in child_table.c:
            raise _fail(f"Setting '{attr.name}' of {etype.name} is not supported by this server")
        for item in items:
            item_type = self.model.get(_type_name(item, target.name))
            if item_type is None or item_type.family != target.family:
                raise _fail(f"'{attr.name}' of {etype.name} holds {target.name} entities")
            item_key = self.batch.entity_key(
                item_type, [item.get(n) for n in item_type.primary_key]
            )
            row = self.batch.load(item_type, item_key)
            if row is None:
                raise _fail(
                    f"{item_type.name} {item_key[0]} in '{attr.name}' does not exist; create it "
                    "first (earlier in the same batch is fine)",
                    "NotFoundError",
                )
            values: Dict[str, object] = {remote: owner_id}
            if target.name == "Note" and remote == "parent_id":
                values["parent_type"] = etype.name
            if attr.filter is not None:
                values[attr.filter[0]] = attr.filter[1]
            if any(row.get(name) != value for name, value in values.items()):
                self._move_child(item_type, item_key, values, row)

    def _check_mapped(
        self, etype: EntityType, attr: Attribute, target: EntityType, items: List[Reference]
    ) -> None:
        """A mapped collection is computed, not stored: each listed row must exist and be of
        the collection's type."""
        for item in items:
            mapped = self.model.get(_type_name(item, target.name)) or target
            if (
                not self.model.is_subtype(mapped.name, target.family)
                and mapped.family != target.family
            ):
                raise _fail(f"'{attr.name}' of {etype.name} holds {target.name} entities")
            item_key = self.batch.entity_key(mapped, [item.get(n) for n in mapped.primary_key])
            if self.batch.load(mapped, item_key) is None:
                raise _fail(
                    f"{mapped.name} {list(item_key)} in '{attr.name}' does not exist",
                    "NotFoundError",
                )

    def _move_child(
        self, etype: EntityType, key: Key, values: Dict[str, object], row: StoredRow
    ) -> None:
        """Point a child at its new owner: a write of the child's row, so the rules judge it as
        they judge an update of that row (who owns it, what may not change)."""
        moved = cast(StoredRow, dict(row, **values))  # the row as it will be stored
        step = WriteStep("update", etype, key, values, row, moved)
        self.batch.rules.check_step(self.batch, step)
        self.connection.execute(
            update(self.tables[etype.family]).where(self.batch.key_condition(etype, key))
            .values(**values)
        )  # fmt: skip
        self.batch.touched.append(Touched(len(self.batch.changes), etype, key))
        written = self.batch.load(etype, key)
        if written is not None:
            self.batch.rules.check_written(self.batch, step, written)

    def set_link_collection(
        self,
        etype: EntityType,
        owner_id: object,
        attr: Attribute,
        target: EntityType,
        items: Sequence[Reference],
    ) -> None:
        """Many-to-many: the list is the new membership. Pairs that stay are kept as they are
        (a ``ListObject`` keeps its id and custom attributes); the others go or come."""
        link = attr.link
        if link is None:
            raise _fail(f"'{attr.name}' of {etype.name} is not a many-to-many collection")
        members = self._link_members(etype, attr, target, items)
        pairs = self.compiler.link_pairs(link)
        current = {
            row[0]
            for row in self.connection.execute(
                select(pairs.c[link.member]).where(pairs.c[link.owner] == owner_id)
            )
        }
        removed = current - set(members)
        if removed:
            self.unlink(link, link.owner, owner_id, sorted(removed))
        table = self.compiler.link_table(link)
        for member in members:
            if member in current:
                continue
            values = {link.owner: owner_id, link.member: member}
            if not link.hidden:  # link entities: a row of the link type with its own id
                values[DISCRIMINATOR] = link.table
                if self.model.types[link.table].primary_key == ["id"]:
                    values["id"] = str(uuid.uuid4())
            self.connection.execute(insert(table).values(**values))

    def _link_members(
        self, etype: EntityType, attr: Attribute, target: EntityType, items: Sequence[Reference]
    ) -> List[str]:
        """The distinct member ids of a many-to-many value, each checked to exist."""
        members: List[str] = []
        for item in items:
            member = item.get(target.primary_key[0])
            if not isinstance(member, str) or not member:
                raise _fail(
                    f"'{attr.name}' of {etype.name} holds {target.name} references; each needs "
                    f"its '{target.primary_key[0]}'"
                )
            if member in members:
                continue
            if not self.batch.exists_in_family(target, member):
                raise _fail(
                    f"{target.name} {member} in '{attr.name}' does not exist; create it first "
                    "(earlier in the same batch is fine)",
                    "NotFoundError",
                )
            members.append(member)
        return members

    def unlink(
        self, link: LinkTable, column: str, ident: object, members: Optional[List[str]] = None
    ) -> None:
        """Delete the pairs of ``link`` whose ``column`` is ``ident`` (only those with these
        ``members`` when given). Link entities go as a delete takes them (with their metadata
        and custom attribute values)."""
        table = self.compiler.link_table(link)
        condition = table.c[column] == ident
        if members is not None:
            condition = and_(condition, table.c[link.member].in_(members))
        if link.hidden:
            self.connection.execute(delete(table).where(condition))
            return
        link_type = self.model.types[link.table]
        condition = and_(condition, self.compiler.type_condition(link_type, table))
        for row in self.connection.execute(select(table).where(condition)).mappings().all():
            values = dict(row)
            concrete = concrete_type(self.model, values)
            self.batch.delete_row(concrete, key_of(concrete, values), values, depth=1)
