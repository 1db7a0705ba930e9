"""The identity map: one ``Entity`` object per (type, primary key) in a session.

Server JSON is merged into it, entity classes are built from schemas on first use, and entity
snapshots are written through to the user's cache layers below memory.
"""

from __future__ import annotations

import logging
import threading
from typing import (
    TYPE_CHECKING,
    Any,
    Dict,
    Iterable,
    Iterator,
    List,
    Optional,
    Protocol,
    Sequence,
    Type,
    TypeVar,
    Union,
    overload,
)

from ft_dcc import protocol
from ft_dcc.exceptions import ApiError
from ft_dcc.protocol.json_value import JsonObject
from ft_dcc.session.cache import Cache, KeyMaker, LayeredCache
from ft_dcc.session.entity import Collection, Entity, EntitySession, entity_class
from ft_dcc.session.schema import REFERENCE, SCALAR, Attribute, Schema
from ft_dcc.session.wire import encode_value

if TYPE_CHECKING:
    from _collections_abc import dict_items, dict_values

log = logging.getLogger(__name__)
_T = TypeVar("_T")


class IdentityMapSession(EntitySession, Protocol):
    """What the identity map asks of its session: an entity's session and its cache layers
    (``ft_dcc.Session`` provides it)."""

    cache: LayeredCache
    cache_key_maker: KeyMaker


class TypeRegistry(Dict[str, Type[Entity]]):
    """``session.types``: entity classes by name, built on first use."""

    def __init__(self, identity_map: IdentityMap) -> None:
        super().__init__()
        self._identity_map = identity_map

    def __missing__(self, name: str) -> Type[Entity]:
        cls = entity_class(self._identity_map.schema(name))
        self[name] = cls
        return cls

    def __contains__(self, name: object) -> bool:
        return name in self._identity_map.raw_schemas

    def __iter__(self) -> Iterator[str]:
        return iter(self._identity_map.raw_schemas)

    def __len__(self) -> int:
        return len(self._identity_map.raw_schemas)

    # Any: ``dict.keys`` is typed as a view of this dict's own storage; this one is the view of
    # the schema names (no class built), which no ``dict_keys[str, type]`` can describe.
    def keys(self) -> Any:
        return self._identity_map.raw_schemas.keys()

    # The classes are built on first use; whatever shows them all builds the rest first, so the
    # registry reads as the genuine client's filled dict (``values``, ``items``, printing, copy).
    def _build_all(self) -> None:
        for name in self._identity_map.raw_schemas:
            if not dict.__contains__(self, name):
                self[name]  # __missing__ builds and stores it

    def values(self) -> dict_values[str, Type[Entity]]:
        self._build_all()
        return super().values()

    def items(self) -> dict_items[str, Type[Entity]]:
        self._build_all()
        return super().items()

    @overload
    def get(self, name: str, default: None = None) -> Optional[Type[Entity]]: ...

    @overload
    def get(self, name: str, default: Type[Entity]) -> Type[Entity]: ...

    @overload
    def get(self, name: str, default: _T) -> Union[Type[Entity], _T]: ...

    def get(self, name: str, default: object = None) -> object:
        return self[name] if name in self else default  # noqa: SIM401 - builds on first use

    def copy(self) -> Dict[str, Type[Entity]]:
        return dict(self.items())

    def __repr__(self) -> str:
        self._build_all()
        return super().__repr__()


