"""A raw socket.io 0.9 client for the event hub tests: what a misbehaving peer would send."""

from __future__ import annotations

from typing import Any, Optional

import requests


def handshake(server: Any) -> str:
    """A fresh session id from an authenticated socket.io handshake with ``server``."""
    response = requests.get(
        server.url + "/socket.io/1/",
        headers={"ftrack-user": server.api_user, "ftrack-api-key": server.api_key},
        timeout=5,
    )
    assert response.status_code == 200, response.text
    return response.text.split(":")[0]


def websocket_url(server: Any, sid: str = "") -> str:
    return f"ws://127.0.0.1:{server.port}/socket.io/1/websocket/{sid}"


def raw_socket(server: Any, timeout: Optional[float] = None) -> Any:
    """A websocket to ``server`` past the handshake and its connect packet (``1::``)."""
    import websocket

    sock = websocket.create_connection(websocket_url(server, handshake(server)), timeout=timeout)
    assert sock.recv() == "1::"
    return sock
