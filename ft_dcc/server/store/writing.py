"""Writing a run of creates of one type together: a handful of statements, not a few per row.

A bulk import (``session.commit()`` of thousands of new shots or versions, the desk adding 50
versions to a session) is a run of creates of one type. The batch plans each of them and lets
the rules judge it in order, as for any create (``Batch.defer_create``), then writes the run here
with one statement of each kind: are the ids taken, are they the ids of deleted rows, insert
the rows (an ``executemany``), record their creator, read them back. Each create is then
recorded, answered and judged as written (``Rule.check_written``) in order, with the answer it
gets alone: the same echo, the same numbering (``store.numbers``), the same refusal of a bad
row, named by its place (the creates before it are written and judged first, as they would be
one by one), and nothing written.

A create joins a run only when it is a plain create (values and references, no collections),
of a single-id type, and names no row of the run not written yet (a parent, its own id): else
the run is written first, so every create is planned on the rows before it, as alone.
"""

from __future__ import annotations

from typing import (
    Dict,
    Iterable,
    List,
    Mapping,
    NamedTuple,
    Optional,
    Protocol,
    Sequence,
    Set,
    Tuple,
    Union,
    cast,
)

import sqlalchemy as sa
from sqlalchemy import func, select
from sqlalchemy.engine import Connection

from ft_dcc.protocol.json_value import JsonObject
from ft_dcc.server.common.errors import ApiOperationError, DeletedId, duplicate_error
from ft_dcc.server.model.schema import EntityType, SchemaModel
from ft_dcc.server.query.compiler import QueryError
from ft_dcc.server.query.parser import QuerySyntaxError
from ft_dcc.server.query.values import ValueTypeError
from ft_dcc.server.rules.registry import Key, KeyPart, Operation, Touched, WriteStep
from ft_dcc.server.store import creators, tombstones
from ft_dcc.server.store.changes import parent_named
from ft_dcc.server.store.numbers import highest
from ft_dcc.server.store.planning import VALUE_TYPES_UPSERTED, PlannedRow

#: what refuses an operation (answered naming it: :func:`placed`)
REFUSALS = (ApiOperationError, QueryError, QuerySyntaxError, ValueTypeError)
Refusal = Union[ApiOperationError, QueryError, QuerySyntaxError, ValueTypeError]
#: ids asked in one ``IN (…)`` list
IDS_PER_STATEMENT = 500


class PendingCreate(NamedTuple):
    """A create planned and judged, not written yet: its place in the batch, type, planned
    row and the step the rules judged."""

    place: int
    etype: EntityType
    planned: PlannedRow
    step: WriteStep


class Pending:
    """The run of creates planned and not written yet (all of one type)."""

    def __init__(self) -> None:
        self.rows: List[PendingCreate] = []
        self.ids: Set[str] = set()

    @property
    def type_name(self) -> Optional[str]:
        return self.rows[0].etype.name if self.rows else None

    def add(self, create: PendingCreate) -> None:
        self.rows.append(create)
        self.ids.add(str(create.planned.key[0]))

    def needs(self, operation: Operation) -> bool:
        """Whether ``operation`` names a row of the run (its id anywhere in its key or data)."""
        ids = self.ids
        return _names_any(operation.get("entity_key"), ids) or _names_any(
            operation.get("entity_data"), ids
        )

    def take(self) -> List[PendingCreate]:
        rows, self.rows, self.ids = self.rows, [], set()
        return rows


def _names_any(value: object, ids: Set[str], depth: int = 0) -> bool:
    """Whether a JSON value holds one of ``ids`` as a text (or a number, as text) anywhere: a
    flat walk of the values a create sends (texts and references), stopping at the first."""
    if isinstance(value, str):
        return value in ids
    if isinstance(value, dict):
        items: Iterable[object] = value.values()
    elif isinstance(value, list):
        items = value
    else:
        return isinstance(value, (int, float)) and not isinstance(value, bool) and str(value) in ids
    for item in items:
        if isinstance(item, str):
            if item in ids:
                return True
        elif (
            item is not None
            and not isinstance(item, bool)
            and depth < 8
            and _names_any(item, ids, depth + 1)
        ):
            return True
    return False


def plain_create(model: SchemaModel, operation: object) -> bool:
    """Whether ``operation`` creates a row from values and references only (no collection, no
    custom attribute value: those write other rows or upsert)."""
    if not isinstance(operation, dict) or operation.get("action") != "create":
        return False
    etype = model.types.get(str(operation.get("entity_type")))
    data = operation.get("entity_data")
    if etype is None or not isinstance(data, dict) or etype.family == VALUE_TYPES_UPSERTED:
        return False
    for name in data:
        attr = etype.attributes.get(name)
        if name != "__entity_type__" and (
            attr is None or not (attr.is_scalar or attr.kind == "reference")
        ):
            return False  # fmt: skip
    return True


def deferrable(model: SchemaModel, operation: object, answers: Mapping[str, object]) -> bool:
    """Whether ``operation`` may be written with a run: a plain create of a concrete type with
    a single text id."""
    if not plain_create(model, operation) or "create" in answers:
        return False
    etype = model.types[str(cast(Operation, operation).get("entity_type"))]
    return not etype.is_abstract and tombstones.has_text_id(etype)


def same_run(
    model: SchemaModel, operation: Operation, following: object, answers: Mapping[str, object]
) -> bool:
    """Whether ``following`` is a create of the same type as ``operation`` (a run begins)."""
    return (
        isinstance(following, dict)
        and following.get("entity_type") == operation.get("entity_type")
        and deferrable(model, following, answers)
    )


