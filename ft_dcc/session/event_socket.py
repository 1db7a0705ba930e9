"""Opening the event hub's socket.io 0.9 websocket: handshake, websocket, connect packet.

``websocket-client`` is optional and imported only when a connection is opened, without numpy
(:func:`websocket_module`).
"""

from __future__ import annotations

import builtins
import contextlib
import importlib.abc
import importlib.machinery
import logging
import re
import sys
from types import ModuleType
from typing import Any, Dict, Optional, Protocol, Sequence, Tuple

import requests

from ft_dcc.exceptions import EventHubError
from ft_dcc.protocol import HEADER_API_KEY, HEADER_USER
from ft_dcc.protocol.events import (
    CONNECT,
    HEARTBEAT,
    SOCKET_IO_PATH,
    WEBSOCKET_PATH_PREFIX,
    Packet,
    format_packet,
    parse_packet,
)

# Hub messages share the event hub's logger, whichever module logs them.
logger = logging.getLogger("ft_dcc.session.event_hub")

INSTALL_HINT = "install the events extra: pip install 'ft-dcc[events]'"


class EventSocket(Protocol):
    """What the hub uses of a ``websocket-client`` ``WebSocket`` (the package ships no types)."""

    @property
    def connected(self) -> bool: ...

    def send(self, payload: str) -> object: ...

    def recv(self) -> str: ...

    def settimeout(self, timeout: float) -> None: ...

    def abort(self) -> None: ...

    def shutdown(self) -> None: ...


#: websocket-client's module that imports numpy when it can (0.x, which ftrack-python-api pins)
FRAMES_MODULE = "websocket._abnf"


def _without_numpy(name: str, *args: Any, **kwargs: Any) -> ModuleType:
    """``__import__`` for :data:`FRAMES_MODULE`'s code: numpy is not there."""
    if name == "numpy" or name.startswith("numpy."):
        raise ImportError("numpy is not imported for websocket-client", name=name)
    return builtins.__import__(name, *args, **kwargs)


class _FramesLoader(importlib.abc.Loader):
    """Runs :data:`FRAMES_MODULE` with :func:`_without_numpy` as its ``__import__``."""

    def __init__(self, loader: importlib.abc.Loader) -> None:
        self._loader = loader

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> Optional[ModuleType]:
        return self._loader.create_module(spec)

    def exec_module(self, module: ModuleType) -> None:
        module.__dict__["__builtins__"] = dict(vars(builtins), __import__=_without_numpy)
        self._loader.exec_module(module)


class _FramesFinder(importlib.abc.MetaPathFinder):
    """Finds :data:`FRAMES_MODULE` as the path finder does, to be run by :class:`_FramesLoader`;
    no other module."""

    def find_spec(
        self, fullname: str, path: Optional[Sequence[str]], target: Optional[ModuleType] = None
    ) -> Optional[importlib.machinery.ModuleSpec]:
        if fullname != FRAMES_MODULE:
            return None
        spec = importlib.machinery.PathFinder.find_spec(fullname, path)
        if spec is not None and spec.loader is not None:
            spec.loader = _FramesLoader(spec.loader)
        return spec


def _import_websocket() -> ModuleType:
    """``import websocket``, its frames masked without numpy (in pure Python, or by wsaccel when
    installed, as where numpy is not installed): websocket-client 0.x imports numpy only to mask
    the frames it sends, 0.15 CPU-s of every process that connects a hub (the small events a
    client sends take microseconds to mask). Only its frames module sees no numpy: another
    thread importing numpy meanwhile gets it."""
    finder = _FramesFinder()
    sys.meta_path.insert(0, finder)
    try:
        import websocket
    finally:
        sys.meta_path.remove(finder)
    return websocket


def websocket_module() -> ModuleType:
    """The ``websocket-client`` module, or EventHubError saying how to install it."""
    try:
        websocket: Optional[ModuleType] = _import_websocket()
    except ImportError:
        websocket = None
    if websocket is None or not hasattr(websocket, "create_connection"):
        raise EventHubError(
            "The event hub needs the websocket-client package, which is not installed",
            hint=INSTALL_HINT,
        )
    return websocket


