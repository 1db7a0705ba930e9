"""Planning a batch's writes: the row a create or an update will store, checked, before the
rules judge it and before anything is written (:class:`Planning`)."""

from __future__ import annotations

import uuid
from typing import Dict, List, Mapping, NamedTuple, Optional, Tuple, cast

import sqlalchemy as sa
from sqlalchemy import select

from ft_dcc.server.common.errors import ApiOperationError
from ft_dcc.server.model.schema import REFERENCE_ALIASES, Attribute, EntityType
from ft_dcc.server.model.storage import DISCRIMINATOR
from ft_dcc.server.query.values import StoredRow, ValueTypeError, wire_to_storage
from ft_dcc.server.rules.registry import BatchView, Key, concrete_type
from ft_dcc.server.store.defaults import apply_server_defaults
from ft_dcc.server.store.lookups import Lookups

VALUE_TYPES_UPSERTED = "CustomAttributeValue"


def _fail(message: str, exception: str = "ValidationError") -> ApiOperationError:
    return ApiOperationError(message, exception)


def _sent(data: object) -> Dict[str, object]:
    """The caller's entity_data as rules see it ({} when it is not an object)."""
    return dict(data) if isinstance(data, dict) else {}


class PlannedRow(NamedTuple):
    """A create's row before it is stored: its key, its column values (key and defaults filled),
    its collection assignments and the caller's checked ``entity_data``."""

    key: Key
    values: Dict[str, object]
    relations: List[Tuple[Attribute, List[object]]]
    data: Dict[str, object]


def _fill_key(etype: EntityType, values: Dict[str, object], entity_key: object) -> None:
    """The primary key of a new row: from the values, else ``entity_key``, else a new uuid
    where the schema says so; a key left empty, or named differently by the values and
    ``entity_key``, is refused."""
    if entity_key is not None and isinstance(entity_key, list):
        for name, part in zip(etype.primary_key, entity_key):
            sent = values.setdefault(name, str(part))
            if sent is not None and str(sent) != str(part):
                raise _fail(
                    f"entity_key and entity_data name different values for '{name}' of "
                    f"{etype.name} ({str(part)[:80]!r}, {str(sent)[:80]!r}); send one of them"
                )
    for name in etype.primary_key:
        if values.get(name) in (None, ""):
            attr = etype.attributes[name]
            if attr.has_default and attr.default == "{uid}":
                values[name] = str(uuid.uuid4())
            else:
                raise _fail(
                    f"{etype.name} needs a value for its primary key '{name}'; send it in "
                    "entity_data or entity_key"
                )


def _fill_defaults(etype: EntityType, values: Dict[str, object]) -> None:
    """The schema's defaults of the stored attributes a create left out."""
    for attr in etype.scalar_attributes():
        if attr.name in values or attr.computed or not attr.has_default:
            continue
        if attr.default == "{uid}":
            continue
        values[attr.name] = wire_to_storage(attr.value_type, attr.default, attr.name)


