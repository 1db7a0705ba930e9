"""End-of-batch checks: required attributes and references of everything written."""

from __future__ import annotations

from typing import Any, Dict, List, Tuple

from sqlalchemy import select

from ft_dcc.server.errors import ApiOperationError
from ft_dcc.server.model.schema import REFERENCE_ALIASES, Attribute, EntityType
from ft_dcc.server.model.storage import DISCRIMINATOR
from ft_dcc.server.rules.ftrack import check_ftrack_rules
from ft_dcc.server.rules.integrity import check_row_rules
from ft_dcc.server.store.surface import BatchSurface

#: attributes whose values must be unique among entities of a type (as on a real server)
UNIQUE_TOGETHER: Dict[str, List[Tuple[str, ...]]] = {
    "User": [("username",)],
    "Location": [("name",)],
    "Project": [("name",)],
    "AssetVersion": [("asset_id", "version")],
    "Asset": [("context_id", "name", "type_id")],
    "ComponentLocation": [("component_id", "location_id")],
    # the schema's own words: "Attribute name unique to entity type" (per object type for
    # tasks, shots…; object_type_id is null for the other entity types)
    "CustomAttributeConfiguration": [("key", "entity_type", "object_type_id")],
    "CustomAttributeLinkConfiguration": [("key", "entity_type", "object_type_id")],
}
#: columns of UNIQUE_TOGETHER where null is a value like any other (not "unknown")
NULL_IS_A_VALUE = frozenset({"object_type_id"})


def _fail(message: str, exception: str = "ValidationError") -> ApiOperationError:
    return ApiOperationError(message, exception)


class BatchValidator(BatchSurface):
    """Mixin of :class:`ft_dcc.server.store.batch.Batch`.

    Checks run when the batch ends, not per operation: the client may create a child before
    the parent update that links it (recorded flow F09b).
    """

    def validate_end_of_batch(self, operations: List[Any]) -> None:
        """Required attributes and references of everything written must hold now."""
        seen = set()
        for change_index, etype, key in self._touched:
            if (etype.name, key) in seen:
                continue
            seen.add((etype.name, key))
            row = self.load(etype, key)
            if row is None:
                continue  # deleted later in the batch
            concrete = self.model.types[row[DISCRIMINATOR]]
            index = self._operation_index(operations, concrete, key, change_index)
            try:
                self._check_row(concrete, row)
            except ApiOperationError as error:
                raise error.at(index, str(operations[index].get("action")), concrete.name) from None

    def _operation_index(self, operations: List[Any], etype: EntityType, key, fallback: int) -> int:
        for index, operation in enumerate(operations):
            if not isinstance(operation, dict) or operation.get("action") not in (
                "create",
                "update",
            ):
                continue
            if operation.get("entity_type") != etype.name:
                continue
            data = operation.get("entity_data") or {}
            op_key = operation.get("entity_key") or [data.get(n) for n in etype.primary_key]
            if [str(k) for k in op_key] == list(key):
                return index
        return min(fallback, len(operations) - 1)

    def _check_unique(self, etype: EntityType, row: Dict[str, Any]) -> None:
        table = self.table(etype)
        for names in UNIQUE_TOGETHER.get(etype.name, []):
            if any(row.get(name) is None and name not in NULL_IS_A_VALUE for name in names):
                continue
            pk = table.c[etype.primary_key[0]]
            condition = [
                table.c[name].is_(None) if row.get(name) is None else table.c[name] == row[name]
                for name in names
            ]
            condition.append(table.c[DISCRIMINATOR] == etype.name)
            condition.append(pk != row[etype.primary_key[0]])
            if self.connection.execute(select(pk).where(*condition).limit(1)).first():
                shown = ", ".join(f"{name} {row[name]!r}" for name in names)
                raise _fail(
                    f"Duplicate entry: another {etype.name} already has {shown}; choose a "
                    "different value, or use the existing one",
                    "IntegrityError",
                )

    def _check_row(self, etype: EntityType, row: Dict[str, Any]) -> None:
        self._check_unique(etype, row)
        check_row_rules(etype, row)
        check_ftrack_rules(self.connection, self.table(etype), etype, row)
        for name in etype.required:
            attr = etype.attributes.get(name)
            if attr is None or not attr.is_scalar or attr.computed:
                continue
            if row.get(name) is None:
                raise _fail(f"{etype.name} needs a value for required attribute '{name}'")
        targets: Dict[str, List[Tuple[Attribute, EntityType]]] = {}
        for attr in etype.attributes.values():
            if (
                attr.kind != "reference"
                or not attr.foreign_key
                or row.get(attr.foreign_key) is None
            ):
                continue
            target = self.model.types.get(attr.target or "")
            if target is None or len(target.primary_key) != 1:
                continue
            targets.setdefault(attr.foreign_key, []).append((attr, target))
        for column, candidates in targets.items():
            value = row[column]
            if any(self._exists_in_family(target, value) for _, target in candidates):
                continue
            attr, target = candidates[0]
            raise _fail(
                f"'{attr.name}' of {etype.name} refers to {target.name} {value}, which does not "
                "exist; create it first or fix the id",
                "NotFoundError",
            )

    def _exists_in_family(self, target: EntityType, value: Any) -> bool:
        for name in REFERENCE_ALIASES.get(target.name, (target.name,)):
            candidate = self.model.types[name]
            table = self.table(candidate)
            pk = table.c[candidate.primary_key[0]]
            if self.connection.execute(select(pk).where(pk == value)).first() is not None:
                return True
        return False
