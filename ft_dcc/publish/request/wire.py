"""The one JSON form of a :class:`~ft_dcc.publish.request.request.PublishRequest`: written where
the request leaves a process, read where it enters one (``ft-dcc publish SCENE --host X`` and a
farm node's publish step hand it to the host's headless script as ``request.json["publish"]``;
a publish queued offline keeps it in its journal for the flush,
``ft_dcc.publish.offline.queued_decision``).

:func:`request_to_json` writes every field and the format's version (:data:`VERSION_KEY`);
:func:`request_from_json` reads it back and refuses a field it does not know, a value of the
wrong type or a newer format with a :class:`~ft_dcc.exceptions.RequestError` naming the field.
JSON without a version is the previous release's (``PublishRequest.to_dict``: the same fields):
it is read as that release read it (a key it did not know ignored, an older client's settings
given to the plugins that own them now), its values checked as strictly. That release's reader
(an older host integration's ft_dcc) reads this form too: it ignores the version's key.
"""

from __future__ import annotations

import logging
from fractions import Fraction
from typing import Any, Callable, Dict, List, Mapping, Optional, Tuple

import attr

from ft_dcc.exceptions import RequestError
from ft_dcc.media._fps import as_fraction
from ft_dcc.protocol.json_value import JsonObject
from ft_dcc.publish.request.options import Invitee
from ft_dcc.publish.request.request import PublishRequest, Reviewable, former_names
from ft_dcc.publish.request.studio_settings import StudioSettings

log = logging.getLogger(__name__)

#: the key of the format's version in the request's JSON
VERSION_KEY = "ft_dcc_request"
#: the version this ft_dcc writes (and the newest it reads)
VERSION = 1

#: a field's reader: the JSON value -> the field's value (RequestError naming the field)
Reader = Callable[[str, object], object]


def request_to_json(request: PublishRequest) -> JsonObject:
    """``request`` as JSON-ready values, with the format's version."""
    fields: JsonObject = {VERSION_KEY: VERSION}
    fields.update(attr.asdict(request, recurse=True))
    fields["fps"] = None if request.fps is None else _fps_text(request.fps)
    fields["queue_dir"] = None if request.queue_dir is None else str(request.queue_dir)
    fields["work_dir"] = None if request.work_dir is None else str(request.work_dir)
    return fields


def request_from_json(data: object) -> PublishRequest:
    """The request :func:`request_to_json` wrote (or the previous release's ``to_dict``);
    RequestError naming the first field that is unknown or of the wrong type."""
    if not isinstance(data, Mapping):
        raise RequestError(f"a publish request must be a JSON object, not {_shown(data)}")
    version = data.get(VERSION_KEY)
    if version is None:
        return _previous(data)
    if isinstance(version, bool) or not isinstance(version, int) or version > VERSION:
        raise RequestError(
            f"the publish request's format is {VERSION_KEY} {version!r}; this ft_dcc reads "
            f"{VERSION} and before",
            hint="install the same ft_dcc version here as on the machine that wrote it",
        )
    unknown = sorted(set(data) - set(READERS) - {VERSION_KEY})
    if unknown:
        raise RequestError(f"the publish request has an unknown field {unknown[0]!r}")
    return PublishRequest(**_read_fields({k: v for k, v in data.items() if k != VERSION_KEY}))


def _previous(data: Mapping[str, object]) -> PublishRequest:
    """The previous release's request (no version): its unknown keys ignored, an older
    client's settings and task names read as ``PublishRequest.from_dict`` read them."""
    ignored = sorted(set(data) - set(READERS))
    if ignored:
        log.info("an older publish request's keys %s are not read", ", ".join(ignored))
    known = {key: value for key, value in data.items() if key in READERS and key != "settings"}
    values = _read_fields(known)
    settings = data.get("settings")
    if settings is not None:
        values["settings"] = StudioSettings.of(_object("settings", settings))
    if "task_names" not in data and isinstance(settings, Mapping):
        values["task_names"] = _text_map("settings.name_fields", former_names(settings) or {})
    return PublishRequest(**values)


def _read_fields(data: Mapping[str, object]) -> Dict[str, Any]:
    return {name: READERS[name](name, value) for name, value in data.items()}


