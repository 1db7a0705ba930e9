"""The seam between a batch and the rules it obeys: one small protocol, registered rule objects.

A :class:`Rule` is a tiny object with an ``order`` and up to four hooks, the pyblish way: the
batch never names a rule, it walks the registry. To add a rule, write a class and register it
(``rules.default_rules``); do not edit the batch's loop.

- :meth:`Rule.check_step` runs before every create, update and delete, on the state the batch
  has reached so far: "rewrite a field, then delete" is judged at each step, not just at the end.
  It is given the row **as it will be stored** (:attr:`WriteStep.row`: the key from the data or
  ``entity_key``, the schema's and the server's defaults filled, an update's values laid over
  the stored row), never only the caller's partial view: a right is decided on what is written,
  whichever way a field was set (data, key, default, a later update of the same batch).
- :meth:`Rule.check_written` runs after every create and update (and every child a collection
  assignment moves), on the row as written: what a step changed is judged before the next one.
- :meth:`Rule.on_delete_row` runs for every row a delete removes, cascaded rows included, to
  clear what refers to it.
- :meth:`Rule.check_batch` runs once after the last operation, on the batch's final state (still
  inside its transaction): required values, references, uniqueness, closed review sessions…

Rules see the batch only through :class:`BatchView`. A refusal is an
:class:`~ft_dcc.server.common.errors.ApiOperationError` (the batch then writes nothing).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import (
    Dict,
    Iterable,
    Iterator,
    List,
    Mapping,
    Optional,
    Protocol,
    Sequence,
    Set,
    Tuple,
    TypedDict,
    Union,
)

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ft_dcc.protocol.json_value import JsonObject, JsonValue
from ft_dcc.server.model.schema import EntityType, LinkTable, SchemaModel
from ft_dcc.server.model.storage import DISCRIMINATOR
from ft_dcc.server.query.values import StoredRow

#: one value of an entity's primary key as stored: a text id (an integer for ``Event``)
KeyPart = Union[str, int]
#: an entity's primary key values, in the order of ``EntityType.primary_key``
Key = Tuple[KeyPart, ...]
#: one operation of a batch as the caller sent it (a JSON object; checked before rules see it)
Operation = Mapping[str, object]


def concrete_type(model: SchemaModel, row: Mapping[str, object]) -> EntityType:
    """The concrete type of a stored row (its discriminator column)."""
    return model.types[str(row[DISCRIMINATOR])]


def key_of(etype: EntityType, row: Mapping[str, object]) -> Key:
    """The primary key of a stored row of ``etype``."""
    key = tuple(row[name] for name in etype.primary_key)
    parts = tuple(part for part in key if isinstance(part, (str, int)))
    if len(parts) != len(key):
        raise ValueError(f"{etype.name} row without a full primary key: {key!r}")
    return parts


class ChangedValue(TypedDict):
    """An attribute's value after and before a change (wire form)."""

    new: JsonValue
    old: JsonValue


class Ancestor(TypedDict):
    """One ancestor of a changed entity, nearest first."""

    entity_type: str
    entity_id: Optional[KeyPart]
    parent_id: Optional[KeyPart]


class Change(TypedDict):
    """What one step of a batch changed, for ``ftrack.update`` events (``store.changes``)."""

    action: str  # "add" | "update" | "remove"
    entity_type: str
    entity_id: KeyPart  # the key's one value, or its values joined with ","
    entity_key: List[KeyPart]
    keys: List[str]  # the attribute names the caller sent
    values: Dict[str, JsonValue]
    changes: Dict[str, ChangedValue]
    parent_id: Optional[KeyPart]
    parents: List[Ancestor]
    object_type_id: Optional[str]


#: the order rules run in, lowest first (like pyblish's CollectorOrder, ValidatorOrder…)
ACCESS_ORDER = 0  # who may do it at all
INTEGRITY_ORDER = 10  # what the data must stay consistent with
FTRACK_ORDER = 20  # what ftrack itself adds or refuses
REVIEW_ORDER = 30  # what review sessions allow
VALIDATION_ORDER = 40  # required values, references, uniqueness of the final rows


