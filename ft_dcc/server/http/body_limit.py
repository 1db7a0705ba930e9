"""A size limit on every route's request body, applied while it is read and before anyone is
authenticated (the outermost layer but the request log, security headers and CORS).

Each route area declares its limit by path (:class:`BodyLimits`: the first (start, end) pair
the path starts and ends with decides; every other path gets :data:`DEFAULT_LIMIT`). A body
whose ``Content-Length`` is larger is answered **413** at once, unread; one sent without a
length (chunked) is counted as it arrives and refused with 413 as soon as it passes the limit,
so a process never holds more of a body than its route's limit, whoever sends it.
"""

from __future__ import annotations

from typing import Awaitable, Callable, Sequence, Tuple

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ft_dcc.server.errors import BadInput

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


#: how the app answers a :class:`BodyTooLarge` (its handler of every ``ServerError``, so the
#: answer has the shape and status of the route's area)
Refuse = Callable[[Request, Exception], Awaitable[Response]]


class BodyLimitMiddleware:
    """Refuses a body past its route's limit, declared or as it is read (module docstring); a
    body found too large while read raises :class:`BodyTooLarge` in the route, answered by the
    app's handler of every ``ServerError``."""

    def __init__(self, app: ASGIApp, limits: BodyLimits, refuse: Refuse) -> None:
        self.app = app
        self.limits = limits
        self.refuse = refuse

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        most = self.limits.of(scope.get("path", ""))
        if _declared(scope) > most:
            response = await self.refuse(Request(scope), BodyTooLarge(most))
            await response(scope, receive, send)
            return
        read = 0

        async def limited() -> Message:
            nonlocal read
            message = await receive()
            if message.get("type") == "http.request":
                read += len(message.get("body", b""))
                if read > most:
                    raise BodyTooLarge(most)
            return message

        await self.app(scope, limited, send)

