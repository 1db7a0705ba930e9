"""End-of-batch checks of every row written: uniqueness, required values, references that exist."""

from __future__ import annotations

import re
from typing import Dict, List, Mapping, Sequence, Set, Tuple

from sqlalchemy import select

from ft_dcc.server.errors import ApiOperationError
from ft_dcc.server.model.schema import Attribute, EntityType
from ft_dcc.server.model.storage import DISCRIMINATOR
from ft_dcc.server.rules.ftrack import check_ftrack_rules
from ft_dcc.server.rules.integrity import check_row_rules
from ft_dcc.server.rules.registry import (
    VALIDATION_ORDER,
    BatchView,
    Key,
    Operation,
    Rule,
    concrete_type,
)

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
#: the schema's words for a scalar foreign key naming one type's id
FOREIGN_KEY = re.compile(r"^Foreign key\(s\): (\w+)\.id$")
#: columns of UNIQUE_TOGETHER where null is a value like any other (not "unknown")
NULL_IS_A_VALUE = frozenset({"object_type_id"})


def _fail(message: str, exception: str = "ValidationError") -> ApiOperationError:
    return ApiOperationError(message, exception)


class ReferencesRule(Rule):
    """Every row the batch wrote is unique where it must be, complete and refers to rows that
    exist. Checked when the batch ends, not per operation: the client may create a child before
    the parent update that links it (recorded flow F09b)."""

    name = "references"
    order = VALIDATION_ORDER

    def check_batch(self, batch: BatchView, operations: Sequence[Operation]) -> None:
        seen = set()
        for touched in batch.touched:
            etype, key = touched.etype, touched.key
            if (etype.name, key) in seen:
                continue
            seen.add((etype.name, key))
            row = batch.load(etype, key)
            if row is None:
                continue  # deleted later in the batch
            concrete = concrete_type(batch.model, row)
            try:
                _check_row(batch, concrete, row)
            except ApiOperationError as error:  # found only now: a scan per row made 5,000 slow
                index = _operation_index(operations, concrete, key, touched.change_index)
                raise error.at(index, str(operations[index].get("action")), concrete.name) from None


def _operation_index(
    operations: Sequence[Operation], etype: EntityType, key: Key, fallback: int
) -> int:
    for index, operation in enumerate(operations):
        if not isinstance(operation, dict) or operation.get("action") not in (
            "create",
            "update",
        ):
            continue
        if operation.get("entity_type") != etype.name:
            continue
        data = operation.get("entity_data")
        sent = data if isinstance(data, dict) else {}
        op_key = operation.get("entity_key") or [sent.get(n) for n in etype.primary_key]
        if isinstance(op_key, list) and [str(k) for k in op_key] == list(key):
            return index
    return min(fallback, len(operations) - 1)


def _check_unique(batch: BatchView, etype: EntityType, row: Mapping[str, object]) -> None:
    table = batch.table(etype)
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
        if batch.connection.execute(select(pk).where(*condition).limit(1)).first():
            shown = ", ".join(f"{name} {row[name]!r}" for name in names)
            raise _fail(
                f"Duplicate entry: another {etype.name} already has {shown}; choose a "
                "different value, or use the existing one",
                "IntegrityError",
            )


def declared_keys(etype: EntityType, covered: Set[str]) -> List[Tuple[str, str]]:
    """(column, target type) of scalar ids the schema declares as foreign keys ("Foreign
    key(s): Project.id") that no reference attribute covers, e.g. ``Project.project_id``."""
    found = []
    for attr in etype.attributes.values():
        if not attr.is_scalar or attr.computed or attr.name in covered:
            continue
        if attr.name in etype.primary_key:
            continue
        prop = (etype.schema.get("properties") or {}).get(attr.name) or {}
        match = FOREIGN_KEY.match(str(prop.get("description") or ""))
        if prop.get("format") == "foreign_key" and match:
            found.append((attr.name, match.group(1)))
    return found


def _check_row(batch: BatchView, etype: EntityType, row: Mapping[str, object]) -> None:
    _check_unique(batch, etype, row)
    check_row_rules(etype, row)
    check_ftrack_rules(batch.connection, batch.table(etype), etype, row)
    for name in etype.required:
        attr = etype.attributes.get(name)
        if attr is None or not attr.is_scalar or attr.computed:
            continue
        if row.get(name) is None:
            raise _fail(f"{etype.name} needs a value for required attribute '{name}'")
    targets: Dict[str, List[Tuple[Attribute, EntityType]]] = {}
    for attr in etype.attributes.values():
        if attr.kind != "reference" or not attr.foreign_key or row.get(attr.foreign_key) is None:
            continue
        target = batch.model.types.get(attr.target or "")
        if target is None or len(target.primary_key) != 1:
            continue
        targets.setdefault(attr.foreign_key, []).append((attr, target))
    for column, target_name in declared_keys(etype, set(targets)):
        target = batch.model.types.get(target_name)
        if target is not None and len(target.primary_key) == 1 and row.get(column) is not None:
            targets.setdefault(column, []).append((etype.attributes[column], target))
    for column, candidates in targets.items():
        value = row[column]
        if any(batch.exists_in_family(target, value) for _, target in candidates):
            continue
        attr, target = candidates[0]
        raise _fail(
            f"'{attr.name}' of {etype.name} refers to {target.name} {value}, which does not "
            "exist; create it first or fix the id",
            "NotFoundError",
        )