class IdentityMap:
    """Entities of ``session`` by identity, kept in ``session.cache`` (memory layer first).

    ``raw_schemas`` are the server's schemas by entity type; ``lock`` is the session's lock.
    """

    def __init__(
        self,
        session: IdentityMapSession,
        raw_schemas: Dict[str, JsonObject],
        lock: threading.RLock,
    ) -> None:
        self._session = session
        self._lock = lock
        self.raw_schemas = raw_schemas
        self._schemas: Dict[str, Schema] = {}
        self.types = TypeRegistry(self)

    # -- schemas -----------------------------------------------------------------------------
    def schema(self, name: str) -> Schema:
        """The parsed schema of entity type ``name``; ApiError if the server has no such type."""
        schema = self._schemas.get(name)
        if schema is None:
            raw = self.raw_schemas.get(name)
            if raw is None:
                raise ApiError(
                    f"Unknown entity type {name!r}",
                    hint="check the spelling; session.types lists the types of this server",
                )
            schema = self._schemas[name] = Schema(raw)
        return schema

    # -- cache -------------------------------------------------------------------------------
    def cache_key(self, entity_type: str, key: Sequence[str]) -> str:
        return self._session.cache_key_maker.key((entity_type, [str(k) for k in key]))

    def remember(self, entity: Entity) -> None:
        """Put ``entity`` in the memory layer."""
        self._session.cache.memory.set(
            self.cache_key(entity.entity_type, entity.primary_key), entity
        )

    def forget(self, entity: Entity) -> None:
        """Remove ``entity`` from every cache layer (cache errors are logged, not raised)."""
        key = self.cache_key(entity.entity_type, entity.primary_key)
        for layer in self._session.cache.caches:
            try:
                layer.remove(key)
            except KeyError:
                pass
            except Exception as error:  # a cache must never break the session
                log.warning("could not remove %s from cache %r: %s", key, layer, error)

    def persist(self, entities: Iterable[Entity]) -> None:
        """Write entity snapshots to the cache layers below memory (if any)."""
        layers = self._session.cache.caches[1:]
        if not layers:
            return
        items = []
        for entity in entities:
            if entity._created or entity._deleted:
                continue
            snapshot: Dict[str, object] = {"__entity_type__": entity.entity_type}
            snapshot.update({k: encode_value(v) for k, v in entity._remote.items()})
            items.append((self.cache_key(entity.entity_type, entity.primary_key), snapshot))
        for layer in layers:
            try:
                set_many = getattr(layer, "set_many", None)
                if set_many is not None:
                    set_many(items)
                else:
                    for key, value in items:
                        layer.set(key, value)
            except Exception as error:  # a cache must never break the session
                log.warning("could not write to cache %r: %s", layer, error)

    def cached(self, entity_type: str, key: Sequence[str]) -> Optional[Entity]:
        """The entity from memory or, failing that, a snapshot in a lower cache layer."""
        cache = self._session.cache
        cache_key = self.cache_key(entity_type, key)
        found = _remembered(cache.memory, cache_key)
        if found is not None and not found._deleted:
            return found
        for layer in cache.caches[1:]:
            try:
                snapshot = layer.get(cache_key)
            except KeyError:
                continue
            except Exception as error:  # a cache must never break the session
                log.warning("could not read cache %r: %s", layer, error)
                continue
            if isinstance(snapshot, Entity):
                return snapshot
            if isinstance(snapshot, dict) and "__entity_type__" in snapshot:
                merged = self.merge_entity(snapshot, None)
                return merged if isinstance(merged, Entity) else None
        return None

    # -- merging server data -----------------------------------------------------------------
    def decode(self, value: object, group: Optional[List[Entity]]) -> object:
        """Server JSON (already parsed) with entity dicts merged; new entities join ``group``."""
        if isinstance(value, list):
            return [self.decode(item, group) for item in value]
        if isinstance(value, dict):
            kind = value.get("__type__")
            if kind in ("datetime", "date") and isinstance(value.get("value"), str):
                return protocol.decode_datetime(value["value"])
            if "__entity_type__" in value:
                return self.merge_entity(value, group)
            return {k: self.decode(v, group) for k, v in value.items()}
        return value

    def merge_entity(
        self, data: Dict[str, object], group: Optional[List[Entity]]
    ) -> Union[Entity, Dict[str, object]]:
        """The entity for ``data`` (made if new) with ``data``'s values as its remote values;
        ``data`` itself (its values decoded when it has no key) if it names no known entity."""
        entity_type = data["__entity_type__"]
        if not isinstance(entity_type, str) or entity_type not in self.raw_schemas:
            return data
        schema = self.schema(entity_type)
        try:
            key = [str(data[name]) for name in schema.primary_key]
        except KeyError:
            return {k: self.decode(v, group) for k, v in data.items()}
        cache_key = self.cache_key(entity_type, key)
        memory = self._session.cache.memory
        with self._lock:
            entity = _remembered(memory, cache_key)
            if entity is None:
                entity = self.types[entity_type](self._session)
                memory.set(cache_key, entity)
            for name, raw in data.items():
                attribute = schema.attributes.get(name)
                if attribute is None:
                    continue
                entity._remote[name] = self._decode_attribute(entity, attribute, raw, group)
            if group is not None and entity._group is not group:
                entity._group = group
                group.append(entity)
        return entity

    def _decode_attribute(
        self, entity: Entity, attribute: Attribute, raw: object, group: Optional[List[Entity]]
    ) -> object:
        if attribute.kind == SCALAR:
            return self.decode(raw, group)
        if attribute.kind == REFERENCE:
            return self.merge_entity(raw, group) if isinstance(raw, dict) else None
        listed = raw if isinstance(raw, list) else []
        items = [self.merge_entity(item, group) for item in listed if isinstance(item, dict)]
        return Collection(entity, attribute, [i for i in items if isinstance(i, Entity)])


def _remembered(memory: Cache, cache_key: str) -> Optional[Entity]:
    """The entity the memory layer holds under ``cache_key``, or None."""
    try:
        found = memory.get(cache_key)
    except KeyError:
        return None
    return found if isinstance(found, Entity) else None
