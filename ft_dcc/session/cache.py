"""Caches: an in-memory layer always on top, optional persistent layers below, and key makers."""

from __future__ import annotations

import abc
import dbm
import json
import threading
from typing import Callable, Dict, Iterable, List, Optional, Sequence, Tuple


class Cache(metaclass=abc.ABCMeta):
    """A key/value store. ``get`` raises ``KeyError`` on a miss."""

    @abc.abstractmethod
    def get(self, key: str) -> object: ...

    @abc.abstractmethod
    def set(self, key: str, value: object) -> None: ...

    @abc.abstractmethod
    def remove(self, key: str) -> None: ...

    def keys(self) -> List[str]:
        raise NotImplementedError

    def values(self) -> List[object]:
        return [self.get(key) for key in self.keys()]

    def clear(self) -> None:
        for key in self.keys():
            try:
                self.remove(key)
            except KeyError:
                pass


class MemoryCache(Cache):
    """A dictionary in memory; the top layer of every session cache."""

    def __init__(self, data: Optional[Dict[str, object]] = None) -> None:
        self._data: Dict[str, object] = dict(data or {})

    def get(self, key: str) -> object:
        return self._data[key]

    def set(self, key: str, value: object) -> None:
        self._data[key] = value

    def remove(self, key: str) -> None:
        del self._data[key]

    def keys(self) -> List[str]:
        return list(self._data)

    def clear(self) -> None:
        self._data.clear()

    def __len__(self) -> int:
        return len(self._data)


class FileCache(Cache):
    """A persistent cache in a ``dbm`` file; values must be JSON-serialisable.

    Entities are stored as plain snapshots (the session encodes and decodes them), so a later
    session on the same file can answer ``session.get`` without asking the server.
    """

    def __init__(self, path: str) -> None:
        self.path = str(path)
        self._lock = threading.Lock()
        with dbm.open(self.path, "c"):
            pass

    def get(self, key: str) -> object:
        with self._lock, dbm.open(self.path, "r") as db:
            raw = db.get(key.encode("utf-8"))
        if raw is None:
            raise KeyError(key)
        return json.loads(raw.decode("utf-8"))

    def set(self, key: str, value: object) -> None:
        encoded = json.dumps(value, separators=(",", ":"))
        with self._lock, dbm.open(self.path, "w") as db:
            db[key.encode("utf-8")] = encoded.encode("utf-8")

    def set_many(self, items: Iterable[Tuple[str, object]]) -> None:
        """Write several ``(key, value)`` pairs with one open of the file."""
        with self._lock, dbm.open(self.path, "w") as db:
            for key, value in items:
                db[key.encode("utf-8")] = json.dumps(value, separators=(",", ":")).encode("utf-8")

    def remove(self, key: str) -> None:
        with self._lock, dbm.open(self.path, "w") as db:
            try:
                del db[key.encode("utf-8")]
            except KeyError:
                raise KeyError(key) from None

    def keys(self) -> List[str]:
        with self._lock, dbm.open(self.path, "r") as db:
            keys = db.keys()
            return [key.decode("utf-8") if isinstance(key, bytes) else key for key in keys]

    def __repr__(self) -> str:
        return f"FileCache({self.path!r})"


def _unchanged(value: object) -> object:
    return value


class SerialisedCache(Cache):
    """Wraps another cache, encoding values on the way in and decoding them on the way out."""

    def __init__(
        self,
        proxied: Cache,
        encode: Optional[Callable[[object], object]] = None,
        decode: Optional[Callable[[object], object]] = None,
    ) -> None:
        self.proxied = proxied
        self.encode: Callable[[object], object] = encode or _unchanged
        self.decode: Callable[[object], object] = decode or _unchanged

    def get(self, key: str) -> object:
        return self.decode(self.proxied.get(key))

    def set(self, key: str, value: object) -> None:
        self.proxied.set(key, self.encode(value))

    def remove(self, key: str) -> None:
        self.proxied.remove(key)

    def keys(self) -> List[str]:
        return self.proxied.keys()


class LayeredCache(Cache):
    """Several caches read top-down (a hit back-fills the layers above) and written to all."""

    def __init__(self, caches: Sequence[Cache]) -> None:
        if not caches or not isinstance(caches[0], MemoryCache):
            caches = [MemoryCache(), *caches]
        self.caches: List[Cache] = list(caches)

    @property
    def memory(self) -> MemoryCache:
        """The top, in-memory layer."""
        return self.caches[0]  # type: ignore[return-value]

    def get(self, key: str) -> object:
        missed: List[Cache] = []
        for cache in self.caches:
            try:
                value = cache.get(key)
            except KeyError:
                missed.append(cache)
                continue
            for above in missed:
                above.set(key, value)
            return value
        raise KeyError(key)

    def set(self, key: str, value: object) -> None:
        for cache in self.caches:
            cache.set(key, value)

    def remove(self, key: str) -> None:
        found = False
        for cache in self.caches:
            try:
                cache.remove(key)
                found = True
            except KeyError:
                pass
        if not found:
            raise KeyError(key)

    def keys(self) -> List[str]:
        seen: Dict[str, None] = {}
        for cache in self.caches:
            try:
                seen.update(dict.fromkeys(cache.keys()))
            except NotImplementedError:
                pass
        return list(seen)


class KeyMaker(metaclass=abc.ABCMeta):
    """Turns an object into a cache key string."""

    def key(self, *items: object) -> str:
        return "".join(self._key(item) for item in items)

    @abc.abstractmethod
    def _key(self, obj: object) -> str: ...


class StringKeyMaker(KeyMaker):
    """Keys are ``str(obj)``, e.g. ``"('AssetVersion', ['v-1'])"`` for an entity identity."""

    def _key(self, obj: object) -> str:
        return str(obj)


class ObjectKeyMaker(KeyMaker):
    """Keys from a stable JSON rendering of the object (dict order does not matter)."""

    def _key(self, obj: object) -> str:
        return json.dumps(obj, sort_keys=True, default=repr, separators=(",", ":"))