class Planning(Lookups):
    """The checks and plans of writes (see the module's words)."""

    def entity_type(self, name: object) -> EntityType:
        if not isinstance(name, str) or not name:
            raise _fail("The operation needs an 'entity_type' (e.g. \"Task\")")
        etype = self.model.get(name)
        if etype is None:
            raise _fail(
                f"Unknown entity type '{name}'; use a type listed by query_schemas", "ServerError"
            )
        return etype

    def entity_key(self, etype: EntityType, key: object) -> Key:
        if isinstance(key, (str, int)) and len(etype.primary_key) == 1:
            key = [key]
        if not isinstance(key, list) or len(key) != len(etype.primary_key):
            raise _fail(
                f"entity_key of {etype.name} must be a list of {len(etype.primary_key)} value(s): "
                + ", ".join(etype.primary_key)
            )
        if any(not isinstance(part, (str, int)) or isinstance(part, bool) for part in key):
            raise _fail(f"entity_key of {etype.name} must hold strings")
        return tuple(str(part) for part in key)

    def attribute(self, etype: EntityType, name: object) -> Attribute:
        attr = etype.attribute(name) if isinstance(name, str) else None
        if attr is None:
            raise _fail(
                f"'{name}' is not an attribute of {etype.name}; check the spelling against "
                f"the {etype.name} schema"
            )
        return attr

    def plan_create(self, etype: EntityType, data: object, entity_key: object) -> PlannedRow:
        """The row a create will store: the caller's values, the key (from the values or
        ``entity_key``, which must agree), the schema's and the server's defaults."""
        checked = self._creatable(etype, data)
        values, relations = self.split_values(etype, checked, creating=True)
        _fill_key(etype, values, entity_key)
        _fill_defaults(etype, values)
        apply_server_defaults(cast(BatchView, self), etype, values)  # a Batch plans
        values[DISCRIMINATOR] = etype.name
        key = tuple(str(values[name]) for name in etype.primary_key)
        return PlannedRow(key, values, relations, checked)

    def planned_update(
        self, etype: EntityType, key: Key, data: object, before: Optional[StoredRow]
    ) -> Optional[StoredRow]:
        """The row an update will store: its column values over the stored row (a custom
        attribute value not stored yet: its key). None when it cannot be planned: the update
        then fails with its own error, after the rules judged the stored row."""
        if before is None:
            upsert = etype.family == VALUE_TYPES_UPSERTED
            return dict(zip(etype.primary_key, key)) if upsert else None
        if not isinstance(data, dict):
            return None
        concrete = concrete_type(self.model, before)
        try:
            values, _relations = self.split_values(concrete, data, creating=False)
        except (ApiOperationError, ValueTypeError):
            return None
        if concrete.family == "Context" and "parent_id" in values and concrete.name != "Project":
            values["project_id"] = self.project_of(values["parent_id"])
        return {**before, **cast(StoredRow, self._columns(self.table(concrete), values))}

    def _creatable(self, etype: EntityType, data: object) -> Dict[str, object]:
        """``entity_data`` of a create, checked: a concrete type, an object naming no other
        type, a valid custom attribute value."""
        if etype.is_abstract:
            raise _fail(
                f"{etype.name} is abstract; create one of its concrete types, e.g. "
                + ", ".join(sorted(set(etype.descendants) - {etype.name})[:4])
            )
        if not isinstance(data, dict):
            raise _fail("entity_data must be a JSON object of attribute values")
        declared = data.get("__entity_type__", etype.name)
        if declared != etype.name:
            raise _fail(
                f"entity_data says __entity_type__ {declared!r} but entity_type is {etype.name}"
            )
        if etype.family == VALUE_TYPES_UPSERTED and "value" in data:
            self.check_custom_attribute_value(data.get("configuration_id"), data["value"])
        return data

    def _columns(self, table: sa.Table, values: Mapping[str, object]) -> Dict[str, object]:
        return {name: value for name, value in values.items() if name in table.c}

    def split_values(
        self, etype: EntityType, data: Mapping[str, object], creating: bool
    ) -> Tuple[Dict[str, object], List[Tuple[Attribute, List[object]]]]:
        """Column values and relation (collection) assignments from ``entity_data``."""
        values: Dict[str, object] = {}
        relations: List[Tuple[Attribute, List[object]]] = []
        for name, value in data.items():
            if name == "__entity_type__":
                continue
            attr = self.attribute(etype, name)
            if attr.restricted:
                raise _fail(f"'{name}' of {etype.name} cannot be set through the API")
            if attr.computed:
                raise _fail(f"'{name}' of {etype.name} is computed by the server and cannot be set")
            if attr.is_scalar:
                if (
                    attr.value_type in ("variable", "object")
                    and etype.family == "CustomAttributeValue"
                ):
                    values[name] = wire_to_storage("variable", value, name)
                else:
                    values[name] = wire_to_storage(attr.value_type, value, name)
            elif attr.kind == "reference":
                values[self.foreign_key(etype, attr)] = self.reference_value(etype, attr, value)
            else:
                if not isinstance(value, list):
                    raise _fail(
                        f"'{name}' of {etype.name} is a collection; send a list of entity "
                        "references"
                    )
                relations.append((attr, value))
        return values, relations

    def foreign_key(self, etype: EntityType, attr: Attribute) -> str:
        if not attr.foreign_key:
            raise _fail(f"'{attr.name}' of {etype.name} cannot be set through the API")
        return attr.foreign_key

    def reference_value(self, etype: EntityType, attr: Attribute, value: object) -> Optional[str]:
        if value is None:
            return None
        if not isinstance(value, dict):
            raise _fail(
                f"'{attr.name}' of {etype.name} is a reference; send "
                f'{{"__entity_type__": "{attr.target}", "id": ...}} or null'
            )
        target = self.model.get(attr.target or "")
        ref_type = self.model.get(value.get("__entity_type__") or attr.target or "")
        if (
            target is None
            or ref_type is None
            or not (
                self.model.is_subtype(ref_type.name, target.name)
                or ref_type.name in REFERENCE_ALIASES.get(target.name, ())
            )
        ):
            raise _fail(
                f"'{attr.name}' of {etype.name} must reference a {attr.target}, got "
                f"{value.get('__entity_type__')!r}"
            )
        pk = target.primary_key[0]
        ref = value.get(pk)
        if not isinstance(ref, (str, int)) or isinstance(ref, bool):
            raise _fail(f"The reference in '{attr.name}' of {etype.name} needs its '{pk}'")
        return str(ref)

    def check_custom_attribute_value(self, configuration_id: object, value: object) -> None:
        """The value must fit the configuration's type (number, text, boolean…)."""
        configs = self.tables["CustomAttributeConfiguration"]
        types = self.tables["CustomAttributeType"]
        row = (
            self.connection.execute(
                select(configs.c.key, types.c.name)
                .select_from(configs.outerjoin(types, types.c.id == configs.c.type_id))
                .where(configs.c.id == configuration_id)
            )
            .mappings()
            .first()
        )
        if row is None or value is None:
            return
        kind = (row["name"] or "").lower()
        ok = {
            "number": isinstance(value, (int, float)) and not isinstance(value, bool),
            "text": isinstance(value, str),
            "boolean": isinstance(value, bool),
        }.get(kind, True)
        if not ok:
            raise _fail(
                f"Custom attribute '{row['key']}' holds a {kind}, got {value!r}; send a {kind}"
            )
