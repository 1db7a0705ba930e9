"""The Starlette application of the embedded ftrack-compatible server.

``create_app(config)`` opens the store, seeds credentials and returns an ASGI app serving:

- ``POST /api``: the JSON API (batches of operations, see ``actions``);
- ``PUT /file-upload/<component id>?token=``: signed uploads (see ``files``);
- ``GET /component/get|thumbnail|remove?id=&username=&apiKey=``: downloads with HTTP Range;
- ``GET /widget?token=``: the page behind ``get_widget_url``;
- the event hub's socket.io routes when ``ft_dcc.server.events`` is installed.

Every request is written to the request log (JSON lines) when one is configured; API keys are
replaced by ``<redacted>`` there.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gzip
import html
import json
import logging
import os
import threading
from pathlib import Path
from typing import Any, Dict, List, Optional
from urllib.parse import parse_qsl, urlencode

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import ClientDisconnect, Request
from starlette.responses import FileResponse, HTMLResponse, JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ft_dcc.server import actions as actions_mod
from ft_dcc.server import http_limits, permissions
from ft_dcc.server.auth import (
    HEADER_API_KEY,
    HEADER_USER,
    INVALID_CREDENTIALS,
    KeyRing,
    error_payload,
    invalid_credentials_message,
    is_strict,
)
from ft_dcc.server.bodies import read_limited_body
from ft_dcc.server.config import ServerConfig
from ft_dcc.server.disk import check_writable, remove_orphan_parts
from ft_dcc.server.encode import MediaEncoder, sized_thumbnail
from ft_dcc.server.fanout import share_event_hub
from ft_dcc.server.files import FileStore, FileStoreError, check_component_id, load_or_create_secret
from ft_dcc.server.seed import ensure_credentials

log = logging.getLogger(__name__)

REDACTED = "<redacted>"
#: /api replies at least this large are gzip-compressed for clients that accept it (schemas,
#: big queries); smaller ones are not worth the CPU.
GZIP_MIN_SIZE = 16 * 1024
SECRET_QUERY_KEYS = {"apikey", "api_key", "token"}


# -- JSON ----------------------------------------------------------------------------------------
def _json_default(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.timezone.utc)
        return {"__type__": "datetime", "value": value.isoformat()}
    if isinstance(value, dt.date):
        return {"__type__": "date", "value": value.isoformat()}
    if isinstance(value, (set, tuple)):
        return list(value)
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    raise TypeError(f"cannot encode {type(value).__name__}")


class ApiJSONResponse(JSONResponse):
    """JSON with ``Content-Type: application/json; charset=utf-8`` and datetime encoding."""

    media_type = "application/json; charset=utf-8"

    def render(self, content: Any) -> bytes:
        return json.dumps(content, default=_json_default, separators=(",", ":")).encode("utf-8")


def api_error(exception: str, content: str, *, strict: bool, status: int = 400) -> Response:
    return ApiJSONResponse(error_payload(exception, content), status_code=status if strict else 200)


# -- request log ---------------------------------------------------------------------------------
class RequestLog:
    """Appends one JSON line per HTTP request; thread-safe, flushed per line."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._lock = threading.Lock()

    def write(self, entry: Dict[str, Any]) -> None:
        line = json.dumps(entry, default=str) + "\n"
        with self._lock, open(self.path, "a", encoding="utf-8") as handle:
            handle.write(line)


def _redacted_query(query: str) -> str:
    pairs = parse_qsl(query, keep_blank_values=True)
    return urlencode([(k, REDACTED if k.lower() in SECRET_QUERY_KEYS else v) for k, v in pairs])


class RequestLogMiddleware:
    """Writes the request log entry when the response starts (so it is there when it arrives)."""

    def __init__(self, app: ASGIApp, request_log: Optional[RequestLog]) -> None:
        self.app = app
        self.request_log = request_log

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or self.request_log is None:
            await self.app(scope, receive, send)
            return
        state = scope.setdefault("state", {})
        written = False

        def entry(status: int) -> Dict[str, Any]:
            headers: Dict[str, str] = {}
            for raw_name, raw_value in scope.get("headers", []):
                name = raw_name.decode("latin-1").lower()
                value = raw_value.decode("latin-1")
                headers[name] = REDACTED if name == HEADER_API_KEY or "api-key" in name else value
            return {
                "time": dt.datetime.now(dt.timezone.utc).isoformat(),
                "method": scope.get("method"),
                "path": scope.get("path"),
                "query": _redacted_query(scope.get("query_string", b"").decode("latin-1")),
                "status": status,
                "actions": state.get("actions", []),
                "ftrack_user": state.get("ftrack_user", headers.get(HEADER_USER)),
                "auth_ok": bool(state.get("auth_ok", False)),
                "headers": headers,
            }

        async def logging_send(message: Message) -> None:
            nonlocal written
            if message["type"] == "http.response.start" and not written:
                written = True
                try:
                    self.request_log.write(entry(int(message["status"])))
                except Exception:
                    log.exception("could not write the request log")
            await send(message)

        try:
            await self.app(scope, receive, logging_send)
        except Exception:
            if not written:
                self.request_log.write(entry(500))
            raise


