"""The request log: one JSON line per HTTP request, with API keys and tokens redacted.

Redacted: the secret query parameters (``apiKey``, ``token``...), every header whose name speaks
of a secret (``ftrack-api-key``, ``Authorization``, ``Cookie``, ``X-…-Token``...), and secret
``name=value`` pairs inside any other header (a ``Referer`` or ``Origin`` that carries a
URL's query string). The file is created private to the server's user (mode 0600).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import re
import threading
from pathlib import Path
from typing import Any, Dict, Mapping, Optional
from urllib.parse import parse_qsl, urlencode

from starlette.types import Message, Scope, Send

from ft_dcc.protocol import HEADER_USER

log = logging.getLogger(__name__)

REDACTED = "<redacted>"
SECRET_QUERY_KEYS = {"apikey", "api_key", "token", "signature", "secret", "password"}
#: Header names whose whole value is a secret (credentials, cookies, tokens, signatures).
SECRET_HEADER_WORDS = ("key", "token", "secret", "signature", "auth", "cookie", "password")
#: A secret ``name=value`` pair inside any other header's value.
SECRET_PAIR = re.compile(r"(?i)\b((?:api_?key|token|signature|secret|password)=)[^&;,\s#]*")
LOG_MODE = 0o600
#: the most characters of one header value, the path or the query kept in a line (cut before
#: they are scanned for secrets: a request's headers may be larger than anything worth logging)
MOST_LOGGED = 2000


class RequestLog:
    """Appends one JSON line per HTTP request; thread-safe, flushed per line."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._lock = threading.Lock()
        os.close(os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, LOG_MODE))
        os.chmod(path, LOG_MODE)  # an older log may have been made with a laxer mode

    def write(self, entry: Mapping[str, object]) -> None:
        line = json.dumps(entry, default=str) + "\n"
        with self._lock, open(self.path, "a", encoding="utf-8") as handle:
            handle.write(line)


def _redacted_query(query: str) -> str:
    pairs = parse_qsl(query[:MOST_LOGGED], keep_blank_values=True)
    return urlencode([(k, REDACTED if k.lower() in SECRET_QUERY_KEYS else v) for k, v in pairs])


def _redacted_header(name: str, value: str) -> str:
    if any(word in name for word in SECRET_HEADER_WORDS):
        return REDACTED
    return SECRET_PAIR.sub(lambda match: match.group(1) + REDACTED, value[:MOST_LOGGED])


def _log_entry(scope: Scope, status: int) -> Dict[str, Any]:
    state = scope.setdefault("state", {})
    headers: Dict[str, str] = {}
    for raw_name, raw_value in scope.get("headers", []):
        name = raw_name[:200].decode("latin-1").lower()
        value = raw_value[:MOST_LOGGED].decode("latin-1")
        headers[name] = _redacted_header(name, value)
    return {
        "time": dt.datetime.now(dt.timezone.utc).isoformat(),
        "method": scope.get("method"),
        "path": str(scope.get("path") or "")[:MOST_LOGGED],
        "query": _redacted_query(scope.get("query_string", b"").decode("latin-1")),
        "status": status,
        "actions": state.get("actions", []),
        "ftrack_user": state.get("ftrack_user", headers.get(HEADER_USER)),
        "auth_ok": bool(state.get("auth_ok", False)),
        "headers": headers,
    }


class LoggedSend:
    """The door's outermost ``send``: writes the request's log entry when its response starts
    (so it is there when the answer arrives), or with status 500 when the request failed
    before answering (:meth:`failed`). Without a log it only forwards."""

    def __init__(self, request_log: Optional[RequestLog], scope: Scope, send: Send) -> None:
        self.request_log = request_log
        self.scope = scope
        self.send = send
        self.written = False
        if request_log is not None:
            scope.setdefault("state", {})

    async def __call__(self, message: Message) -> None:
        if (self.request_log is not None and message["type"] == "http.response.start"
                and not self.written):  # fmt: skip
            self.written = True
            try:
                self.request_log.write(_log_entry(self.scope, int(message["status"])))
            except Exception:
                log.exception("could not write the request log")
        await self.send(message)

    def failed(self) -> None:
        """The request raised: its entry says 500 unless its answer had started."""
        if self.request_log is not None and not self.written:
            self.request_log.write(_log_entry(self.scope, 500))
