"""The request log: one JSON line per HTTP request, with API keys and tokens redacted."""

from __future__ import annotations

import datetime as dt
import json
import logging
import threading
from pathlib import Path
from typing import Any, Dict, Optional
from urllib.parse import parse_qsl, urlencode

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ft_dcc.server.http.auth import HEADER_API_KEY, HEADER_USER

log = logging.getLogger(__name__)

REDACTED = "<redacted>"
SECRET_QUERY_KEYS = {"apikey", "api_key", "token"}


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


def _log_entry(scope: Scope, status: int) -> Dict[str, Any]:
    state = scope.setdefault("state", {})
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


class RequestLogMiddleware:
    """Writes the request log entry when the response starts (so it is there when it arrives)."""

    def __init__(self, app: ASGIApp, request_log: Optional[RequestLog]) -> None:
        self.app = app
        self.request_log = request_log

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request_log = self.request_log
        if scope["type"] != "http" or request_log is None:
            await self.app(scope, receive, send)
            return
        scope.setdefault("state", {})
        written = False

        async def logging_send(message: Message) -> None:
            nonlocal written
            if message["type"] == "http.response.start" and not written:
                written = True
                try:
                    request_log.write(_log_entry(scope, int(message["status"])))
                except Exception:
                    log.exception("could not write the request log")
            await send(message)

        try:
            await self.app(scope, receive, logging_send)
        except Exception:
            if not written:
                request_log.write(_log_entry(scope, 500))
            raise
