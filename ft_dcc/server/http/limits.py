"""Request bodies that stall and clients that leave: clear answers, no 500s, no hung workers.

- :func:`timed` (the door's ``receive``): while a request body is being read, each next chunk
  must arrive within ``FT_DCC_BODY_TIMEOUT`` seconds (default 30; an idle timeout, so slow but
  steady uploads are fine); otherwise the request is answered **408** (``RequestTimeoutError``).
- A client that disconnects before its body arrived is logged as such (info) and recorded with
  status 499 ("client closed request"), not as an unhandled server error.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any, Callable, Dict

from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response
from starlette.types import Message, Receive

from ft_dcc.server.common.env_number import positive_number
from ft_dcc.server.common.errors import ServerError
from ft_dcc.server.http.auth import error_payload

log = logging.getLogger(__name__)

TIMEOUT_ENV = "FT_DCC_BODY_TIMEOUT"
DEFAULT_BODY_TIMEOUT = 30.0
CLIENT_CLOSED_STATUS = 499


class BodyTimeout(ServerError):
    """The client stopped sending its request body."""

    exception = "ValidationError"
    status = 408


def body_timeout() -> float:
    """The idle timeout for request bodies (seconds), from ``FT_DCC_BODY_TIMEOUT``."""
    return positive_number(TIMEOUT_ENV, DEFAULT_BODY_TIMEOUT)


def timed(receive: Receive, timeout: float) -> Receive:
    """``receive`` timed out (:class:`BodyTimeout`) while the request body is incomplete (not
    afterwards: then it only waits for a disconnect)."""
    body_done = False

    async def timed_receive() -> Message:
        nonlocal body_done
        if body_done:  # afterwards receive() only waits for a disconnect: never time it out
            return await receive()
        try:
            message = await asyncio.wait_for(receive(), timeout)
        except asyncio.TimeoutError:
            raise BodyTimeout(
                f"No request data arrived for {timeout:g} s; the request was dropped. "
                "Send the whole body without pausing (or retry on a better connection)."
            ) from None
        if message.get("type") != "http.request" or not message.get("more_body", False):
            body_done = True
        return message

    return timed_receive


async def _timed_out(request: Request, exc: Exception) -> Response:
    log.info("%s %s: %s", request.method, request.url.path, exc)
    return JSONResponse(error_payload("RequestTimeoutError", str(exc)), status_code=408)


async def _client_gone(request: Request, exc: Exception) -> Response:
    log.info("%s %s: the client disconnected before sending its request", request.method,
             request.url.path)  # fmt: skip
    return JSONResponse(
        error_payload("ValidationError", "The client disconnected; the request was dropped."),
        status_code=CLIENT_CLOSED_STATUS,
    )


#: Starlette exception handlers for the two cases
EXCEPTION_HANDLERS: Dict[Any, Callable[..., Any]] = {
    BodyTimeout: _timed_out,
    ClientDisconnect: _client_gone,
}