def open_socket(
    websocket: ModuleType,
    scheme: str,
    netloc: str,
    api_user: str,
    api_key: str,
    headers: Dict[str, str],
    timeout: float,
    heartbeat_timeout: float,
) -> EventSocket:
    """A connected websocket to the hub at ``scheme://netloc`` that has received the server's
    connect packet; its read timeout is ``heartbeat_timeout``. EventHubError says why not."""
    server_url = f"{scheme}://{netloc}"
    if not scheme or not netloc:
        raise EventHubError(
            f"Cannot connect to the event hub: server URL {server_url!r} has no scheme or host",
            hint="set FTRACK_SERVER to a URL such as https://studio.ftrackapp.com",
        )
    handshake_headers = dict(headers)
    handshake_headers[HEADER_USER] = api_user
    handshake_headers[HEADER_API_KEY] = api_key
    socket_id = _handshake(server_url, api_user, handshake_headers, timeout)
    ws_scheme = "wss" if scheme == "https" else "ws"
    ws_url = f"{ws_scheme}://{netloc}{WEBSOCKET_PATH_PREFIX}{socket_id}"
    sock, first = _connect(websocket, ws_url, server_url, headers, timeout)
    if first.code != CONNECT:
        with contextlib.suppress(Exception):
            sock.shutdown()
        raise EventHubError(
            f"The event hub at {server_url} did not accept the connection "
            f"(first packet {first.code}:{first.data[:100]})"
        )
    sock.settimeout(heartbeat_timeout)
    return sock


def _handshake(server_url: str, api_user: str, headers: Dict[str, str], timeout: float) -> str:
    """The socket.io handshake with the hub at ``server_url``: the id of the new socket."""
    try:
        response = requests.get(server_url + SOCKET_IO_PATH, headers=headers, timeout=timeout)
    except requests.RequestException as error:
        raise EventHubError(
            f"Cannot reach the ftrack event hub at {server_url}: {describe_error(error, timeout)}",
            hint="check FTRACK_SERVER and that the server is running; "
            "the rest of the session works without events",
        ) from None
    if response.status_code in (401, 403):
        raise EventHubError(
            f"The ftrack event hub at {server_url} refused user {api_user!r} "
            f"(HTTP {response.status_code}): {response.text.strip()[:200]}",
            hint="check FTRACK_API_USER and FTRACK_API_KEY",
        )
    parts = response.text.strip().split(":")
    if response.status_code != 200 or len(parts) < 4:
        raise EventHubError(
            f"The server at {server_url} has no usable event hub: GET {SOCKET_IO_PATH} "
            f"answered HTTP {response.status_code}",
            hint="check FTRACK_SERVER points at an ftrack server",
        )
    if "websocket" not in parts[3].split(","):
        raise EventHubError(f"The event hub at {server_url} does not offer websocket transport")
    return parts[0]


def _connect(
    websocket: ModuleType, ws_url: str, server_url: str, headers: Dict[str, str], timeout: float
) -> Tuple[EventSocket, Packet]:
    """The websocket at ``ws_url`` and its first packet that is not a heartbeat."""
    sock: Optional[EventSocket] = None
    try:
        sock = websocket.create_connection(
            ws_url,
            timeout=timeout,
            header=[f"{name}: {value}" for name, value in headers.items()],
            enable_multithread=True,
        )
        first = parse_packet(sock.recv())
        for _ in range(10):  # answer heartbeats that come before the connect packet
            if first.code != HEARTBEAT:
                break
            sock.send(format_packet(HEARTBEAT))
            first = parse_packet(sock.recv())
    except Exception as error:
        if sock is not None:
            with contextlib.suppress(Exception):
                sock.shutdown()
        raise EventHubError(
            f"Cannot open the event hub websocket at {server_url}: {type(error).__name__}: {error}",
            hint="check that the server and any proxy allow websockets",
        ) from None
    assert sock is not None  # made, or the except above raised
    return sock, first


def describe_error(error: Exception, timeout: float) -> str:
    """A short reason for a failed request (no URL, no headers)."""
    if isinstance(error, requests.Timeout):
        return f"no answer within {timeout:g} s"
    found = re.search(r"\[Errno -?\d+\] ([^'\")\]]+)", str(error))
    return found.group(1).strip() if found else type(error).__name__
