"""The Starlette application of the embedded ftrack-compatible server.

``create_app(config)`` opens the store, seeds credentials and returns an ASGI app whose routes
come from one module per area, each with ``routes(server)``:

- ``api_routes``: ``GET /`` and ``POST /api``, the JSON API (batches of operations, see
  ``actions``);
- ``component_routes``: ``PUT /file-upload/<component id>?token=`` (signed uploads, see
  ``files``) and ``GET /component/get|thumbnail|remove?id=&username=&apiKey=`` (downloads with
  HTTP Range);
- ``signin.routes``: ``GET /`` for browsers (the sign-in page), ``POST /signin``,
  ``POST /signout``, ``/signin/link/<token>`` (see ``ft_dcc.server.signin``);
- ``widget_page``: ``GET /widget?token=``, the page behind ``get_widget_url``;
- ``review.routes``: the web review page (``/review/…``);
- ``desk.routes``: the dailies desk for signed-in people (``/desk/…``, see ``ft_dcc.server.desk``);
- ``events``: the event hub's socket.io routes when it is installed;
- ``health``: ``GET /health`` and ``GET /ready`` (no credentials), and the 503 answers of a
  database outage (``http.health``: logged once, not a traceback per request).

Every HTTP concern before a route is the one door's (``http.door``: the request log, CORS,
security headers, NUL and body limits, outages, failed-attempt counts, the identity, the body
timeout). Every request's identity is resolved there by the authentication layer
(``authentication``: a signed URL, a review link, an API key or the sign-in cookie); routes read
it (``identity.layer.identity_of``) and ask the policy (``identity.policy``), never a credential.

Every request is written to the request log (JSON lines, see ``request_log``) when one is
configured; API keys and tokens are replaced by ``<redacted>`` there. Every answer carries
``nosniff`` and a Content-Security-Policy (``http.security_headers``).
"""

from __future__ import annotations

import contextlib
import logging
from typing import AsyncIterator, Dict, List, Optional

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute

from ft_dcc.server import authentication
from ft_dcc.server.api import components as component_routes
from ft_dcc.server.api import routes as api_routes
from ft_dcc.server.api import widget as widget_page
from ft_dcc.server.common.errors import ServerError
from ft_dcc.server.desk import routes as desk_routes
from ft_dcc.server.http import body_limit, door, health, parts, ratelimit
from ft_dcc.server.http import limits as http_limits
from ft_dcc.server.http.cors import cors_policy
from ft_dcc.server.http.request_log import RequestLog
from ft_dcc.server.http.responses import error_response, server_error_response
from ft_dcc.server.limits.limiter import request_limiter
from ft_dcc.server.model.database import is_unreachable
from ft_dcc.server.notify.service import start_notifier
from ft_dcc.server.review import routes as review_routes
from ft_dcc.server.runtime.config import ServerConfig
from ft_dcc.server.runtime.embedded import EmbeddedServer
from ft_dcc.server.signin import routes as signin_routes

log = logging.getLogger(__name__)

#: The route areas, each a module with ``routes(server)``; the event hub adds its own.
ROUTE_AREAS = (api_routes, component_routes, widget_page, review_routes, desk_routes)
#: each mounted part's own body limits and refusal (``http.parts``), the first owning a path wins
PARTS = (api_routes.PART, component_routes.PART, desk_routes.PART, review_routes.PART,
         signin_routes.PART)  # fmt: skip


def _routes(server: EmbeddedServer, outage: health.Outage) -> List[BaseRoute]:
    routes: List[BaseRoute] = health.routes(outage, server.config.files_dir)
    # before the API's: ``GET /`` is the sign-in page for browsers, the API's JSON for the others
    routes.extend(signin_routes.routes(server, api_routes.ApiRoutes(server).index))
    for area in ROUTE_AREAS:
        routes.extend(area.routes(server))
    if server.events is not None:
        routes.extend(server.events.routes())
    return routes


def body_limits(config: ServerConfig) -> body_limit.BodyLimits:
    """Each part's body limits, as it declares them (the first match wins; other paths:
    16 KB)."""
    return body_limit.BodyLimits(parts.body_limits(PARTS, config))


async def _http_error(request: Request, exc: Exception) -> Response:
    status = int(getattr(exc, "status_code", 500))
    detail = getattr(exc, "detail", None) or "error"
    return error_response(
        "NotFoundError" if status == 404 else "ValidationError",
        f"{request.method} {request.url.path}: {detail}.",
        status,
    )


async def _known_error(request: Request, exc: Exception) -> Response:
    """Every :class:`ServerError` a route raises, answered in one place: by the part that owns
    the path when it answers in its own shape (the review room's pages and JSON; ``/api``'s
    status only for strict callers), every other one in ftrack's, with its status."""
    assert isinstance(exc, ServerError)
    if is_unreachable(exc):  # a batch the database dropped: an outage, not the caller's fault
        request.app.state.outage.report_down(exc)
        return health.outage_reply(request.scope)
    refuse = parts.refusal_of(PARTS, request.url.path)
    if refuse is not None:
        return refuse(request, exc)
    return server_error_response(exc, exc.status)


async def _refused(request: Request, exc: ServerError) -> Response:
    """A refusal of the authentication layer (too many failed attempts), answered as the
    routes' are."""
    for kind, handler in ratelimit.EXCEPTION_HANDLERS.items():
        if isinstance(exc, kind):
            return await handler(request, exc)
    return await _known_error(request, exc)


async def _server_error(request: Request, exc: Exception) -> Response:
    log.exception("unhandled error", exc_info=exc)
    return error_response("ServerError", "Internal server error; see the server log.", 500)


def create_app(config: ServerConfig, environ: Optional[Dict[str, str]] = None) -> Starlette:
    """The ASGI app for ``config``; ``app.state.server`` holds the store, keys and seed result."""
    server = EmbeddedServer(config, environ)
    notifier = start_notifier(server)  # digests and webhooks: its thread runs while we serve
    outage = health.Outage(server.store.engine)
    server.on_close(outage.close)
    health.quiet_outage_tracebacks()

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        notifier.start()
        try:
            yield
        finally:
            server.close()

    app = Starlette(
        routes=_routes(server, outage),
        lifespan=lifespan,
        exception_handlers={
            404: _http_error,
            405: _http_error,
            500: _server_error,
            ServerError: _known_error,
            **http_limits.EXCEPTION_HANDLERS,
            **ratelimit.EXCEPTION_HANDLERS,
        },
    )
    app.state.server = server
    app.state.outage = outage
    door_parts = door.DoorParts(
        request_log=RequestLog(config.request_log) if config.request_log else None,
        cors=cors_policy(config.cors_origins),
        limits=body_limits(config),  # every body limited while read, before authentication
        refuse=_known_error,
        outage=outage,  # around all that reads the db
        limiter=request_limiter(server.store.engine, server.store.metadata),  # failed sign-ins
        identities=authentication.identities(server),  # one identity per request
        on_error=_refused,
        body_timeout=http_limits.body_timeout(),
    )
    app.add_middleware(door.Door, parts=door_parts)  # every HTTP concern before a route, in order
    return app
