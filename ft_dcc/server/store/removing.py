"""Deleting a run of rows of one type together: a handful of statements, not a dozen per row.

A genuine client's ``session.commit()`` of 50 deleted review items, or the desk removing 50
versions from a session, is a run of deletes of one type. The batch reads the run's rows in one
statement, then judges each delete in order as it would alone (``Rule.check_step`` on the row as
stored, the same refusal of a missing row, named by its place) and records its change; then the
run is deleted with one statement of each kind: the cascaded children (a statement per child
type, deleted the same way), the rows' metadata, custom attribute values, notes and settings,
their creator records read, their tombstones written, the records forgotten, the rows. Nothing
is written before every delete of the run has been judged, and a refused one refuses the batch
(nothing of it is written).

A delete joins a run only when its type has a single text id and deleting it cannot cascade to
its own family (a context's children, a note's replies, which may be rows of the run too), and
it names a row not in the run yet; else the run is written first, as one by one.
"""

from __future__ import annotations

from typing import AbstractSet, Dict, List, Mapping, Optional, Protocol, Sequence, Set, Tuple

import sqlalchemy as sa

from ft_dcc.protocol.json_value import JsonObject
from ft_dcc.server.model.schema import EntityType, SchemaModel
from ft_dcc.server.query.compiler import Compiler
from ft_dcc.server.query.values import StoredRow
from ft_dcc.server.rules.registry import (
    BatchView,
    Change,
    Key,
    KeyPart,
    RuleRegistry,
    WriteStep,
    concrete_type,
    key_of,
)
from ft_dcc.server.store import creators, tombstones
from ft_dcc.server.store.planning import _fail

#: ids in one ``IN (…)`` list
IDS_PER_STATEMENT = 500
#: what a delete answers
DELETED: JsonObject = {"action": "delete", "data": True}


class RemovingBatch(BatchView, Protocol):
    """What deleting a run needs of its batch (what the rules see of it, and more)."""

    compiler: Compiler
    rules: RuleRegistry

    def read_rows(self, etype: EntityType, idents: Sequence[KeyPart]) -> None: ...

    def delete_row(self, etype: EntityType, key: Key, row: StoredRow, depth: int) -> None: ...


def self_cascading(cascade: Mapping[str, List[Tuple[str, str]]], model: SchemaModel
                   ) -> Set[str]:  # fmt: skip
    """The families whose delete may cascade to rows of their own family (at any depth)."""
    found = set()
    for family in cascade:
        seen, todo = set(), [family]
        while todo:
            for child, _column in cascade.get(todo.pop(), []):
                child_family = model.types[child].family
                if child_family not in seen:
                    seen.add(child_family)
                    todo += [child_family, child]
        if family in seen:
            found.add(family)
    return found


def runs_together(model: SchemaModel, operation: object, loops: AbstractSet[str]) -> bool:
    """Whether ``operation`` is a delete that may be deleted with a run (see the module)."""
    if not isinstance(operation, dict) or operation.get("action") != "delete":
        return False
    etype = model.types.get(str(operation.get("entity_type")))
    key = operation.get("entity_key")
    if etype is None or not tombstones.has_text_id(etype) or etype.family in loops:
        return False
    return isinstance(key, list) and len(key) == 1 and isinstance(key[0], str)


class Removals:
    """The run of deletes judged and not written yet (all of one type)."""

    def __init__(self, loops: AbstractSet[str]) -> None:
        self.loops = loops
        self.etype: Optional[EntityType] = None
        self.rows: List[Tuple[EntityType, Key, StoredRow]] = []
        self.ids: Set[str] = set()
        self.first = 0

    def joins(self, model: SchemaModel, operation: object, following: object) -> bool:
        """Whether ``operation`` continues the run (or begins one with ``following``)."""
        if not runs_together(model, operation, self.loops):
            return False
        assert isinstance(operation, dict)
        name, ident = str(operation["entity_type"]), str(operation["entity_key"][0])
        if self.rows:
            return self.etype is not None and self.etype.name == name and ident not in self.ids
        return (runs_together(model, following, self.loops) and isinstance(following, dict)
                and following.get("entity_type") == name)  # fmt: skip

    def begin(self, batch: RemovingBatch, etype: EntityType, index: int,
              operations: Sequence[object]) -> List[str]:  # fmt: skip
        """Read the rows the run will delete (from ``index`` on), a statement for all; their
        ids."""
        self.etype, self.first = etype, index
        idents: List[KeyPart] = []
        for operation in operations[index:]:
            if not runs_together(batch.model, operation, self.loops):
                break
            assert isinstance(operation, dict)
            if operation.get("entity_type") != etype.name:
                break
            idents.append(str(operation["entity_key"][0]))
        distinct = [str(ident) for ident in dict.fromkeys(idents)]
        batch.read_rows(etype, list(distinct))
        return distinct

    def add(self, concrete: EntityType, key: Key, row: StoredRow) -> None:
        self.rows.append((concrete, key, row))
        self.ids.add(str(key[0]))

    def take(self) -> List[Tuple[EntityType, Key, StoredRow]]:
        rows, self.rows, self.ids, self.etype = self.rows, [], set(), None
        return rows


