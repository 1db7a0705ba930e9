"""``Session``: the ftrack API client (requests + attrs), compatible with ``ftrack_api.Session``."""

from __future__ import annotations

import atexit
import collections.abc
import contextlib
import json
import logging
import os
import threading
import uuid
import weakref
from typing import (
    TYPE_CHECKING,
    Callable,
    ContextManager,
    Dict,
    Iterable,
    Iterator,
    List,
    Mapping,
    Optional,
    Sequence,
    Tuple,
    Union,
    overload,
)

from ft_dcc.exceptions import ApiError
from ft_dcc.progress import Progress
from ft_dcc.protocol.json_value import JsonObject, JsonValue
from ft_dcc.protocol.query_text import quote
from ft_dcc.session import actions, components, replies
from ft_dcc.session.auth import SessionAuthentication
from ft_dcc.session.cache import Cache, KeyMaker, LayeredCache, MemoryCache, StringKeyMaker
from ft_dcc.session.custom_attributes import CustomAttributes
from ft_dcc.session.entity import (
    NOT_SET,
    Collection,
    ComponentRef,
    Entity,
    FilesProgress,
    KeepOriginal,
    MediaSource,
    UploadFiles,
)
from ft_dcc.session.event_hub_link import SessionEventHub, connect_in_background, create_event_hub
from ft_dcc.session.event_hub_link import disconnect as disconnect_event_hub
from ft_dcc.session.identity_map import IdentityMap, TypeRegistry
from ft_dcc.session.interface import EntityLike
from ft_dcc.session.operations import (
    CreateEntityOperation,
    DeleteEntityOperation,
    Operations,
    UpdateEntityOperation,
    build_batch,
)
from ft_dcc.session.options import (
    DEFAULT_RETRY,
    DEFAULT_UPLOADS,
    RetryPolicy,
    TransportOptions,
    UploadOptions,
)
from ft_dcc.session.plugins import discover
from ft_dcc.session.populate import expand_projections, populate_entities, populate_group
from ft_dcc.session.query import QueryResult, key_condition
from ft_dcc.session.schema import COLLECTION, KEY_VALUE, SCALAR, Attribute
from ft_dcc.session.schema_cache import SchemaCachePath
from ft_dcc.session.settings import plugin_paths_from_environment, resolve_settings
from ft_dcc.session.startup import SessionStart, Started
from ft_dcc.session.transport import Transport
from ft_dcc.session.wire import encode_value, json_default

if TYPE_CHECKING:
    import requests

log = logging.getLogger(__name__)

#: the ``cache`` a session is given: a cache, several (top first), or a callable making them
#: from the session (``ftrack_api``'s form); None for the in-memory layer only
CacheLayers = Union[None, Cache, Sequence[Cache]]
CacheOption = Union[CacheLayers, Callable[["Session"], CacheLayers]]
#: one raw API operation (``{"action": ..., ...}``); entities in it are sent as references
ApiOperation = Mapping[str, object]


class _ThreadFlag:
    """A switch of the session that each thread sets for itself (``auto_populate`` turned off
    in one thread leaves the others as they were); a thread that has not set it reads
    ``default(session)``."""

    def __init__(self, default: Callable[[Session], bool], doc: str) -> None:
        self.default = default
        self.__doc__ = doc
        self.name = ""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    @overload
    def __get__(self, session: None, owner: Optional[type] = None) -> _ThreadFlag: ...

    @overload
    def __get__(self, session: Session, owner: Optional[type] = None) -> bool: ...

    def __get__(
        self, session: Optional[Session], owner: Optional[type] = None
    ) -> Union[bool, _ThreadFlag]:
        if session is None:
            return self
        return bool(getattr(session._thread_flags, self.name, self.default(session)))

    def __set__(self, session: Session, value: bool) -> None:
        setattr(session._thread_flags, self.name, bool(value))

    @contextlib.contextmanager
    def switched(self, session: Session, value: bool) -> Iterator[None]:
        """The switch set to ``value`` in this thread for the block, then put back."""
        previous = self.__get__(session)
        self.__set__(session, value)
        try:
            yield
        finally:
            self.__set__(session, previous)


