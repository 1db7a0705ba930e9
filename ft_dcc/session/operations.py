"""Recorded unit-of-work operations and how a commit turns them into one API batch."""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable, Dict, Iterator, List, Optional, Sequence, Tuple, Union

if TYPE_CHECKING:
    from ft_dcc.session.entity import Entity


class _Operation:
    """Plain slotted records (``attrs`` is not imported on the start path); equal by identity."""

    __slots__: Tuple[str, ...] = ("entity", "entity_key", "entity_type")
    _shown: Tuple[str, ...] = ()  # the fields ``repr`` shows, in order

    def __init__(self, entity_type: str, entity_key: List[str], entity: Entity) -> None:
        self.entity_type = entity_type
        self.entity_key = entity_key
        self.entity = entity

    def __repr__(self) -> str:
        fields = ", ".join(f"{name}={getattr(self, name)!r}" for name in self._shown)
        return f"{type(self).__name__}({fields})"


class CreateEntityOperation(_Operation):
    """An entity was created locally with ``entity_data``."""

    __slots__ = ("entity_data",)
    _shown = ("entity_type", "entity_key", "entity_data")

    def __init__(
        self,
        entity_type: str,
        entity_key: List[str],
        entity_data: Dict[str, object],
        entity: Entity,
    ) -> None:
        super().__init__(entity_type, entity_key, entity)
        self.entity_data = entity_data


class UpdateEntityOperation(_Operation):
    """``attribute_name`` of an entity changed from ``old_value`` to ``new_value``."""

    __slots__ = ("attribute_name", "new_value", "old_value")
    _shown = ("entity_type", "entity_key", "attribute_name", "old_value", "new_value")

    def __init__(
        self,
        entity_type: str,
        entity_key: List[str],
        attribute_name: str,
        old_value: object,
        new_value: object,
        entity: Entity,
    ) -> None:
        super().__init__(entity_type, entity_key, entity)
        self.attribute_name = attribute_name
        self.old_value = old_value
        self.new_value = new_value


class DeleteEntityOperation(_Operation):
    """An entity was marked for deletion."""

    __slots__ = ()
    _shown = ("entity_type", "entity_key")


#: one recorded operation
Operation = Union[CreateEntityOperation, UpdateEntityOperation, DeleteEntityOperation]


class Operations:
    """The ordered stack of operations recorded since the last commit or rollback."""

    def __init__(self) -> None:
        self._operations: List[Operation] = []

    def push(self, operation: Operation) -> None:
        self._operations.append(operation)

    def clear(self) -> None:
        del self._operations[:]

    def remove_for(self, entities: Sequence[Entity]) -> None:
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
    operations: Sequence[Operation], encode: Callable[[object], object]
) -> Tuple[List[Dict[str, object]], List[List[Operation]]]:
    """The API payloads for ``operations`` and, for each payload, the operations it carries.

    Entities both created and deleted are dropped; consecutive updates of one entity, and updates
    right after its create, are folded into one payload. ``encode`` turns values into wire form.
    """
    created = {_identity(op) for op in operations if isinstance(op, CreateEntityOperation)}
    deleted = {_identity(op) for op in operations if isinstance(op, DeleteEntityOperation)}
    skip = created & deleted
    payloads: List[Dict[str, object]] = []
    carried: List[List[Operation]] = []
    # the entity data of the last payload when it is a create or update: (identity, data)
    open_data: Optional[Tuple[Tuple[str, Tuple[str, ...]], Dict[str, object]]] = None
    for op in operations:
        identity = _identity(op)
        if identity in skip:
            continue
        key = list(op.entity_key)
        if isinstance(op, UpdateEntityOperation) and open_data and open_data[0] == identity:
            open_data[1][op.attribute_name] = encode(op.new_value)
            carried[-1].append(op)
            continue
        open_data = None
        if isinstance(op, DeleteEntityOperation):
            payloads.append({"action": "delete", "entity_type": op.entity_type, "entity_key": key})
        else:
            data: Dict[str, object] = {"__entity_type__": op.entity_type}
            if isinstance(op, CreateEntityOperation):
                data.update({name: encode(value) for name, value in op.entity_data.items()})
            else:
                data[op.attribute_name] = encode(op.new_value)
            action = "create" if isinstance(op, CreateEntityOperation) else "update"
            payloads.append(
                {
                    "action": action,
                    "entity_type": op.entity_type,
                    "entity_key": key,
                    "entity_data": data,
                }
            )
            open_data = (identity, data)
        carried.append([op])
    return payloads, carried