def judge(batch: RemovingBatch, etype: EntityType, key: Key,
          describe: Describe) -> Tuple[EntityType, StoredRow]:  # fmt: skip
    """Judge one delete of a run as alone: the rules on the stored row, a missing row refused;
    its change recorded. The row's concrete type and row."""
    before = batch.load(etype, key)
    batch.rules.check_step(batch, WriteStep("delete", etype, key, {}, before, before))
    if before is None:
        raise _fail(f"{etype.name} {list(key)} does not exist", "NotFoundError")
    concrete = concrete_type(batch.model, before)
    batch.changes.append(describe(concrete, key, before))
    return concrete, before


class Describe(Protocol):
    def __call__(self, etype: EntityType, key: Key, row: StoredRow) -> Change: ...


def delete_all(
    batch: RemovingBatch, cascade: Mapping[str, List[Tuple[str, str]]],
    rows: List[Tuple[EntityType, Key, StoredRow]], depth: int = 0,
) -> None:  # fmt: skip
    """Delete ``rows`` (single text ids) and what goes with them, a statement per kind of
    statement (per :data:`IDS_PER_STATEMENT` ids), types in turn."""
    by_type: Dict[str, Tuple[EntityType, List[Key]]] = {}
    for etype, key, _row in rows:
        by_type.setdefault(etype.name, (etype, []))[1].append(key)
    for etype, keys in by_type.values():
        _delete_type(batch, cascade, etype, [str(key[0]) for key in keys], depth)


def _chunks(idents: Sequence[str]) -> List[List[str]]:
    return [list(idents[n : n + IDS_PER_STATEMENT])
            for n in range(0, len(idents), IDS_PER_STATEMENT)]  # fmt: skip


def _delete_type(
    batch: RemovingBatch, cascade: Mapping[str, List[Tuple[str, str]]], etype: EntityType,
    idents: List[str], depth: int,
) -> None:  # fmt: skip
    if depth > 50:
        raise _fail("The entity hierarchy is too deep to delete", "ServerError")
    for family in {etype.family, etype.name}:
        for child_type, column in cascade.get(family, []):
            _delete_children(batch, cascade, batch.model.types[child_type], column, idents, depth)
    for family, column in (("Metadata", "parent_id"), ("CustomAttributeValue", "entity_id")):
        table = batch.tables[family]
        for some in _chunks(idents):
            batch.connection.execute(sa.delete(table).where(table.c[column].in_(some)))
    if etype.family != "Note":
        _delete_notes_on(batch, idents, depth)
    settings = batch.tables["EntitySetting"]
    for some in _chunks(idents):
        batch.connection.execute(sa.delete(settings).where(settings.c.parent_id.in_(some)))
    owners = creators.creators_among(batch.connection, batch.metadata, etype, idents)
    tombstones.bury_many(batch.connection, batch.metadata, etype,
                         [(ident, owners.get(ident)) for ident in idents])  # fmt: skip
    creators.forget_many(batch.connection, batch.metadata, etype, idents)
    for ident in idents:
        batch.rules.on_delete_row(batch, etype, (ident,))
    table = batch.table(etype)
    pk = table.c[etype.primary_key[0]]
    for some in _chunks(idents):
        batch.connection.execute(sa.delete(table).where(pk.in_(some)))


def _delete_children(
    batch: RemovingBatch, cascade: Mapping[str, List[Tuple[str, str]]], child: EntityType,
    column: str, idents: List[str], depth: int,
) -> None:  # fmt: skip
    """The rows of ``child`` whose ``column`` names one of ``idents``, deleted (a run of them
    together when ``child`` has a single text id, else one by one)."""
    table = batch.table(child)
    found: List[Tuple[EntityType, Key, StoredRow]] = []
    for some in _chunks(idents):
        stmt = sa.select(table).where(table.c[column].in_(some),
                                      batch.compiler.type_condition(child, table))  # fmt: skip
        for mapping in batch.connection.execute(stmt).mappings():
            values = dict(mapping)
            concrete = concrete_type(batch.model, values)
            found.append((concrete, key_of(concrete, values), values))
    together = [r for r in found if tombstones.has_text_id(r[0])]
    for concrete, key, values in found:
        if not tombstones.has_text_id(concrete):
            batch.delete_row(concrete, key, values, depth + 1)
    if together:
        delete_all(batch, cascade, together, depth + 1)


def _delete_notes_on(batch: RemovingBatch, idents: List[str], depth: int) -> None:
    """The notes on the deleted rows go with them, one by one (their replies may be among
    them: a reply gone with its note is not deleted twice)."""
    note_type = batch.model.types["Note"]
    notes = batch.table(note_type)
    found: List[KeyPart] = []
    for some in _chunks(idents):
        found += [row[0] for row in batch.connection.execute(
            sa.select(notes.c.id).where(notes.c.parent_id.in_(some)))]  # fmt: skip
    for ident in found:
        values = batch.load(note_type, (ident,))
        if values is not None:
            batch.delete_row(note_type, (ident,), values, depth + 1)
