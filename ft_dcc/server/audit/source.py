"""Where the current request came from, for entries recorded far from the request (the
committed changes of an ``/api`` batch): the route sets it, :func:`current_source` reads it
(each request runs in its own context; worker threads inherit it). :func:`peer_address` is the
one reading of a request's address, shared with the rate limits."""

from __future__ import annotations

import contextvars
from typing import Any, Mapping

#: the longest address kept (an IPv6 address with a zone fits; a proxy's claim is cut)
MAX_ADDRESS = 200
_SOURCE: contextvars.ContextVar[str] = contextvars.ContextVar("ft_dcc_audit_source", default="")
#: the source of entries no request caused (the server's own writes)
SERVER = "server"


def set_source(address: str) -> None:
    """The current request's client address."""
    _SOURCE.set(address)


def current_source() -> str:
    return _SOURCE.get() or SERVER


def peer_address(scope: Mapping[str, Any]) -> str:
    """The address the server proved for a request (ASGI ``scope``): the peer that connected,
    or, only when that peer is a proxy named by ``ft-dcc server --forwarded-allow-ips``, the
    client it names in ``X-Forwarded-For`` (uvicorn's proxy middleware has set
    ``scope["client"]`` before the app runs; with no proxies configured it is not installed).
    Cut at :data:`MAX_ADDRESS` characters before anything reads it."""
    client = scope.get("client")
    return str(client[0])[:MAX_ADDRESS] if client else "unknown"
