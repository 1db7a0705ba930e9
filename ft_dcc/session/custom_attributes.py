"""Custom attribute values: find the configuration for a key and make its value entity."""

from __future__ import annotations

from typing import Dict, List, Optional, Protocol

from ft_dcc.session.entity import Creates, Entity
from ft_dcc.session.query import QueryResult
from ft_dcc.session.schema import Attribute


class CustomAttributeSession(Creates, Protocol):
    """What the custom attribute lookup asks of its session (``ft_dcc.Session`` provides it)."""

    def query(self, expression: str, page_size: Optional[int] = None) -> QueryResult: ...


#: ``CustomAttributeConfiguration.entity_type`` of entity types not named after themselves.
_CONFIGURATION_KINDS = {
    "Project": "show",
    "AssetVersion": "assetversion",
    "User": "user",
    "Asset": "asset",
    "TypedContextList": "list",
    "AssetVersionList": "list",
}


class CustomAttributes:
    """The server's custom attribute configurations (queried once, on first use)."""

    def __init__(self, session: CustomAttributeSession) -> None:
        self._session = session
        self._configurations: Optional[List[Dict[str, object]]] = None

    def configurations(self) -> List[Dict[str, object]]:
        """Every configuration's scalar values (one query the first time)."""
        if self._configurations is None:
            rows = self._session.query(
                "select key, project_id, id, object_type_id, entity_type, is_hierarchical "
                "from CustomAttributeConfiguration"
            ).all()
            self._configurations = [
                {name: row.get_remote(name, None) for name in row.schema.scalar_names}
                for row in rows
            ]
        return self._configurations

    def value_entity(self, entity: Entity, attribute: Attribute, key: str) -> Entity:
        """The (reconstructed, not created) value entity of custom attribute ``key`` of
        ``entity``; KeyError if no configuration for ``key`` applies to it."""
        kind = configuration_kind(entity)
        object_type_id = entity.get_local("object_type_id", entity.get_remote("object_type_id"))
        for config in self.configurations():
            if config.get("key") != key or config.get("entity_type") != kind:
                continue
            if kind == "task" and config.get("object_type_id") not in (None, object_type_id):
                continue
            return self._session.create(
                attribute.target or "CustomAttributeValue",
                {"configuration_id": config["id"], "entity_id": entity["id"], "key": key},
                reconstructing=True,
            )
        raise KeyError(
            f"No custom attribute {key!r} is configured for {entity.entity_type} entities"
        )


def configuration_kind(entity: Entity) -> str:
    """The ``entity_type`` a custom attribute configuration uses for ``entity``."""
    if "object_type_id" in entity.schema.attributes:
        return "task"
    return _CONFIGURATION_KINDS.get(entity.entity_type, entity.entity_type.lower())
