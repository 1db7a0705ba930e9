"""Small builders for Store tests (operations in the genuine client's wire shape)."""

from __future__ import annotations

import uuid
from typing import Any, Dict, List, Optional

from ft_dcc.protocol import LOCATION_SERVER


def new_id() -> str:
    return str(uuid.uuid4())


def ref(entity_type: str, ident: str) -> Dict[str, str]:
    return {"__entity_type__": entity_type, "id": ident}


def create(entity_type: str, ident: str, **data: Any) -> Dict[str, Any]:
    entity_data = {"__entity_type__": entity_type, "id": ident}
    entity_data.update(data)
    return {
        "action": "create",
        "entity_type": entity_type,
        "entity_key": [ident],
        "entity_data": entity_data,
    }


def create_asset(
    ident: str, parent: Dict[str, str], type_id: str, name: str = "plate"
) -> Dict[str, Any]:
    """The create of Asset ``name`` under ``parent`` (a :func:`ref`) of AssetType ``type_id``."""
    return create("Asset", ident, name=name, parent=parent, type=ref("AssetType", type_id))


def create_component(
    ident: str, name: str, version_id: Optional[str] = None, **data: Any
) -> Dict[str, Any]:
    """The create of FileComponent ``name`` (of AssetVersion ``version_id`` when given)."""
    if version_id is not None:
        data["version"] = ref("AssetVersion", version_id)
    return create("FileComponent", ident, name=name, **data)


def create_server_location(
    ident: str, component_id: str, resource_identifier: Optional[str] = None
) -> Dict[str, Any]:
    """The create of the ComponentLocation that puts ``component_id`` in ``ftrack.server``."""
    return create(
        "ComponentLocation",
        ident,
        component=ref("FileComponent", component_id),
        location=ref("Location", LOCATION_SERVER[0]),
        resource_identifier=resource_identifier or component_id,
    )


def update(entity_type: str, entity_key: List[str], **data: Any) -> Dict[str, Any]:
    entity_data = {"__entity_type__": entity_type}
    entity_data.update(data)
    return {
        "action": "update",
        "entity_type": entity_type,
        "entity_key": entity_key,
        "entity_data": entity_data,
    }


def delete(entity_type: str, key: List[str]) -> Dict[str, Any]:
    return {"action": "delete", "entity_type": entity_type, "entity_key": key}


def query(expression: str) -> Dict[str, Any]:
    return {"action": "query", "expression": expression}


def metadata(parent_type: str, parent_id: str, key: str, value: str) -> Dict[str, Any]:
    return {
        "action": "create",
        "entity_type": "Metadata",
        "entity_key": [parent_id, key],
        "entity_data": {
            "__entity_type__": "Metadata",
            "parent_id": parent_id,
            "parent_type": parent_type,
            "key": key,
            "value": value,
        },
    }


def datetime_value(text: str) -> Dict[str, str]:
    return {"__type__": "datetime", "value": text}
