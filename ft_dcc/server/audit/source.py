"""Where the current request came from, for entries recorded far from the request (the
committed changes of an ``/api`` batch): the route sets it, :func:`current_source` reads it
(each request runs in its own context; worker threads inherit it)."""

from __future__ import annotations

import contextvars

_SOURCE: contextvars.ContextVar[str] = contextvars.ContextVar("ft_dcc_audit_source", default="")
#: the source of entries no request caused (the server's own writes)
SERVER = "server"


def set_source(address: str) -> None:
    """The current request's client address."""
    _SOURCE.set(address)


def current_source() -> str:
    return _SOURCE.get() or SERVER
