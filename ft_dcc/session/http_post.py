"""POST requests to the API: kept-alive ``http.client`` connections (standard library), so a
session starts without importing ``requests`` (~60% of the client's import time); ``requests``
is used instead when the environment names a proxy (it applies ``*_proxy``/``no_proxy``).

A failure raises :class:`PostFailed`, saying whether the request may have reached the server
(a refused or unresolved connection never did), which decides whether resending is safe.
"""

from __future__ import annotations

import errno
import http.client
import json
import os
import select
import socket
import sys
import threading
import zlib
from typing import Any, Dict, List, Optional, Union
from urllib.parse import urlsplit

from ft_dcc.protocol.json_value import JsonValue

#: the environment variables ``requests`` reads proxies from (compared lower-cased)
PROXY_VARIABLES = ("http_proxy", "https_proxy", "all_proxy")
#: what a person reads for the usual ways a connection fails (urllib3's text names its pools)
_PLAIN_REASONS = (
    ("refused", "connection refused"),
    ("timed out", "timed out"),
    ("Name or service not known", "host name not found"),
    ("nodename nor servname", "host name not found"),
    ("getaddrinfo failed", "host name not found"),
    ("No route to host", "no route to host"),
    ("Network is unreachable", "network unreachable"),
    ("CERTIFICATE_VERIFY_FAILED", "its TLS certificate is not trusted"),
)


def _is_timeout(error: BaseException) -> bool:
    """A socket's timeout, or ``requests``' (only loaded once a proxy made it used)."""
    if isinstance(error, (socket.timeout, TimeoutError)):
        return True
    requests = sys.modules.get("requests")
    return requests is not None and isinstance(error, requests.Timeout)


def plain_reason(error: BaseException) -> str:
    """Why a connection failed, in a few plain words ("connection refused"); "" when unknown."""
    if _is_timeout(error):
        return "timed out"
    text = str(error)
    return next((plain for raw, plain in _PLAIN_REASONS if raw in text), "")


class PostFailed(Exception):
    """The POST got no answer; ``arrived``: the server may have received (and applied) it."""

    def __init__(self, reason: str, arrived: bool) -> None:
        super().__init__(reason)
        self.reason = reason
        self.arrived = arrived


class Reply:
    """An HTTP answer: status, body bytes (decompressed) and lower-cased headers."""

    def __init__(self, status: int, body: bytes, headers: Dict[str, str]) -> None:
        self.status_code = status
        self.content = body
        self.headers = headers

    @property
    def text(self) -> str:
        return self.content.decode("utf-8", "replace")

    def json(self) -> JsonValue:
        """The body parsed as JSON; ``ValueError`` when it is not JSON."""
        return json.loads(self.content)


def _connection_class(scheme: str) -> Any:
    if scheme == "https":
        return http.client.HTTPSConnection
    if scheme == "http":
        return http.client.HTTPConnection
    raise ValueError(f"the server URL must start with http:// or https://, not {scheme}://")


def _tls_context() -> Any:
    """TLS verified as ``requests`` does: ``REQUESTS_CA_BUNDLE``/``CURL_CA_BUNDLE``, else
    certifi's bundle when installed, else the system's."""
    import ssl

    cafile = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE")
    if not cafile:
        try:
            import certifi

            cafile = certifi.where()
        except ImportError:
            cafile = None
    if cafile and os.path.isdir(cafile):
        return ssl.create_default_context(capath=cafile)
    return ssl.create_default_context(cafile=cafile or None)


