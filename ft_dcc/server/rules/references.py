"""End-of-batch checks of every row written: uniqueness, required values, references that exist."""

from __future__ import annotations

import re
from typing import Dict, Hashable, List, Mapping, Optional, Sequence, Set, Tuple

from sqlalchemy import select

from ft_dcc.server.common.errors import ApiOperationError
from ft_dcc.server.model.schema import REFERENCE_ALIASES, Attribute, EntityType, SchemaModel
from ft_dcc.server.model.storage import DISCRIMINATOR
from ft_dcc.server.query.values import StoredRow
from ft_dcc.server.rules.ftrack import check_ftrack_rules
from ft_dcc.server.rules.integrity import check_row_rules
from ft_dcc.server.rules.registry import (
    VALIDATION_ORDER,
    BatchView,
    Key,
    Operation,
    Rule,
    Touched,
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
        written: List[Tuple[Touched, EntityType, StoredRow]] = []
        for touched in batch.touched:
            etype, key = touched.etype, touched.key
            if (etype.name, key) in seen:
                continue
            seen.add((etype.name, key))
            row = batch.load(etype, key)
            if row is not None:  # else deleted later in the batch
                written.append((touched, concrete_type(batch.model, row), row))
        rows = [(etype, row) for _, etype, row in written]
        _find_referenced(batch, rows)
        clashes = _clashes(batch, rows)
        for touched, concrete, row in written:
            key = touched.key
            try:
                _check_row(batch, concrete, row, clashes)
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


#: one type's unique values: (type, columns) -> {values: the keys of the rows that hold them}
Clashes = Dict[Tuple[str, Tuple[str, ...]], Dict[Tuple[object, ...], Set[object]]]
#: values asked in one ``IN (…)`` list
VALUES_PER_STATEMENT = 500


def _unique_values(
    row: Mapping[str, object], names: Tuple[str, ...]
) -> Optional[Tuple[object, ...]]:
    """The values of ``names`` that must be unique, or None when one is unknown (null)."""
    if any(row.get(name) is None and name not in NULL_IS_A_VALUE for name in names):
        return None
    return tuple(row.get(name) for name in names)


def _clashes(batch: BatchView, rows: Sequence[Tuple[EntityType, StoredRow]]) -> Clashes:
    """The stored rows sharing the unique values of the written ``rows``: for each type and
    columns, a statement per :data:`VALUES_PER_STATEMENT` values of the first column."""
    asked: Dict[Tuple[str, Tuple[str, ...]], Set[object]] = {}
    for etype, row in rows:
        for names in UNIQUE_TOGETHER.get(etype.name, []):
            values = _unique_values(row, names)
            if values is not None and isinstance(values[0], Hashable):
                asked.setdefault((etype.name, names), set()).add(values[0])
    found: Clashes = {}
    for (type_name, names), firsts in asked.items():
        etype = batch.model.types[type_name]
        table = batch.table(etype)
        pk = table.c[etype.primary_key[0]]
        held = found.setdefault((type_name, names), {})
        listed = sorted(firsts, key=repr)
        for start in range(0, len(listed), VALUES_PER_STATEMENT):
            some = listed[start : start + VALUES_PER_STATEMENT]
            stmt = select(pk, *(table.c[name] for name in names)).where(
                table.c[names[0]].in_(some), table.c[DISCRIMINATOR] == type_name
            )
            for ident, *held_values in batch.connection.execute(stmt):
                held.setdefault(tuple(held_values), set()).add(ident)
    return found


def _check_unique(
    batch: BatchView, etype: EntityType, row: Mapping[str, object], clashes: Clashes
) -> None:
    for names in UNIQUE_TOGETHER.get(etype.name, []):
        values = _unique_values(row, names)
        if values is None:
            continue
        if (etype.name, names) in clashes and isinstance(values[0], Hashable):
            holders = clashes[(etype.name, names)].get(values, set())
            clash = bool(holders - {row[etype.primary_key[0]]})
        else:
            clash = _held_elsewhere(batch, etype, row, names)
        if clash:
            shown = ", ".join(f"{name} {row[name]!r}" for name in names)
            raise _fail(
                f"Duplicate entry: another {etype.name} already has {shown}; choose a "
                "different value, or use the existing one",
                "IntegrityError",
            )


def _held_elsewhere(
    batch: BatchView, etype: EntityType, row: Mapping[str, object], names: Tuple[str, ...]
) -> bool:
    """Whether another row of ``etype`` holds ``row``'s values of ``names`` (a statement)."""
    table = batch.table(etype)
    pk = table.c[etype.primary_key[0]]
    condition = [
        table.c[name].is_(None) if row.get(name) is None else table.c[name] == row[name]
        for name in names
    ]
    condition.append(table.c[DISCRIMINATOR] == etype.name)
    condition.append(pk != row[etype.primary_key[0]])
    return batch.connection.execute(select(pk).where(*condition).limit(1)).first() is not None


def _references(
    batch: BatchView, etype: EntityType, row: Mapping[str, object]
) -> Dict[str, List[Tuple[Attribute, EntityType]]]:
    """The columns of ``row`` that refer to another row: column -> (attribute, target type)."""
    targets: Dict[str, List[Tuple[Attribute, EntityType]]] = {}
    for column, attr, target in _reference_columns(batch.model, etype):
        if row.get(column) is not None:
            targets.setdefault(column, []).append((attr, target))
    return targets


#: per type (by its object, kept alive here): its columns that may refer to another row
_REFERENCE_COLUMNS: Dict[int, Tuple[EntityType, List[Tuple[str, Attribute, EntityType]]]] = {}


def _reference_columns(
    model: SchemaModel, etype: EntityType
) -> List[Tuple[str, Attribute, EntityType]]:
    """``etype``'s columns that refer to another row: (column, attribute, target type), its
    reference attributes' first, then the ids only the schema's words declare (those no
    reference attribute covers); worked out once per type."""
    kept = _REFERENCE_COLUMNS.get(id(etype))
    if kept is not None and kept[0] is etype:
        return kept[1]
    found: List[Tuple[str, Attribute, EntityType]] = []
    for attr in etype.attributes.values():
        if attr.kind != "reference" or not attr.foreign_key:
            continue
        target = model.types.get(attr.target or "")
        if target is not None and len(target.primary_key) == 1:
            found.append((attr.foreign_key, attr, target))
    for column, target_name in declared_keys(etype, {column for column, _, _ in found}):
        target = model.types.get(target_name)
        if target is not None and len(target.primary_key) == 1:
            found.append((column, etype.attributes[column], target))
    _REFERENCE_COLUMNS[id(etype)] = (etype, found)
    return found


def _find_referenced(batch: BatchView, rows: Sequence[Tuple[EntityType, StoredRow]]) -> None:
    """Look up the rows the written ``rows`` refer to, many in a statement (the batch keeps
    what it found; each row's check then asks the batch, as it would one by one)."""
    wanted: Dict[Tuple[str, str], List[object]] = {}
    for etype, row in rows:
        for column, candidates in _references(batch, etype, row).items():
            for _, target in candidates:
                for name in REFERENCE_ALIASES.get(target.name, (target.name,)):
                    candidate = batch.model.types[name]
                    where = (candidate.family, candidate.primary_key[0])
                    wanted.setdefault(where, []).append(row[column])
    for (family, key_column), values in wanted.items():
        batch.find_keys(family, key_column, values)


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


def _check_row(
    batch: BatchView, etype: EntityType, row: Mapping[str, object], clashes: Clashes
) -> None:
    _check_unique(batch, etype, row, clashes)
    check_row_rules(etype, row)
    check_ftrack_rules(batch.connection, batch.table(etype), etype, row)
    for name in etype.required:
        attr = etype.attributes.get(name)
        if attr is None or not attr.is_scalar or attr.computed:
            continue
        if row.get(name) is None:
            raise _fail(f"{etype.name} needs a value for required attribute '{name}'")
    for column, candidates in _references(batch, etype, row).items():
        value = row[column]
        if any(batch.exists_in_family(target, value) for _, target in candidates):
            continue
        attr, target = candidates[0]
        raise _fail(
            f"'{attr.name}' of {etype.name} refers to {target.name} {value}, which does not "
            "exist; create it first or fix the id",
            "NotFoundError",
        )
