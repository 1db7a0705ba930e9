"""The rate limits' HTTP side (the limits themselves: :mod:`ft_dcc.server.limits.limiter`): the
door (``http.door``) tells :func:`~ft_dcc.server.limits.limiter.reserve` which limiter counts a
request and which source it comes from (the address the server proved:
:func:`ft_dcc.server.audit.source.peer_address`; ``X-Forwarded-For`` only from the proxies of
``--forwarded-allow-ips``), and the **429** answers with ``Retry-After``.
"""

from __future__ import annotations

from typing import Any, Callable, Dict

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from ft_dcc.server.http.responses import error_response
from ft_dcc.server.limits.limiter import TooManyAttempts

#: where answers are pages, not the ftrack JSON API (a plain page there)
PAGE_PREFIX = "/review"


async def _too_many(request: Request, exc: Exception) -> Response:
    """429 with ``Retry-After``: ftrack's error shape, or a plain page in the review room."""
    assert isinstance(exc, TooManyAttempts)
    headers = {"Retry-After": str(exc.retry_after), "Cache-Control": "no-store"}
    if request.url.path.startswith(PAGE_PREFIX):
        return PlainTextResponse(exc.message, status_code=429, headers=headers)
    response = error_response(exc.exception, exc.message, 429)
    response.headers.update(headers)
    return response


#: Starlette exception handlers (before the one for every ServerError)
EXCEPTION_HANDLERS: Dict[Any, Callable[..., Any]] = {TooManyAttempts: _too_many}