class StdlibPoster:
    """POSTs to one server over a pool of kept-alive connections (thread-safe)."""

    def __init__(self, url: str, timeout: float) -> None:
        parts = urlsplit(url)
        self.scheme = parts.scheme.lower()
        self._make = _connection_class(self.scheme)
        self.host = parts.hostname or ""
        self.port = parts.port
        self.timeout = timeout
        self._idle: List[http.client.HTTPConnection] = []
        self._lock = threading.Lock()
        self._context: Any = None

    def _new(self) -> http.client.HTTPConnection:
        if self.scheme == "https":
            if self._context is None:
                self._context = _tls_context()
            return self._make(self.host, self.port, timeout=self.timeout, context=self._context)
        return self._make(self.host, self.port, timeout=self.timeout)

    def _take(self) -> http.client.HTTPConnection:
        """An idle connection the server has not closed meanwhile, else a new one."""
        while True:
            with self._lock:
                connection = self._idle.pop() if self._idle else None
            if connection is None:
                return self._new()
            sock = connection.sock
            if sock is not None and not select.select([sock], [], [], 0)[0]:
                return connection
            connection.close()  # readable while idle: closed by the server (or garbage)

    def post(self, url: str, body: bytes, headers: Dict[str, str]) -> Reply:
        connection = self._take()
        if connection.sock is None:
            try:
                connection.connect()
            except (OSError, http.client.HTTPException) as error:
                connection.close()
                raise PostFailed(plain_reason(error) or str(error), arrived=False) from None
        try:
            connection.request("POST", urlsplit(url).path or "/", body=body, headers=headers)
            response = connection.getresponse()
            content = response.read()
        except (OSError, http.client.HTTPException) as error:
            connection.close()
            reason = plain_reason(error) or f"{type(error).__name__}: {error}"
            raise PostFailed(reason, arrived=True) from None
        reply_headers = {k.lower(): v for k, v in response.getheaders()}
        if response.will_close:
            connection.close()
        else:
            with self._lock:
                self._idle.append(connection)
        if reply_headers.get("content-encoding", "").lower() == "gzip":
            content = zlib.decompress(content, 16 + zlib.MAX_WBITS)
        return Reply(response.status, content, reply_headers)

    def close(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, []
        for connection in idle:
            connection.close()


class RequestsPoster:
    """POSTs through ``requests`` (imported here): used when a proxy is configured."""

    def __init__(self, timeout: float) -> None:
        import requests

        self.timeout = timeout
        self.http = requests.Session()

    def post(self, url: str, body: bytes, headers: Dict[str, str]) -> Reply:
        import requests

        try:
            response = self.http.post(url, data=body, headers=headers, timeout=self.timeout)
        except (requests.ConnectionError, requests.Timeout) as error:
            raise PostFailed(plain_reason(error) or str(error), _may_have_arrived(error)) from None
        return Reply(response.status_code, response.content, dict(response.headers))

    def close(self) -> None:
        self.http.close()


#: socket errors of a connection that was never made: refused, no route or network, a host
#: name that does not resolve (told by type and errno, never by the text)
_NEVER_CONNECTED = frozenset({errno.ECONNREFUSED, errno.EHOSTUNREACH, errno.ENETUNREACH})


def _may_have_arrived(error: Exception) -> bool:
    """Whether a failed ``requests`` POST may have reached the server: not when connecting
    timed out or the connection was never made (the socket's error, found along the chain of
    causes ``requests`` and urllib3 wrap it in)."""
    import requests

    if isinstance(error, requests.ConnectTimeout):
        return False
    return not any(_never_connected(cause) for cause in _causes(error))


def _never_connected(error: BaseException) -> bool:
    if isinstance(error, socket.gaierror):
        return True
    return isinstance(error, OSError) and error.errno in _NEVER_CONNECTED


def _causes(error: BaseException) -> List[BaseException]:
    """``error`` and what it wraps: its cause and context, urllib3's ``reason``, and the
    exceptions among its arguments (``requests`` wraps urllib3's error there)."""
    found: List[BaseException] = []
    todo: List[object] = [error]
    while todo:
        current = todo.pop()
        if not isinstance(current, BaseException) or any(current is f for f in found):
            continue
        found.append(current)
        todo.extend([current.__cause__, current.__context__, getattr(current, "reason", None)])
        todo.extend(current.args)
    return found


def proxy_configured(environ: Optional[Dict[str, str]] = None) -> bool:
    """Whether the environment names a proxy (``http_proxy``, ``HTTPS_PROXY``, ...)."""
    environ = dict(os.environ) if environ is None else environ
    return any(k.lower() in PROXY_VARIABLES and v for k, v in environ.items())


def make_poster(url: str, timeout: float) -> Union[StdlibPoster, RequestsPoster]:
    """The standard-library poster, or ``requests`` when a proxy is configured."""
    if proxy_configured():
        return RequestsPoster(timeout)
    return StdlibPoster(url, timeout)
