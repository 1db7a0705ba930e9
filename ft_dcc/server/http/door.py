"""The server's one door: every HTTP concern before a route, in one middleware.

Like Starlette's one authentication layer, the door is ONE frame on the stack while a route
runs; its parts are plain functions run in order and wrappers of ``receive`` and ``send``:

1. the request log (``request_log.LoggedSend``): one line per request, 500 when it failed;
2. CORS (``cors.cors_policy``): a preflight answered here, every answer's CORS headers;
3. the security headers (``security_headers.with_security_headers``) on every answer after;
4. a NUL in the path or query refused with 400 (``nul_text``);
5. the body limit (``body_limit``): a declared body past its route's limit refused with 413,
   a body read past it refused while read;
6. a database outage (``health.outage_reply``): a request whose route found the database
   unreachable before answering is answered 503, logged once by ``health.Outage``;
7. the failed-attempt counts (``limits.limiter.attempt_from``) told the request's source;
8. the identity (``identity.layer.IdentityBackend``): one per request, a reader's refusal
   (429) answered by ``on_error``;
9. the body timeout (``limits.timed``): each chunk of the body within the idle timeout.

A websocket gets 4, 7 and 8 (a refusal closes it with 1008); the lifespan passes through.
Refusals of 4 and 5 and the outage's answer are the app's (``refuse``: its handler of every
``ServerError``), so they have the shape and status of the route's area.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Awaitable, Callable, Optional

from starlette.datastructures import Headers
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import HTTPConnection, Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ft_dcc.server.audit.source import peer_address
from ft_dcc.server.common.errors import ServerError
from ft_dcc.server.http import health
from ft_dcc.server.http.body_limit import BodyLimits, declared_too_large, limited
from ft_dcc.server.http.limits import timed
from ft_dcc.server.http.nul_text import nul_refusal
from ft_dcc.server.http.request_log import LoggedSend, RequestLog
from ft_dcc.server.http.security_headers import with_security_headers
from ft_dcc.server.identity.layer import IdentityBackend, OnError
from ft_dcc.server.limits.limiter import Limiter, attempt_from
from ft_dcc.server.model.database import is_unreachable

#: how the app answers a ``ServerError`` (its handler of every one)
Refuse = Callable[[Request, Exception], Awaitable[Response]]
#: a websocket refused (a NUL in its address, or its reader's refusal)
POLICY_VIOLATION = {"type": "websocket.close", "code": 1008}


@dataclass(frozen=True)
class DoorParts:
    """What the door's parts are configured with."""

    request_log: Optional[RequestLog]
    cors: CORSMiddleware
    limits: BodyLimits
    refuse: Refuse
    outage: health.Outage
    limiter: Limiter
    identities: IdentityBackend
    on_error: OnError
    body_timeout: float


class StatusWatch:
    """``send`` remembering whether the response started (an outage is answered only before)."""

    def __init__(self, send: Send) -> None:
        self.send = send
        self.started = False

    async def __call__(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.started = True
        await self.send(message)


async def _refusal(parts: DoorParts, scope: Scope) -> Optional[Response]:
    """The app's answer to a request refused before it is read (NUL, declared body too large)."""
    refused = nul_refusal(scope) or declared_too_large(scope, parts.limits.of(scope["path"]))
    return None if refused is None else await parts.refuse(Request(scope), refused)


class Door:
    """The server's one middleware (the module's doc)."""

    def __init__(self, app: ASGIApp, parts: DoorParts) -> None:
        self.app = app
        self.parts = parts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await (self._websocket if scope["type"] == "websocket" else self.app)(
                scope, receive, send)  # fmt: skip
            return
        parts = self.parts
        logged = LoggedSend(parts.request_log, scope, send)
        try:
            headers = Headers(scope=scope)
            if headers.get("origin") is not None and scope["method"] == "OPTIONS" and \
                    "access-control-request-method" in headers:  # fmt: skip
                await parts.cors.preflight_response(headers)(scope, receive, logged)
                return
            answer = with_security_headers(functools.partial(
                parts.cors.send, send=logged, request_headers=headers))  # fmt: skip
            refused = await _refusal(parts, scope)
            if refused is not None:
                await refused(scope, receive, answer)
                return
            body = limited(receive, parts.limits.of(scope["path"]))
            watch = StatusWatch(answer)
            try:
                with attempt_from(parts.limiter, peer_address(scope)):
                    try:
                        scope["auth"], scope["user"] = await parts.identities.authenticate(
                            HTTPConnection(scope))  # fmt: skip
                    except ServerError as exc:
                        await (await parts.on_error(Request(scope, body), exc))(scope, body, watch)
                        return
                    await self.app(scope, timed(body, parts.body_timeout), watch)
            except Exception as error:
                if watch.started or not is_unreachable(error):
                    raise
                parts.outage.report_down(error)
                await health.outage_reply(scope)(scope, body, answer)
        except Exception:
            logged.failed()
            raise

    async def _websocket(self, scope: Scope, receive: Receive, send: Send) -> None:
        parts = self.parts
        if nul_refusal(scope) is not None:
            await send(POLICY_VIOLATION)
            return
        with attempt_from(parts.limiter, peer_address(scope)):
            try:
                scope["auth"], scope["user"] = await parts.identities.authenticate(
                    HTTPConnection(scope))  # fmt: skip
            except ServerError:
                await send(POLICY_VIOLATION)
                return
            await self.app(scope, receive, send)
