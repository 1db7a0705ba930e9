"""Request bodies: read with a size limit (never holding more than the limit in memory), and
JSON parsed only when it nests no deeper than :data:`MAX_JSON_DEPTH` (every route that takes
JSON: ``/api`` and the review page's ``/notes``, ``/status``, ``/annotations``)."""

from __future__ import annotations

import json
import re
from typing import Optional

from starlette.requests import Request

from ft_dcc.protocol.json_value import JsonValue

#: The deepest JSON any route accepts (ftrack batches nest a few levels, the review routes one).
MAX_JSON_DEPTH = 64
#: a JSON string, matched in one pass ("unrolled": runs of plain bytes between escapes; the
#: alternation per character it replaces took ~20 s on a 30 MB string). The closing quote is
#: optional: an unterminated string runs to the end of the body in one match, instead of
#: failing and being tried again from each quote after it (quadratic: 600 KB of ``\"`` never
#: finished). Such a body is not JSON either way.
_JSON_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"?', re.DOTALL)
_BRACKETS = re.compile(rb"[\[\]{}]")


class JsonBodyError(ValueError):
    """A body that is not JSON, or nests too deeply; the message says what to send."""


async def read_limited_body(request: Request, limit: int) -> Optional[bytes]:
    """The request body, or ``None`` when it is (or declares itself) larger than ``limit`` bytes."""
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        return None
    chunks = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


def json_too_deep(body: bytes, limit: int = MAX_JSON_DEPTH) -> bool:
    """Whether JSON text ``body`` nests arrays or objects more than ``limit`` levels deep
    (counted on the brackets outside strings, without parsing: no recursion)."""
    depth = 0
    for match in _BRACKETS.finditer(_JSON_STRING.sub(b'""', body)):
        if match.group() in (b"[", b"{"):
            depth += 1
            if depth > limit:
                return True
        else:
            depth -= 1
    return False


def parse_json_body(body: bytes, limit: int = MAX_JSON_DEPTH) -> JsonValue:
    """The JSON value of ``body``, or :class:`JsonBodyError` (not UTF-8 JSON, too deep, or a
    NUL character in a string: no text the server stores may hold one, and PostgreSQL refuses
    it)."""
    if json_too_deep(body, limit):
        raise JsonBodyError(f"The JSON body nests deeper than {limit} levels; send a flatter body.")
    try:
        value = json.loads(body.decode("utf-8"))
    except (UnicodeError, ValueError, RecursionError) as exc:
        raise JsonBodyError(f"The body is not valid JSON ({exc}); send UTF-8 JSON.") from None
    if b"\\u0000" in body and holds_nul(value):  # only an escape makes one: a fast look first
        raise JsonBodyError("A text in the body holds a NUL character (\\u0000); remove it.")
    return value


def holds_nul(value: JsonValue) -> bool:
    """Whether a string (or key) anywhere in ``value`` holds a NUL character (no recursion)."""
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            if "\0" in item:
                return True
        elif isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
    return False
