"""ft_dcc.Session: an ftrack API client on requests + attrs."""

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
    "SerialisedCache",
    "Session",
    "SessionAuthentication",
    "StringKeyMaker",
    "UpdateEntityOperation",
]
