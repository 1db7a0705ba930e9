"""Entity schemas as the server describes them: attribute kinds, keys, defaults, projections."""

from __future__ import annotations

import uuid
from typing import Any, Dict, List, NamedTuple, Optional

from ft_dcc.protocol.json_value import JsonValue

SCALAR = "scalar"
REFERENCE = "reference"
COLLECTION = "collection"
KEY_VALUE = "key_value"  # ``metadata`` and ``custom_attributes``


class Attribute(NamedTuple):
    """One attribute of an entity type (a named tuple: cheap to import, immutable)."""

    name: str
    kind: str
    target: Optional[str] = None  # referenced / item type
    default: JsonValue = None
    has_default: bool = False
    immutable: bool = False
    computed: bool = False
    datetime: bool = False

    def default_value(self) -> JsonValue:
        if self.default == "{uid}":
            return str(uuid.uuid4())
        if isinstance(self.default, list):
            return list(self.default)
        if isinstance(self.default, dict):
            return dict(self.default)
        return self.default


class Schema:
    """A server schema (``query_schemas`` item) with its attributes classified."""

    def __init__(self, data: Dict[str, Any]) -> None:
        self.data = data
        self.id: str = data["id"]
        self.primary_key: List[str] = list(data.get("primary_key") or ["id"])
        self.default_projections: List[str] = list(data.get("default_projections") or []) or list(
            self.primary_key
        )
        immutable = set(data.get("immutable") or [])
        computed = set(data.get("computed") or [])
        self.attributes: Dict[str, Attribute] = {}
        for name, fragment in (data.get("properties") or {}).items():
            if fragment.get("restricted_projection"):
                continue
            built = _attribute(name, fragment, name in immutable, name in computed)
            if built is not None:
                self.attributes[name] = built

    def __repr__(self) -> str:
        return f"<Schema {self.id}>"

    @property
    def scalar_names(self) -> List[str]:
        return [a.name for a in self.attributes.values() if a.kind == SCALAR]


def _attribute(
    name: str, fragment: Dict[str, Any], immutable: bool, computed: bool
) -> Optional[Attribute]:
    kind_name = fragment.get("type")
    has_default = "default" in fragment
    common: Dict[str, Any] = dict(
        name=name,
        default=fragment.get("default"),
        has_default=has_default,
        immutable=immutable,
        computed=computed,
    )
    if kind_name is None and "$ref" in fragment:
        return Attribute(kind=REFERENCE, target=fragment["$ref"], **common)
    if kind_name == "array":
        target = (fragment.get("items") or {}).get("$ref")
        return Attribute(kind=COLLECTION, target=target, **common)
    if kind_name == "mapped_array":
        target = (fragment.get("items") or {}).get("$ref") or ""
        if target == "Metadata" or target.endswith("CustomAttributeValue"):
            return Attribute(kind=KEY_VALUE, target=target, **common)
        return None
    is_datetime = fragment.get("format") == "date-time" and kind_name == "string"
    return Attribute(kind=SCALAR, datetime=is_datetime, **common)
