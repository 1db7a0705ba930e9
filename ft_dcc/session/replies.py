"""Readers of the server's answers to raw API operations (``session.call``).

``call`` answers one reply per operation, shaped by its action, with the entities in it merged
into the session (a query's ``data`` holds entities, not JSON), so its type is ``List[object]``.
Each reader takes one reply, checks that it has its action's shape and returns it typed; a reply
of another shape (a server answering something unexpected) raises
:class:`~ft_dcc.exceptions.UnexpectedReplyError` (a ``ServerError``), never a KeyError or
TypeError. They read the replies of ``ft_dcc.Session`` and of the genuine ``ftrack_api.Session``.
"""

from __future__ import annotations

import collections.abc
from typing import Dict, List, Mapping, Optional, TypedDict, Union

from ft_dcc.exceptions import UnexpectedReplyError
from ft_dcc.session.interface import EntityLike


class UploadPart(TypedDict):
    """Where to PUT one part of a multipart upload (an item of ``urls``)."""

    part_number: Union[int, str]
    signed_url: str


class UploadMetadata(TypedDict, total=False):
    """The server's ``get_upload_metadata`` answer: one ``url`` (with ``headers``) for a
    single PUT, or ``urls`` and ``upload_id`` for a multipart upload."""

    url: str
    headers: Dict[str, str]
    urls: List[UploadPart]
    upload_id: str


def _unexpected(action: str, wanted: str, reply: object) -> UnexpectedReplyError:
    # the reply's shape, not its values: a reply may carry signed URLs
    if isinstance(reply, collections.abc.Mapping):
        got = "an object with " + (", ".join(sorted(str(key) for key in reply)) or "no keys")
    else:
        got = type(reply).__name__
    return UnexpectedReplyError(
        f"The ftrack server answered {action} in an unexpected format: {wanted} expected, got {got}"
    )


def reply_object(reply: object, action: str) -> Mapping[str, object]:
    """``reply`` (the answer to an ``action`` operation) as the object every reply is."""
    if not isinstance(reply, collections.abc.Mapping):
        raise _unexpected(action, "an object", reply)
    return reply


def query_entities(reply: object) -> List[EntityLike]:
    """The entities of a ``query`` reply (its ``data``; none when it has no ``data``)."""
    data = reply_object(reply, "query").get("data")
    if data is None:
        return []
    rows = data if isinstance(data, list) else None
    entities = [row for row in rows or [] if isinstance(row, EntityLike)]
    if rows is None or len(entities) != len(rows):
        raise _unexpected("query", "a list of entities as data", reply)
    return entities


def first_entity(reply: object) -> Optional[EntityLike]:
    """The first entity of a ``query`` reply, or None when it found none."""
    entities = query_entities(reply)
    return entities[0] if entities else None


def created_entity(reply: object) -> EntityLike:
    """The entity of a ``create`` (or ``update``) reply: its ``data``."""
    entity = reply_object(reply, "create").get("data")
    if not isinstance(entity, EntityLike):
        raise _unexpected("create", "an entity as data", reply)
    return entity


def _text(reply: object, action: str, key: str) -> str:
    value = reply_object(reply, action).get(key)
    if not isinstance(value, str):
        raise _unexpected(action, f"a text {key}", reply)
    return value


def widget_url(reply: object) -> Optional[str]:
    """The URL of a ``get_widget_url`` reply (None when the server gave none)."""
    if reply_object(reply, "get_widget_url").get("widget_url") is None:
        return None
    return _text(reply, "get_widget_url", "widget_url")


def signed_url(reply: object) -> str:
    """The URL of a ``generate_signed_url`` reply."""
    return _text(reply, "generate_signed_url", "signed_url")


def job_id(reply: object) -> str:
    """The id of the Job an ``encode_media`` reply started."""
    return _text(reply, "encode_media", "job_id")


def upload_metadata(reply: object) -> UploadMetadata:
    """A ``get_upload_metadata`` reply: where (and with which headers) to send the bytes."""
    answer = reply_object(reply, "get_upload_metadata")
    metadata: UploadMetadata = {}
    try:
        if answer.get("url") is not None:
            metadata["url"] = _str(answer["url"])
        if answer.get("headers") is not None:
            metadata["headers"] = {_str(k): _str(v) for k, v in _mapping(answer["headers"]).items()}
        if answer.get("urls") is not None:
            metadata["urls"] = [_part(entry) for entry in _list(answer["urls"])]
        if answer.get("upload_id") is not None:
            metadata["upload_id"] = _str(answer["upload_id"])
        if "url" not in metadata and "urls" not in metadata:
            raise TypeError(answer)
    except TypeError:
        raise _unexpected(
            "get_upload_metadata", "url and headers, or urls and upload_id", reply
        ) from None
    return metadata


def _part(entry: object) -> UploadPart:
    part = _mapping(entry)
    number = part.get("part_number")
    if not isinstance(number, (int, str)):
        raise TypeError(number)
    return {"part_number": number, "signed_url": _str(part.get("signed_url"))}


def _str(value: object) -> str:
    if not isinstance(value, str):
        raise TypeError(value)
    return value


def _mapping(value: object) -> Mapping[object, object]:
    if not isinstance(value, collections.abc.Mapping):
        raise TypeError(value)
    return value


def _list(value: object) -> List[object]:
    if not isinstance(value, list):
        raise TypeError(value)
    return value
