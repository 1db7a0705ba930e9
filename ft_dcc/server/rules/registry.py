"""The seam between a batch and the rules it obeys: one small protocol, registered rule objects.

A :class:`Rule` is a tiny object with an ``order`` and up to three hooks, the pyblish way: the
batch never names a rule, it walks the registry. To add a rule, write a class and register it
(``rules.default_rules``); do not edit the batch's loop.

- :meth:`Rule.check_step` runs before every create, update and delete, on the state the batch
  has reached so far: "rewrite a field, then delete" is judged at each step, not just at the end.
- :meth:`Rule.check_written` runs after every create and update (and every child a collection
  assignment moves), on the row as written: what a step changed is judged before the next one.
- :meth:`Rule.on_delete_row` runs for every row a delete removes, cascaded rows included, to
  clear what refers to it.
- :meth:`Rule.check_batch` runs once after the last operation, on the batch's final state (still
  inside its transaction): required values, references, uniqueness, closed review sessions…

Rules see the batch only through :class:`BatchView`. A refusal is an
:class:`~ft_dcc.server.errors.ApiOperationError` (the batch then writes nothing).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Dict, Iterator, List, Mapping, Optional, Protocol, Sequence, Tuple

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ft_dcc.server.model.schema import EntityType, SchemaModel

Key = Tuple[Any, ...]
Row = Dict[str, Any]

#: the order rules run in, lowest first (like pyblish's CollectorOrder, ValidatorOrder…)
ACCESS_ORDER = 0  # who may do it at all
INTEGRITY_ORDER = 10  # what the data must stay consistent with
FTRACK_ORDER = 20  # what ftrack itself adds or refuses
REVIEW_ORDER = 30  # what review sessions allow
VALIDATION_ORDER = 40  # required values, references, uniqueness of the final rows


@dataclass(frozen=True)
class WriteStep:
    """One create, update or delete about to run, as the caller sent it."""

    action: str  # "create" | "update" | "delete"
    etype: EntityType
    key: Key  # () for a create whose key the server has not chosen yet
    data: Mapping[str, Any]  # the caller's entity_data ({} for a delete)
    before: Optional[Row] = None  # the stored row before this step (None for a create)


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
    changes: List[Dict[str, Any]]
    touched: List[Touched]

    @property
    def is_admin(self) -> bool: ...

    @property
    def acting_user_id(self) -> Optional[str]: ...

    def load(self, etype: EntityType, key: Key) -> Optional[Row]: ...

    def row(self, type_name: str, ident: Any) -> Optional[Row]: ...

    def table(self, etype: EntityType) -> sa.Table: ...

    def create(self, etype: EntityType, data: Any, entity_key: Any) -> Dict[str, Any]: ...

    def unlink(self, link: Any, column: str, owner_id: Any, members: Any = None) -> None: ...

    def exists_in_family(self, target: EntityType, value: Any) -> bool: ...

    def type_of(self, ident: Any) -> Optional[str]: ...

    def project_of(self, context_id: Any) -> Optional[str]: ...

    def lock_row(self, type_name: str, ident: Any) -> None: ...

    def next_number(
        self, etype_name: str, column: str, scope_column: str, scope_value: Any, start: int = 1
    ) -> int: ...


class Rule:
    """A rule of the server: override the hooks it needs; the others do nothing."""

    #: a short name for logs and the permissions table
    name = "rule"
    order = VALIDATION_ORDER

    def check_step(self, batch: BatchView, step: WriteStep) -> None:
        """Refuse ``step`` (raise ApiOperationError) given the batch's state so far."""

    def check_written(self, batch: BatchView, step: WriteStep, row: Row) -> None:
        """Refuse ``step`` (raise ApiOperationError) given the row it wrote (``row``)."""

    def on_delete_row(self, batch: BatchView, etype: EntityType, key: Key) -> None:
        """Clear what refers to a row being deleted (also a cascaded one)."""

    def check_batch(self, batch: BatchView, operations: Sequence[Any]) -> None:
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

    def check_written(self, batch: BatchView, step: WriteStep, row: Row) -> None:
        for rule in self:
            rule.check_written(batch, step, row)

    def on_delete_row(self, batch: BatchView, etype: EntityType, key: Key) -> None:
        for rule in self:
            rule.on_delete_row(batch, etype, key)

    def check_batch(self, batch: BatchView, operations: Sequence[Any]) -> None:
        for rule in self:
            rule.check_batch(batch, operations)
