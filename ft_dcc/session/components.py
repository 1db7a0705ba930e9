"""Files in ftrack: components, their locations, download/thumbnail URLs and media encoding.

Plain functions taking the session; ``Session`` exposes them as methods.
"""

from __future__ import annotations

import os
import threading
from typing import List, Mapping, Optional, Protocol, Sequence, Union
from urllib.parse import urlencode

from ft_dcc import protocol
from ft_dcc.exceptions import ApiError, UploadError
from ft_dcc.progress import Progress
from ft_dcc.protocol.query_text import quote
from ft_dcc.session import actions, replies
from ft_dcc.session.cache import LayeredCache
from ft_dcc.session.entity import (
    ComponentRef,
    Entity,
    EntitySession,
    KeepOriginal,
    LocationRef,
    MediaSource,
)
from ft_dcc.session.identity_map import IdentityMap
from ft_dcc.session.interface import ServerLogin
from ft_dcc.session.query import QueryResult
from ft_dcc.session.upload_session import UploadSession


class ComponentSession(EntitySession, UploadSession, ServerLogin, Protocol):
    """What the component functions ask of their session (``ft_dcc.Session`` provides it)."""

    cache: LayeredCache
    _lock: threading.RLock

    @property
    def _identity(self) -> IdentityMap: ...

    def _check_open(self) -> None: ...

    def query(self, expression: str, page_size: Optional[int] = None) -> QueryResult: ...

    def get(self, entity_type: str, entity_key: Union[str, Sequence[str]]) -> Optional[Entity]: ...

    def commit(self) -> List[object]: ...

    def _discard(self, entity: Entity) -> None: ...


def server_location(session: ComponentSession) -> Entity:
    """The ``ftrack.server`` Location (built locally, no request)."""
    location_id, name = protocol.LOCATION_SERVER
    with session._lock:
        try:
            found = session.cache.memory.get(session._identity.cache_key("Location", [location_id]))
        except KeyError:
            found = None
        if isinstance(found, Entity):
            return found
        return _builtin_location(session, location_id, name)


def _builtin_location(session: ComponentSession, location_id: str, name: str) -> Entity:
    """A built-in Location entity (merged into the session, no request)."""
    merged = session._identity.merge_entity(
        {"__entity_type__": "Location", "id": location_id, "name": name}, None
    )
    if not isinstance(merged, Entity):
        raise ApiError(
            "The server's schemas have no Location entity",
            hint="check that FTRACK_SERVER points at an ftrack server",
        )
    return merged


def resolve_location(session: ComponentSession, location: LocationRef) -> Optional[Entity]:
    """The Location entity for ``location``: an entity, a built-in name or id, or any name."""
    if location is None:
        return None
    if isinstance(location, Entity):
        return location
    if location in ("ftrack.server", "auto", protocol.SERVER_LOCATION_ID):
        return server_location(session)
    for location_id, name in protocol.BUILTIN_LOCATIONS:
        if location in (name, location_id):
            return _builtin_location(session, location_id, name)
    found = session.query(f"Location where name is {quote(location)}").first()
    if found is None:
        raise ApiError(f"Unknown location {location!r}", hint="use 'ftrack.server'")
    return found


def create_component(
    self: ComponentSession,
    path: Union[str, os.PathLike],
    data: Optional[Mapping[str, object]] = None,
    location: LocationRef = "ftrack.server",
    progress: Optional[Progress] = None,
    commit: bool = True,
) -> Entity:
    """A FileComponent for ``path``; uploaded to ``location`` and added to it.

    ``location`` is ``'ftrack.server'`` (default), a Location entity or ``None`` (no
    location). With ``commit=False`` the creates stay pending for one larger commit. If the
    upload fails, the component's pending creates are dropped and ``UploadError`` raised.
    This function is ``Session.create_component`` (hence ``self``).
    """
    self._check_open()
    path = os.fspath(path)
    stem, extension = os.path.splitext(os.path.basename(path))
    values = dict(data or {})
    values.setdefault("name", stem)
    values.setdefault("file_type", extension)
    try:
        values.setdefault("size", os.path.getsize(path))
    except OSError as error:
        raise UploadError(
            f"Cannot add {path} as a component: {error.strerror or error}",
            hint="check that the file exists and is readable",
        ) from None
    location_entity = resolve_location(self, location)
    component = self.create("FileComponent", values)
    if location_entity is not None:
        if location_entity["id"] == protocol.SERVER_LOCATION_ID:
            from ft_dcc.session.upload import upload_file

            file_name = str(component["name"]) + str(component["file_type"] or "")
            try:
                upload_file(self, path, component["id"], progress, file_name=file_name)
            except BaseException:
                self._discard(component)
                raise
            resource_identifier = component["id"]
        else:
            resource_identifier = path
        self.create(
            "ComponentLocation",
            {
                "component": component,
                "location": location_entity,
                "resource_identifier": resource_identifier,
            },
        )
    if commit:
        self.commit()
    return component


def _resource_identifier(component: ComponentRef) -> str:
    return str(component["id"] if isinstance(component, Entity) else component)


def component_url(session: ComponentSession, component: ComponentRef) -> str:
    """The download URL of a component in ``ftrack.server`` (carries credentials)."""
    query = urlencode(
        {
            "id": _resource_identifier(component),
            "username": session.api_user,
            "apiKey": session.api_key,
        }
    )
    return f"{session.server_url}/component/get?{query}"


def thumbnail_url(
    session: ComponentSession, component: ComponentRef, size: Optional[int] = None
) -> str:
    """The thumbnail URL of a component in ``ftrack.server`` (carries credentials)."""
    params = {
        "id": _resource_identifier(component),
        "username": session.api_user,
        "apiKey": session.api_key,
    }
    if size:
        params["size"] = str(int(size))
    return f"{session.server_url}/component/thumbnail?{urlencode(params)}"


def encode_media(
    session: ComponentSession,
    media: MediaSource,
    version_id: Optional[str] = None,
    keep_original: KeepOriginal = "auto",
) -> Entity:
    """See ``Session.encode_media``."""
    if isinstance(media, (str, os.PathLike)):
        if keep_original == "auto":
            keep_original = False
        data = {"version_id": version_id} if keep_original and version_id else None
        component = session.create_component(media, data=data, location="ftrack.server")
    elif isinstance(media, Entity) and media.entity_type == "FileComponent":
        component = media
        if keep_original == "auto":
            keep_original = True
    else:
        raise ValueError(f"Cannot encode media of type {type(media).__name__}")
    operation = actions.encode_media(component["id"], version_id, bool(keep_original))
    job_id = replies.job_id(session.call([operation])[0])
    job = session.get("Job", job_id)
    if job is None:
        raise ApiError(f"The server started encode job {job_id} but cannot find it")
    return job
