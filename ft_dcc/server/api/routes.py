"""Routes of the JSON API: ``GET /`` (what this server is) and ``POST /api`` (operation batches)."""

from __future__ import annotations

import gzip
import json
import logging
from typing import List, Optional

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ft_dcc.protocol.json_value import JsonValue
from ft_dcc.server.api import actions as actions_mod
from ft_dcc.server.audit import set_source
from ft_dcc.server.common.errors import ApiOperationError, ServerError
from ft_dcc.server.http import update_tokens
from ft_dcc.server.http.auth import INVALID_CREDENTIALS, invalid_credentials_message, is_strict
from ft_dcc.server.http.bodies import JsonBodyError, parse_json_body, read_limited_body
from ft_dcc.server.http.parts import Part
from ft_dcc.server.http.responses import ApiJSONResponse, server_error_response
from ft_dcc.server.identity.layer import identity_of
from ft_dcc.server.identity.policy import Area, admits
from ft_dcc.server.query.reply_budget import MAX_REPLY_ENV, describe_bytes, max_reply_bytes
from ft_dcc.server.runtime.embedded import EmbeddedServer
from ft_dcc.server.store.store import WRITE_ACTIONS

log = logging.getLogger(__name__)

#: /api replies at least this large are gzip-compressed for clients that accept it (schemas,
#: big queries); smaller ones are not worth the CPU.
GZIP_MIN_SIZE = 16 * 1024
#: /api bodies smaller than this are decoded on the event loop (a hand-off to a worker thread
#: costs more); larger ones in a worker thread (``_decoded_off_loop``).
DECODE_ON_LOOP_BELOW = 64 * 1024
#: The JSON API's one route: its errors are answered with 200 unless the caller is strict.
API_PATH = "/api"


def _base_url(request: Request) -> str:
    return str(request.base_url).rstrip("/")


def _bounded(response: Response) -> Response:
    """``response``, refused when it is larger than the reply limit (the batch's queries
    stopped at their estimated size already: this is the exact check)."""
    limit = max_reply_bytes()
    if len(response.body) <= limit:
        return response
    raise ApiOperationError(
        f"The reply would be larger than {describe_bytes(limit)}, the most this server answers "
        f"in one request ({MAX_REPLY_ENV}). Ask for less: page queries with 'limit' and "
        "'offset', or send fewer operations per batch.",
        "ValidationError",
    )


def _compressed(request: Request, response: Response) -> Response:
    accepts_gzip = "gzip" in request.headers.get("accept-encoding", "")
    if len(response.body) >= GZIP_MIN_SIZE and accepts_gzip:
        response.body = gzip.compress(response.body, compresslevel=5)
        response.headers["content-encoding"] = "gzip"
        response.headers["content-length"] = str(len(response.body))
        response.headers["vary"] = "Accept-Encoding"
    return response


def _decoded(body: bytes) -> JsonValue:
    """The body's JSON value (:func:`parse_json_body`), refused when it holds lone surrogates."""
    batch = parse_json_body(body)
    json.dumps(batch, ensure_ascii=False).encode("utf-8")
    return batch


async def _decoded_off_loop(body: bytes) -> JsonValue:
    """:func:`_decoded` of ``body``, off the event loop when it is large (a large body must not
    hold up other people's requests); a small one is decoded in less time than the hand-off
    to a worker thread and back costs."""
    if len(body) < DECODE_ON_LOOP_BELOW:
        return _decoded(body)
    return await run_in_threadpool(_decoded, body)


class ApiRoutes:
    """``GET /`` and ``POST /api`` of one ``EmbeddedServer``."""

    def __init__(self, server: EmbeddedServer) -> None:
        self.server = server
        self.config = server.config

    async def index(self, request: Request) -> Response:
        return ApiJSONResponse(
            {"name": "ft_dcc embedded ftrack server", "version": self.config.version, "api": "/api"}
        )

    async def _read_batch(self, request: Request) -> JsonValue:
        """The decoded JSON body; refused when it is too large or not JSON."""
        limit = self.config.max_api_body
        body = await read_limited_body(request, limit)
        if body is None:
            raise ApiOperationError(
                f"The request body is larger than {limit} bytes; send smaller batches.",
                "ValidationError",
                status=413,
            )
        try:
            batch = await _decoded_off_loop(body)
        except (JsonBodyError, UnicodeError, ValueError) as exc:
            raise ApiOperationError(
                f"The request body is not accepted: {exc} Send a JSON array of operations.",
                "ValidationError",
            ) from None
        most = self.config.max_batch_operations
        writes = _write_count(batch)
        if writes > most:
            raise ApiOperationError(
                f"A batch writes at most {most:,} entities (create, update, delete) and this "
                f"one writes {writes:,}; nothing was done. Split it into smaller batches.",
                "ValidationError",
                status=413,
            )
        if isinstance(batch, list):
            request.state.actions = [
                str(op.get("action")) if isinstance(op, dict) else None for op in batch
            ]
        return batch

    def _caller(self, request: Request) -> Optional[actions_mod.Caller]:
        """The request's User when the policy lets its identity use the API (an API key)."""
        identity = identity_of(request)
        if not admits(identity, Area.API) or identity.user_id is None:
            return None
        request.state.auth_ok = True
        return actions_mod.Caller(
            user_id=identity.user_id, username=identity.username or "", base_url=_base_url(request)
        )

    async def api(self, request: Request) -> Response:
        """Answer a batch; every refusal is raised (``app.py`` answers it, strict or 200)."""
        username = identity_of(request).key_user
        request.state.ftrack_user = username
        update_tokens.remember(request.headers)
        batch = await self._read_batch(request)
        caller = self._caller(request)
        set_source(request.client.host if request.client else "unknown")
        if caller is None:
            raise ApiOperationError(
                invalid_credentials_message(username), INVALID_CREDENTIALS, status=401
            )
        try:
            result = await run_in_threadpool(actions_mod.run_batch, self.server.ctx, batch, caller)
        except ServerError:
            raise
        except Exception as exc:
            log.exception("unexpected error in /api")
            raise ApiOperationError(
                f"Internal error ({type(exc).__name__}); nothing was written. See the server log.",
                "ServerError",
                status=500,
            ) from None
        return _compressed(request, _bounded(ApiJSONResponse(result)))


def refuse(request: Request, exc: ServerError) -> Response:
    """A refusal on ``/api``: its status for strict callers, 200 for the others (as ftrack)."""
    return server_error_response(exc, exc.status if is_strict(request.headers) else 200)


#: ``/api``: a batch may be as large as the server's ``--max-api-body``
PART = Part((API_PATH,), lambda config: [(API_PATH, "", config.max_api_body)], refuse)


def routes(server: EmbeddedServer) -> List[Route]:
    """The API area's routes for ``server``."""
    area = ApiRoutes(server)
    actions_mod.answer_in_batches(server.ctx)  # get_widget_url in a batch's transaction
    return [
        Route("/", area.index, methods=["GET", "HEAD"]),
        Route(API_PATH, area.api, methods=["POST"]),
    ]


def _write_count(batch: object) -> int:
    """How many create/update/delete operations a batch holds (reads take no write lock)."""
    if not isinstance(batch, list):
        return 0
    return sum(1 for op in batch if isinstance(op, dict) and op.get("action") in WRITE_ACTIONS)