class Session:
    """An isolated connection to an ftrack server: entities, queries, commits, uploads, events.

    Missing ``server_url``/``api_key``/``api_user`` come from ``FTRACK_SERVER``,
    ``FTRACK_API_KEY`` and ``FTRACK_API_USER``; when still missing, ``ConfigurationError`` is
    raised before any network call. Use it as a context manager to release connections.

    The session starts (asks the server's information and, unless cached, its schemas) when it
    is made; with ``defer_start=True`` the start rides with its first request instead (one
    round trip fewer), so refused credentials or an unreachable server raise there.

    The positional and keyword arguments up to ``strict_api`` are ``ftrack_api.Session``'s;
    ft_dcc's own are keyword-only value objects (:mod:`ft_dcc.session.options`):
    ``retry=RetryPolicy(retries, backoff)`` and ``uploads=UploadOptions(part_size, ...)``.
    """

    def __init__(
        self,
        server_url: Optional[str] = None,
        api_key: Optional[str] = None,
        api_user: Optional[str] = None,
        auto_populate: bool = True,
        plugin_paths: Optional[Sequence[str]] = None,
        cache: CacheOption = None,
        cache_key_maker: Optional[KeyMaker] = None,
        auto_connect_event_hub: bool = False,
        schema_cache_path: SchemaCachePath = None,
        plugin_arguments: Optional[Mapping[str, object]] = None,
        timeout: float = 60,
        headers: Optional[Dict[str, str]] = None,
        strict_api: bool = False,
        *,
        retry: RetryPolicy = DEFAULT_RETRY,
        uploads: UploadOptions = DEFAULT_UPLOADS,
        defer_start: bool = False,
    ) -> None:
        server_url, api_key, api_user = resolve_settings(server_url, api_key, api_user)
        self._server_url = server_url.rstrip("/")
        self._api_user = api_user
        self._auth = SessionAuthentication(api_key, api_user)
        self.timeout = timeout
        self.uploads = uploads
        options = TransportOptions(timeout, headers, strict_api, retry)
        self._transport = Transport(self._server_url, self._auth, options)
        self._set_up_state(bool(auto_populate), schema_cache_path)
        self._set_up_caches(cache, cache_key_maker)
        if not defer_start:
            self._start_or_close()
        if auto_connect_event_hub:
            self._connect_event_hub_in_background()
        self._close_at_exit()
        paths = plugin_paths_from_environment() if plugin_paths is None else plugin_paths
        self.plugin_paths = list(paths)
        self.registered_plugins = discover(self.plugin_paths, self, plugin_arguments)

    def _set_up_state(self, auto_populate: bool, schema_cache_path: SchemaCachePath) -> None:
        """The session's state before it starts: locks, flags, pending operations, and what
        is made on first use (the identity map at the start, the event hub, the upload
        session: their imports are not on the start path)."""
        self._lock = threading.RLock()
        self._thread_flags = threading.local()
        self._default_auto_populate = auto_populate
        self._operations = Operations()
        self._closed = False
        self._custom_attributes = CustomAttributes(self)
        self._schema_cache_path = schema_cache_path
        self._server_information: JsonObject = {}
        self._identity_map: Optional[IdentityMap] = None
        self._event_hub: Optional[SessionEventHub] = None
        self._event_hub_thread: Optional[threading.Thread] = None
        self._upload_http_session: Optional[requests.Session] = None

    def _connect_event_hub_in_background(self) -> None:
        """``auto_connect_event_hub``: the hub connects in a thread of its own."""
        self._event_hub_thread = connect_in_background(self.event_hub, self._server_url)

    def _close_at_exit(self) -> None:
        """Close the session when Python exits (held weakly: the session may be gone first)."""
        close_ref = weakref.WeakMethod(self.close)

        def close_at_exit() -> None:
            close = close_ref()
            if close is not None:
                close()

        self._atexit = close_at_exit
        atexit.register(self._atexit)

    # -- start -------------------------------------------------------------------------------
    def _start_or_close(self) -> None:
        """Start now; a start that fails closes the transport it opened."""
        try:
            self._start()
        except BaseException:
            self._transport.close()
            raise

    def _start(self) -> None:
        """Start now, in a request of its own (unless started already)."""
        self._send([])

    def _started(self, started: Started) -> None:
        self._server_information, raw_schemas = started
        self._identity_map = IdentityMap(self, raw_schemas, self._lock)

    def _send(
        self,
        operations: Sequence[ApiOperation],
        encode: Optional[Callable[[object], object]] = None,
    ) -> List[JsonValue]:
        """Answers to ``operations`` in one request, with the session's start ahead of them
        when it has not started yet."""
        if self._identity_map is not None:
            return self._transport.call(operations, encode=encode) if operations else []
        with self._lock:
            if self._identity_map is not None:
                return self._send(operations, encode)
            start = SessionStart(self._server_url, self._schema_cache_path)
            head = start.operations
            replies = self._transport.call([*head, *operations], encode=encode)
            self._started(start.finish(replies[: len(head)], self._transport))
            return replies[len(head) :]

    @property
    def _identity(self) -> IdentityMap:
        """The identity map (it needs the schemas: the session starts first if it has not)."""
        if self._identity_map is None:
            self._start()
        assert self._identity_map is not None
        return self._identity_map

    @property
    def types(self) -> TypeRegistry:
        """The entity classes by type name (``session.types['Task']``)."""
        return self._identity.types

    # -- configuration -----------------------------------------------------------------------
    def _set_up_caches(self, cache: CacheOption, cache_key_maker: Optional[KeyMaker]) -> None:
        """The memory cache, over the caller's (``ftrack_api``'s ``cache`` option)."""
        self.cache_key_maker: KeyMaker = cache_key_maker or StringKeyMaker()
        self.cache = LayeredCache([MemoryCache(), *self._user_caches(cache)])

    def _user_caches(self, cache: CacheOption) -> List[Cache]:
        if cache is None:
            return []
        layers = cache(self) if callable(cache) and not isinstance(cache, Cache) else cache
        if layers is None:
            return []
        if isinstance(layers, Cache):
            return [layers]
        return list(layers)

    # -- properties --------------------------------------------------------------------------
    @property
    def server_url(self) -> str:
        return self._server_url

    @property
    def api_user(self) -> str:
        return self._api_user

    @property
    def api_key(self) -> str:
        return self._auth._api_key

    @property
    def retries(self) -> int:
        """How often a request is retried when the server cannot be reached or is busy."""
        return self._transport.retries

    @retries.setter
    def retries(self, value: int) -> None:
        self._transport.retries = value

    @property
    def retry(self) -> RetryPolicy:
        """How requests and uploads are retried (``retries`` and their ``backoff``)."""
        return self._transport.retry

    @property
    def server_information(self) -> JsonObject:
        """The server's ``query_server_information`` answer."""
        self._start()
        return dict(self._server_information)

    @property
    def schemas(self) -> List[JsonObject]:
        """The server's entity schemas (``query_schemas``)."""
        return list(self._identity.raw_schemas.values())

    @property
    def event_hub(self) -> SessionEventHub:
        """The session's ``EventHub`` (made on first use, not connected until asked)."""
        with self._lock:
            if self._event_hub is None:
                self._event_hub = create_event_hub(
                    self._server_url, self._api_user, self._auth._api_key
                )
            return self._event_hub

    @property
    def _upload_http(self) -> requests.Session:
        """A plain ``requests.Session`` for uploads: upload URLs are pre-signed, so no ftrack
        credentials go to the storage service. Made (and ``requests`` imported) on first use."""
        with self._lock:
            if self._upload_http_session is None:
                from ft_dcc.session.upload import upload_http_session

                self._upload_http_session = upload_http_session()
            return self._upload_http_session

    @property
    def closed(self) -> bool:
        return self._closed

    auto_populate = _ThreadFlag(
        lambda session: session._default_auto_populate,
        "Whether reading an unloaded attribute fetches it (per thread).",
    )
    record_operations = _ThreadFlag(
        lambda session: True, "Whether changes are recorded for the next ``commit()`` (per thread)."
    )

    @property
    def recorded_operations(self) -> Operations:
        """The operations waiting for ``commit()``."""
        return self._operations

    def operation_recording(self, record_operations: bool) -> ContextManager[None]:
        """Temporarily switch operation recording on or off (in this thread)."""
        return Session.record_operations.switched(self, record_operations)

    def auto_populating(self, auto_populate: bool) -> ContextManager[None]:
        """Temporarily switch auto-population on or off (in this thread)."""
        return Session.auto_populate.switched(self, auto_populate)

    def __repr__(self) -> str:
        return f"<ft_dcc.Session {self._server_url} user={self._api_user!r}>"

    # -- lifecycle ---------------------------------------------------------------------------
    def __enter__(self) -> Session:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Discard pending operations, release HTTP connections and disconnect the event hub."""
        if self._closed:
            return
        if self._operations:
            log.warning("closing session with %d uncommitted operations", len(self._operations))
            self._operations.clear()
        self._closed = True
        self.cache.memory.clear()
        if self._event_hub is not None:
            disconnect_event_hub(self._event_hub, self._event_hub_thread)
        self._transport.close()
        if self._upload_http_session is not None:
            self._upload_http_session.close()
        with contextlib.suppress(Exception):
            atexit.unregister(self._atexit)

    def reset(self) -> None:
        """Forget every loaded entity and pending operation (the server is untouched)."""
        with self._lock:
            if self._operations:
                log.warning("reset discards %d uncommitted operations", len(self._operations))
            self._operations.clear()
            self.cache.memory.clear()

    def _check_open(self) -> None:
        if self._closed:
            raise ApiError("This session is closed", hint="create a new Session")

    # -- wire encoding -----------------------------------------------------------------------
    def encode(self, data: object) -> str:
        """``data`` as the JSON the server accepts (entities become references)."""
        return json.dumps(data, default=json_default, separators=(",", ":"))

    def decode(self, text: str) -> object:
        """Parse server JSON; entity dicts are merged into this session's identity map."""
        return self._identity.decode(json.loads(text), None)

    # -- raw calls ---------------------------------------------------------------------------
    def call(self, operations: Sequence[ApiOperation]) -> List[object]:
        """Send raw API operations in one request; entities in the answer are merged. Each
        answer's shape depends on its action: read it with :mod:`ft_dcc.session.replies`."""
        self._check_open()
        if self._identity_map is not None and operations:  # started: straight to the transport
            results = self._transport.call(operations, encode=json_default)
        else:
            results = self._send(operations, encode=json_default)
        group: List[Entity] = []
        return [self._identity.decode(result, group) for result in results]

    def _query_page(
        self, expression: str, group: List[Entity]
    ) -> Tuple[List[Entity], Optional[int]]:
        self._check_open()
        result = _object(self._send([{"action": "query", "expression": expression}])[0])
        rows = result.get("data") or []
        decoded = (
            [self._identity.decode(row, group) for row in rows] if isinstance(rows, list) else []
        )
        entities = [e for e in decoded if isinstance(e, Entity)]
        self._identity.persist(entities)
        next_offset = _object(_object(result.get("metadata")).get("next")).get("offset")
        return entities, next_offset if isinstance(next_offset, int) else None

    def _with_projections(self, expression: str) -> str:
        text = expression.strip()
        if text.lower().startswith("select"):
            return text
        entity_type = text.split(None, 1)[0]
        projections = ", ".join(self._identity.schema(entity_type).default_projections)
        return f"select {projections} from {text}"

    # -- entities ----------------------------------------------------------------------------
    def create(
        self,
        entity_type: str,
        data: Optional[Mapping[str, object]] = None,
        reconstructing: bool = False,
    ) -> Entity:
        """A new ``entity_type`` entity with schema defaults and ``data``; pending until commit."""
        self._check_open()
        schema = self._identity.schema(entity_type)
        entity = self.types[entity_type](self)
        values: Dict[str, object] = {}
        if not reconstructing:
            for attribute in schema.attributes.values():
                if attribute.has_default and attribute.kind == SCALAR and not attribute.computed:
                    values[attribute.name] = attribute.default_value()
        key_values: Dict[str, Mapping[str, object]] = {}
        for name, value in (data or {}).items():
            attribute = entity._attribute(name)
            if attribute.kind == KEY_VALUE and isinstance(value, dict):
                key_values[name] = value
            elif attribute.kind in (COLLECTION, KEY_VALUE):
                values[name] = Collection(entity, attribute, _entities(value))
            else:
                values[name] = value
        for name in schema.primary_key:
            if values.get(name) in (None, NOT_SET):
                values[name] = str(uuid.uuid4())
        with self._lock:
            if reconstructing:
                entity._remote.update(values)
            else:
                entity._created = True
                entity._local.update(values)
            self._identity.remember(entity)
            if not reconstructing and self.record_operations:
                self._operations.push(
                    CreateEntityOperation(
                        entity_type,
                        entity.primary_key,
                        {k: v for k, v in values.items() if v is not NOT_SET},
                        entity,
                    )
                )
        for name, mapping in key_values.items():
            proxy = entity[name]
            for key, value in mapping.items():
                proxy[key] = value
        return entity

    def _record_update(self, entity: Entity, name: str, old: object, new: object) -> None:
        if self.record_operations and not entity._deleted:
            self._operations.push(
                UpdateEntityOperation(
                    entity.entity_type, entity.primary_key, name, old, new, entity
                )
            )

    def delete(self, entity: EntityLike) -> None:
        """Mark ``entity`` for deletion at the next commit."""
        self._check_open()
        entity = _own_entity(entity)
        entity._deleted = True
        if self.record_operations:
            self._operations.push(
                DeleteEntityOperation(entity.entity_type, entity.primary_key, entity)
            )

    def get(self, entity_type: str, entity_key: Union[str, Sequence[str]]) -> Optional[Entity]:
        """The entity with this primary key: from the cache, else one query; ``None`` if absent."""
        self._check_open()
        key = [entity_key] if isinstance(entity_key, str) else list(entity_key)
        cached = self._identity.cached(entity_type, key)
        if cached is not None:
            return cached
        schema = self._identity.schema(entity_type)
        expression = (
            f"select {', '.join(schema.default_projections)} from {entity_type} "
            f"where {key_condition(schema.primary_key, [key])}"
        )
        return QueryResult(self, expression).first()

    def query(self, expression: str, page_size: Optional[int] = None) -> QueryResult:
        """A lazy result for ``expression`` (ftrack's query language), fetched ``page_size``
        rows at a time (by default 500 while iterating, up to 5,000 for ``all()``)."""
        self._check_open()
        return QueryResult(self, expression, page_size=page_size)

    def ensure(
        self,
        entity_type: str,
        data: Mapping[str, object],
        identifying_keys: Optional[Sequence[str]] = None,
    ) -> Entity:
        """The entity matching ``data`` on ``identifying_keys`` (default: all keys), created
        and committed if it does not exist yet."""
        keys = list(identifying_keys or data.keys())
        if not keys:
            raise ValueError("ensure() needs at least one identifying key")
        criteria = []
        for name in keys:
            value = data[name]
            if isinstance(value, Entity):
                criteria.append(f"{name}.id is {quote(value['id'])}")
            else:
                criteria.append(f"{name} is {quote(value)}")
        found = self.query(f"{entity_type} where {' and '.join(criteria)}").first()
        if found is not None:
            return found
        entity = self.create(entity_type, data)
        self.commit()
        return entity

    # -- populate ----------------------------------------------------------------------------
    def populate(self, entities: Union[Entity, Iterable[Entity]], projections: str) -> None:
        """Load ``projections`` (``'a, b.c'``) for all ``entities`` in one request."""
        self._check_open()
        if isinstance(entities, Entity):
            entities = [entities]
        names = [p.strip() for p in projections.split(",") if p.strip()]
        entities = [e for e in entities if isinstance(e, Entity) and not e._created]
        if not entities or not names:
            return
        if len({type(entity) for entity in entities}) == 1:
            names = expand_projections(self._identity, entities[0].schema, names)
        populate_entities(self._transport, self._identity, entities, names)

    def _auto_populate(self, entity: Entity, *names: str) -> None:
        self._check_open()
        populate_group(self._transport, self._identity, entity, *names)

    # -- unit of work ------------------------------------------------------------------------
    def commit(self) -> List[object]:
        """Send every pending operation in ONE request.

        On failure the operations stay pending and local values stay as they were (fix the
        problem and commit again, or ``rollback()``).
        """
        self._check_open()
        with self._lock:
            operations = list(self._operations)
            if not operations:
                return []
            payloads, _ = build_batch(operations, encode_value)
            results = self._transport.call(payloads) if payloads else []
            self._operations.clear()
            committed: Dict[int, Tuple[Entity, set]] = {}
            for op in operations:
                entity, names = committed.setdefault(id(op.entity), (op.entity, set()))
                if isinstance(op, CreateEntityOperation):
                    names.update(op.entity_data)
                elif isinstance(op, UpdateEntityOperation):
                    names.add(op.attribute_name)
            for entity, names in committed.values():
                if entity._deleted:
                    self._identity.forget(entity)
                    entity._created = False
                    continue
                for name in names:
                    if name in entity._local:
                        entity._remote[name] = entity._local.pop(name)
                entity._created = False
            # server values win over what we sent
            decoded = [self._identity.decode(result, None) for result in results]
            self._identity.persist(entity for entity, _ in committed.values())
            return decoded

    def rollback(self) -> None:
        """Discard pending operations and the local changes they made."""
        with self._lock:
            for op in self._operations:
                entity = op.entity
                if isinstance(op, CreateEntityOperation):
                    self._identity.forget(entity)
                entity._local.clear()
                entity._deleted = False
            self._operations.clear()

    # -- custom attributes -------------------------------------------------------------------
    def _custom_attribute_value(self, entity: Entity, attribute: Attribute, key: str) -> Entity:
        return self._custom_attributes.value_entity(entity, attribute, key)

    # -- files, locations, media -------------------------------------------------------------
    @property
    def server_location(self) -> Entity:
        """The ``ftrack.server`` Location (built locally, no request)."""
        return components.server_location(self)

    def upload_file(
        self,
        path: Union[str, os.PathLike],
        component_id: Optional[str] = None,
        progress: Optional[Progress] = None,
    ) -> str:
        """Store the bytes of ``path`` in ``ftrack.server`` for ``component_id`` (a new id when
        omitted; the component need not exist yet) and return the id. Nothing is visible in
        ftrack until a component with that id and its ComponentLocation are committed.
        ``progress(stage, fraction, message)`` is called as bytes are sent."""
        from ft_dcc.session.upload import upload_file

        self._check_open()
        return upload_file(self, os.fspath(path), component_id or str(uuid.uuid4()), progress)

    def upload_files(
        self,
        files: UploadFiles,
        progress: Optional[FilesProgress] = None,
    ) -> None:
        """Store several ``(path, component_id)`` files in ``ftrack.server``, asking for all
        their upload URLs in ONE request (see :meth:`upload_file`).
        ``progress(index, stage, fraction, message)`` reports the bytes of file ``index``."""
        from ft_dcc.session.upload import plan_upload, upload_files

        self._check_open()
        plans = [plan_upload(self, os.fspath(path), component_id) for path, component_id in files]
        upload_files(self, plans, progress)

    #: the function is the method: ``session.create_component(path, data, location, ...)``
    create_component = components.create_component

    def _discard(self, entity: Entity) -> None:
        with self._lock:
            self._operations.remove_for([entity])
            self._identity.forget(entity)

    def component_url(self, component: ComponentRef) -> str:
        """The download URL of a component in ``ftrack.server`` (carries credentials)."""
        return components.component_url(self, component)

    def thumbnail_url(self, component: ComponentRef, size: Optional[int] = None) -> str:
        """The thumbnail URL of a component in ``ftrack.server`` (carries credentials)."""
        return components.thumbnail_url(self, component, size)

    def encode_media(
        self,
        media: MediaSource,
        version_id: Optional[str] = None,
        keep_original: KeepOriginal = "auto",
    ) -> Entity:
        """Ask the server to encode ``media`` (a path or a FileComponent in ftrack.server) for
        browser review; returns the Job. Paths are uploaded and committed first."""
        return components.encode_media(self, media, version_id, keep_original)

    # -- invites, widgets --------------------------------------------------------------------
    def send_review_session_invites(self, invitees: Iterable[Entity]) -> List[object]:
        """Email each (committed) ReviewSessionInvitee its invitation; one request."""
        operations = actions.review_session_invites(invitees)
        return self.call(operations) if operations else []

    def send_review_session_invite(self, invitee: Entity) -> List[object]:
        """Email one (committed) ReviewSessionInvitee its invitation."""
        return self.send_review_session_invites([invitee])

    def get_widget_url(
        self, name: str, entity: Optional[EntityLike] = None, theme: Optional[str] = None
    ) -> Optional[str]:
        """The URL of ftrack widget ``name`` (e.g. ``'info'``), optionally for ``entity``."""
        entity = _own_entity(entity) if entity is not None else None
        return replies.widget_url(self.call([actions.widget_url(name, entity, theme)])[0])


def _own_entity(entity: EntityLike) -> Entity:
    """``entity`` as an entity of an ``ft_dcc.Session`` (TypeError for another client's)."""
    if not isinstance(entity, Entity):
        raise TypeError(f"{entity!r} is not an entity of an ft_dcc.Session")
    return entity


def _object(value: object) -> Mapping[str, object]:
    """``value`` when it is a JSON object, else an empty one (for reading optional keys)."""
    return value if isinstance(value, dict) else {}


def _entities(value: object) -> List[Entity]:
    """The entities of a collection value given to ``create`` (a list, a Collection, None)."""
    if not value:
        return []
    if not isinstance(value, collections.abc.Iterable):
        raise TypeError(f"expected a list of entities, got {type(value).__name__}")
    return list(value)
