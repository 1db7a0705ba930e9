"""Recorded unit-of-work operations and how a commit turns them into one API batch."""

from __future__ import annotations

from typing import Any, Callable, Dict, Iterator, List, Tuple

import attr


@attr.s(slots=True, eq=False)
class CreateEntityOperation:
    """An entity was created locally with ``entity_data``."""

    entity_type: str = attr.ib()
    entity_key: List[str] = attr.ib()
    entity_data: Dict[str, Any] = attr.ib()
    entity: Any = attr.ib(repr=False)


@attr.s(slots=True, eq=False)
class UpdateEntityOperation:
    """``attribute_name`` of an entity changed from ``old_value`` to ``new_value``."""

    entity_type: str = attr.ib()
    entity_key: List[str] = attr.ib()
    attribute_name: str = attr.ib()
    old_value: Any = attr.ib()
    new_value: Any = attr.ib()
    entity: Any = attr.ib(repr=False)


@attr.s(slots=True, eq=False)
class DeleteEntityOperation:
    """An entity was marked for deletion."""

    entity_type: str = attr.ib()
    entity_key: List[str] = attr.ib()
    entity: Any = attr.ib(repr=False)


Operation = Any  # one of the three classes above


class Operations:
    """The ordered stack of operations recorded since the last commit or rollback."""

    def __init__(self) -> None:
        self._operations: List[Operation] = []

    def push(self, operation: Operation) -> None:
        self._operations.append(operation)

    def clear(self) -> None:
        del self._operations[:]

    def remove_for(self, entities: List[Any]) -> None:
        """Forget every operation on one of ``entities`` (e.g. after a failed upload)."""
        ids = {id(entity) for entity in entities}
        self._operations = [op for op in self._operations if id(op.entity) not in ids]

    def __iter__(self) -> Iterator[Operation]:
        return iter(list(self._operations))

    def __len__(self) -> int:
        return len(self._operations)

    def __bool__(self) -> bool:
        return bool(self._operations)

    def __repr__(self) -> str:
        return f"<Operations {len(self._operations)} pending>"


def _identity(op: Operation) -> Tuple[str, Tuple[str, ...]]:
    return (op.entity_type, tuple(op.entity_key))


def build_batch(
    operations: List[Operation], encode: Callable[[Any], Any]
) -> Tuple[List[Dict[str, Any]], List[List[Operation]]]:
    """The API payloads for ``operations`` and, for each payload, the operations it carries.

    Entities both created and deleted are dropped; consecutive updates of one entity, and updates
    right after its create, are folded into one payload. ``encode`` turns values into wire form.
    """
    created = {_identity(op) for op in operations if isinstance(op, CreateEntityOperation)}
    deleted = {_identity(op) for op in operations if isinstance(op, DeleteEntityOperation)}
    skip = created & deleted
    payloads: List[Dict[str, Any]] = []
    carried: List[List[Operation]] = []
    for op in operations:
        identity = _identity(op)
        if identity in skip:
            continue
        key = list(op.entity_key)
        if isinstance(op, CreateEntityOperation):
            data = {"__entity_type__": op.entity_type}
            data.update({name: encode(value) for name, value in op.entity_data.items()})
            payloads.append(
                {
                    "action": "create",
                    "entity_type": op.entity_type,
                    "entity_key": key,
                    "entity_data": data,
                }
            )
            carried.append([op])
        elif isinstance(op, UpdateEntityOperation):
            last = payloads[-1] if payloads else None
            if (
                last is not None
                and last["action"] in ("create", "update")
                and last["entity_type"] == op.entity_type
                and last["entity_key"] == key
            ):
                last["entity_data"][op.attribute_name] = encode(op.new_value)
                carried[-1].append(op)
                continue
            payloads.append(
                {
                    "action": "update",
                    "entity_type": op.entity_type,
                    "entity_key": key,
                    "entity_data": {
                        "__entity_type__": op.entity_type,
                        op.attribute_name: encode(op.new_value),
                    },
                }
            )
            carried.append([op])
        elif isinstance(op, DeleteEntityOperation):
            payloads.append({"action": "delete", "entity_type": op.entity_type, "entity_key": key})
            carried.append([op])
    return payloads, carried
