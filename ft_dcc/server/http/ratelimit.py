"""Rate limits on failed authentication of every kind: wrong API keys, forged or expired review
link tokens, forged signed-URL signatures, wrong link passphrases (counted in
:mod:`ft_dcc.server.attempts`; this is the HTTP side).

Failures are counted per **source** (the address the server proved:
:func:`ft_dcc.server.audit.source.peer_address`; ``X-Forwarded-For`` only from the proxies of
``--forwarded-allow-ips``) and per **target** (the user name,
review session or signed URL guessed at), in fixed windows of ``FT_DCC_AUTH_WINDOW`` seconds
(default 60). Once a source has failed ``FT_DCC_AUTH_FAILURES_PER_SOURCE`` times (default 300) or
a target ``FT_DCC_AUTH_FAILURES_PER_TARGET`` times (default 100) in the window, every further
attempt from that source (or on that target) is answered **429** without looking at the
credential, right or wrong, until the window ends: a guesser learns nothing more. A source that
signed in to a target in this window keeps reaching it (a colleague's typos elsewhere do not
lock out a working farm node). Successful requests cost a few dictionary look-ups (on
PostgreSQL, a few small queries the first time a source signs in to a target on a server process
in a window) and are never counted. On PostgreSQL the counts are shared by every server process
(``--workers N``).

Nothing about a failure is logged but its kind and source address, once, when a lock starts.
"""

from __future__ import annotations

from typing import Any, Callable, Dict, Optional

from sqlalchemy import MetaData
from sqlalchemy.engine import Engine
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from ft_dcc.server.attempts import (
    DEFAULT_PER_SOURCE,
    DEFAULT_PER_TARGET,
    DEFAULT_WINDOW,
    AuthGuard,
    TooManyAttempts,
    attempt_from,
)
from ft_dcc.server.audit.source import peer_address
from ft_dcc.server.env_number import positive_number
from ft_dcc.server.http.responses import error_response
from ft_dcc.server.shared_limits import SharedFailureCounts

WINDOW_ENV = "FT_DCC_AUTH_WINDOW"
PER_SOURCE_ENV = "FT_DCC_AUTH_FAILURES_PER_SOURCE"
PER_TARGET_ENV = "FT_DCC_AUTH_FAILURES_PER_TARGET"
#: where answers are pages, not the ftrack JSON API (a plain page there)
PAGE_PREFIX = "/review"


def guard_from_env(
    engine: Optional[Engine] = None, metadata: Optional[MetaData] = None
) -> AuthGuard:
    """The guard with the limits of ``FT_DCC_AUTH_*`` (or the defaults); on a PostgreSQL
    ``engine`` its counts are shared by every server process (``shared_limits``)."""
    window = positive_number(WINDOW_ENV, DEFAULT_WINDOW)
    shared = None
    if engine is not None and metadata is not None and engine.dialect.name == "postgresql":
        shared = SharedFailureCounts(engine, metadata, window)
    return AuthGuard(
        per_source=int(positive_number(PER_SOURCE_ENV, float(DEFAULT_PER_SOURCE))),
        per_target=int(positive_number(PER_TARGET_ENV, float(DEFAULT_PER_TARGET))),
        window=window,
        shared=shared,
    )


class AuthAttemptMiddleware:
    """Tells :func:`check`, :func:`failed` and :func:`succeeded` which source a request (or
    websocket) comes from and which guard counts it."""

    def __init__(self, app: ASGIApp, guard: Optional[AuthGuard] = None) -> None:
        self.app = app
        self.guard = guard or guard_from_env()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        with attempt_from(self.guard, peer_address(scope)):
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