# -- the server ----------------------------------------------------------------------------------
class EmbeddedServer:
    """The parts of one server process, shared by the route handlers."""

    def __init__(self, config: ServerConfig, environ: Optional[Dict[str, str]] = None) -> None:
        from ft_dcc.server.store import Store

        self.config = config
        check_writable(config.data_dir)  # one clear line (DataDirError) instead of a traceback
        config.data_dir.mkdir(parents=True, exist_ok=True)
        os.chmod(config.data_dir, 0o700)
        self.store = Store(config.resolved_database_url)
        self.keys = KeyRing(self.store.engine, self.store.metadata)
        self.keys.user_check = lambda user_id: permissions.is_active_user(self.store, user_id)
        self.seed = ensure_credentials(
            self.store,
            self.keys,
            config.url,
            config.credentials_file,
            os.environ if environ is None else environ,
        )
        self.files = FileStore(
            config.files_dir,
            load_or_create_secret(config.secret_file),
            ttl=config.upload_url_ttl,
            max_size=config.max_upload_size,
        )
        if not config.worker_process:
            self.files.cleanup_expired()
            remove_orphan_parts(self.files.incoming)
            self._remove_orphan_files()
        self.events = _make_event_broker(self)
        self.relay = share_event_hub(self.events, self.store.engine, self.store.metadata)
        self.ctx = actions_mod.ApiContext(
            config=config,
            store=self.store,
            files=self.files,
            keys=self.keys,
            on_changes=self._emit_update if self.events is not None else None,
        )
        self.ctx.encoder = MediaEncoder(self.files, self.ctx.execute, self.ctx.execute)
        if not config.worker_process:
            try:
                self.ctx.encoder.fail_interrupted(self.seed.user_id)
            except Exception:
                log.exception("could not check for interrupted encode jobs")

    def _remove_orphan_files(self) -> None:
        """Delete stored files no component refers to, once older than ``orphan_file_age``.

        They come from uploads whose commit never happened (e.g. a failed publish rolled back).
        """
        try:
            candidates = self.files.stored_ids(self.config.orphan_file_age)
            for start in range(0, len(candidates), 200):
                chunk = candidates[start : start + 200]
                listed = ", ".join(f'"{component_id}"' for component_id in chunk)
                expression = f"select id from Component where id in ({listed})"
                known = {row["id"] for row in self.store.query(expression, self.seed.user_id)}
                for component_id in chunk:
                    if component_id not in known:
                        self.files.remove(component_id)
                        log.info("removed orphan upload %s (never committed)", component_id)
        except Exception:
            log.exception("could not clean up orphan uploads")

    def _emit_update(self, changes: List[Dict[str, Any]], user_id: str) -> None:
        if self.events is None:
            return
        import inspect

        kwargs: Dict[str, Any] = {"user": self.keys.username_for(user_id)}
        if "user_id" in inspect.signature(self.events.emit_update).parameters:
            kwargs["user_id"] = user_id
        self.events.emit_update(changes, **kwargs)

    def authenticate(self, username: Optional[str], api_key: Optional[str]) -> Optional[str]:
        """The user id for valid credentials, else ``None``."""
        return self.keys.verify(username, api_key)

    def close(self) -> None:
        if self.ctx.encoder is not None:
            self.ctx.encoder.shutdown()
        if self.events is not None:
            with contextlib.suppress(Exception):
                self.events.close()
        if self.relay is not None:
            with contextlib.suppress(Exception):
                self.relay.close()
        with contextlib.suppress(Exception):
            self.store.engine.dispose()


def _make_event_broker(server: EmbeddedServer) -> Any:
    try:
        from ft_dcc.server.events import EventBroker
    except ImportError:
        return None
    try:
        return EventBroker(server.authenticate)
    except Exception:
        log.exception("the event hub could not start; the API works without it")
        return None


def _base_url(request: Request) -> str:
    return str(request.base_url).rstrip("/")