@dataclass(frozen=True)
class WriteStep:
    """One create, update or delete about to run: what the caller sent, the stored row before
    it, and the row it will store.

    Judge rights on :attr:`row` (and :attr:`before`), never on :attr:`data` alone: ``data`` is
    the caller's partial view (a field may come from ``entity_key`` or a default instead).
    """

    action: str  # "create" | "update" | "delete"
    etype: EntityType
    key: Key  # the key the row is (will be) stored under; () only when it could not be planned
    data: Mapping[str, object]  # the caller's entity_data ({} for a delete)
    before: Optional[StoredRow] = None  # the stored row before this step (None for a create)
    #: the row as it will be stored (storage column names): a create's values with its key and
    #: defaults filled, an update's values over ``before``, a delete's ``before``; None only
    #: when the write could not be planned (it then fails with its own error after the rules)
    row: Optional[StoredRow] = None

    def rows(self) -> Tuple[StoredRow, ...]:
        """The rows this step's rights are judged on: the stored row before it and the row it
        will store (either may be absent)."""
        return tuple(r for r in (self.before, self.row) if r is not None)


@dataclass(frozen=True)
class Touched:
    """A row the batch wrote: where its change is recorded, its type and key."""

    change_index: int
    etype: EntityType
    key: Key


class BatchView(Protocol):
    """What a rule may see and do of a running batch (all inside its one transaction)."""

    model: SchemaModel
    tables: Dict[str, sa.Table]
    metadata: sa.MetaData
    connection: Connection
    user_id: str
    now: dt.datetime
    changes: List[Change]
    touched: List[Touched]

    @property
    def is_admin(self) -> bool: ...

    @property
    def acting_user_id(self) -> Optional[str]: ...

    def load(self, etype: EntityType, key: Key) -> Optional[StoredRow]: ...

    def row(self, type_name: str, ident: Optional[KeyPart]) -> Optional[StoredRow]: ...

    def table(self, etype: EntityType) -> sa.Table: ...

    def create(self, etype: EntityType, data: object, entity_key: object) -> JsonObject: ...

    def unlink(
        self, link: LinkTable, column: str, ident: object, members: Optional[List[str]] = None
    ) -> None: ...

    def exists_in_family(self, target: EntityType, value: object) -> bool: ...

    def has_key(self, family: str, column: str, value: object) -> bool: ...

    def find_keys(self, family: str, column: str, values: Iterable[object]) -> Set[object]:
        """Which of ``values`` a row of ``family`` has in ``column`` (its key column), many in
        a statement; what is found is kept, so :meth:`has_key` answers it without one."""
        ...

    def type_of(self, ident: object) -> Optional[str]: ...

    def project_of(self, context_id: object) -> Optional[str]: ...

    def lock_row(self, type_name: str, ident: object) -> None: ...

    def next_number(
        self, etype_name: str, column: str, scope_column: str, scope_value: object, start: int = 1
    ) -> int: ...


class Rule:
    """A rule of the server: override the hooks it needs; the others do nothing."""

    #: a short name for logs and the permissions table
    name = "rule"
    order = VALIDATION_ORDER

    def check_step(self, batch: BatchView, step: WriteStep) -> None:
        """Refuse ``step`` (raise ApiOperationError) given the batch's state so far."""

    def check_written(self, batch: BatchView, step: WriteStep, row: StoredRow) -> None:
        """Refuse ``step`` (raise ApiOperationError) given the row it wrote (``row``)."""

    def on_delete_row(self, batch: BatchView, etype: EntityType, key: Key) -> None:
        """Clear what refers to a row being deleted (also a cascaded one)."""

    def check_batch(self, batch: BatchView, operations: Sequence[Operation]) -> None:
        """Refuse the batch (or complete it) given its final state."""


@dataclass
class RuleRegistry:
    """The rules a batch obeys, walked in ``order`` (ties in registration order)."""

    rules: List[Rule] = field(default_factory=list)

    def register(self, rule: Rule) -> Rule:
        self.rules.append(rule)
        self.rules.sort(key=lambda r: r.order)
        return rule

    def __iter__(self) -> Iterator[Rule]:
        return iter(list(self.rules))

    def check_step(self, batch: BatchView, step: WriteStep) -> None:
        for rule in self:
            rule.check_step(batch, step)

    def check_written(self, batch: BatchView, step: WriteStep, row: StoredRow) -> None:
        for rule in self:
            rule.check_written(batch, step, row)

    def on_delete_row(self, batch: BatchView, etype: EntityType, key: Key) -> None:
        for rule in self:
            rule.on_delete_row(batch, etype, key)

    def check_batch(self, batch: BatchView, operations: Sequence[Operation]) -> None:
        for rule in self:
            rule.check_batch(batch, operations)
