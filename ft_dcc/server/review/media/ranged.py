"""Watch-only replies: a movie served in bounded parts, never whole in one reply.

A player asks for ``Range: bytes=N-`` and plays what it gets, asking for the next part as it
goes; a download (no Range, or the whole file) is what watch-only refuses. So every reply is a
``206 Partial Content`` of what the request asked for (the first range of a multi-range request;
a suffix range counts from the end), cut to at most :func:`part_limit` bytes --
:data:`MEDIA_CHUNK`, and never more than half the file. A request without Range gets the first
part as a 206. Not stored by the browser's cache (``no-store``), inline.

This stops the one-click download (the browser's "save video", a pasted URL, ``curl``); it does
not stop a determined copy, which reads the parts one by one as the player does: watching
delivers every byte to the viewer's browser.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Callable, Mapping, Optional, Tuple

from starlette.responses import Response

from ft_dcc.server.common.env_number import positive_number

#: the most one watch-only reply carries, in bytes (``FT_DCC_MEDIA_CHUNK``)
MEDIA_CHUNK = 1024 * 1024
_RANGE = re.compile(r"^(\d*)\s*-\s*(\d*)$")  # on the stripped text: one way to match each space
#: a byte position longer than any file (and than Python reads as a number)
_TOO_LONG = re.compile(r"\d{19}")


def unreadable(header: Optional[str]) -> bool:
    """Whether a ``Range`` header names a position no file has (19 digits or more)."""
    return bool(header and _TOO_LONG.search(header))


def not_satisfiable(size: int, headers: Mapping[str, str]) -> Response:
    """416: the range asked for is not in the ``size``-byte file."""
    answer = dict(headers, **{"Content-Range": f"bytes */{size}"})
    return Response(b"", status_code=416, headers=answer)


def part_limit(size: int) -> int:
    """The most bytes one reply of a ``size``-byte file carries (at least 1)."""
    chunk = positive_number("FT_DCC_MEDIA_CHUNK", MEDIA_CHUNK)
    return max(1, min(chunk, (size + 1) // 2))


def requested(header: Optional[str], size: int) -> Optional[Tuple[int, int]]:
    """(first, last) byte the first range of a ``Range`` header asks for in a ``size``-byte
    file (the whole file without one); ``None`` when it starts past the end (416)."""
    whole = (0, size - 1)
    if not header or not header.strip().lower().startswith("bytes="):
        return whole
    match = _RANGE.match(header.split("=", 1)[1].split(",")[0].strip())
    if match is None:
        return whole
    start, end = match.groups()
    if start:
        if int(start) >= size:
            return None
        return int(start), min(size - 1, int(end)) if end and int(end) >= int(start) else size - 1
    if end:  # a suffix: the last N bytes
        return (max(0, size - int(end)), size - 1) if int(end) > 0 else None
    return whole


def requested_start(header: Optional[str], size: int) -> Optional[int]:
    """Where the request's first range starts (0 without one; ``None``: past the end)."""
    asked = requested(header, size)
    return None if asked is None else asked[0]


def span(header: Optional[str], size: int) -> Optional[Tuple[int, int]]:
    """(first, last) byte of the part a request gets -- what it asked for, cut to
    :func:`part_limit` bytes -- or ``None`` (nothing to serve: 416)."""
    asked = requested(header, size) if size > 0 else None
    if asked is None:
        return None
    first, last = asked
    return first, min(last, first + part_limit(size) - 1)


def _read(path: Path, first: int, last: int) -> bytes:
    with path.open("rb") as handle:
        handle.seek(first)
        return handle.read(last - first + 1)


#: reads bytes first..last of a file
Reader = Callable[[int, int], bytes]


def file_reader(path: Path) -> Reader:
    """Reads the bytes of the file at ``path``."""
    return lambda first, last: _read(path, first, last)


def partial_reply(
    size: int,
    read: Reader,
    media_type: str,
    header: Optional[str],
    headers: Mapping[str, str],
    head: bool = False,
) -> Response:
    """The bounded 206 reply of a ``size``-byte file ``read`` gives the bytes of (one still
    being written: its final size, each part once it is there, or as much of it as ``read``
    gives: the reply says which bytes it carries)."""
    part = None if unreadable(header) else span(header, size)
    common = dict(headers, **{"Accept-Ranges": "bytes", "Cache-Control": "private, no-store"})
    if part is None:
        return not_satisfiable(size, common)
    first, last = part
    body = b"" if head else read(first, last)
    if not head and body:
        last = first + len(body) - 1
    reply = Response(
        body,
        status_code=206,
        media_type=media_type,
        headers=dict(common, **{"Content-Range": f"bytes {first}-{last}/{size}"}),
    )
    if head:
        reply.headers["Content-Length"] = str(last - first + 1)
    return reply
