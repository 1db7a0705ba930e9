"""The rate limits' HTTP side (the limits themselves: :mod:`ft_dcc.server.limits.limiter`): the
middleware that tells :func:`~ft_dcc.server.limits.limiter.reserve` which limiter counts a request
and which source it comes from (the address the server proved:
:func:`ft_dcc.server.audit.source.peer_address`; ``X-Forwarded-For`` only from the proxies of
``--forwarded-allow-ips``), and the **429** answers with ``Retry-After``.
"""

from __future__ import annotations

from typing import Any, Callable, Dict

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from ft_dcc.server.audit.source import peer_address
from ft_dcc.server.http.responses import error_response
from ft_dcc.server.limits.limiter import Limiter, TooManyAttempts, attempt_from

#: where answers are pages, not the ftrack JSON API (a plain page there)
PAGE_PREFIX = "/review"


class AuthAttemptMiddleware:
    """Sets the limiter and source of each request (or websocket) for ``limiter.reserve``."""

    def __init__(self, app: ASGIApp, limiter: Limiter) -> None:
        self.app = app
        self.limiter = limiter

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        with attempt_from(self.limiter, peer_address(scope)):
            await self.app(scope, receive, send)


async def _too_many(request: Request, exc: Exception) -> Response:
    """429 with ``Retry-After``: ftrack's error shape, or a plain page in the review room."""
    assert isinstance(exc, TooManyAttempts)
    headers = {"Retry-After": str(exc.retry_after), "Cache-Control": "no-store"}
    if request.url.path.startswith(PAGE_PREFIX):
        return PlainTextResponse(exc.message, status_code=429, headers=headers)
    response = error_response(exc.exception, exc.message, 429)
    response.headers.update(headers)
    return response


#: Starlette exception handlers (before the one for every ServerError)
EXCEPTION_HANDLERS: Dict[Any, Callable[..., Any]] = {TooManyAttempts: _too_many}
