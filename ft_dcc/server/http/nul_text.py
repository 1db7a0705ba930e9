"""A NUL character in a request's path or query string is refused with **400** before any
route reads it: no id, name or token has one, and PostgreSQL refuses it in any text (a look-up
of one answered 500). Bodies are held to the same rule where they are parsed
(``http.bodies.parse_json_body``, ``signin.forms``)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from ft_dcc.server.errors import BadInput
from ft_dcc.server.http.body_limit import Refuse

NUL_REFUSED = "The address holds a NUL character (%00); no id, name or token has one. Remove it."


class NulRefusedMiddleware:
    """Answers a request whose path or query string holds a NUL with the app's 400."""

    def __init__(self, app: ASGIApp, refuse: Refuse) -> None:
        self.app = app
        self.refuse = refuse

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket") and _holds_nul(scope):
            if scope["type"] == "websocket":
                await send({"type": "websocket.close", "code": 1008})
                return
            response = await self.refuse(Request(scope), BadInput(NUL_REFUSED))
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)


def _holds_nul(scope: Scope) -> bool:
    query = scope.get("query_string", b"")
    return "\0" in scope.get("path", "") or b"%00" in query or b"\0" in query