def placed(error: Refusal, index: int, operation: object) -> ApiOperationError:
    """``error`` naming the operation at ``index`` of the batch that it refuses."""
    action = operation.get("action") if isinstance(operation, dict) else None
    entity_type = operation.get("entity_type") if isinstance(operation, dict) else None
    named = entity_type if isinstance(entity_type, str) else None
    if not isinstance(error, ApiOperationError):
        error = ApiOperationError(str(error), "ValidationError")
    return error.at(index, str(action), named)


def taken_error(etype: EntityType, key: Key) -> ApiOperationError:
    return duplicate_error(f"{etype.name} {list(key)} already exists (use update to change it)")


class CreatesBatch(Protocol):
    """What writing a run needs of its batch."""

    connection: Connection
    metadata: sa.MetaData
    model: SchemaModel
    touched: List[Touched]
    latest_versions: Dict[object, object]

    @property
    def acting_user_id(self) -> Optional[str]: ...

    def table(self, etype: EntityType) -> sa.Table: ...

    def find_keys(self, family: str, column: str, values: Sequence[object]) -> Set[object]: ...

    def read_rows(self, etype: EntityType, idents: Sequence[KeyPart]) -> None: ...

    def written_create(self, etype: EntityType, planned: PlannedRow) -> JsonObject: ...

    def check_written(self, step: WriteStep, written: int) -> None: ...


def write_creates(
    batch: CreatesBatch, rows: List[PendingCreate], replies: List[JsonObject]
) -> None:
    """Write a run of planned creates of one type and put their answers in ``replies`` (see the
    module's words); raise the refusal of the first bad one, naming it."""
    etype = rows[0].etype
    idents = [row.planned.key[0] for row in rows]
    taken = batch.find_keys(etype.family, etype.primary_key[0], idents)
    buried = tombstones.buried_among(batch.connection, batch.metadata, etype, idents)
    for place, row in enumerate(rows):
        ident = row.planned.key[0]
        if ident in taken or ident in buried:
            if place:  # the creates before it are written (and judged) first, as one by one
                write_creates(batch, rows[:place], replies)
            refusal = taken_error(etype, row.planned.key) if ident in taken else DeletedId(
                etype.name, str(ident))  # fmt: skip
            raise refusal.at(row.place, "create", etype.name)
    latest = _latest_versions(batch, etype, rows)
    _insert(batch, etype, rows)
    creators.record_many(batch.connection, batch.metadata, etype, idents, batch.acting_user_id)
    batch.read_rows(etype, idents)
    _read_parents(batch, etype, rows)
    try:
        for row in rows:
            written = len(batch.touched)
            if latest is not None:
                asset = row.planned.values.get("asset_id")
                latest[asset] = highest(latest.get(asset), row.planned.values.get("version"))
                batch.latest_versions.clear()
                batch.latest_versions[asset] = latest[asset]
            try:
                replies[row.place] = batch.written_create(etype, row.planned)
                batch.check_written(row.step, written)
            except REFUSALS as error:
                operation = {"action": "create", "entity_type": etype.name}
                raise placed(error, row.place, operation) from None
    finally:
        batch.latest_versions.clear()


def _read_parents(batch: CreatesBatch, etype: EntityType, rows: List[PendingCreate]) -> None:
    """Read the parents the run's rows name, a statement per type (each change names its
    ancestry: :func:`~ft_dcc.server.store.changes.ancestry` then finds them read)."""
    parents: Dict[str, Tuple[EntityType, List[KeyPart]]] = {}
    for row in rows:
        found = parent_named(batch.model, etype, row.planned.values)
        if found is not None:
            parents.setdefault(found[0].name, (found[0], []))[1].append(cast(KeyPart, found[1]))
    for parent_type, idents in parents.values():
        batch.read_rows(parent_type, list(dict.fromkeys(idents)))


def _insert(batch: CreatesBatch, etype: EntityType, rows: List[PendingCreate]) -> None:
    """Insert the rows in order, an ``executemany`` per stretch of rows setting the same
    columns."""
    table = batch.table(etype)
    stretch: List[Dict[str, object]] = []
    columns: Tuple[str, ...] = ()
    for row in rows:
        values = {name: value for name, value in row.planned.values.items() if name in table.c}
        names = tuple(sorted(values))
        if stretch and names != columns:
            batch.connection.execute(sa.insert(table), stretch)
            stretch = []
        stretch.append(values)
        columns = names
    if stretch:
        batch.connection.execute(sa.insert(table), stretch)


def _latest_versions(
    batch: CreatesBatch, etype: EntityType, rows: List[PendingCreate]
) -> Optional[Dict[object, object]]:
    """For a run of versions: the highest version stored of each of their assets before it is
    written (each echo says whether its version was the latest when it was made)."""
    if etype.name != "AssetVersion":
        return None
    table = batch.table(etype)
    assets = list(dict.fromkeys(row.planned.values.get("asset_id") for row in rows))
    found: Dict[object, object] = {}
    for start in range(0, len(assets), IDS_PER_STATEMENT):
        some = [asset for asset in assets[start : start + IDS_PER_STATEMENT] if asset is not None]
        stmt = (
            select(table.c.asset_id, func.max(table.c.version))
            .where(table.c.asset_id.in_(some))
            .group_by(table.c.asset_id)
        )
        found.update((asset, number) for asset, number in batch.connection.execute(stmt))
    return found
