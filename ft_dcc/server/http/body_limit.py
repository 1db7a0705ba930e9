"""A size limit on every route's request body, applied while it is read and before anyone is
authenticated (by the door, ``http.door``, after the request log, CORS, security headers and
the NUL check).

Each route area declares its limit by path (:class:`BodyLimits`: the first (start, end) pair
the path starts and ends with decides; every other path gets :data:`DEFAULT_LIMIT`). A body
whose ``Content-Length`` is larger is answered **413** at once, unread; one sent without a
length (chunked) is counted as it arrives and refused with 413 as soon as it passes the limit,
so a process never holds more of a body than its route's limit, whoever sends it.
"""

from __future__ import annotations

from typing import Optional, Sequence, Tuple

from starlette.types import Message, Receive, Scope

from ft_dcc.server.common.errors import BadInput

#: what a route that takes no body (or a small form) accepts
DEFAULT_LIMIT = 16 * 1024


class BodyTooLarge(BadInput):
    """A request body larger than its route accepts: 413."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"The request body is larger than this route accepts ({limit} bytes); "
                         "send less.", 413)  # fmt: skip


class BodyLimits:
    """The body limit of each path: ``(start, end, bytes)``, the first whose ``start`` and
    ``end`` the path has wins."""

    def __init__(self, limits: Sequence[Tuple[str, str, int]],
                 default: int = DEFAULT_LIMIT) -> None:  # fmt: skip
        self.limits = list(limits)
        self.default = default

    def of(self, path: str) -> int:
        for start, end, most in self.limits:
            if path.startswith(start) and path.endswith(end):
                return most
        return self.default


def _declared(scope: Scope) -> int:
    """The request's ``Content-Length`` (-1: none, or not a number)."""
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            return int(value) if value.isdigit() else -1
    return -1


def declared_too_large(scope: Scope, most: int) -> Optional[BodyTooLarge]:
    """The 413 of a body whose ``Content-Length`` is past ``most`` (answered at once, unread)."""
    return BodyTooLarge(most) if _declared(scope) > most else None


def limited(receive: Receive, most: int) -> Receive:
    """``receive`` raising :class:`BodyTooLarge` (answered by the app's handler of every
    ``ServerError``) as soon as the body read passes ``most``."""
    read = 0

    async def limited_receive() -> Message:
        nonlocal read
        message = await receive()
        if message.get("type") == "http.request":
            read += len(message.get("body", b""))
            if read > most:
                raise BodyTooLarge(most)
        return message

    return limited_receive