def create_app(config: ServerConfig, environ: Optional[Dict[str, str]] = None) -> Starlette:
    """The ASGI app for ``config``; ``app.state.server`` holds the store, keys and seed result."""
    server = EmbeddedServer(config, environ)
    request_log = RequestLog(config.request_log) if config.request_log else None

    async def index(request: Request) -> Response:
        return ApiJSONResponse(
            {"name": "ft_dcc embedded ftrack server", "version": config.version, "api": "/api"}
        )

    async def api(request: Request) -> Response:
        strict = is_strict(request.headers)
        username = request.headers.get(HEADER_USER)
        request.state.ftrack_user = username
        body = await read_limited_body(request, config.max_api_body)
        if body is None:
            return api_error(
                "ValidationError",
                f"The request body is larger than {config.max_api_body} bytes; send smaller "
                "batches.",
                strict=strict,
                status=413,
            )
        try:
            batch = json.loads(body.decode("utf-8"))
            json.dumps(batch, ensure_ascii=False).encode("utf-8")  # no lone surrogates
        except (UnicodeDecodeError, ValueError, RecursionError) as exc:
            return api_error(
                "ValidationError",
                f"The request body is not valid JSON ({exc}); send a JSON array of operations.",
                strict=strict,
            )
        if isinstance(batch, list):
            request.state.actions = [
                str(op.get("action")) if isinstance(op, dict) else None for op in batch
            ]
        user_id = server.authenticate(username, request.headers.get(HEADER_API_KEY))
        if user_id is None:
            return api_error(
                INVALID_CREDENTIALS,
                invalid_credentials_message(username),
                strict=strict,
                status=401,
            )
        request.state.auth_ok = True
        caller = actions_mod.Caller(
            user_id=user_id, username=username or "", base_url=_base_url(request)
        )
        try:
            result = await run_in_threadpool(actions_mod.run_batch, server.ctx, batch, caller)
        except actions_mod.ApiFailure as failure:
            return api_error(
                failure.exception, failure.content, strict=strict, status=failure.status
            )
        except FileStoreError as exc:
            return api_error(exc.exception, exc.message, strict=strict, status=exc.status)
        except Exception as exc:
            log.exception("unexpected error in /api")
            return api_error(
                "ServerError",
                f"Internal error ({type(exc).__name__}); nothing was written. See the server log.",
                strict=strict,
                status=500,
            )
        response = ApiJSONResponse(result)
        if len(response.body) >= GZIP_MIN_SIZE and "gzip" in request.headers.get(
            "accept-encoding", ""
        ):
            response.body = gzip.compress(response.body, compresslevel=5)
            response.headers["content-encoding"] = "gzip"
            response.headers["content-length"] = str(len(response.body))
            response.headers["vary"] = "Accept-Encoding"
        return response

    async def upload(request: Request) -> Response:
        try:
            ticket = server.files.ticket(
                request.path_params["component_id"], request.query_params.get("token")
            )
            request.state.auth_ok = True
            result = await server.files.receive(request, ticket)
        except FileStoreError as exc:
            return ApiJSONResponse(
                error_payload(exc.exception, exc.message), status_code=exc.status
            )
        except ClientDisconnect:
            log.info("upload of %s aborted by the client", request.path_params["component_id"])
            return ApiJSONResponse(
                error_payload("ValidationError", "The upload was interrupted; upload again."),
                status_code=400,
            )
        return ApiJSONResponse(
            {"component_id": ticket.component_id, "size": result["size"]},
            headers={"ETag": f'"{result["md5"]}"'},
        )

    def _download_user(request: Request) -> Optional[str]:
        username = request.query_params.get("username") or request.headers.get(HEADER_USER)
        api_key = request.query_params.get("apiKey") or request.headers.get(HEADER_API_KEY)
        request.state.ftrack_user = username
        user_id = server.authenticate(username, api_key)
        request.state.auth_ok = user_id is not None
        return user_id

    def _denied(request: Request) -> Response:
        username = request.state.ftrack_user
        return ApiJSONResponse(
            error_payload(INVALID_CREDENTIALS, invalid_credentials_message(username)),
            status_code=401,
        )

    def _file_response(request: Request, missing_hint: str) -> Response:
        if _download_user(request) is None:
            return _denied(request)
        try:
            component_id = check_component_id(request.query_params.get("id"))
        except FileStoreError as exc:
            return ApiJSONResponse(error_payload(exc.exception, exc.message), status_code=400)
        path = server.files.path_for(component_id)
        if not path.is_file():
            return ApiJSONResponse(
                error_payload(
                    "NotFoundError", f"No file for component {component_id}. {missing_hint}"
                ),
                status_code=404,
            )
        info = server.files.info(component_id)
        return FileResponse(
            path,
            media_type=info.get("content_type") or "application/octet-stream",
            filename=info.get("file_name") or component_id,
            content_disposition_type="inline",
        )

    async def component_get(request: Request) -> Response:
        return _file_response(request, "Upload it to ftrack.server first.")

    async def component_thumbnail(request: Request) -> Response:
        size_text = request.query_params.get("size")
        if not size_text:
            return _file_response(request, "Create the thumbnail component first.")
        if _download_user(request) is None:
            return _denied(request)
        try:
            component_id = check_component_id(request.query_params.get("id"))
            size = int(size_text)
            if not 1 <= size <= 4096:
                raise ValueError(size_text)
        except (FileStoreError, ValueError):
            return ApiJSONResponse(
                error_payload("ValidationError", "Give id=<component id> and size=1..4096."),
                status_code=400,
            )
        if not server.files.exists(component_id):
            return ApiJSONResponse(
                error_payload("NotFoundError", f"No file for component {component_id}."),
                status_code=404,
            )
        try:
            path, media_type = await run_in_threadpool(
                sized_thumbnail, server.files, component_id, size
            )
        except RuntimeError as exc:
            return ApiJSONResponse(
                error_payload("ValidationError", f"No thumbnail for {component_id}: {exc}"),
                status_code=415,
            )
        return FileResponse(path, media_type=media_type, content_disposition_type="inline")

    async def component_remove(request: Request) -> Response:
        user_id = _download_user(request)
        if user_id is None:
            return _denied(request)
        try:
            component_id = check_component_id(request.query_params.get("id"))
        except FileStoreError as exc:
            return ApiJSONResponse(error_payload(exc.exception, exc.message), status_code=400)
        refusal = await run_in_threadpool(
            permissions.may_remove_file, server.store, user_id, component_id
        )
        if refusal:
            return ApiJSONResponse(error_payload(permissions.PERMISSION_ERROR, refusal), 403)
        removed = server.files.remove(component_id)
        return ApiJSONResponse({"component_id": component_id, "removed": removed})

    async def widget(request: Request) -> Response:
        try:
            payload = server.files.unsign_token(request.query_params.get("token") or "", "widget")
        except FileStoreError as exc:
            return HTMLResponse(f"<p>{html.escape(exc.message)}</p>", status_code=403)
        title = html.escape(
            f"{payload.get('w')}: {payload.get('et') or ''} {payload.get('ek') or ''}"
        )
        theme = "#222;color:#eee" if payload.get("t") == "dark" else "#fff;color:#111"
        return HTMLResponse(
            f"<!doctype html><html><head><meta charset='utf-8'><title>{title}</title></head>"
            f"<body style='background:{theme};font-family:sans-serif'><h1>{title}</h1>"
            "<p>ft_dcc embedded server widget.</p></body></html>"
        )

    routes: List[Any] = [
        Route("/", index, methods=["GET", "HEAD"]),
        Route("/api", api, methods=["POST"]),
        Route("/file-upload/{component_id}", upload, methods=["PUT"]),
        Route("/component/get", component_get, methods=["GET", "HEAD"]),
        Route("/component/thumbnail", component_thumbnail, methods=["GET", "HEAD"]),
        Route("/component/remove", component_remove, methods=["GET", "POST"]),
        Route("/widget", widget, methods=["GET"]),
    ]
    if server.events is not None:
        routes.extend(server.events.routes())
    from ft_dcc.server import review_page  # the web review page (/review/...)

    routes.extend(review_page.routes(server))

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette):  # type: ignore[no-untyped-def]
        try:
            yield
        finally:
            server.close()

    async def http_error(request: Request, exc: Exception) -> Response:
        status = int(getattr(exc, "status_code", 500))
        detail = getattr(exc, "detail", None) or "error"
        return ApiJSONResponse(
            error_payload("NotFoundError" if status == 404 else "ValidationError",
                          f"{request.method} {request.url.path}: {detail}."),
            status_code=status,
        )  # fmt: skip

    async def server_error(request: Request, exc: Exception) -> Response:
        log.exception("unhandled error", exc_info=exc)
        return ApiJSONResponse(
            error_payload("ServerError", "Internal server error; see the server log."),
            status_code=500,
        )

    app = Starlette(
        routes=routes,
        lifespan=lifespan,
        exception_handlers={
            404: http_error, 405: http_error, 500: server_error, **http_limits.EXCEPTION_HANDLERS
        },
    )  # fmt: skip
    app.state.server = server
    app.add_middleware(http_limits.BodyTimeoutMiddleware, timeout=http_limits.body_timeout())
    app.add_middleware(RequestLogMiddleware, request_log=request_log)
    return app
