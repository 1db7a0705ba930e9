"""Entities: dict-like records typed from server schemas, with collections and key/value proxies."""

from __future__ import annotations

import collections.abc
import os
from typing import (
    Any,
    Callable,
    Dict,
    Iterator,
    List,
    Mapping,
    Optional,
    Protocol,
    Sequence,
    Tuple,
    Union,
)

from ft_dcc.progress import Progress
from ft_dcc.session.schema import COLLECTION, KEY_VALUE, REFERENCE, SCALAR, Attribute, Schema


class _NotSet:
    """The value of an attribute nobody has set or loaded (falsy, like ``ftrack_api.symbol``)."""

    _instance: Optional[_NotSet] = None

    def __new__(cls) -> _NotSet:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __bool__(self) -> bool:
        return False

    def __repr__(self) -> str:
        return "NOT_SET"


NOT_SET = _NotSet()

#: a component: its entity, or its id
ComponentRef = Union["Entity", str]
#: what ``encode_media`` takes: a file to upload, or a FileComponent already in ``ftrack.server``
MediaSource = Union[str, "os.PathLike[str]", "Entity"]
#: a Location: its entity, a built-in name or id, or any name; None for no location
LocationRef = Union["Entity", str, None]
#: keep the original file as a component of the version: True, False or "auto"
KeepOriginal = Union[bool, str]
#: the files of ``upload_files``: (path, component id) pairs
UploadFiles = Sequence[Tuple[Union[str, "os.PathLike[str]"], str]]
#: ``progress(index, stage, fraction, message)`` for the file at ``index`` of ``upload_files``
FilesProgress = Callable[[int, str, float, str], object]


class Creates(Protocol):
    """A session that makes entities (``ft_dcc.Session`` is one)."""

    def create(
        self,
        entity_type: str,
        data: Optional[Mapping[str, object]] = None,
        reconstructing: bool = False,
    ) -> Entity: ...


class EntitySession(Creates, Protocol):
    """What an entity asks of its session (``ft_dcc.Session`` provides it): typed here, so the
    entity never imports the session that imports it."""

    @property
    def auto_populate(self) -> bool: ...

    def _auto_populate(self, entity: Entity, *names: str) -> None: ...

    def _record_update(self, entity: Entity, name: str, old: object, new: object) -> None: ...

    def _custom_attribute_value(self, entity: Entity, attribute: Attribute, key: str) -> Entity: ...

    def delete(self, entity: Entity) -> None: ...

    def create_component(
        self,
        path: Union[str, os.PathLike],
        data: Optional[Mapping[str, object]] = None,
        location: LocationRef = "ftrack.server",
        progress: Optional[Progress] = None,
        commit: bool = True,
    ) -> Entity: ...

    def encode_media(
        self,
        media: MediaSource,
        version_id: Optional[str] = None,
        keep_original: KeepOriginal = "auto",
    ) -> Entity: ...

    def component_url(self, component: ComponentRef) -> str: ...

    def thumbnail_url(self, component: ComponentRef, size: Optional[int] = None) -> str: ...


