"""The type of a value that is arbitrary JSON: what ``json.loads`` can return.

Use :data:`JsonValue` where a value really is any JSON (an event's ``data``, a metadata blob, a
recorded reply) and a narrower type (a dataclass, a ``TypedDict``, ``Mapping[str, object]``) does
not exist. Recursive, with string forward references so the module imports on Python 3.9.
"""

from __future__ import annotations

from typing import Dict, List, Union

#: any JSON value: null, a boolean, a number, a string, an array or an object of JSON values
JsonValue = Union[None, bool, int, float, str, List["JsonValue"], Dict[str, "JsonValue"]]
#: a JSON object (what ``json.loads`` gives for ``{...}``)
JsonObject = Dict[str, JsonValue]
