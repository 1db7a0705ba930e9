"""Python values as ftrack API JSON: entities become references, dates become datetimes."""

from __future__ import annotations

import datetime as _dt

from ft_dcc import protocol
from ft_dcc.session.entity import NOT_SET, Collection, Entity


def encode_value(value: object) -> object:
    """``value`` with entities, collections and dates replaced by their JSON form."""
    if isinstance(value, Entity):
        return value.reference()
    if isinstance(value, (Collection, list, tuple)):
        return [encode_value(item) for item in value]
    if isinstance(value, _dt.datetime):
        return protocol.encode_datetime(value)
    if isinstance(value, _dt.date):
        return {"__type__": "datetime", "value": value.isoformat()}
    if isinstance(value, dict):
        return {k: encode_value(v) for k, v in value.items()}
    if value is NOT_SET:
        return None
    return value


def json_default(value: object) -> object:
    """``json.dumps(default=...)``: the JSON form of ``value``, or TypeError if it has none."""
    encoded = encode_value(value)
    if encoded is value:
        raise TypeError(f"cannot send {type(value).__name__} to the server")
    return encoded
