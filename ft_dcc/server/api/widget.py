"""``GET /widget?token=``: the page behind ``get_widget_url`` (other than the review page)."""

from __future__ import annotations

import html
from typing import List

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from ft_dcc.server.files.filestore import FileStoreError
from ft_dcc.server.identity.layer import identity_of
from ft_dcc.server.identity.policy import Area, admits
from ft_dcc.server.runtime.embedded import EmbeddedServer

#: The widget page runs no script; only its inline theme style is allowed.
WIDGET_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; "
    "frame-ancestors 'self'; base-uri 'none'; form-action 'none'",
}


def routes(server: EmbeddedServer) -> List[Route]:
    """The widget page's route for ``server``."""

    async def widget(request: Request) -> Response:
        try:
            identity = identity_of(request)  # the widget URL's token, checked here
            token = identity.token if admits(identity, Area.WIDGET) else None
            payload = server.files.unsign_token(token or "", "widget")
        except FileStoreError as exc:  # a bad or expired link: its own status (403)
            return HTMLResponse(f"<p>{html.escape(exc.message)}</p>", status_code=exc.status)
        title = html.escape(
            f"{payload.get('w')}: {payload.get('et') or ''} {payload.get('ek') or ''}"
        )
        theme = "#222;color:#eee" if payload.get("t") == "dark" else "#fff;color:#111"
        return HTMLResponse(
            f"<!doctype html><html><head><meta charset='utf-8'><title>{title}</title></head>"
            f"<body style='background:{theme};font-family:sans-serif'><h1>{title}</h1>"
            "<p>ft_dcc embedded server widget.</p></body></html>",
            headers=WIDGET_HEADERS,
        )

    return [Route("/widget", widget, methods=["GET"])]
