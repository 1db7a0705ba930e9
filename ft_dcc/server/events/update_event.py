"""The data of ftrack's ``ftrack.update`` event for committed creates, updates and deletes,
shaped like ftrack's (legacy type names, ``parents`` nearest first, keys named as ftrack names
them: ``update_keys``)."""

from __future__ import annotations

import uuid
from typing import Any, Dict, Mapping, Optional, Sequence

from ft_dcc.server.events.update_keys import event_key

#: ``ftrack.update`` names entity types by their legacy table names for a few types.
_LEGACY_ENTITY_TYPES = {
    "Project": "show",
    "FileComponent": "component",
    "SequenceComponent": "component",
    "ContainerComponent": "component",
}
_CONTEXT_TYPES = {
    "Folder",
    "Sequence",
    "Shot",
    "Task",
    "Episode",
    "AssetBuild",
    "Milestone",
    "Scene",
    "Epic",
}


def update_data(
    changes: Sequence[Mapping[str, object]],
    *,
    user: Optional[str],
    user_id: Optional[str],
    client_token: Optional[str],
    push_token: Optional[str],
) -> Dict[str, Any]:
    """The ``data`` of one ``ftrack.update`` event (``EventBroker.emit_update``)."""
    entities = [entity_change(change) for change in changes]
    parents = list(dict.fromkeys(p["entityId"] for e in entities for p in e["parents"]))
    return {
        "entities": entities,
        "parents": parents,
        "user": {"userid": user_id, "name": user},
        "clientToken": client_token,
        "pushToken": push_token or uuid.uuid4().hex,
    }


def _legacy_type(entity_type: Optional[str]) -> Optional[str]:
    """ftrack's legacy lower-case name of a type: ``show`` for Project, ``task`` for contexts."""
    if not entity_type:
        return None
    if entity_type in _LEGACY_ENTITY_TYPES:
        return _LEGACY_ENTITY_TYPES[entity_type]
    return "task" if entity_type in _CONTEXT_TYPES else entity_type.lower()


def _parent_entry(parent: Any) -> Dict[str, Any]:
    """A ``parents`` entry from an id or ``{"entity_type", "entity_id", "parent_id"}``."""
    if not isinstance(parent, dict):
        return {"entityId": str(parent), "entityType": None, "entity_type": None, "parentId": None}
    entity_type = parent.get("entity_type")
    return {
        "entityId": str(parent.get("entity_id") or parent.get("entityId")),
        "entityType": parent.get("entityType") or _legacy_type(entity_type),
        "entity_type": entity_type,
        "parentId": parent.get("parent_id") or parent.get("parentId"),
    }


def entity_change(change: Mapping[str, Any]) -> Dict[str, Any]:
    """One entry of an ``ftrack.update`` event's ``data.entities``, shaped like ftrack's.

    ``changes`` has an entry per key: ``new`` from the change's ``values`` (when given),
    ``old`` None, unless the change brings its own ``changes``. Keys are named as ftrack names
    them (``statusid``: ``update_keys``). ``parents`` starts with the entity itself, then its
    ancestors nearest first, as ftrack's do.
    """
    entity_type = str(change["entity_type"])
    entity_id = str(change["entity_id"])
    legacy = change.get("entityType") or _legacy_type(entity_type)
    values = change.get("values") or {}
    changes: Dict[str, Any] = {}
    for key in change.get("keys") or []:
        changes[event_key(legacy, key)] = {"new": values.get(key), "old": None}
    for key, value in (change.get("changes") or {}).items():
        changes[event_key(legacy, key)] = value
    keys = list(dict.fromkeys(event_key(legacy, key) for key in change.get("keys") or []))
    parent_id = change.get("parent_id")
    own = {
        "entityId": entity_id,
        "entityType": legacy,
        "entity_type": entity_type,
        "parentId": parent_id,
    }
    return {
        "entityId": entity_id,
        "entityType": legacy,
        "entity_type": entity_type,
        "action": change["action"],
        "keys": keys,
        "changes": changes,
        "parentId": parent_id,
        "parents": [own] + [_parent_entry(parent) for parent in change.get("parents") or []],
        "objectTypeId": change.get("object_type_id"),
    }