def _shown(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _wrong(name: str, wanted: str, value: object) -> RequestError:
    shown = _shown(value)
    return RequestError(f"the publish request's field {name!r} must be {wanted}, not {shown}")


def _text(name: str, value: object) -> Optional[str]:
    if value is None or isinstance(value, str):
        return value
    raise _wrong(name, "a text or null", value)


def _flag(name: str, value: object) -> bool:
    if isinstance(value, bool):
        return value
    raise _wrong(name, "true or false", value)


def _whole(name: str, value: object) -> Optional[int]:
    if value is None or (isinstance(value, int) and not isinstance(value, bool)):
        return value
    raise _wrong(name, "a whole number or null", value)


def _frames(name: str, value: object) -> Optional[Tuple[int, int]]:
    if value is None:
        return None
    pair = value if isinstance(value, list) and len(value) == 2 else None
    if pair is None or not all(isinstance(v, int) and not isinstance(v, bool) for v in pair):
        raise _wrong(name, "[start, end] (whole numbers) or null", value)
    return int(pair[0]), int(pair[1])


def _fps(name: str, value: object) -> Optional[Fraction]:
    if value is None:
        return None
    try:
        if isinstance(value, (str, int, float)) and not isinstance(value, bool):
            return as_fraction(value)
    except (ValueError, ZeroDivisionError, OverflowError):
        pass
    raise _wrong(name, "a frame rate (\"25\", \"24000/1001\") or null", value)


def _list(name: str, value: object) -> List[object]:
    if isinstance(value, list):
        return value
    raise _wrong(name, "a list", value)


def _object(name: str, value: object) -> Mapping[str, object]:
    if isinstance(value, Mapping) and all(isinstance(key, str) for key in value):
        return value
    raise _wrong(name, "an object", value)


def _texts(name: str, value: object) -> Tuple[str, ...]:
    items = _list(name, value)
    if not all(isinstance(item, str) for item in items):
        raise _wrong(name, "a list of texts", value)
    return tuple(str(item) for item in items)


def _text_map(name: str, value: object) -> Dict[str, str]:
    found = _object(name, value)
    if not all(isinstance(item, str) for item in found.values()):
        raise _wrong(name, "an object of texts", value)
    return {key: str(item) for key, item in found.items()}


def _reviewables(name: str, value: object) -> List[Reviewable]:
    read: List[Reviewable] = []
    for index, item in enumerate(_list(name, value)):
        where = f"{name}[{index}]"
        fields = _object(where, item)
        unknown = sorted(set(fields) - {"source", "asset_name"})
        if unknown:
            raise RequestError(f"the publish request's {where} has an unknown field {unknown[0]!r}")
        read.append(Reviewable(
            source=_text(f"{where}.source", fields.get("source")),
            asset_name=_text(f"{where}.asset_name", fields.get("asset_name")),
        ))  # fmt: skip
    return read


def _invitees(name: str, value: object) -> Tuple[Invitee, ...]:
    read: List[Invitee] = []
    for index, item in enumerate(_list(name, value)):
        if isinstance(item, str):
            read.append(item)
            continue
        person = _text_map(f"{name}[{index}]", item)
        if "email" not in person or set(person) - {"email", "name"}:
            raise _wrong(f"{name}[{index}]", 'an e-mail or {"email": ..., "name": ...}', item)
        read.append(person)
    return tuple(read)


def _settings(name: str, value: object) -> StudioSettings:
    fields = _object(name, value)
    unknown = sorted(set(fields) - {"plugins"})
    if unknown:
        raise RequestError(f"the publish request's {name} has an unknown field {unknown[0]!r}")
    plugins = _object(f"{name}.plugins", fields.get("plugins", {}))
    read: Dict[str, Dict[str, object]] = {
        plugin: dict(_object(f"{name}.plugins.{plugin}", attributes))
        for plugin, attributes in plugins.items()
    }
    return StudioSettings(plugins=read)


def _comment(name: str, value: object) -> str:
    return _text(name, value) or ""


#: how each field of the request is read from its JSON (every field has its reader: a test
#: holds them to ``attr.fields(PublishRequest)``)
READERS: Dict[str, Reader] = {
    "reviewables": _reviewables,
    "task": _text,
    "review_session_name": _text,
    "comment": _comment,
    "frames": _frames,
    "fps": _fps,
    "invitees": _invitees,
    "addresses": _texts,
    "include_source": _flag,
    "queue_dir": _text,
    "work_dir": _text,
    "thumbnail_frame": _whole,
    "still": _flag,
    "still_frame": _whole,
    "burnin": _text,
    "burnin_template": _text,
    "new_review_session": _flag,
    "repair": _flag,
    "settings": _settings,
    "task_names": _text_map,
}


def _fps_text(fps: Fraction) -> str:
    return f"{fps.numerator}/{fps.denominator}"