class Entity(collections.abc.MutableMapping):
    """One ftrack entity. Read and write attributes with ``entity['name']``.

    Values the server sent are *remote*; values set here are *local* until committed. Reading an
    attribute that is neither loads it from the server when ``session.auto_populate`` is on,
    together with the same attribute of every entity loaded alongside this one.
    """

    entity_type: str = "Entity"
    schema: Schema

    def __init__(self, session: EntitySession) -> None:
        self.session = session
        self._remote: Dict[str, Any] = {}
        self._local: Dict[str, Any] = {}
        self._created = False
        self._deleted = False
        self._group: Optional[List[Entity]] = None

    # -- identity ------------------------------------------------------------------------
    @property
    def primary_key(self) -> List[str]:
        """The primary-key values as strings, in schema order."""
        values = []
        for name in self.schema.primary_key:
            value = self._local.get(name, self._remote.get(name, NOT_SET))
            if value is NOT_SET or value is None:
                raise KeyError(f"{self.entity_type} has no value for primary key {name!r}")
            values.append(str(value))
        return values

    @property
    def identity(self) -> Tuple[str, List[str]]:
        return (self.entity_type, self.primary_key)

    @property
    def state(self) -> str:
        """``created``, ``deleted``, ``modified`` or ``not_modified``."""
        if self._deleted:
            return "deleted"
        if self._created:
            return "created"
        return "modified" if self._local else "not_modified"

    def reference(self) -> Dict[str, str]:
        """The wire reference ``{"__entity_type__": T, <pk>: ...}``."""
        ref: Dict[str, str] = {"__entity_type__": self.entity_type}
        ref.update(zip(self.schema.primary_key, self.primary_key))
        return ref

    def __repr__(self) -> str:
        try:
            key = ", ".join(self.primary_key)
        except KeyError:
            key = "?"
        return f"<{self.entity_type}({key})>"

    def __hash__(self) -> int:
        return id(self)

    def __eq__(self, other: object) -> bool:
        return self is other

    # -- mapping protocol ----------------------------------------------------------------
    def _attribute(self, name: str) -> Attribute:
        try:
            return self.schema.attributes[name]
        except KeyError:
            raise KeyError(f"{self.entity_type} has no attribute {name!r}") from None

    def __getitem__(self, name: str) -> Any:
        attribute = self._attribute(name)
        value = self._value(attribute, populate=True)
        if attribute.kind == KEY_VALUE:
            return KeyValueProxy(self, attribute)
        return value

    def _value(self, attribute: Attribute, populate: bool) -> Any:
        name = attribute.name
        if name in self._local:
            return self._local[name]
        if name in self._remote:
            return self._remote[name]
        if attribute.kind in (COLLECTION, KEY_VALUE) and self._created:
            self._remote[name] = Collection(self, attribute, [])
            return self._remote[name]
        if populate and not self._created and self.session.auto_populate:
            self.session._auto_populate(self, name)
            if name in self._remote:
                return self._remote[name]
        return NOT_SET

    def __setitem__(self, name: str, value: Any) -> None:
        attribute = self._attribute(name)
        if attribute.kind == KEY_VALUE and isinstance(value, collections.abc.Mapping):
            proxy = self[name]
            for key, item in value.items():
                proxy[key] = item
            return
        if attribute.kind in (COLLECTION, KEY_VALUE):
            value = Collection(self, attribute, list(value or []))
        old = self._value(attribute, populate=False)
        if attribute.immutable and not self._created and old is not NOT_SET:
            raise ValueError(
                f"{self.entity_type}.{name} cannot change once the entity exists on the server"
            )
        self._local[name] = value
        self.session._record_update(self, name, old, value)

    def __delitem__(self, name: str) -> None:
        self._attribute(name)
        self._local.pop(name, None)

    def __iter__(self) -> Iterator[str]:
        return iter(self.schema.attributes)

    def __len__(self) -> int:
        return len(self.schema.attributes)

    def __contains__(self, name: object) -> bool:
        return name in self.schema.attributes

    def keys(self) -> collections.abc.KeysView:
        return collections.abc.KeysView(self)

    def items(self) -> List[Tuple[str, object]]:  # type: ignore[override]
        """Every attribute and its value; loads all missing ones in one request."""
        self._populate_missing()
        return [(name, self[name]) for name in self.schema.attributes]

    def values(self) -> List[object]:  # type: ignore[override]
        return [value for _, value in self.items()]

    def _populate_missing(self) -> None:
        if self._created or not self.session.auto_populate:
            return
        missing = [
            a.name
            for a in self.schema.attributes.values()
            if a.name not in self._remote and a.name not in self._local
        ]
        if missing:
            self.session._auto_populate(self, *missing)

    def get_local(self, name: str, default: object = NOT_SET) -> object:
        """The local (uncommitted) value of ``name`` without touching the server."""
        return self._local.get(name, default)

    def get_remote(self, name: str, default: object = NOT_SET) -> object:
        """The last value the server sent for ``name`` without touching the server."""
        return self._remote.get(name, default)

    def is_loaded(self, name: str) -> bool:
        """Whether reading ``name`` needs no request."""
        return name in self._local or name in self._remote


class Collection(collections.abc.MutableSequence):
    """A list of entities (a ``to-many`` relation); changing it records one update."""

    def __init__(self, entity: Entity, attribute: Attribute, items: List[Entity]) -> None:
        self.entity = entity
        self.attribute = attribute
        self._items = list(items)

    def __getitem__(self, index: Any) -> Any:
        return self._items[index]

    def __len__(self) -> int:
        return len(self._items)

    def _changed(self, items: List[Entity]) -> None:
        self.entity[self.attribute.name] = items

    def __setitem__(self, index: Any, value: Any) -> None:
        items = list(self._items)
        items[index] = value
        self._changed(items)

    def __delitem__(self, index: Any) -> None:
        items = list(self._items)
        del items[index]
        self._changed(items)

    def insert(self, index: int, value: Entity) -> None:
        if value in self._items:
            return
        items = list(self._items)
        items.insert(index, value)
        self._changed(items)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Collection):
            return self._items == other._items
        if isinstance(other, list):
            return self._items == other
        return NotImplemented

    def __repr__(self) -> str:
        return f"<Collection {self.entity!r}.{self.attribute.name} {self._items!r}>"


