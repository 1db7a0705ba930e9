"""The desk's session for the cut's own code (:mod:`ft_dcc.cut`): its queries are the server's
``/api`` batch as the signed-in person; what it creates, changes and deletes is gathered as
``/api`` operations, run by the caller in **one** batch (so every rule of ``/api`` applies, and a
refused or failed cut writes nothing)."""

from __future__ import annotations

import uuid
from typing import Any, Dict, List, Mapping, Optional, Sequence

from ft_dcc.protocol.json_value import JsonObject
from ft_dcc.server.desk.writes import create_op, delete_op, update_op

#: the key of each entity type the cut writes that is not keyed by its ``id``
KEYS = {"EntitySetting": ("parent_id", "group", "name")}


class Entity(Dict[str, Any]):
    """A row read or made through a :class:`CutBatch`: setting a value records its update."""

    def __init__(self, batch: CutBatch, entity_type: str, values: Mapping[str, Any]) -> None:
        super().__init__(values)
        self.batch, self.entity_type = batch, entity_type

    @property
    def key(self) -> List[str]:
        return [str(self[name]) for name in KEYS.get(self.entity_type, ("id",))]

    def __setitem__(self, name: str, value: Any) -> None:
        super().__setitem__(name, value)
        self.batch.operations.append(update_op(self.entity_type, self.key, {name: value}))


class Found:
    """A query's rows (``all``, ``one``), as ftrack's query result gives them."""

    def __init__(self, rows: List[Entity]) -> None:
        self.rows = rows

    def all(self) -> List[Entity]:
        return list(self.rows)

    def one(self) -> Entity:
        if len(self.rows) != 1:
            raise LookupError(f"{len(self.rows)} rows where one was expected")
        return self.rows[0]


class CutBatch:
    """``query`` through ``ask`` (one expression's rows); ``create``/``delete`` and changed
    values gathered in :attr:`operations`, in order, for one batch."""

    def __init__(self, ask: Any) -> None:
        self._ask = ask
        self.operations: List[JsonObject] = []

    def query(self, expression: str) -> Found:
        [rows] = self._ask([expression])
        entity_type = expression.split(" from ", 1)[1].split()[0]
        return Found([Entity(self, str(row.get("__entity_type__") or entity_type), row)
                      for row in rows])  # fmt: skip

    def create(self, entity_type: str, data: Optional[Mapping[str, object]] = None) -> Entity:
        values: Dict[str, Any] = dict(data or {})
        if entity_type not in KEYS:
            values.setdefault("id", str(uuid.uuid4()))
        made = Entity(self, entity_type, values)
        self.operations.append(create_op(entity_type, values, made.key))
        return made

    def delete(self, entity: Any) -> None:
        self.operations.append(delete_op(entity.entity_type, entity.key))

    def run_with(self, execute: Any, user_id: str, first: Sequence[JsonObject] = ()) -> None:
        """``first`` then everything gathered, as ``user_id``, in one batch."""
        execute([*first, *self.operations], user_id)
