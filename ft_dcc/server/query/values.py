"""Typing of values against attributes: query literals, wire values, and back to the wire."""

from __future__ import annotations

import datetime as dt
import json
import math
from typing import Callable, Dict, Optional, Union

from ft_dcc.protocol import decode_datetime, encode_datetime
from ft_dcc.protocol.json_value import JsonValue
from ft_dcc.server.common.errors import ServerError

_TRUE = {"true", "1", "yes"}
_FALSE = {"false", "0", "no"}
_NULL = {"none", "null"}

#: a value as a column holds it (storage.py's column types: text, JSON text, boolean,
#: integer, float, naive UTC date-time)
Stored = Union[None, bool, int, float, str, dt.datetime]
#: a stored row: column name -> its :data:`Stored` value
StoredRow = Dict[str, Stored]


class ValueTypeError(ServerError):
    """A value does not fit the attribute's type."""

    exception = "ValidationError"


def to_utc_naive(value: dt.datetime) -> dt.datetime:
    if value.tzinfo is not None:
        value = value.astimezone(dt.timezone.utc).replace(tzinfo=None)
    return value


def parse_datetime(text: str) -> dt.datetime:
    try:
        return to_utc_naive(decode_datetime(text.strip()))
    except OverflowError:  # valid as written, but its UTC time is before year 1 or after 9999
        raise ValueTypeError(
            f"'{text}' is out of range: a date-time must fall within years 1 to 9999 in UTC"
        ) from None
    except ValueError:
        try:
            return dt.datetime.combine(dt.date.fromisoformat(text.strip()), dt.time())
        except ValueError:
            raise ValueTypeError(
                f"'{text}' is not an ISO date-time; use e.g. \"2024-05-01T10:00:00\""
            ) from None


def literal_value(value_type: str, text: str, quoted: bool, attribute: str) -> Stored:
    """Type a query literal (as written) for comparison with ``attribute``."""
    if not quoted and text.lower() in _NULL:
        return None
    try:
        if value_type == "integer":
            lowered = text.lower()
            if lowered in ("true", "false"):
                return int(lowered == "true")
            return _in_range(int(float(text)) if "." in text else int(text), attribute)
        if value_type == "number":
            return float(text)
        if value_type == "boolean":
            lowered = text.lower()
            if lowered in _TRUE:
                return True
            if lowered in _FALSE:
                return False
            raise ValueError
        if value_type == "datetime":
            return parse_datetime(text)
        if value_type in ("variable", "object"):
            return json.dumps(_bare_json(text) if not quoted else text)
    except ValueTypeError:
        raise
    except ValueError:
        raise ValueTypeError(
            f"'{text}' is not a valid {value_type} value for attribute '{attribute}'"
        ) from None
    return text


def _bare_json(text: str) -> Union[bool, int, float, str]:
    lowered = text.lower()
    if lowered in ("true", "false"):
        return lowered == "true"
    try:
        return int(text)
    except ValueError:
        pass
    try:
        return float(text)
    except ValueError:
        return text


def _unwrap_date(value: object) -> object:
    if isinstance(value, dict) and value.get("__type__") in ("datetime", "date"):
        return value.get("value")
    return value


def _wire_datetime(value: object, attribute: str) -> Stored:
    value = _unwrap_date(value)
    if isinstance(value, str):
        return parse_datetime(value)
    raise ValueTypeError(f"attribute '{attribute}' needs a date-time, got {type(value).__name__}")


def _wire_json(value: object, attribute: str) -> Stored:
    return json.dumps(_unwrap_date(value))


def _wire_string(value: object, attribute: str) -> Stored:
    if isinstance(value, str):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    raise ValueTypeError(f"attribute '{attribute}' needs a string, got {type(value).__name__}")


def _wire_boolean(value: object, attribute: str) -> Stored:
    if isinstance(value, bool):
        return value
    if value in (0, 1):
        return bool(value)
    raise ValueTypeError(f"attribute '{attribute}' needs true or false, got {value!r}")


def _wire_integer(value: object, attribute: str) -> Stored:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        if isinstance(value, str) and value.strip().lstrip("-").isdigit():
            return _in_range(int(value), attribute)
        raise ValueTypeError(f"attribute '{attribute}' needs a whole number, got {value!r}")
    if isinstance(value, float) and not (math.isfinite(value) and value.is_integer()):
        raise ValueTypeError(f"attribute '{attribute}' needs a whole number, got {value!r}")
    return _in_range(int(value), attribute)


def _wire_number(value: object, attribute: str) -> Stored:
    number: Optional[float] = None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        number = value
    elif isinstance(value, str):
        try:
            number = float(value)
        except ValueError:
            number = None
    if number is None or not math.isfinite(number):
        raise ValueTypeError(f"attribute '{attribute}' needs a finite number, got {value!r}")
    return number


#: wire → stored converters per schema value type (others are stored as they come)
_WIRE_CONVERTERS: Dict[str, Callable[[object, str], Stored]] = {
    "datetime": _wire_datetime,
    "variable": _wire_json,
    "object": _wire_json,
    "string": _wire_string,
    "boolean": _wire_boolean,
    "integer": _wire_integer,
    "number": _wire_number,
}


def wire_to_storage(value_type: str, value: object, attribute: str) -> object:
    """Validate and convert a wire value (JSON, as the caller sent it: any type is checked) to
    its stored form (a type without a converter: the value as it came, for the database to take
    or refuse)."""
    if value is None:
        return None
    converter = _WIRE_CONVERTERS.get(value_type)
    return value if converter is None else converter(value, attribute)


#: 64-bit signed integers: what every database stores
INTEGER_RANGE = (-(2**63), 2**63 - 1)


def _in_range(value: int, attribute: str) -> int:
    if not INTEGER_RANGE[0] <= value <= INTEGER_RANGE[1]:
        raise ValueTypeError(f"attribute '{attribute}' needs a 64-bit whole number, got {value}")
    return value


def storage_to_wire(value_type: str, value: object) -> JsonValue:
    """Convert a stored value (:data:`Stored`) to its JSON wire form."""
    if value is None:
        return None
    if value_type == "datetime" and isinstance(value, str):
        value = parse_datetime(value)
    if isinstance(value, dt.datetime):
        return dict(encode_datetime(value))
    if value_type in ("variable", "object") and isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    if value_type == "boolean":
        return bool(value)
    if isinstance(value, (bool, int, float, str)):
        return value
    raise TypeError(f"a stored {value_type} value is {type(value).__name__}, not a column's type")
