"""ft_dcc.Session: an ftrack API client on requests + attrs, compatible with ftrack_api.Session.

Quick tour::

    with Session() as session:  # FTRACK_SERVER / FTRACK_API_USER / FTRACK_API_KEY
        version = session.get("AssetVersion", version_id)
        component = session.create_component(path, {"version": version}, commit=False)
        component["metadata"]["ftr_meta"] = json.dumps(meta)
        session.commit()  # every pending create/update/delete in ONE request

Modules (one job each): ``session`` (the ``Session`` facade), ``settings`` (arguments or
``FTRACK_*`` variables), ``startup`` (server information + schemas), ``schema_cache`` (schemas
on disk), ``auth`` (SessionAuthentication), ``transport`` (HTTP, retries, errors), ``wire``
(values as API JSON), ``schema``/``entity`` (typed entities), ``identity_map`` (one object per
entity, cache write-through), ``populate`` (batched loading), ``query`` (QueryResult),
``options`` (the retry and upload options), ``operations`` (unit of work), ``cache``
(layered caches, key makers), ``custom_attributes``,
``components`` (files, locations, URLs, media encoding), ``upload`` (bytes to ftrack.server),
``actions`` (raw action payloads), ``plugins``, ``event_hub_link`` (the session's hub) and
``event_hub`` (publish/subscribe).
"""

from __future__ import annotations

from ft_dcc.session.auth import SessionAuthentication
from ft_dcc.session.cache import (
    Cache,
    FileCache,
    KeyMaker,
    LayeredCache,
    MemoryCache,
    ObjectKeyMaker,
    SerialisedCache,
    StringKeyMaker,
)
from ft_dcc.session.entity import NOT_SET, Collection, Entity, KeyValueProxy
from ft_dcc.session.operations import (
    CreateEntityOperation,
    DeleteEntityOperation,
    UpdateEntityOperation,
)
from ft_dcc.session.options import RetryPolicy, UploadOptions
from ft_dcc.session.query import QueryResult
from ft_dcc.session.session import Session

__all__ = [
    "NOT_SET",
    "Cache",
    "Collection",
    "CreateEntityOperation",
    "DeleteEntityOperation",
    "Entity",
    "FileCache",
    "KeyMaker",
    "KeyValueProxy",
    "LayeredCache",
    "MemoryCache",
    "ObjectKeyMaker",
    "QueryResult",
    "RetryPolicy",
    "SerialisedCache",
    "Session",
    "SessionAuthentication",
    "StringKeyMaker",
    "UpdateEntityOperation",
    "UploadOptions",
]