class KeyValueProxy(collections.abc.MutableMapping):
    """``entity['metadata']`` / ``entity['custom_attributes']`` as a ``dict`` of key -> value."""

    def __init__(self, entity: Entity, attribute: Attribute) -> None:
        self.entity = entity
        self.attribute = attribute

    @property
    def is_metadata(self) -> bool:
        return self.attribute.target == "Metadata"

    def _members(self) -> Collection:
        value = self.entity._value(self.attribute, populate=True)
        if value is NOT_SET:
            value = Collection(self.entity, self.attribute, [])
            self.entity._remote[self.attribute.name] = value
        return value

    def _member(self, key: str) -> Optional[Entity]:
        for member in self._members():
            if member._local.get("key", member._remote.get("key")) == key:
                return member
        return None

    def __getitem__(self, key: str) -> Any:
        member = self._member(key)
        if member is None:
            raise KeyError(key)
        return member["value"]

    def __setitem__(self, key: str, value: Any) -> None:
        member = self._member(key)
        if member is not None:
            member["value"] = value
            return
        session = self.entity.session
        if self.is_metadata:
            member = session.create(
                "Metadata",
                {
                    "parent_id": self.entity.primary_key[0],
                    "parent_type": self.entity.entity_type,
                    "key": key,
                    "value": value,
                },
            )
            self._members().append(member)
        else:
            member = session._custom_attribute_value(self.entity, self.attribute, key)
            members = self._members()
            members._items.append(member)
            member["value"] = value

    def __delitem__(self, key: str) -> None:
        member = self._member(key)
        if member is None:
            raise KeyError(key)
        members = self._members()
        members.remove(member)
        if self.is_metadata:
            self.entity.session.delete(member)

    def __iter__(self) -> Iterator[str]:
        return iter([m._local.get("key", m._remote.get("key")) for m in self._members()])

    def __len__(self) -> int:
        return len(self._members())

    def __repr__(self) -> str:
        return f"<{self.attribute.name} of {self.entity!r}: {dict(self)!r}>"


# -- entity classes with helpers ---------------------------------------------------------------
class AssetVersionEntity(Entity):
    """``AssetVersion`` with ``create_component`` and ``encode_media`` helpers."""

    def create_component(
        self,
        path: Union[str, os.PathLike],
        data: Optional[Mapping[str, object]] = None,
        location: LocationRef = "ftrack.server",
        progress: Optional[Progress] = None,
        commit: bool = True,
    ) -> Entity:
        """Create a component of this version from ``path`` (see ``Session.create_component``)."""
        values = dict(data or {})
        values.setdefault("version", self)
        return self.session.create_component(path, values, location, progress, commit)

    def encode_media(self, media: MediaSource, keep_original: KeepOriginal = "auto") -> Entity:
        """Ask the server to encode ``media`` into reviewable components of this version."""
        return self.session.encode_media(media, version_id=self["id"], keep_original=keep_original)


class LocationEntity(Entity):
    """``Location``: ``get_url`` / ``get_thumbnail_url`` for components in ``ftrack.server``."""

    def get_url(self, component: Entity) -> str:
        return self.session.component_url(component)

    def get_thumbnail_url(self, component: Entity, size: Optional[int] = None) -> str:
        return self.session.thumbnail_url(component, size=size)


SPECIAL_CLASSES = {"AssetVersion": AssetVersionEntity, "Location": LocationEntity}


def entity_class(schema: Schema) -> type:
    """A new ``Entity`` subclass named after ``schema.id``."""
    base = SPECIAL_CLASSES.get(schema.id, Entity)
    return type(str(schema.id), (base,), {"entity_type": schema.id, "schema": schema})


__all__ = [
    "COLLECTION",
    "KEY_VALUE",
    "NOT_SET",
    "REFERENCE",
    "SCALAR",
    "Collection",
    "Entity",
    "KeyValueProxy",
    "entity_class",
]
